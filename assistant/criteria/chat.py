"""The chat's door to the check: a question that asks for a programme's conditions (申报国家级集群需要满足
哪些条件？) or gives the asker's own figures (我们集群近三年产值分别是35亿、42亿、45亿，够条件吗？) is answered
with the criteria table, each line cited, instead of with retrieved sentences.

A question about one attribute (对上云比例有什么要求) stays with the ordinary answerer, which quotes the
sentence itself; so does a programme the library holds no criteria for.
"""

from __future__ import annotations

from ..answering.extractive import Draft
from ..schema import Citation
from .check import Checker
from .facts import FactError, without_programmes, read_facts
from .model import CheckReport, CheckResult
from .terms import attribute_for, terms


ASK_FOR_FIGURES = "如需逐条核对，请告诉我您的数据（如：我们近三年产值分别是35亿、42亿、45亿），或使用“申报自查”页。"


class SelfCheck:
    def __init__(self, checker: Checker):
        self.checker = checker
        self._known: tuple[str, set[str]] | None = None

    def known_programmes(self) -> set[str]:
        """The programmes the library has criteria for, read again only when the library changes: every
        question asks this, and reading every criterion cost 0.2 s a question at 9,000 chunks."""
        version = self.checker.store.version()
        known = self._known
        if known is None or known[0] != version:
            known = self._known = (version, self.checker.criteria.programmes())
        return known[1]

    def claims(self, question: str) -> bool:
        t = terms()
        programme = t.resolve_programme(question)
        if programme is None or programme not in self.known_programmes():
            return False
        if t.own.search(question):
            try:
                if read_facts(None, question).facts:
                    return True
            except FactError:
                return True  # an impossible figure of one's own is answered with what is wrong with it
        return bool(t.asks_conditions.search(question)) and attribute_for(without_programmes(question)) is None

    def answer(self, question: str) -> Draft:
        try:
            report = self.checker.check(text=question)
        except FactError as exc:
            return Draft(answer=f"{exc}。", answered=False, citations=[])
        return _draft(report, with_verdicts=bool(report.results) and any(r.value for r in report.results))


def _line(k: int, r: CheckResult, n: int, with_verdicts: bool) -> str:
    where = "" if r.region == "全国" else f"（{r.region}）"
    line = f"{k}. {r.criterion}{where}"
    if with_verdicts:
        line += f"：{r.verdict}" + (f"（您的数据：{r.value}）" if r.value else "（未提供数据）")
    if r.notes:
        line += "；" + "；".join(r.notes)
    return f"{line}[{n}]"


def _draft(report: CheckReport, with_verdicts: bool) -> Draft:
    citations: list[Citation] = []
    numbers: dict[tuple[str, str], int] = {}
    lines = []
    for k, r in enumerate(report.results, 1):
        c = r.citation
        key = (c.doc_id, c.quote)
        if key not in numbers:
            numbers[key] = len(citations) + 1
            citations.append(
                Citation(
                    n=numbers[key], doc_id=c.doc_id, title=c.title, source=c.source, date=c.date, url=None, quote=c.quote,
                    quality=c.quality, place=c.article, doc_number=c.doc_number,
                )
            )  # fmt: skip
        lines.append(_line(k, r, numbers[key], with_verdicts))
    head = f"按资料库中的文件，申报{report.programme}的量化条件如下（共{len(lines)}条）：" if report.programme else ""
    # The message closes the table; without figures its count of 无法判断 lines says nothing, so it asks for them.
    tail = report.message
    if not with_verdicts:
        kept = [s for s in report.message.split("。") if s and not s.startswith(("共 ", "您还没有"))]
        tail = ASK_FOR_FIGURES + "".join(f"{s}。" for s in kept)
    unreadable = f"无法确切读出的数据：{'；'.join(report.unreadable)}。" if report.unreadable else ""
    return Draft(answer="\n".join([head, *lines, unreadable + tail]).strip(), answered=bool(lines), citations=citations)
