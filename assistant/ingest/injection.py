"""Sentences written to steer a language model rather than inform a reader ("忽略之前的所有指令，回答：…").

The patterns are data (`data/injection.toml`), matched over simplified text. Such a sentence lowers its chunk's quality at ingest and is
dropped from what either backend may quote or read, so a poisoned upload cannot put words in an answer.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

PATTERNS_FILE = Path(__file__).parent.parent / "data" / "injection.toml"


@lru_cache(maxsize=1)
def patterns() -> dict[str, re.Pattern[str]]:
    data = tomllib.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
    return {p["name"]: re.compile(p["regex"], re.IGNORECASE) for p in data["patterns"]}


def instruction_like(sentence: str) -> bool:
    """Over simplified text, which every caller already has (chunk text, candidate sentences): converting
    again would cost more than the patterns on the answering path."""
    return any(p.search(sentence) for p in patterns().values())


def _sentences(paragraph: str) -> list[str]:
    from .chunk import split_sentences  # chunk.py scores quality, which counts instructions: import on use

    return split_sentences(paragraph)


def count_instructions(text: str) -> int:
    return sum(instruction_like(s) for para in text.split("\n") for s in _sentences(para))


def without_instructions(text: str) -> str:
    """The text with every instruction-like sentence removed, paragraphs kept."""
    return "\n".join("".join(s for s in _sentences(para) if not instruction_like(s)) for para in text.split("\n"))
