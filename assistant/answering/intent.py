"""What a question asks for (its type) and what an answer must be about (places, years, programmes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ..ingest.govdoc import DOC_NUMBER
from ..vocabulary import DOMAIN_WORDS, PROGRAMMES, PROVINCES, cities_in, places_in, vocabulary

QuestionType = Literal["number", "list", "date", "who", "condition", "definition", "general"]

_TYPE_PATTERNS: tuple[tuple[QuestionType, str], ...] = tuple((t["name"], "|".join(t["words"])) for t in vocabulary()["types"])
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ORDINAL = re.compile(r"第([一二三四五六七八九十]|\d{1,2})(?:批|届)")
_CN_DIGITS = {c: str(i) for i, c in enumerate("零一二三四五六七八九十")}


_ASKED_QUANTITY = re.compile(r"(?:多少|几)([个家项位种批人次元倍])?")
_MEASURES = "个家项位种批人次元倍"
_CN_NUMERAL = "一二三四五六七八九十两"


@dataclass(frozen=True)
class ValueKind:
    """A kind of value a question asks for. A sentence without one cannot answer it, however close its
    words: 营业收入要达到多少 wants an amount in 元, not 3247家; 哪天 wants a date."""

    name: str
    asked: str
    """Words of the question that ask for this kind."""
    value: str
    """What a value of this kind looks like in a source sentence."""
    any_type: bool = False
    """Asked whatever the question's type. Otherwise only when the question asks for a value at all:
    哪些行业占比高 asks for industries, not for a share."""
    quantity: bool = False
    """A measured quantity. A question that already gives one (普及率46.7%这个数出自哪份报告) asks about
    something else; a question that gives a date (2025年…哪天) can still ask for a date."""
    attribute: bool = False
    """The asking word names an attribute (产值, 出口贸易额, 增速) that the value's clause must mention:
    2.5万亿元 is an output value, not an export value."""
    years: bool = False
    """The value is a year or a span of years (哪几年 → 2023年至2025年): years in a sentence answer it."""


def _value_pattern(pattern: str) -> str:
    return pattern.replace("{numeral}", _CN_NUMERAL).replace("{province}", "|".join(PROVINCES)).replace("{doc_number}", DOC_NUMBER.pattern)


VALUE_KINDS = tuple(
    ValueKind(
        k["name"], k["asked"], _value_pattern(k["value"]),
        any_type=k.get("any_type", False), quantity=k.get("quantity", False), attribute=k.get("attribute", False),
        years=k.get("years", False),
    )
    for k in vocabulary()["value_kinds"]
)  # fmt: skip


@dataclass(frozen=True)
class Intent:
    type: QuestionType
    places: tuple[str, ...]
    """The provinces the question names."""
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
    value_kind: ValueKind | None = None
    value_attribute: str = ""
    """The attribute the asked value is of (产值 in 2023年的总产值是多少), when the kind names one."""
    nationwide: bool = False
    """全国…: a figure about one province does not answer it."""
    scope: Literal["new", "total", "any"] = "any"
    """What a figure must count: new arrivals (新增), a running total (累计), or either."""
    ranked: bool = False
    """排老几, 第几: a rank (第一, 首位) answers it, not a count."""
    planned: bool = False
    """打算/计划…多少: a target, which a count of what already happened does not answer."""
    subject: str = ""
    """The noun the asked value is of (研发投入**强度**是多少): a sentence that does not name it, nor its
    heading, states another value."""
    cluster_words: tuple[str, ...] = ()
    """The distinctive words of a particular cluster the question is about (嘉善**光电子器件**产业集群):
    one must appear where the answer is, or it is about another cluster."""
    rounds: tuple[str, ...] = ()
    """The yearly rounds the question names (2023年度 → 2023): a list, a notice or a count of that round."""
    realized: bool = False
    """推荐了几个, 最终认定了多少个: what happened, which a ceiling (不超过3个) does not answer."""
    as_of: frozenset[tuple[str, int]] = frozenset()
    """The points in time the question asks a figure at (截至2023年底 → (2023, 12))."""
    cities: tuple[str, ...] = ()
    """The cities the question names (厦门的国家级集群): an answer is about one of them, not its province."""
    locality: str = ""
    """A place inside a province or across provinces that the asked value is of (陕南有几个, 长三角地区有多少个);
    it binds a count (`counted`), not a question asking which firm there did something."""
    measured: tuple[tuple[str, str], ...] = ()
    """Those of `numbers` the question gives with a unit (打了75分 → ("75", "分")): a band a rule states
    (70分至80分的) is about them too."""
    payers: tuple[str, ...] = ()
    """Who the question says pays (中央财政给多少): another payer's money does not answer it."""
    ordinals: tuple[str, ...] = ()
    """Those of `numbers` the question names as a batch or session (第六批 → 6): a source names them so too,
    and a 6 in 8月6日 is not the sixth batch."""


