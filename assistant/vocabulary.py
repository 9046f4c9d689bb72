"""The domain's words, read from `data/vocabulary.toml`: provinces, question types, value kinds, programmes,
policy terms, stopwords and synonyms. Ingest, retrieval and answering all read them from here."""

from __future__ import annotations

import re
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


CITIES: dict[str, str] = {city: province for province, cities in vocabulary()["places"]["cities"].items() for city in cities}
"""Each city's province."""


@lru_cache(maxsize=1)
def _place_names() -> re.Pattern:
    """Provinces and cities, longest first, read left to right: 济南通过 names 济南, not 南通, and 陕西安康市
    names 陕西 and 安康."""
    suffixed = vocabulary()["places"]["suffixed"]
    suffix = "|".join(suffixed["suffixes"])
    names = [
        f"{re.escape(name)}(?={suffix})" if name in suffixed["names"] else re.escape(name)
        for name in sorted((*PROVINCES, *CITIES), key=len, reverse=True)
    ]
    return re.compile("|".join(names))


def cities_in(text: str) -> tuple[str, ...]:
    """The cities a text names, in order, each once (厦门市工业和信息化局 → 厦门)."""
    return tuple(dict.fromkeys(m.group() for m in _place_names().finditer(text) if m.group() in CITIES))


def places_in(text: str) -> tuple[str, ...]:
    """Provinces only: a city or county name cannot be told from other words by its suffix alone
    (园区, 多少个县), and rare place names already weigh heavily in lexical matching."""
    return tuple(p for p in PROVINCES if p in text)


def issuing_province(source: str, title: str) -> str | None:
    """The province a document's issuer or title names (云南省工业和信息化厅…), if any."""
    return next(iter(places_in(to_simplified(f"{source}{title}"))), None)
