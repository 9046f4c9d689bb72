"""Simplified/traditional Chinese: detect which a text is written in and convert between them (OpenCC)."""

from __future__ import annotations

from functools import lru_cache

from .schema import Script


@lru_cache(maxsize=2)
def _converter(config: str):
    from opencc import OpenCC

    return OpenCC(config)


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text)


def to_traditional(text: str) -> str:
    """Taiwan standard forms (集群, not 集羣), which is what the traditional-script sources here use."""
    return _converter("s2tw").convert(text)


def in_script(template: str, script: Script) -> str:
    """Connective words follow the reader's script; source text is already in it (Sentence.display)."""
    return to_traditional(template) if script == "traditional" else template


def detect_script(text: str, threshold: float = 0.03) -> Script:
    """Traditional when enough of its Chinese characters change under t2s; a few shared forms do not count."""
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return "simplified"
    sample = "".join(han[:4000])
    changed = sum(a != b for a, b in zip(sample, to_simplified(sample)))
    return "traditional" if changed / len(sample) >= threshold else "simplified"