def classify(question: str) -> QuestionType:
    for qtype, pattern in _TYPE_PATTERNS:
        if re.search(pattern, question):
            return qtype
    return "general"


def analyse(question: str) -> Intent:
    """`question` is the normalised (simplified) text."""
    # 市级资金, 省级主管部门: a level before a payer or an authority says who pays or acts, not which level
    # of recognition the question is about.
    programmes = tuple(p for p in PROGRAMMES if p in _AUTHORITY_LEVEL.sub("", question))
    # "国家级小巨人" asks about 小巨人; the level word only constrains when nothing more specific is named.
    if len(programmes) > 1 and "国家级" in programmes:
        programmes = tuple(p for p in programmes if p != "国家级")
    qtype, places = classify(question), places_in(question)
    ordinals = tuple(dict.fromkeys(_CN_DIGITS.get(m, m) for m in _ORDINAL.findall(question)))
    return Intent(
        type=qtype,
        places=places,
        cities=cities_in(question),
        payers=payers_in(question),
        measured=tuple(dict.fromkeys(_MEASURED.findall(question))),
        locality=asked_locality(question),
        numbers=tuple(dict.fromkeys([*_NUMBER.findall(question), *ordinals])),
        ordinals=ordinals,
        rounds=tuple(ROUND_YEAR.findall(question)),
        realized=bool(re.search(_COUNTS["realized"], question)),
        as_of=as_of(question),
        programmes=programmes,
        wants_latest=bool(re.search(r"现在|目前|最新|如今|截至|至今|迄今|累计|一共|总共", question)),
        date_grain="day" if re.search(r"几号|哪天|哪一天|哪几天|几月几日", question)
        else "month" if re.search(r"什么时候|何时|几月|时间", question) else "year",
        **_value_kind(question, qtype),
        nationwide=bool(re.search(_NATIONAL, question)) and not places and not cities_in(question),
        ranked=bool(re.search(r"老几|第几|排名|排第|名列", question)),
        planned=bool(re.search(r"计划(?!单列)|打算|将要|预计|力争|要培育|目标|规划", question)),
        cluster_words=cluster_words(question),
        subject=asked_subject(question),
        scope="new" if re.search(ASKS_NEW, question) else "total" if re.search(_ASKS_TOTAL, question) else "any",
        **_asked_quantity(question),
    )


# 2023年度: a yearly round (of a list, a notice, a count), not just a year.
ROUND_YEAR = re.compile(r"((?:19|20)\d{2})年度")
_COUNTS = vocabulary()["counts"]
# How a source states a ceiling on a count: 不超过3个, 最多可推荐5个 (a verb may stand between).
CEILING = re.compile(rf"(?:{_COUNTS['ceiling']})[\u4e00-\u9fff]{{0,3}}$")
# 截至2023年5月底, 到2024年末: the point in time a figure stands at (a month; 年底 is the twelfth).
_AS_OF = re.compile(r"(?:截至|截止|到)(?:目前|去年|今年)?((?:19|20)\d{2})年(?:(\d{1,2})月|底|末)")


def as_of(text: str) -> frozenset[tuple[str, int]]:
    return frozenset((m.group(1), int(m.group(2) or 12)) for m in _AS_OF.finditer(text))


# 全国…, 按国家的标准, 国家层面: the national programme, though 国家高新技术企业 is an enterprise's title.
_NATIONAL = r"全国|国家(?:的|层面|标准|规定|要求|政策)"
_VALUED_TYPES = ("number", "condition", "date", "general")
ASKS_NEW = r"新增|新认定|新入选|新上榜|新晋"
_ASKS_TOTAL = r"累计|一共|总共|总数|共有|至今|迄今|现在|目前|如今"


def _value_kind(question: str, qtype: QuestionType) -> dict:
    """The kind the question asks for, from the asking word nearest its end (研发投入占营收**比重**要求多少 →
    a share, not an amount). A count of things (多少家, 几项) asks for a count, whatever it is a count of."""
    m = _ASKED_QUANTITY.search(question)
    if m and m.group(1) and m.group(1) in "家项位种批次倍":
        return {}
    found = [
        (hit.end(), hit.group(), kind)
        for kind in VALUE_KINDS
        if kind.any_type or qtype in _VALUED_TYPES
        for hit in re.finditer(kind.asked, question)
    ]
    if not found:
        return {}
    kind = max(found, key=lambda f: f[0])[2]
    if kind.quantity and has_value(kind, question):
        return {}  # 普及率46.7%这个数出自哪份报告: the value is given, something else is asked
    attributes = [word for _, word, k in sorted(found, key=lambda f: f[0]) if k is kind and not re.search("多少|几", word)]
    return {"value_kind": kind, "value_attribute": attributes[-1] if kind.attribute and attributes else ""}


