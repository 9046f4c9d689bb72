"""Follow-up questions (那广东呢？ / 它们带动了多少就业？) → standalone questions, by rules.

The previous user question supplies what the follow-up leaves out: a follow-up that swaps one term
of the same kind (a province, a region, a programme) takes the previous question with that term
swapped; a pronoun takes the previous question's topic; a bare fragment is appended to that topic.
"""

from __future__ import annotations

import re

from ..schema import Turn
from ..vocabulary import CITIES, PROVINCES, cities_in

_SCOPES = ("全国", "全省", "县域")
_REGIONS = ("东部", "中部", "西部", "东北")
_PROGRAMMES = ("专精特新小巨人", "专精特新中小企业", "创新型中小企业", "单项冠军", "小巨人")
_LEVELS = ("国家级", "省级", "市级")
_PLACE_KIND = tuple(PROVINCES) + _SCOPES
_KINDS = (_PLACE_KIND, _REGIONS, _PROGRAMMES, _LEVELS)

_PRONOUN = re.compile(r"它们|它|他们|其|这些集群|这些|该集群|这个集群|那个集群")
_LEADING = re.compile(r"^(那么|那|还有|另外|再问一下|再问|请问)[，,、\s]*")
_TRAILING = re.compile(r"[呢吗？?。！!\s]+$")
QUESTION_WORD = re.compile(r"多少|几|哪|什么|谁|是否|怎么|如何|何时")
_QUESTION_PHRASES = re.compile(r"有多少个|有多少家|有多少|多少个|多少家|多少|几个|几家|几|哪些|哪几个|哪一年|哪年|什么|是否|吗|呢|[？?。]")
_DOMAIN_NOUN = re.compile(r"集群|企业|小巨人|冠军|名单|规划|办法|细则|政策|平台|项目|产值|就业")
# 那一年 / 当年: the year the previous question named.
_THAT_YEAR = re.compile(r"那一年|那年|当年|同年|这一年")
_YEAR = re.compile(r"(?:19|20)\d{2}年度?")
# 这个比例, 那个标准, 同样的要求: the follow-up asks about what the previous question asked, so it is not a
# question of its own even when it names a programme (那陕西的省级集群这个比例要求是多少？).
_REFERS_BACK = re.compile(r"这个|那个|这一|这项|那项|该项|同样|相同")


def previous_question(history: list[Turn]) -> str | None:
    return next((t.content for t in reversed(history) if t.role == "user" and t.content.strip()), None)


def topic(question: str) -> str:
    """The previous question without its question words: what it was about."""
    return _QUESTION_PHRASES.sub("", question).strip("，, ")


def subject(question: str) -> str:
    """What the previous question was about. A one-clause question loses the attribute it asked for after
    its last 的 (2023年度推荐集群的通知文号是多少 → 2023年度推荐集群), which a follow-up about another
    attribute must not inherit; a longer one keeps its clauses, which name what the follow-up is about."""
    about = topic(question)
    if re.search(r"[，,；;]", about) or "的" not in about:
        return about
    return about.rsplit("的", 1)[0]


def _swap(fragment: str, previous: str) -> str | None:
    """Previous question with each term of the fragment put in place of the same kind of term; a place the
    previous question had none of goes in front (国家级…占比 → 陕西 + 省级…占比)."""
    swapped, added = previous, ""
    for kind in _KINDS:
        new = next((t for t in kind if t in fragment), None)
        old = next((t for t in kind if t in previous and t != new), None)
        if new and old and new not in previous:
            swapped = swapped.replace(old, new)
        elif new and not old and new not in previous and kind is _PLACE_KIND:
            added = new
    return added + swapped if swapped != previous else None


def sibling_questions(question: str, text: str) -> list[str]:
    """The question asked again of each other term of a kind it names (another province, region or
    programme) that `text` names too, in the order `text` names them. Not another level: a passage about
    national clusters that mentions provincial ones seldom answers the same question of them."""
    out = []
    for kind in (_PLACE_KIND, _REGIONS, _PROGRAMMES):
        asked = next((t for t in kind if t in question), None)
        if asked:
            others = sorted((t for t in kind if t in text and t not in question and asked not in t), key=text.index)
            out += [question.replace(asked, t, 1) for t in others]
    return out


def standalone(question: str, history: list[Turn]) -> str:
    """`question` and `history` are normalised (simplified) text."""
    previous = previous_question(history)
    if not previous:
        return question
    year = _YEAR.search(previous)
    if year and _THAT_YEAR.search(question):
        asked = _TRAILING.sub("", _LEADING.sub("", _THAT_YEAR.sub(year.group(), question.strip(), count=1)))
        return f"{subject(previous)}，{asked}"
    fragment = _TRAILING.sub("", _LEADING.sub("", question.strip()))
    if _PRONOUN.search(fragment):
        return _PRONOUN.sub(topic(previous), fragment, count=1)
    own_question = bool(QUESTION_WORD.search(fragment)) and not _REFERS_BACK.search(fragment)
    names_something = bool(_DOMAIN_NOUN.search(fragment))
    swapped = _swap(fragment, previous)
    if swapped and not (own_question and names_something):
        return swapped
    if own_question and names_something:
        return question
    return f"{_without_its_cities(topic(previous))}，{fragment}"


def _without_its_cities(about: str) -> str:
    """A topic that names a province and cities in it was a question about the province's rule, asked of
    a city (云南…省级集群推荐，昆明能报几个): a further question (材料最晚什么时候寄到省里) is about the rule,
    not about that city. A city named alone (厦门的集群奖励) stays what the topic is about."""
    for city in cities_in(about):
        if CITIES[city] in about:
            about = re.sub(rf"{city}[市州]?", "", about)
    return about
