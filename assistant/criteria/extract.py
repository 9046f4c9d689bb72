"""Sentences → criteria. A figure is a criterion when an operator stands beside it (不低于30%, 40亿元以上),
an attribute is named in its clause (上云比例), and the sentence states a requirement rather than a target
or a report. Programme and level come from the sentence, else from the lead-ins above it, else from the
title; the region from the level and the document's province.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

from ..ingest.chunk import Sentence, sentences_of
from ..schema import Chunk, Document, DocumentMeta
from ..script import to_simplified
from .model import NATIONAL, Condition, Criterion, CriterionCitation
from .numbers import BASE_UNIT, NUM, Quantity, figures, number
from .terms import Attribute, Programme, Terms, attribute_for, terms

# Bump when the reading below changes: stored criteria are then read again from the stored texts.
EXTRACTOR_VERSION = "1"

_CLAUSE = re.compile(r"[^，,；;：:]+")
_FILLER = r"(?:在|为|是|要|须|需)?\s*"
PERIOD = re.compile(rf"(?:近|最近|连续)\s*({NUM})\s*个?年|(上一?年度|上年末|上年)")
_LIST_AHEAD = re.compile(r"下列|以下|如下")
_REFERS_BACK = re.compile(r"^[^，,]{0,4}(?:该|此|上述)")
# A clause cannot end in 不: a synonym-swapping repost cut it and swapped the halves (赶过100平方公里…一般不).
_DANGLING = re.compile(r"不$")


@dataclass(frozen=True)
class Found:
    """One operator and figure in a clause."""

    op: str
    word: str
    figure: Quantity
    end: int
    """Where the operator phrase ends (after 以上)."""
    is_condition: bool


def _operator(clause: str, q: Quantity, t: Terms) -> Found | None:
    before, after = clause[: q.start], clause[q.end :]
    for o in t.operators:
        m = o.after and re.match(rf"\s*({o.after.pattern})", after)
        if m:
            return Found(o.op, m.group(1), q, q.end + m.end(), after[m.end() : m.end() + 1] == "的")
    for o in t.operators:
        m = o.before and re.search(rf"({o.before.pattern}){_FILLER}$", before)
        if m:
            return Found(o.op, m.group(1), q, q.end, after[:1] == "的")
    return None


def _unrotate(clause: str) -> str:
    """A clause a spinner rotated (赶过100平方公里集群占地面积一般不) read in its first order again: the cut
    is after its first figure."""
    if not _DANGLING.search(clause):
        return clause
    found = figures(clause)
    if not found:
        return clause
    cut = found[0].end
    return clause[cut:] + clause[:cut]


def _period(text: str) -> tuple[int | None, str | None]:
    m = PERIOD.search(text)
    if not m:
        return None, None
    if m.group(2):
        return 1, "上年度"
    years = number(m.group(1))
    return (int(years), m.group(0)) if years else (None, None)


@dataclass
class _Place:
    """What surrounds a sentence: the lead-ins above it and the sentences before it in its paragraph."""

    heading: str
    """The lead-ins of the structural units holding the sentence (第八条 申报省级集群应当同时具备下列条件：)."""
    lead: str
    """The last sentence that announced a list (申报企业须…同时符合以下条件：) inside the same unit."""
    earlier: str
    title: str
    region: str
    document_programme: Programme | None


def _programme_in(text: str, t: Terms, subject: str | None = None) -> tuple[Programme, str | None] | None:
    """The programme named first in the text, with the level written before it."""
    hits = [(m.start(), p) for p in t.programmes if (m := p.forms.search(text)) and subject in (None, p.subject)]
    if not hits:
        return None
    at, programme = min(hits, key=lambda h: h[0])
    return programme, t.level_before(text, at, programme)


def _last_programme_in(text: str, t: Terms, subject: str | None = None) -> tuple[Programme, str | None] | None:
    """The programme named last: in a run of lead-ins, the innermost one."""
    hits = [(m.start(), p) for p in t.programmes for m in p.forms.finditer(text) if subject in (None, p.subject)]
    if not hits:
        return None
    at, programme = max(hits, key=lambda h: h[0])
    return programme, t.level_before(text, at, programme)


def _programme(sentence: str, attribute: Attribute, place: _Place, t: Terms) -> tuple[Programme, str | None] | None:
    # An attribute only a group has (单项冠军和小巨人企业数) is about a programme of that subject: the
    # enterprises it counts are not the programme applied for.
    subject = attribute.subject
    # The title before a list's lead: 申报企业须为已认定的专精特新中小企业，并同时符合以下条件 names a
    # prerequisite, while the title names what the notice is about.
    found = (
        _programme_in(attribute.blank(sentence), t, subject)
        or _last_programme_in(place.heading, t, subject)
        or _programme_in(place.title, t, subject)
        or _last_programme_in(place.lead, t, subject)
        or _last_programme_in(place.earlier, t, subject)
    )
    fits = place.document_programme is not None and subject in (None, place.document_programme.subject)
    if found is None and fits:
        found = (place.document_programme, None)
    if found is None:
        return None
    programme, level = found
    if programme.levels and level is None:
        # The level may stand with an earlier mention of the same programme: 申报省级集群应当…：
        for text in (place.heading, place.lead, place.earlier, place.title):
            hit = _last_programme_in(text, t)
            if hit and hit[0] is programme and hit[1]:
                level = hit[1]
                break
    return programme, level or t.default_level(programme, place.region)


def _is_requirement(sentence: str, found: Found, place: _Place, t: Terms) -> bool:
    normative = any(word in found.word for o in t.operators for word in o.normative)
    if t.target.search(sentence):
        return False
    if normative:
        return True
    if t.report.search(sentence):
        return False
    return bool(t.requirement.search(sentence) or t.requirement.search(place.heading + place.lead + place.title))


def _condition(clause: str, found: Found, t: Terms) -> Condition:
    attribute = attribute_for(clause[: found.figure.start], found.figure.kind)
    return Condition(
        attribute=attribute.name if attribute else None,
        operator=found.op,
        value=found.figure.value,
        kind=found.figure.kind,
        text=clause[: found.end + 1].strip(),
    )


def _criterion_id(doc_id: str, quote: str, attribute: str, op: str, value: float) -> str:
    return hashlib.sha256(f"{doc_id}\x00{quote}\x00{attribute}\x00{op}\x00{value}".encode()).hexdigest()[:24]


class _Reader:
    def __init__(self, meta: DocumentMeta):
        self.meta = meta
        self.t = terms()
        self.out: list[Criterion] = []
        self.previous: Criterion | None = None

    def sentence(self, original: str, place: _Place, article: str, quality: str) -> None:
        t = self.t
        s = to_simplified(original)
        condition: Condition | None = None
        for cm in _CLAUSE.finditer(s):
            clause = _unrotate(cm.group())
            start = 0
            for q in figures(clause):
                if q.kind == "number" or q.start < start:
                    continue
                found = _operator(clause, q, t)
                if found is None:
                    if clause.rstrip().endswith("的"):
                        condition = Condition(text=clause.strip())  # a range (在5000万元至1亿元之间的): shown, not checked
                    continue
                if found.is_condition:
                    condition = _condition(clause, found, t)
                    start = found.end
                    continue
                attribute = self._attribute(clause, start, found, s[: cm.start()])
                relaxed = t.relaxation.search(clause[: found.figure.start])
                if relaxed:
                    condition = Condition(text=clause[: relaxed.start()].strip("，, ") or clause.strip())
                start = found.end
                if attribute is None or not _is_requirement(s, found, place, t):
                    continue
                programme = _programme(s, attribute, place, t)
                if programme is None:
                    continue
                # 或者… opens the clause, or, in a rotated one, follows the figure (不少于15家或者…).
                alternative = t.alternative.match(clause.strip()) or t.alternative.match(clause[found.end :].strip())
                self._add(original, s, clause, found, attribute, programme, place, article, quality, condition, bool(alternative))

    def _attribute(self, clause: str, start: int, found: Found, sentence_before: str) -> Attribute | None:
        kind = found.figure.kind
        own = attribute_for(clause[start : found.figure.start], kind) or attribute_for(clause[found.end :], kind)
        if own is not None:
            return own
        if self.previous is not None and _REFERS_BACK.search(clause):
            previous = self.t.attribute(self.previous.attribute)
            if previous is not None and previous.kind == kind:
                return previous
        # 研发费用总额不少于100万元，并且占营业收入总额的比例不低于3%: the attribute spans the clauses.
        return attribute_for(sentence_before + clause[: found.figure.start], kind) or attribute_for(clause, kind)

    def _add(self, original, s, clause, found, attribute, programme, place, article, quality, condition, alternative) -> None:
        t = self.t
        prog, level = programme
        region = NATIONAL if level == "国家级" else (place.region or NATIONAL)
        before_op = clause[: found.figure.start]
        # The period is the clause's own (近三年每年产值…), or stands in a clause before it that states no
        # figure of its own (近三年，集群…): never one another criterion owns.
        period_years, period_text = _period(before_op)
        lead = s[: s.find(clause)] if clause in s else ""
        if period_years is None:
            period_years, period_text = _period(clause if figures(lead) else clause + lead)
        every_text = t.not_every.sub("", before_op)
        every = bool(t.every.search(every_text)) and (period_years or 0) > 1
        meta = self.meta
        criterion = Criterion(
            id=_criterion_id(meta.doc_id, original, attribute.name, found.op, found.figure.value),
            subject=prog.subject,
            programme=prog.full_name(level),
            level=level,
            attribute=attribute.name,
            operator=found.op,
            value=found.figure.value,
            kind=attribute.kind,
            unit=BASE_UNIT.get(attribute.kind, found.figure.unit),  # 家 and 个 stay as written: both are counts
            value_text=found.figure.text.strip(),
            period_years=period_years,
            period_text=period_text,
            every_year=every,
            condition=condition,
            alternative_to=self.previous.id if alternative and self.previous else None,
            region=region,
            position=len(self.out),
            citation=CriterionCitation(
                doc_id=meta.doc_id,
                title=meta.title,
                source=meta.source,
                date=meta.date,
                quote=original.strip(),
                article=article or None,
                doc_number=meta.doc_number,
                quality=quality,
            ),
        )
        self.out.append(criterion)
        self.previous = criterion


def _document_programme(text: str, t: Terms) -> Programme | None:
    counts = Counter(p.name for p in t.programmes for _ in p.forms.finditer(text))
    if not counts:
        return None
    name = counts.most_common(1)[0][0]
    return next(p for p in t.programmes if p.name == name)


def _paragraphs(text: str) -> list[list[Sentence]]:
    out: list[list[Sentence]] = []
    for unit in sentences_of(text):
        if unit.starts_paragraph or not out:
            out.append([])
        out[-1].append(unit)
    return out


def extract(doc: Document, chunks: list[Chunk], low_quality_below: float) -> list[Criterion]:
    """Every criterion a document states, in the order it states them. A criterion is marked low quality
    when the chunk that holds its sentence is, as an answer quoting that sentence would be."""
    t = terms()
    meta, text = doc.meta, doc.text
    reader = _Reader(meta)
    region = meta.region or NATIONAL
    title = to_simplified(meta.title)
    document_programme = _document_programme(doc.text_simplified, t)
    colon_lead, lead_scope = "", ""
    for units in _paragraphs(text):
        simplified = [to_simplified(u.text) for u in units]
        if not t.alternative.match(simplified[0].strip()):
            reader.previous = None  # 或者… may open a paragraph; anything else starts afresh
        for k, (unit, s) in enumerate(zip(units, simplified)):
            heading = to_simplified(unit.heading)
            if not heading.startswith(lead_scope):
                colon_lead = ""  # a lead holds inside the unit it stands in, not past its end
            place = _Place(heading, colon_lead, "".join(simplified[:k]), title, region, document_programme)
            score = next((c.quality.score for c in chunks if unit.text in c.text), 1.0)
            reader.sentence(unit.text, place, unit.place, "low" if score < low_quality_below else "ok")
            if s.rstrip().endswith(("：", ":")) or (_LIST_AHEAD.search(s) and t.requirement.search(s)):
                colon_lead, lead_scope = s, heading  # 以下四项须同时满足：, 须同时满足下列八个方面的要求
    return reader.out
