"""What a question asks for (its type) and what an answer must be about (places, years, programmes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

QuestionType = Literal["number", "list", "date", "who", "condition", "definition", "general"]

# Order matters: the first matching type wins ("哪一年" is a date question, not a list question).
_TYPE_PATTERNS: tuple[tuple[QuestionType, str], ...] = (
    ("date", r"何时|什么时候|哪一年|哪年|几月|几号|日期|哪天|多久|有效期|几年"),
    ("list", r"哪些|哪几|列举|都有什么|有哪|包括什么|包含什么|几方面|哪两个|哪三个|分别是|分别叫"),
    ("number", r"多少|几个|几家|几成|几项|几次|多大|多高|比例|占比|百分之|规模|数量|排名|第几|老几|几位|总数|金额|产值|增长率|几"),
    ("condition", r"条件|要求|标准|门槛|满足|认定|怎样才能|如何才能|申报|资格|不低于|不少于"),
    ("who", r"谁|哪家|哪个部门|哪个单位|哪位|什么机构|叫什么|名字|名称|哪个|什么规划|什么文件|什么活动"),
    ("definition", r"什么是|是什么|指什么|指的是|含义|定义|意思|怎么理解|如何理解"),
)

PROVINCES = (
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 "
    "重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾 香港 澳门"
).split()
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ORDINAL = re.compile(r"第([一二三四五六七八九十])(?:批|届|次|轮)")
_CN_DIGITS = {c: str(i) for i, c in enumerate("零一二三四五六七八九十")}
# Programmes and levels a user can confuse: asking about one must not be answered with another.
PROGRAMMES: dict[str, tuple[str, ...]] = {
    "小巨人": ("小巨人",),
    "单项冠军": ("单项冠军", "冠军"),
    "专精特新中小企业": ("专精特新中小企业",),
    "创新型中小企业": ("创新型中小企业",),
    "省级": ("省级", "省内", "全省"),
    "市级": ("市级",),
    "国家级": ("国家级", "国家", "工信部", "全国"),
    "先进制造业集群": ("先进制造业集群", "先进创筑业集群"),
}


_ASKED_QUANTITY = re.compile(r"(?:多少|几)([个家项位种批人次元倍])?")
_MEASURES = "个家项位种批人次元倍"


@dataclass(frozen=True)
class Intent:
    type: QuestionType
    places: tuple[str, ...]
    numbers: tuple[str, ...]
    """Figures the question itself names (2024年, 100个, 第六批): an answer must be about the same ones."""
    programmes: tuple[str, ...]
    wants_latest: bool
    measure: str | None = None
    """The measure word of the asked quantity (多少**个**集群 → 个), if any."""
    counted: str = ""
    """The words around the asked quantity (…**集群**): what is being counted."""
    counted_after: str = ""
    date_grain: Literal["day", "month", "year"] = "year"
    """How precise an asked date is: 几号/哪天 wants a day, 什么时候 a month, 哪一年 a year."""


def classify(question: str) -> QuestionType:
    for qtype, pattern in _TYPE_PATTERNS:
        if re.search(pattern, question):
            return qtype
    return "general"


def places_in(text: str) -> tuple[str, ...]:
    """Provinces only: a city or county name cannot be told from other words by its suffix alone
    (园区, 多少个县), and rare place names already weigh heavily in lexical matching."""
    return tuple(p for p in PROVINCES if p in text)


def analyse(question: str) -> Intent:
    """`question` is the normalised (simplified) text."""
    programmes = tuple(p for p in PROGRAMMES if p in question)
    # "国家级小巨人" asks about 小巨人; the level word only constrains when nothing more specific is named.
    if len(programmes) > 1 and "国家级" in programmes:
        programmes = tuple(p for p in programmes if p != "国家级")
    return Intent(
        type=classify(question),
        places=places_in(question),
        numbers=tuple(_NUMBER.findall(question)) + tuple(_CN_DIGITS[m] for m in _ORDINAL.findall(question)),
        programmes=programmes,
        wants_latest=bool(re.search(r"现在|目前|最新|如今|截至|至今|迄今|累计|一共|总共", question)),
        date_grain="day" if re.search(r"几号|哪天|哪一天|几月几日", question)
        else "month" if re.search(r"什么时候|何时|几月|时间", question) else "year",
        **_asked_quantity(question),
    )


def _asked_quantity(question: str) -> dict:
    m = _ASKED_QUANTITY.search(question)
    if not m:
        return {}
    counted = question[max(0, m.start() - 8) : m.start()] + question[m.end() : m.end() + 10]
    return {"measure": m.group(1), "counted": re.sub(r"[?？。,，]", "", counted), "counted_after": _noun_after(question, m.end())}


def _noun_after(text: str, start: int) -> str:
    """The words right after a figure (多少个**国家级集群**, 30个**省份**): what exactly is counted."""
    return re.split(r"[?？。,，;；、]", text[start : start + 8])[0]


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def quantity_matches(intent: Intent, sentence: str) -> bool:
    """Whether the sentence holds a figure with the asked measure word, counting the same thing:
    after the figure when the question names it there (多少个集群 ~ 300个国家级…集群, not 30个省份),
    else anywhere around it."""
    if not intent.counted:
        return False
    after_q = _pairs(intent.counted_after) if len(re.findall(r"[\u4e00-\u9fff]", intent.counted_after)) >= 2 else set()
    wanted = _pairs(intent.counted)
    pattern = rf"\d+(?:\.\d+)?[万亿]*({intent.measure or f'[{_MEASURES}%]'})"
    for m in re.finditer(pattern, sentence):
        if after_q:
            if after_q & _pairs(_noun_after(sentence, m.end())):
                return True
        elif wanted & _pairs(sentence[max(0, m.start() - 12) : m.end() + 12]):
            return True
    return False


def mentions(text: str, programme: str) -> bool:
    return any(form in text for form in PROGRAMMES[programme])
