"""The domain's words, read from `data/vocabulary.toml`: provinces, question types, value kinds, programmes,
policy terms, stopwords and synonyms. Ingest, retrieval and answering all read them from here."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from .script import to_simplified

VOCABULARY_FILE = Path(__file__).parent / "data" / "vocabulary.toml"


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    return tomllib.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))


PROVINCES: tuple[str, ...] = tuple(vocabulary()["places"]["provinces"])
PROGRAMMES: dict[str, tuple[str, ...]] = {name: tuple(forms) for name, forms in vocabulary()["programmes"].items()}
DOMAIN_WORDS: tuple[str, ...] = tuple(vocabulary()["words"]["domain"])
STOPWORDS: frozenset[str] = frozenset(vocabulary()["words"]["stopwords"])
SYNONYMS: tuple[tuple[str, str], ...] = tuple((s["variant"], s["canonical"]) for s in vocabulary()["synonyms"])


def places_in(text: str) -> tuple[str, ...]:
    """Provinces only: a city or county name cannot be told from other words by its suffix alone
    (园区, 多少个县), and rare place names already weigh heavily in lexical matching."""
    return tuple(p for p in PROVINCES if p in text)


def issuing_province(source: str, title: str) -> str | None:
    """The province a document's issuer or title names (云南省工业和信息化厅…), if any."""
    return next(iter(places_in(to_simplified(f"{source}{title}"))), None)
