"""What a question asks for (its type) and what an answer must be about (places, years, programmes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

QuestionType = Literal["number", "list", "date", "who", "condition", "definition", "general"]

# Order matters: the first matching type wins ("哪一年" is a date question, not a list question).
_TYPE_PATTERNS: tuple[tuple[QuestionType, str], ...] = (
    ("date", r"何时|什么时候|哪一年|哪年|几月|几号|日期|哪天|多久|有效期|几年"),
    ("number", r"多少|几个|几家|几成|几项|几次|多大|多高|比例|占比|百分之|规模|数量|排名|第几|老几|几位|总数|多少钱|金额|产值|增长率|几"),
    ("list", r"哪些|哪几|分别|列举|名单|都有|有哪|包括什么|包含什么|几方面|哪两个|哪三个"),
    ("condition", r"条件|要求|标准|门槛|满足|认定|怎样才能|如何才能|申报|资格|不低于|不少于"),
    ("who", r"谁|哪家|哪个部门|哪个单位|哪位|什么机构|叫什么|名字|名称|哪个|什么规划|什么文件|什么活动"),
    ("definition", r"什么是|是什么|指什么|指的是|含义|定义|意思|怎么理解|如何理解"),
)

PROVINCES = (
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 "
    "重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾 香港 澳门"
).split()
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
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


@dataclass(frozen=True)
class Intent:
    type: QuestionType
    places: tuple[str, ...]
    years: tuple[str, ...]
    programmes: tuple[str, ...]
    wants_latest: bool


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
        years=tuple(_YEAR.findall(question)),
        programmes=programmes,
        wants_latest=bool(re.search(r"现在|目前|最新|如今|截至|至今|迄今|累计|一共|总共", question)),
    )


def mentions(text: str, programme: str) -> bool:
    return any(form in text for form in PROGRAMMES[programme])
