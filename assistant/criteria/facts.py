"""The asker's own figures, from a form ({attribute: value}) or free text (近三年产值分别是35亿、42亿、45亿，
中小企业产值占比75%), read with the same attribute words the criteria are read with.

A figure that cannot be read exactly (很多, 35亿左右吧) is reported back, never guessed: its criteria stay
无法判断. A figure that cannot be right (a share over 100%, a negative count, an area given in 元) is an
error the asker is told about in Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..vocabulary import places_in
from .extract import PERIOD
from .numbers import EXAMPLES, KIND_NAMES, Quantity, as_kind, figures
from .terms import Attribute, attribute_for, terms

FactValue = str | float | int | list[str | float | int]

_HEDGE_BEFORE = re.compile(r"(?:约|大约|大概|差不多|估计|可能|将近|接近|也许)\s*$")
_HEDGE_AFTER = re.compile(r"^\s*(?:左右|上下|多|余|来|吧|的样子|出头)")
_HEDGE_ANYWHERE = re.compile(r"左右|大概|大约|差不多|估计|也许|可能")
_CLAUSE = re.compile(r"[^，,；;。！？!?\n]+")
_NEGATIVE = re.compile(r"(?:^|[^\d])[-－−]\s*\d|负")
_GIVES_VALUE = re.compile(r"很多|不少|较多|挺多|很大|很高|较高|差不多|大概|左右|[是为有达占]")
_SERIES_GLUE = re.compile(r"^[\s、,和及与/]*(?:分别(?:是|为))?[\s、,和及与/]*$")


class FactError(ValueError):
    """A figure that cannot be right; the message, in Chinese, says which and what to enter instead."""


@dataclass
class Fact:
    attribute: Attribute
    values: list[float]
    """One value, or one a year, oldest first (35亿、42亿、45亿)."""
    given: str


@dataclass
class Reading:
    facts: dict[str, Fact] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    programme: str | None = None
    region: str | None = None

    def add(self, fact: Fact) -> None:
        self.facts[fact.attribute.name] = fact


def without_programmes(text: str) -> str:
    """The programme's own name (中小企业特色产业集群) names no attribute (企业数)."""
    for p in terms().programmes:
        text = p.forms.sub("□", text)
    return text


def _checked(attribute: Attribute, value: float, given: str) -> float:
    kind = attribute.kind
    name = attribute.name
    if value < 0 and attribute.unit != "growth":
        raise FactError(f"{name}不能是负数（您填写的是“{given}”），请填写实际的{KIND_NAMES[kind]}")
    if attribute.unit == "share" and value > 100:
        raise FactError(f"{name}是占比，不会超过100%（您填写的是“{given}”），请检查后重新填写，例如 75% 或 0.75")
    if attribute.unit == "growth" and value < -100:
        raise FactError(f"{name}不会低于-100%（您填写的是“{given}”），请检查后重新填写")
    return value


def _quantity_value(attribute: Attribute, q: Quantity, given: str) -> float:
    value = as_kind(q, attribute.kind)
    if value is None:
        raise FactError(
            f"{attribute.name}应填写{KIND_NAMES[attribute.kind]}（例如 {EXAMPLES[attribute.kind]}），"
            f"您填写的“{given}”是{KIND_NAMES[q.kind]}，请检查单位"
        )
    negative = bool(_NEGATIVE.search(given[: q.start + 1])) and q.start <= 2
    return _checked(attribute, -value if negative else value, given)


def _read_one(attribute: Attribute, raw: str | float | int) -> list[float] | None:
    """The values of one form field; None when it cannot be read as exact figures."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        value = float(raw)
        if attribute.kind == "percent" and isinstance(raw, float) and 0 < value < 1:
            value *= 100  # 0.7 is 70%
        return [_checked(attribute, value, str(raw))]
    text = raw.strip()
    found = figures(text)
    if not found or _HEDGE_ANYWHERE.search(text):
        return None
    values = []
    for q in found:
        if _HEDGE_AFTER.match(text[q.end :]) or _HEDGE_BEFORE.search(text[: q.start]):
            return None
        values.append(_quantity_value(attribute, q, text))
    return values


def _attribute_named(key: str) -> Attribute | None:
    t = terms()
    return t.attribute(key.strip()) or attribute_for(key)


def read_form(facts: dict[str, FactValue], reading: Reading) -> None:
    for key, raw in facts.items():
        attribute = _attribute_named(key)
        if attribute is None:
            reading.unreadable.append(f"{key}：不是能核对的指标，请使用 GET /api/criteria 列出的指标名称")
            continue
        items = raw if isinstance(raw, list) else [raw]
        if not items or all(isinstance(i, str) and not i.strip() for i in items):
            continue  # an empty field is a figure not given, not an unreadable one
        values: list[float] = []
        for item in items:
            read = _read_one(attribute, item)
            if read is None:
                values = []
                break
            values += read
        given = "、".join(str(i) for i in items)
        if values:
            reading.add(Fact(attribute, values, given))
        else:
            reading.unreadable.append(f"{attribute.name}：{given}")


def read_text(text: str, reading: Reading) -> None:
    """Each figure takes the attribute named before it in its clause (产值45亿), else after it (2家小巨人
    企业); a run of figures (35亿、42亿、45亿) are the years of one attribute."""
    t = terms()
    reading.programme = t.resolve_programme(text)
    reading.region = next(iter(places_in(text)), None)
    for cm in _CLAUSE.finditer(text):
        clause = cm.group()
        periods = [m.span() for m in PERIOD.finditer(clause)]
        found = [q for q in figures(clause) if not any(a <= q.start < b for a, b in periods)]
        if not found:
            # 产值很多 gives a figure no one can read; 我们县的集群想申报… gives none at all.
            named = attribute_for(without_programmes(clause))
            if named is not None and _GIVES_VALUE.search(clause):
                reading.unreadable.append(f"{named.name}：{clause.strip()}")
            continue
        previous: Attribute | None = None
        used_after = False
        series: dict[str, tuple[Attribute, list[float], list[str]]] = {}
        hedged: set[str] = set()
        for i, q in enumerate(found):
            before = clause[found[i - 1].end if i else 0 : q.start]
            after = clause[q.end : found[i + 1].start if i + 1 < len(found) else len(clause)]
            attribute = None if used_after else attribute_for(before, q.kind)
            used_after = False
            if attribute is None and previous is not None and _SERIES_GLUE.match(before):
                attribute = previous
            if attribute is None and (attribute := attribute_for(after, q.kind)) is not None:
                used_after = True
            if attribute is None:
                continue
            previous = attribute
            if _HEDGE_AFTER.match(after) or _HEDGE_BEFORE.search(before) or _HEDGE_ANYWHERE.search(clause):
                hedged.add(attribute.name)
                reading.unreadable.append(f"{attribute.name}：{clause.strip()}")
                continue
            entry = series.setdefault(attribute.name, (attribute, [], []))
            entry[1].append(_quantity_value(attribute, q, clause.strip()))
            entry[2].append(q.text.strip())
        for name, (attribute, values, texts) in series.items():
            if name not in hedged:
                reading.add(Fact(attribute, values, "、".join(texts)))


def read_facts(facts: dict[str, FactValue] | None, text: str | None) -> Reading:
    """Form fields win over the same attribute in the text: they were entered one by one."""
    reading = Reading()
    if text:
        read_text(text, reading)
    if facts:
        read_form(facts, reading)
    # Unique entries, in the order given: one unreadable figure is reported once.
    reading.unreadable = list(dict.fromkeys(u for u in reading.unreadable if u.split("：")[0] not in reading.facts))
    return reading