_NAMED_CLUSTER = re.compile(r"([\u4e00-\u9fff]{2,12}?)(?:产业)?集群")
# Where a cluster's name cannot reach back past: 浙江今年新上榜的|国家级集群, 那个|光电子器件集群.
_NAME_START = re.compile(r".*(?:的|那|这|哪|该|其|个|批|份|里|在|有|是|为|了|和|与|及)")
# Words that describe any cluster, not one in particular.
_GENERIC = frozenset(
    "国家级 省级 自治区级 自治区 市级 县级 中小企业 特色 产业 优势 先进 制造业 首批 全国 各地 年度 名单 省份 全省 各省 地区 区域 行业 "
    "新兴产业 主导产业 传统 重点 申报".split()
)


def cluster_words(question: str) -> tuple[str, ...]:
    """嘉善光电子器件产业集群 → (嘉善, 光电子, 器件): the nouns that set a named cluster apart from others.
    A question about "the" clusters in general (2024年新认定的那批集群, 国家级特色集群) names none."""
    import jieba.posseg

    from ..library.tokens import _jieba

    _jieba()
    words: list[str] = []
    # A year is never part of a name: 2024年报集群推荐材料 names no cluster called 年报.
    for m in _NAMED_CLUSTER.finditer(re.sub(r"\d+年度?", "的", question)):
        name = _NAME_START.sub("", m.group(1))
        words += [
            w.word
            for w in jieba.posseg.lcut(name)
            if w.flag.startswith("n") and len(w.word) >= 2 and w.word not in _GENERIC and not places_in(w.word)
        ]
    return tuple(dict.fromkeys(words))


_SUBJECT = vocabulary()["subject"]
_ASKING = re.compile(_SUBJECT["asking"])
_BETWEEN = frozenset(_SUBJECT["between"])
_FRAME = frozenset(_SUBJECT["frame"])


def asked_subject(question: str) -> str:
    """The noun right before the question's first asking word, past the words that only link the two
    (研发经费年均增长具体要达到多少 → 经费), or "" when that word frames the question (门槛, 认定标准), is a
    place, or is no dictionary word (jieba's guesses, such as 省限报, name nothing)."""
    import jieba
    import jieba.posseg

    from ..library.tokens import _jieba

    m = _ASKING.search(question)
    if not m:
        return ""
    _jieba()
    # 几家**上市公司**, 什么**人**: a noun after the asking word says what is asked; the one before is
    # only who has it (a count of listed companies is checked as a count, by the counted words).
    after = jieba.posseg.lcut(re.sub(r"^[个家项位种批次元倍]", "", question[m.end() :]))
    if after and after[0].flag.startswith("n") and not _frames(after[0].word):
        return ""
    clause = re.split(r"[,，;；:：。?？!！]", question[: m.start()])[-1]
    words = jieba.posseg.lcut(clause)
    # Only linking words are passed over: after a preposition (州市要**在**哪天前报送) the noun is who acts,
    # not what the value is of.
    while words and (words[-1].word in _BETWEEN or words[-1].flag in ("uj", "ul", "x")):
        words.pop()
    if not words:
        return ""
    word, flag = words[-1].word, words[-1].flag
    known = jieba.dt.FREQ.get(word) or word in DOMAIN_WORDS
    if not flag.startswith(("n", "vn")) or flag.startswith("ns") or len(word) < 2 or _frames(word) or not known:
        return ""
    return "" if places_in(word) or cities_in(word) or word in PROGRAMMES else word


def asked_locality(question: str) -> str:
    """The place name (by jieba's part of speech) that the clause asking for a value ends on, when it is
    neither a province nor a known city: 18个里，**陕南**有几个 asks about 陕南, which a province's total or
    another region's figure does not answer."""
    import jieba.posseg

    from ..library.tokens import _jieba

    m = _ASKING.search(question)
    if not m:
        return ""
    _jieba()
    clause = re.split(r"[,，;；:：。?？!！]", question[: m.start()])[-1]
    words = jieba.posseg.lcut(clause)
    # Only a place the asking words follow (陕南**有几个**, 长三角地区**有多少个**): in 东阳磁性材料集群里有几家
    # the place names the cluster, which `cluster_words` holds to.
    while words and (words[-1].flag in ("v", "f", "d", "x", "uj") or words[-1].word in _LOCALITY_TAIL):
        words.pop()
    if not words or words[-1].flag != "ns" or len(words[-1].word) < 2:
        return ""
    place = words[-1].word
    if places_in(place) or cities_in(place):
        return ""
    return re.sub(r"(?<=..)[县市区]$", "", place)  # 嘉善县 is written 嘉善 too


