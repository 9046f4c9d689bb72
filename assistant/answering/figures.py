"""Which figures in a sentence can answer a "how many" question.

A sentence can hold the right words and still not hold the answer: in 山东、浙江均以23个…，广东、江苏等
新增集群数量在8个以上, neither figure is Jiangsu's running total. A figure is ruled out when the sentence
itself says it is about something else: another province, or a county inside it; another kind of thing
counted (29个省份) or another level (30个省级集群); a subset (县域3247家, 首批名单); new arrivals when a
total was asked, or the reverse; a percentage or an amount when a count was asked; what already happened
when a plan was asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..ingest.govdoc import DOC_NUMBER
from ..library.tokens import _jieba
from ..vocabulary import CITIES, PROVINCES
from .intent import ASKS_NEW, CEILING, ROUND_YEAR, Intent, as_of

# Digits, or number words followed by a measure word (三个层次, 两家): 第一, 一是 and 一批 are not figures.
FIGURE = re.compile(
    r"(?<![\d./])(\d+(?:\.\d+)?)([多余]?[万亿]*)([个家项位种批人次元倍%])?(?!\d)"
    r"|(?<![一二三四五六七八九十两百千第])([一二三四五六七八九十两百千]+)([多余]?[万亿]*)([个家项位种人次元倍])"
)
_YEAR = re.compile(r"(?:19|20)\d{2}年")
_LOCALITY_SUFFIX = re.compile(r"[市县区]$")
_LOCALITY = re.compile(r"([\u4e00-\u9fff]{1,3}?(?:市|县|区))(?![级域])")
_YEAR_NUMBER = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_PLACES = (*PROVINCES, "全国")
_PLACE_GROUP = re.compile(rf"(?:{'|'.join(_PLACES)})(?:省|市)?(?:[、和与及](?:{'|'.join(PROVINCES)})(?:省|市)?)*")
# Kinds of thing a count can be of that a question about clusters or enterprises never means implicitly.
_OTHER_COUNTED = re.compile(r"省份|省区市|省市|省\(|个省|县级|县|城市|地市|地区|行业|领域|门类")
# A subset a figure is limited to, and how a question about that subset would say so. A county subset
# qualifies its own clause (县域3247家); a batch names the list the figure is drawn from, often in the
# clause before (首批名单,广东有7个). 前五批 is a running total, not a subset.
_CLAUSE_SUBSETS = ((r"县域|县级", r"县"),)
_LIST_SUBSETS = ((r"首批|第一批", r"首批|第一批|第1批"), (r"第[二三四五六七八九十]批", r"批"))
_NEW = re.compile(rf"{ASKS_NEW}|今年入选")
_TOTAL = re.compile(r"累计|总数|共有|共计|增至|达到")
_CUMULATIVE = re.compile(r"累计|总数|增至|总量|已达|达到")
# A sentence that opens at a point in time, or counts what is held now, states totals throughout:
# 截至2025年1月，处于有效期内的…1163家 is not how many were added in 2024.
_STANDING = re.compile(r"^[^，,。]{0,6}(?:截至|截止)|有效期内|现有")
_FUTURE = re.compile(r"计划|目标|将|预计|力争|争取|打算|规划|提出|到20\d\d年|十四五")
# How a source states a target rather than a count of what happened.
_TARGET = re.compile(r"力争|争取|目标|计划(?!单列)|预计|打算")
_COUNT_MEASURES = "个家项位种批人次"
_LEVELS = re.compile(r"国家级|省级|市级|县级")
_LEVEL = re.compile(rf"(?:左右|以上|多|余)?({_LEVELS.pattern})")
_WORD = re.compile(r"[\u4e00-\u9fff]{2}")


@dataclass(frozen=True)
class Figure:
    value: str
    measure: str
    clause_before: str
    """The clause up to the figure: what qualifies it (县域, 新增, the province)."""
    before: str
    """The sentence up to the figure: a list it is drawn from (首批名单,广东有7个)."""
    after: str
    """The few characters after it: what it counts (29个**省份**)."""
    places: frozenset[str]
    """The provinces (or 全国) it is about: the nearest group named before it in the sentence."""
    clause_after: str
    """The rest of its clause (500家企业**为2024年度专精特新中小企业**)."""
    locality: str = ""
    """A city or county inside that province the figure is about (浙江省**嘉善县**…聚集了103家企业), or
    the place its own clause names when it names no province (广州、深圳、佛山共5个, 粤东西北有2个)."""


@lru_cache(maxsize=4096)
def _place_named(clause: str) -> str:
    """The first place a clause names that is not a province (广州, 粤东), by jieba's part of speech."""
    import jieba.posseg

    _jieba()
    return next((w.word for w in jieba.posseg.lcut(clause) if w.flag == "ns" and len(w.word) >= 2 and w.word not in _PLACES), "")


