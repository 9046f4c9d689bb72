"""The words of 申报自查, read from `data/criteria.toml`: operators, requirement signals, attributes,
programmes and levels. Extraction, the check and the chat all read them from here."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .model import NATIONAL

TERMS_FILE = Path(__file__).parent.parent / "data" / "criteria.toml"
# The kind of figure each attribute unit takes (numbers.Kind).
UNIT_KINDS = {"share": "percent", "growth": "percent", "money": "money", "area": "area", "count": "count", "people": "people", "years": "years", "score": "score"}


def _any(words: list[str]) -> re.Pattern:
    """Longest first, so 不超过 is read before 超过 and 及以上 before 以上."""
    return re.compile("|".join(sorted(words, key=len, reverse=True)))


@dataclass(frozen=True)
class OperatorWords:
    op: str
    before: re.Pattern | None
    after: re.Pattern | None
    normative: frozenset[str]


@dataclass(frozen=True)
class Attribute:
    name: str
    words: tuple[re.Pattern, ...]
    unit: str
    growth_of: str | None = None
    subject: str | None = None
    """集群 for what only a group has (an area, a count of its enterprises); None for either."""
    parts: tuple[str, ...] = ()
    """Attributes that add up to this one (单项冠军企业数 + 小巨人企业数)."""

    @property
    def kind(self) -> str:
        return UNIT_KINDS[self.unit]

    def found_in(self, text: str) -> bool:
        return all(w.search(text) for w in self.words)

    def blank(self, text: str) -> str:
        """The text with this attribute's words blanked out: what is counted (小巨人) does not name the programme."""
        for w in self.words:
            text = w.sub(lambda m: "□" * len(m.group()), text)
        return text


@dataclass(frozen=True)
class Programme:
    name: str
    subject: str
    forms: re.Pattern
    levels: tuple[str, ...] = ()

    def full_name(self, level: str | None) -> str:
        return f"{level}{self.name}" if level else self.name


@dataclass(frozen=True)
class Terms:
    operators: tuple[OperatorWords, ...]
    requirement: re.Pattern
    target: re.Pattern
    report: re.Pattern
    every: re.Pattern
    not_every: re.Pattern
    alternative: re.Pattern
    relaxation: re.Pattern
    attributes: tuple[Attribute, ...]
    programmes: tuple[Programme, ...]
    levels: dict[str, re.Pattern]
    asks_conditions: re.Pattern
    own: re.Pattern
    version: str
    """Changes whenever the data file does, so criteria read with older words are read again."""

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def programme_names(self) -> list[str]:
        """Every name a criterion can carry, levels included."""
        return [p.full_name(level) for p in self.programmes for level in (p.levels or (None,))]

    def resolve_programme(self, text: str | None) -> str | None:
        """国家级集群, 小巨人, 省级特色产业集群 → the programme's full name; None when none is named. The
        programme named first; its level from whichever of its mentions carries one (我们的集群想申报省级集群)."""
        if not text:
            return None
        if text in self.programme_names():
            return text
        hits = [(m.start(), p) for p in self.programmes if (m := p.forms.search(text))]
        if not hits:
            return None
        programme = min(hits, key=lambda h: h[0])[1]
        levels = (self.level_before(text, m.start(), programme) for m in programme.forms.finditer(text))
        level = next((lv for lv in levels if lv), None)
        return programme.full_name(level or self.default_level(programme, NATIONAL))

    def level_before(self, text: str, at: int, programme: Programme) -> str | None:
        """A level word just before the programme's name (申报**省级**中小企业特色产业集群, 国家级集群)."""
        if not programme.levels:
            return None
        window = re.split(r"[，。；,;、：:]", text[max(0, at - 14) : at])[-1]
        found = [(m.end(), level) for level, p in self.levels.items() for m in p.finditer(window)]
        return max(found)[1] if found else None

    @staticmethod
    def default_level(programme: Programme, region: str) -> str | None:
        """Without a level word, a province's own document sets provincial rules and any other national ones."""
        if not programme.levels:
            return None
        return programme.levels[0] if region == NATIONAL else programme.levels[-1]


@cache
def terms() -> Terms:
    raw = TERMS_FILE.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    signals = data["signals"]
    operators = tuple(
        OperatorWords(
            o["op"],
            _any(o["before"]) if o["before"] else None,
            _any(o["after"]) if o["after"] else None,
            frozenset(o["normative"]),
        )
        for o in data["operators"]
    )
    attributes = tuple(
        Attribute(a["name"], tuple(re.compile(w) for w in a["words"]), a["unit"], a.get("growth_of"), a.get("subject"), tuple(a.get("parts", ()))) for a in data["attributes"]
    )
    programmes = tuple(
        Programme(p["name"], p["subject"], _any(p["forms"]), tuple(p.get("levels", ()))) for p in data["programmes"]
    )
    return Terms(
        operators=operators,
        requirement=_any(signals["requirement"]),
        target=_any(signals["target"]),
        report=_any(signals["report"]),
        every=_any(signals["every"]),
        not_every=_any(signals["not_every"]),
        alternative=_any(signals["alternative"]),
        relaxation=_any(signals["relaxation"]),
        attributes=attributes,
        programmes=programmes,
        levels={level: _any(words) for level, words in data["levels"].items()},
        asks_conditions=_any(data["asking"]["conditions"]),
        own=_any(data["asking"]["own"]),
        version=hashlib.sha256(raw).hexdigest()[:12],
    )


def attribute_for(text: str, kind: str | None = None) -> Attribute | None:
    """The first attribute, in the data file's order, whose words are all in `text` and, when the figure's
    kind is known, whose unit takes it (产值年均增速高于10% is a growth rate, not an output value)."""
    for a in terms().attributes:
        if a.found_in(text) and (kind is None or kind == "number" or a.kind == kind or (a.kind == "people" and kind == "count")):
            return a
    return None
