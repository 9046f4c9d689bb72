"""Questions about the aspects a rule covers: 暂行办法要求各地从哪些方面培育集群？

Policy documents lay such aspects out as a run of headed units under one heading: 第二章 培育要求 holds
第六条 提升主导产业优势。… 第七条 激发集群创新活力。… Each unit opens with a short sentence that names its
subject. Such a question is answered with those opening sentences, in order, from the part of the document
its best evidence stands in; the one detail sentence that shares most words with the question names one
aspect at most.
"""

from __future__ import annotations

import re

from ..ingest.govdoc import heading_of, lead_in
from ..vocabulary import vocabulary
from .evidence import Sentence, introduces, reading_order

ASKED = re.compile(vocabulary()["outline"]["asked"])
# Fewer units are not an outline, and a longer opening is a rule, not a name for one.
MIN_UNITS = 3
MAX_TOPIC_CHARS = 24
_UNIT_LEVELS = ("article", "section", "item")
# What makes a short opening a statement rather than a name for its unit: 集群认定有效期为三年。 states a
# rule (a figure, 为/是/由…), 提升主导产业优势。 only names what the unit is about.
_STATEMENT = re.compile(r"[\d一二三四五六七八九十百千万两，,；;：:]|为|是|有|由|应|须|不得|可以|不少于|不低于|以上|以下")


def asks_outline(question: str) -> bool:
    return bool(ASKED.search(question))


def topic_level(s: Sentence) -> str | None:
    """The level of the unit a sentence opens when it only names that unit's subject (第六条 提升主导产业优势。,
    （二）强化创新驱动。), or None."""
    found = heading_of(s.simplified)
    if not found or found[0] not in _UNIT_LEVELS:
        return None
    label = re.match(r"\s*\S+?(?:[条、）)])", s.simplified)
    body = s.simplified[label.end() :].strip() if label else ""
    short = 0 < len(body) <= MAX_TOPIC_CHARS and not _STATEMENT.search(body)
    return found[0] if short else None


def outline(best: Sentence, candidates: list[Sentence]) -> list[Sentence]:
    """The opening sentences of a run of headed units, in reading order: the units a heading introduces
    when the best sentence is that heading (第二章 培育要求), else the units beside the best sentence's own
    unit under the same heading. Empty when there are fewer than three."""
    own = [s for s in candidates if s.doc_id == best.doc_id]
    if introduces(best):
        parent = lead_in(best.simplified)
        units = [s for s in own if s.heading.endswith(parent) and topic_level(s)]
    else:
        mine = next((s for s in own if s.place == best.place and topic_level(s)), None)
        if mine is None:
            return []
        level = topic_level(mine)
        units = [s for s in own if s.heading == mine.heading and topic_level(s) == level]
    by_place = {s.place: s for s in sorted(units, key=reading_order, reverse=True)}
    return sorted(by_place.values(), key=reading_order) if len(by_place) >= MIN_UNITS else []