def figures(sentence: str) -> list[Figure]:
    out = []
    for m in FIGURE.finditer(sentence):
        if _YEAR.match(sentence, m.start()):
            continue
        before = sentence[: m.start()]
        groups = list(_PLACE_GROUP.finditer(before))
        places = frozenset(p for p in _PLACES if groups and p in groups[-1].group())
        locality = _LOCALITY.match(sentence, groups[-1].end()) if groups else None
        clause = re.split(r"[,，;；:：。]", before)[-1]
        value, measure = (m.group(1), m.group(3)) if m.group(1) else (m.group(4), m.group(6))
        after = sentence[m.end() : m.end() + 5]
        clause_after = re.split(r"[,，;；:：。]", sentence[m.end() :])[0]
        if locality:
            place = locality.group(1)
        elif groups and groups[-1].end() > len(before) - len(clause):
            place = ""  # the clause names a province: the figure is the province's
        else:
            place = _place_named(clause)  # a city and no province: that city's figure, a part of its province's
        out.append(Figure(value, measure or "", clause, before, after, places, clause_after, place))
    return out


# A band a rule states, in the units a question gives a figure in (intent.measured).
_BAND = re.compile(r"(\d+(?:\.\d+)?)(分|%|万元|亿元|元|家|个|人)?(?:（含）|\(含\))?(?:至|到|~|～|—|-)(\d+(?:\.\d+)?)(分|%|万元|亿元|元|家|个|人)")
_FLOOR = re.compile(r"(\d+(?:\.\d+)?)(分|%|万元|亿元|元|家|个|人)(?:（含）|\(含\))?以上")
_CEILING = re.compile(r"(\d+(?:\.\d+)?)(分|%|万元|亿元|元|家|个|人)以下")


def within_stated_band(value: str, unit: str, text: str) -> bool:
    """Whether the text states a band in the same unit that holds the value: 70分（含）至80分 holds 75分,
    80分（含）以上 holds 85分, 60分以下 holds 55分."""
    v = float(value)
    for m in _BAND.finditer(text):
        if m.group(4) == unit and (m.group(2) or unit) == unit and float(m.group(1)) <= v <= float(m.group(3)):
            return True
    if any(m.group(2) == unit and v >= float(m.group(1)) for m in _FLOOR.finditer(text)):
        return True
    return any(m.group(2) == unit and v < float(m.group(1)) for m in _CEILING.finditer(text))


def asked_years(intent: Intent) -> list[str]:
    """The years among the figures a question names (2022年度… → 2022)."""
    return [n for n in intent.numbers if _YEAR_NUMBER.fullmatch(n)]


def other_year(intent: Intent, clause: str) -> bool:
    """The clause dates its figure to a year other than the one asked (2022年产值 for 2023年的总产值)."""
    asked = asked_years(intent)
    named = _YEAR_NUMBER.findall(DOC_NUMBER.sub("", clause))  # 〔2023〕3号 is a number, not a date
    return bool(asked and named) and not set(asked) & set(named)


# Kinds whose answer is itself a time, so a sentence may name other years than the question (a 2022年度
# list published in 2023年1月, valid 2023年至2025年).
_TEMPORAL_KINDS = ("years", "duration", "deadline", "when")


def names_other_time(intent: Intent, sentence: str) -> bool:
    """The sentence (without 文号) is about another time than the question: it names yearly rounds, none of
    them asked (2024年度…18个 for 2023年度…几个), or a figure's point in the asked year at another month
    (截至2023年5月底 for 截至2023年底). Not when the answer is itself a time. A plain year is not compared
    with a round: the clusters of the 2024年度 list state their 2023年 output."""
    if intent.value_kind and intent.value_kind.name in _TEMPORAL_KINDS:
        return False
    named = set(ROUND_YEAR.findall(sentence))
    if intent.rounds and named and not set(intent.rounds) & named:
        return True
    points = as_of(sentence)
    same_year = {y for y, _ in intent.as_of} & {y for y, _ in points}
    return bool(same_year) and not intent.as_of & points


