"""Simplified/traditional Chinese: detect which a text is written in and convert between them (OpenCC)."""

from __future__ import annotations

from functools import lru_cache

from .schema import Script


@lru_cache(maxsize=2)
def _converter(config: str):
    from opencc import OpenCC

    return OpenCC(config)


@lru_cache(maxsize=2)
def _changed_by(config: str) -> frozenset[str]:
    """The characters a conversion can change: where a dictionary key differs from its value (all of a
    key's characters when their lengths differ). A text with none of them is its own conversion, and most
    text here is already simplified: this check costs microseconds, the pure-Python conversion about a
    millisecond per sentence. Empty (no shortcut) if the package keeps its tables elsewhere."""
    converter = _converter(config)
    converter.convert("")  # loads the dictionaries
    tables = [entry[2] for chain in getattr(converter, "_dict_chain_data", []) for entry in chain if isinstance(entry[2], dict)]
    changed: set[str] = set()
    for table in tables:
        for key, value in table.items():
            first = (value if isinstance(value, str) else value[0]).split(" ")[0]  # the first of the candidates
            changed.update(key if len(key) != len(first) else (k for k, v in zip(key, first) if k != v))
    return frozenset(changed)


def to_simplified(text: str) -> str:
    changed = _changed_by("t2s")
    if changed and changed.isdisjoint(text):
        return text
    return _converted(text)


@lru_cache(maxsize=16_384)
def _converted(text: str) -> str:
    """A traditional-script source's sentences come back question after question."""
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