_MEASURED = re.compile(r"(\d+(?:\.\d+)?)(分|%|万元|亿元|元|家|个|人)")
_LOCALITY_TAIL = frozenset("地区 一共 总共 共 现在 目前 如今 里 内".split())


def _frames(word: str) -> bool:
    """门槛, and 国家标准 or 认定条件: a kind of rule, as 标准 and 条件 are."""
    return any(word.endswith(f) for f in _FRAME)


@lru_cache(maxsize=256)
def number_pattern(number: str, ordinal: bool = False) -> re.Pattern:
    """A figure the question names, as a source may write it: 1 is also 第一批 or 首批. A batch the question
    names (`ordinal`, 第六批) is written as a batch, not as any 6."""
    forms = [rf"第{re.escape(number)}(?:批|届)"] if ordinal else [rf"(?<![\d.]){re.escape(number)}(?![\d.])"]
    if number.isdigit() and int(number) <= 10:
        forms.append(rf"第{'零一二三四五六七八九十'[int(number)]}(?:批|届)")
        if number == "1":
            forms.append(r"首(?:批|届)")
    return re.compile("|".join(forms))


def has_value(kind: ValueKind, text: str) -> bool:
    return bool(re.search(kind.value, text))


def _asked_quantity(question: str) -> dict:
    m = _ASKED_QUANTITY.search(question)
    if not m:
        return {}
    counted = question[max(0, m.start() - 8) : m.start()] + question[m.end() : m.end() + 10]
    return {"measure": m.group(1), "counted": re.sub(r"[?？。,，]", "", counted), "counted_after": _noun_after(question, m.end())}


def _noun_after(text: str, start: int) -> str:
    """The words right after a figure (多少个**国家级集群**, 30个**省份**): what exactly is counted."""
    return re.split(r"[?？。,，;；、]", text[start : start + 8])[0]


def char_pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def quantity_matches(intent: Intent, sentence: str) -> bool:
    """Whether the sentence holds a figure with the asked measure word, counting the same thing:
    after the figure when the question names it there (多少个集群 ~ 300个国家级…集群, not 30个省份),
    else anywhere around it."""
    if not intent.counted:
        return False
    after_q = char_pairs(intent.counted_after) if len(re.findall(r"[\u4e00-\u9fff]", intent.counted_after)) >= 2 else set()
    wanted = char_pairs(intent.counted)
    pattern = rf"\d+(?:\.\d+)?[万亿]*({intent.measure or f'[{_MEASURES}%]'})"
    for m in re.finditer(pattern, sentence):
        if after_q:
            if after_q & char_pairs(_noun_after(sentence, m.end())):
                return True
        elif wanted & char_pairs(sentence[max(0, m.start() - 12) : m.end() + 12]):
            return True
    return False


def mentions(text: str, programme: str) -> bool:
    return any(form in text for form in PROGRAMMES[programme])


_PAYERS = {name: re.compile(pattern) for name, pattern in vocabulary()["payers"].items()}


def payers_in(text: str) -> tuple[str, ...]:
    return tuple(name for name, pattern in _PAYERS.items() if pattern.search(text))


def other_payer(intent: Intent, text: str) -> bool:
    """The text says another payer than the one asked pays, and not the one asked (`[payers]`)."""
    named = payers_in(text)
    return bool(intent.payers and named) and not set(intent.payers) & set(named)


_LEVELS = vocabulary()["levels"]
# 省级中小企业主管部门: the level of who acts or pays, removed before a text's levels are read.
_AUTHORITY_LEVEL = re.compile(rf"(?:{'|'.join(_LEVELS['names'])})(?=[\u4e00-\u9fff]{{0,6}}?(?:{'|'.join(_LEVELS['authorities'])}))")


def other_level(intent: Intent, text: str) -> bool:
    """The text names another level of recognition than the one asked, and not the one asked (see
    `[levels]` in the vocabulary)."""
    asked = [g for g in intent.programmes if g in _LEVELS["names"]]
    if not asked:
        return False
    text = _AUTHORITY_LEVEL.sub("", text)
    if any(mentions(text, g) for g in asked):
        return False
    return any(mentions(text, g) for g in _LEVELS["names"] if g not in asked)