def rules_out(intent: Intent, figure: Figure, question: str) -> bool:
    if figure.value in intent.numbers or other_year(intent, figure.clause_before):
        return True
    rounds_after = set(ROUND_YEAR.findall(figure.clause_after))
    if rounds_after and set(asked_years(intent)) and not rounds_after & set(asked_years(intent)):
        return True  # 500家企业为2024年度专精特新中小企业 is 2024's count, not 2025's
    if intent.realized and CEILING.search(figure.clause_before):
        return True  # 推荐了几个 is not answered by 不超过3个
    asks_what_happened = intent.realized or intent.scope != "any"
    if asks_what_happened and not intent.planned and _TARGET.search(figure.clause_before):
        return True  # 新增了多少家, 目前有多少家: what happened, not 力争新培育1000家以上
    asks_count = bool(intent.measure) and intent.measure in _COUNT_MEASURES
    if asks_count and (not figure.measure or figure.measure not in _COUNT_MEASURES):
        return True  # 多少家 is not answered by 60亿元 or 25.6%
    other = _OTHER_COUNTED.match(figure.after)
    if other and other.group() not in question:
        return True
    level = _LEVEL.match(figure.after)
    asked_levels = set(_LEVELS.findall(question))
    if level and asked_levels and level.group(1) not in asked_levels:
        return True  # 30个左右省级集群 does not answer 多少个国家级集群
    if intent.measure == "家" and figure.measure == "个":
        return True  # 家 counts enterprises; 23个 counts clusters, provinces, platforms
    if "集群" in intent.counted_after and figure.measure == "家":
        return True  # 几个省级集群 is not answered by 骨干企业不少于8家
    counted = _WORD.match(figure.after)
    if asks_count and figure.measure != intent.measure and counted and counted.group() not in question:
        return True  # 多少家企业 is not answered by 三个层次
    if any(re.search(limit, figure.clause_before) and not re.search(asked, question) for limit, asked in _CLAUSE_SUBSETS):
        return True
    if any(re.search(limit, figure.before) and not re.search(asked, question) for limit, asked in _LIST_SUBSETS):
        return True
    asked_provinces = {*intent.places, *(CITIES[c] for c in intent.cities)}
    if asked_provinces and figure.places and not figure.places & asked_provinces:
        return True
    named_province = figure.places & set(intent.places)
    if intent.cities and figure.places and not named_province and not any(c in figure.locality for c in intent.cities):
        return True  # 福建共有10个 is the province's count, not 厦门's (unless the question asks of 福建 too)
    if intent.nationwide and figure.places and "全国" not in figure.places:
        return True
    # A county's 103家企业 is not its province's count; 嘉善县…集群等9个 counts the whole list, though.
    in_locality = figure.locality and _LOCALITY_SUFFIX.sub("", figure.locality) not in question and not figure.clause_before.endswith("等")
    if asked_provinces and in_locality:
        return True
    if intent.scope == "total" and _NEW.search(figure.clause_before) and not _TOTAL.search(figure.clause_before):
        return True
    # A yearly round's count (确定了2024年度名单，全省共有18个集群入选) is what that round added, not a running
    # total, unless the question asks about the round itself.
    in_round = ROUND_YEAR.search(figure.before) or ROUND_YEAR.search(figure.clause_after)
    if intent.scope == "total" and not intent.rounds and in_round and not _CUMULATIVE.search(figure.clause_before):
        return True
    if intent.scope == "new" and _NEW.search(figure.clause_before) is None:
        return _TOTAL.search(figure.clause_before) is not None or _STANDING.search(figure.before) is not None
    return False


def answering_figures(intent: Intent, sentence: str, question: str) -> set[str]:
    """The figures in a sentence that could answer the count asked (23个), with their measure word."""
    return {f"{f.value}{f.measure}" for f in figures(sentence) if f.measure and not rules_out(intent, f, question)}


def only_other_figures(intent: Intent, sentence: str, question: str, found: list[Figure] | None = None) -> bool:
    """True when the sentence has figures (`found`, if already read) and every one of them is plainly
    about something else."""
    found = figures(sentence) if found is None else found
    if found and intent.planned and not _FUTURE.search(sentence):
        return True
    return bool(found) and all(rules_out(intent, f, question) for f in found)
