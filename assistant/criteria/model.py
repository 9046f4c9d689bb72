"""What crosses the criteria stage's boundaries: a criterion as read from a document, and a check's report."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Operator = Literal[">=", ">", "<=", "<"]
Verdict = Literal["满足", "不满足", "无法判断"]
OPERATOR_WORDS: dict[str, str] = {">=": "不低于", ">": "高于", "<=": "不超过", "<": "低于"}
NATIONAL = "全国"


class CriterionCitation(BaseModel):
    doc_id: str
    title: str
    source: str
    date: str | None = Field(None, description="YYYY-MM-DD")
    quote: str = Field(description="原文中陈述该条件的句子")
    article: str | None = Field(None, description="该句在文件中的位置，如 第八条（二）、附件2")
    doc_number: str | None = None
    quality: Literal["ok", "low"] = Field("ok", description="low：来源文本质量低（如洗稿转载），请以正式文件核对")


class Condition(BaseModel):
    """The case a criterion is limited to (营业收入在1亿元以上的，…)."""

    attribute: str | None = Field(None, description="None when the case cannot be read as one figure (在5000万元至1亿元之间的)")
    operator: Operator | None = None
    value: float | None = None
    kind: str | None = None
    text: str


class Criterion(BaseModel):
    id: str
    subject: Literal["集群", "企业"]
    programme: str = Field(description="含层级的项目名，如 国家级中小企业特色产业集群、专精特新“小巨人”企业")
    level: str | None = Field(None, description="国家级、省级；只有一个层级的项目为空")
    attribute: str
    operator: Operator
    value: float = Field(description="以基本单位计的门槛：金额为元，比例为%，面积为平方公里")
    kind: str = Field(description="money, percent, area, count, people, years, score")
    unit: str = Field(description="门槛的单位：元、%、平方公里、家、个……")
    value_text: str = Field(description="原文的写法，如 40亿元")
    period_years: int | None = Field(None, description="考察的年数（近三年 = 3，上年度 = 1）")
    period_text: str | None = None
    every_year: bool = Field(False, description="期间内每一年都须达到（均在…以上、每年都在…以上）")
    condition: Condition | None = None
    alternative_to: str | None = Field(None, description="与之二选一的前一条件的 id（或者…）")
    region: str = Field(NATIONAL, description="适用地区：全国或某省")
    position: int = Field(0, description="在文件中的先后（第几条被读出的条件）")
    citation: CriterionCitation

    @property
    def threshold(self) -> str:
        return f"{OPERATOR_WORDS[self.operator]}{self.value_text}"

    @property
    def text(self) -> str:
        """As a line of the table: 近三年每年 产值 不低于40亿元."""
        when = ""
        if self.period_text:
            when = f"{self.period_text}每年" if self.every_year and self.period_text != "上年度" else self.period_text
        case = f"（{self.condition.text}）" if self.condition else ""
        return f"{case}{when}{self.attribute}{self.threshold}"

    def rule_key(self) -> tuple:
        """Two criteria with the same key say the same thing, wherever they are written."""
        cond = self.condition.text if self.condition else ""
        return (self.programme, self.region, self.attribute, self.operator, round(self.value, 6), self.every_year, cond)


class CriterionLine(BaseModel):
    """A criterion as a line of a table: what the API lists and what a check's verdict is about."""

    criterion: str = Field(description="条件的文字，如 近三年每年产值不低于40亿元")
    programme: str
    region: str = Field(description="适用地区：全国或某省")
    attribute: str
    operator: Operator
    threshold: str = Field(description="门槛，如 不低于40亿元")
    citation: CriterionCitation

    @classmethod
    def fields_of(cls, c: Criterion) -> dict:
        return dict(
            criterion=c.text, programme=c.programme, region=c.region, attribute=c.attribute, operator=c.operator,
            threshold=c.threshold, citation=c.citation,
        )  # fmt: skip


class CheckResult(CriterionLine):
    value: str | None = Field(None, description="用于比较的您的数据；没有提供时为空")
    verdict: Verdict
    notes: list[str] = Field(default_factory=list, description="二选一、适用情形、来源不一致、来源质量低等说明")


class CheckReport(BaseModel):
    programme: str | None
    results: list[CheckResult]
    unreadable: list[str] = Field(default_factory=list, description="无法读成确切数字的数据，对应条件为 无法判断")
    message: str
