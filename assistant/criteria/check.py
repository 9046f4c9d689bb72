"""The check: the asker's figures against the library's criteria, one verdict per criterion, each citing
the sentence it comes from.

Honesty rules: no verdict without a criterion; a figure not given is 无法判断, never assumed; where
documents disagree (a province and the nation, an older and a newer notice) every version is shown with
its region and date and the disagreement is said out loud; a criterion read from a low-quality text is
marked. The same rule stated in several documents is one line, citing the most authoritative of them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..library.store import Store
from .facts import Fact, FactValue, Reading, read_facts
from .model import NATIONAL, CheckReport, CheckResult, Criterion, Verdict
from .numbers import display
from .store import CriteriaStore
from .terms import terms

_TOLERANCE = 1e-9
_COMPARE = {
    ">=": lambda v, t: v >= t - _TOLERANCE,
    ">": lambda v, t: v > t + _TOLERANCE,
    "<=": lambda v, t: v <= t + _TOLERANCE,
    "<": lambda v, t: v < t - _TOLERANCE,
}
LOW_QUALITY_NOTE = "来源文本质量较低（疑似洗稿或转载走样），请以正式文件核对"
CAUTION = "以上按资料库中的文件逐条比对，仅供自查参考，是否认定以主管部门审核为准。"


def _where(c: Criterion) -> str:
    return f"《{c.citation.title}》（{c.region}，{c.citation.date or '日期不详'}）"


def _authority(c: Criterion) -> tuple:
    """Which of several documents stating the same rule to cite: a clean text, an official one, the newest."""
    return (c.citation.quality == "ok", bool(c.citation.doc_number), c.citation.date or "")


def _direction(op: str) -> str:
    return "min" if op in (">=", ">") else "max"


@dataclass
class _Line:
    criterion: Criterion
    notes: list[str]


def _merge_same_rules(criteria: list[Criterion]) -> list[_Line]:
    groups: dict[tuple, list[Criterion]] = defaultdict(list)
    for c in criteria:
        groups[c.rule_key()].append(c)
    lines = []
    for same in groups.values():
        best = max(same, key=_authority)
        others = {c.citation.doc_id for c in same} - {best.citation.doc_id}
        notes = [f"另有{len(others)}份资料作同样规定"] if others else []
        lines.append(_Line(best, notes))
    return lines


def _mark_disagreements(lines: list[_Line]) -> int:
    """Notes on every line another document contradicts, for the same programme and attribute, where
    both rules can apply to the asker (same region, or one of them national). Returns how many lines."""
    by_rule: dict[tuple, list[_Line]] = defaultdict(list)
    for line in lines:
        c = line.criterion
        cond = c.condition.text if c.condition else ""
        by_rule[(c.programme, c.attribute, _direction(c.operator), cond)].append(line)
    marked = 0
    for group in by_rule.values():
        for line in group:
            c = line.criterion
            others = [
                o.criterion
                for o in group
                if o.criterion.citation.doc_id != c.citation.doc_id
                and (o.criterion.region == c.region or NATIONAL in (o.criterion.region, c.region))
            ]
            if others:
                said = "；".join(f"{_where(o)}为“{o.threshold}”" for o in others)
                line.notes.append(f"资料之间不一致：{said}。请以适用于您所在地区的最新正式文件为准")
                marked += 1
    return marked


def _derived(c: Criterion, facts: dict[str, Fact]) -> tuple[list[float], str] | None:
    """A growth rate the asker did not give, worked out from the yearly values they did (35亿、42亿、45亿)."""
    attribute = terms().attribute(c.attribute)
    base = facts.get(attribute.growth_of) if attribute and attribute.growth_of else None
    if base is None or len(base.values) < 2 or base.values[0] <= 0:
        return None
    years = len(base.values) - 1
    rate = ((base.values[-1] / base.values[0]) ** (1 / years) - 1) * 100
    return [rate], f"按您给出的逐年{base.attribute.name}（{base.given}）计算的年均增长率"


def _from_parts(c: Criterion, facts: dict[str, Fact], notes: list[str]) -> tuple[Verdict, str] | None:
    """A total the asker gave in parts (2家小巨人 for 单项冠军和小巨人企业数). With every part given it is
    exact; with some, it is a lower bound, which settles a minimum it already meets and nothing else."""
    attribute = terms().attribute(c.attribute)
    given = [facts[p] for p in attribute.parts if p in facts] if attribute else []
    if not given:
        return None
    total = sum(f.values[-1] for f in given)
    complete = len(given) == len(attribute.parts)
    notes.append(f"按您给出的{'、'.join(f.attribute.name for f in given)}合计")
    passes = _COMPARE[c.operator](total, c.value)
    if complete or (passes and _direction(c.operator) == "min") or (not passes and _direction(c.operator) == "max"):
        return ("满足" if passes else "不满足"), display(total, c.kind, c.unit)
    notes.append(f"还缺{'、'.join(p for p in attribute.parts if p not in facts)}的数据")
    return "无法判断", display(total, c.kind, c.unit)


def _verdict(c: Criterion, values: list[float], notes: list[str]) -> Verdict:
    passes = [_COMPARE[c.operator](v, c.value) for v in values]
    if not c.every_year:
        if len(values) > 1:
            notes.append("按您给出的最近一年的数据比较")
        return "满足" if passes[-1] else "不满足"
    needed = c.period_years or 1
    if not all(passes[-needed:]):
        return "不满足"
    if len(values) < needed:
        notes.append(f"须{c.period_text or f'近{needed}年'}每年都达到，您只给出了{len(values)}年的数据")
        return "无法判断"
    return "满足"


def _condition_fails(c: Criterion, facts: dict[str, Fact]) -> bool:
    cond = c.condition
    if cond is None or cond.attribute is None or cond.attribute not in facts:
        return False
    return not _COMPARE[cond.operator](facts[cond.attribute].values[-1], cond.value)


def _result(line: _Line, reading: Reading, index: dict[str, Criterion]) -> CheckResult:
    c, notes = line.criterion, list(line.notes)
    fact = reading.facts.get(c.attribute)
    values, value_text = None, None
    if fact is not None:
        values, value_text = fact.values, fact.given
    elif (derived := _derived(c, reading.facts)) is not None:
        values, note = derived
        value_text = display(values[0], "percent")
        notes.append(note)
    parts = _from_parts(c, reading.facts, notes) if values is None else None
    if parts is not None:
        verdict, value_text = parts
    elif values is None:
        verdict: Verdict = "无法判断"
        if any(u.startswith(f"{c.attribute}：") for u in reading.unreadable):
            notes.append("您提供的数字无法确切读出，请填写确切数字")
    else:
        verdict = _verdict(c, values, notes)
        if fact is not None and len(values) > 1:
            value_text = "、".join(display(v, c.kind, c.unit) for v in values)
        elif fact is not None:
            value_text = display(values[0], c.kind, c.unit)
    if c.condition is not None:
        notes.insert(0, f"仅适用于：{c.condition.text}")
    if c.alternative_to and (other := index.get(c.alternative_to)) is not None:
        notes.insert(0, f"与“{other.text}”满足其一即可")
    if c.citation.quality == "low":
        notes.append(LOW_QUALITY_NOTE)
    return CheckResult(**CheckResult.fields_of(c), value=value_text, verdict=verdict, notes=notes)


def _in_reading_order(criteria: list[Criterion]) -> list[Criterion]:
    """Programme by programme as the data file lists them (国家级 before 省级), the nation before the
    provinces, each attribute where the oldest document first states it (面积, 产值, 占比… as a 认定标准 lists
    them), its versions from oldest to newest."""
    programmes = terms().programme_names()
    by_document = sorted(criteria, key=lambda c: (c.citation.date or "", c.citation.doc_id, c.position))
    rank: dict[str, int] = {}
    for c in by_document:
        rank.setdefault(c.attribute, len(rank))
    return sorted(by_document, key=lambda c: (programmes.index(c.programme), c.region != NATIONAL, c.region, rank[c.attribute]))


class Checker:
    def __init__(self, criteria: CriteriaStore, store: Store):
        self.criteria = criteria
        self.store = store

    @staticmethod
    def resolve_programme(name: str) -> str | None:
        return terms().resolve_programme(name)

    def programmes(self, doc_ids: list[str] | None = None) -> dict[str, list[Criterion]]:
        """What the library knows: programme → its criteria, nation first, then by province."""
        out: dict[str, list[Criterion]] = defaultdict(list)
        for c in _in_reading_order(self.criteria.criteria(doc_ids)):
            out[c.programme].append(c)
        return dict(out)

    def check(
        self,
        programme: str | None = None,
        doc_ids: list[str] | None = None,
        facts: dict[str, FactValue] | None = None,
        text: str | None = None,
        region: str | None = None,
    ) -> CheckReport:
        """Raises FactError (a Chinese message) for a figure that cannot be right."""
        reading = read_facts(facts, text)
        asked = self.resolve_programme(programme) if programme else reading.programme
        if programme and asked is None:
            known = "、".join(self.programmes(doc_ids)) or "（资料库中还没有任何认定条件）"
            return CheckReport(programme=programme, results=[], unreadable=reading.unreadable, message=f"未识别的项目“{programme}”。可选的项目：{known}")
        region = region or reading.region
        criteria = [
            c
            for c in self.criteria.criteria(doc_ids)
            if (asked is None or c.programme == asked) and (region is None or c.region in (region, NATIONAL))
        ]
        if not criteria:
            return CheckReport(programme=asked, results=[], unreadable=reading.unreadable, message=self._nothing_found(asked, region, doc_ids))
        index = {c.id: c for c in criteria}
        lines = _merge_same_rules(criteria)
        order = {c.id: k for k, c in enumerate(_in_reading_order([line.criterion for line in lines]))}
        lines.sort(key=lambda line: order[line.criterion.id])
        disagreements = _mark_disagreements(lines)
        applicable = [line for line in lines if not _condition_fails(line.criterion, reading.facts)]
        results = [_result(line, reading, index) for line in applicable]
        return CheckReport(
            programme=asked,
            results=results,
            unreadable=reading.unreadable,
            message=self._summary(results, reading, disagreements, len(lines) - len(applicable)),
        )

    def _nothing_found(self, programme: str | None, region: str | None, doc_ids: list[str] | None) -> str:
        manifest = self.store.manifest()
        searched = [m for d, (m, _) in manifest.items() if doc_ids is None or d in doc_ids]
        titles = "、".join(f"《{m.title}》" for m in searched[:12]) + ("等" if len(searched) > 12 else "")
        what = f"{region + '适用的' if region else ''}“{programme}”" if programme else "任何项目"
        known = "、".join(self.programmes(doc_ids))
        tail = f"资料库中有认定条件的项目：{known}。" if known else ""
        return f"资料库中没有找到{what}的认定条件，无法核对。已查找 {len(searched)} 份文档：{titles or '（无）'}。{tail}"

    @staticmethod
    def _summary(results: list[CheckResult], reading: Reading, disagreements: int, inapplicable: int) -> str:
        counts = {v: sum(r.verdict == v for r in results) for v in ("满足", "不满足", "无法判断")}
        parts = [f"共 {len(results)} 条条件：满足 {counts['满足']} 条，不满足 {counts['不满足']} 条，无法判断 {counts['无法判断']} 条。"]
        if not reading.facts:
            parts.append("您还没有提供数据，每条都是无法判断；请填写各项指标的数字后再核对。")
        if reading.unreadable:
            parts.append(f"有 {len(reading.unreadable)} 项数据无法确切读出（见 unreadable），对应条件为无法判断。")
        if disagreements:
            parts.append(f"有 {disagreements} 条条件在不同文件中规定不一致，均已列出，请以适用于您的最新正式文件为准。")
        if inapplicable:
            parts.append(f"另有 {inapplicable} 条条件只适用于其他情形（按您的数据不适用），未列出。")
        if any(r.citation.quality == "low" for r in results):
            parts.append("部分条件来自质量较低的转载文本，已标注。")
        parts.append(CAUTION)
        return "".join(parts)


