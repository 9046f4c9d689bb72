"""Figures as numbers in one base unit per kind: 40亿元 = 4,000,000,000 元, 百分之七十 = 七成 = 70%, 三年 = 3,
1500亩 = 1 平方公里. Chinese numerals go through cn2an, which knows 两千五百万 and 四十亿 better than any table here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import cn2an

Kind = Literal["money", "percent", "area", "count", "people", "years", "score", "number"]

_CN = "零〇一二两三四五六七八九十百千万亿点"
NUM = rf"(?:\d+(?:\.\d+)?|[{_CN}]+)"
# 成 is a share only as a figure's unit (七成), never in 成员, 成本, 成果, 成立, 成为, 成功.
UNIT = r"个百分点|%|％|成(?![员本果立为功长效])|元|平方公里|平方千米|km2|亩|公顷|家|个|项|件|所|座|人|名|年|分"
FIGURE = re.compile(rf"百分之(?P<pct>{NUM})|(?<![\d.])(?P<num>{NUM})\s*(?P<scale>[万亿]*)\s*(?P<unit>{UNIT})?")

_KIND_OF_UNIT = {
    "%": "percent", "％": "percent", "个百分点": "percent", "成": "percent", "元": "money",
    "平方公里": "area", "平方千米": "area", "km2": "area", "亩": "area", "公顷": "area",
    "家": "count", "个": "count", "项": "count", "件": "count", "所": "count", "座": "count",
    "人": "people", "名": "people", "年": "years", "分": "score",
}  # fmt: skip
# Into the kind's base unit: percent in %, area in 平方公里.
_FACTOR = {"成": 10.0, "亩": 1 / 1500, "公顷": 0.01}
_SCALE = {"万": 1e4, "亿": 1e8}

KIND_NAMES: dict[str, str] = {
    "money": "金额", "percent": "百分比", "area": "面积", "count": "数量", "people": "人数", "years": "年数",
    "score": "分数", "number": "数字",
}  # fmt: skip
# What a figure of each kind looks like, for messages that ask for one.
EXAMPLES: dict[str, str] = {
    "money": "45亿元", "percent": "75%", "area": "80平方公里", "count": "3家", "people": "120人", "years": "5年", "score": "72分",
}  # fmt: skip
BASE_UNIT: dict[str, str] = {"money": "元", "percent": "%", "area": "平方公里", "people": "人", "years": "年", "score": "分"}


@dataclass(frozen=True)
class Quantity:
    value: float
    kind: Kind
    unit: str
    """The unit word as written (家, 个, 亿元 reads as 元); "" for a bare number."""
    text: str
    start: int = 0
    end: int = 0


def number(text: str) -> float | None:
    """3, 2.5, 三, 四十, 两千五百万 → a float; None when it is not a numeral."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError):  # cn2an raises these for what is not a numeral
        return None


def _quantity(m: re.Match) -> Quantity | None:
    if m.group("pct"):
        value = number(m.group("pct"))
        return None if value is None else Quantity(value, "percent", "%", m.group(), m.start(), m.end())
    raw, scale, unit = m.group("num"), m.group("scale") or "", m.group("unit") or ""
    if not re.search(r"\d", raw) and not unit:
        return None  # 一般, 万家: a Chinese numeral counts as a figure only with its unit (三年, 五家)
    value = number(raw)
    if value is None:
        return None
    for ch in scale:
        value *= _SCALE[ch]
    value *= _FACTOR.get(unit, 1.0)
    kind: Kind = _KIND_OF_UNIT.get(unit, "number")  # type: ignore[assignment]
    return Quantity(value, kind, unit, m.group(), m.start(), m.end())


def figures(text: str) -> list[Quantity]:
    """Every figure in a text, in order; years of the calendar (2024年) are dates, not figures."""
    out = []
    for m in FIGURE.finditer(text):
        q = _quantity(m)
        if q is None or (q.kind == "years" and re.fullmatch(r"(?:19|20)\d\d年", q.text.strip())):
            continue
        out.append(q)
    return out


def as_kind(q: Quantity, kind: str) -> float | None:
    """The figure's value in the base unit of `kind`, or None when it is a figure of another kind.

    A bare number takes the kind it is asked for: 0.7 as a share is 70%, 75 is 75%; 35亿 is an amount in 元."""
    if q.kind == kind or (kind == "people" and q.kind == "count"):
        return q.value
    if q.kind != "number":
        return None
    if kind == "percent" and "." in q.text and 0 < q.value <= 1:
        return q.value * 100
    return q.value


def display(value: float, kind: str, unit: str = "") -> str:
    """A value as a reader writes it: 4.5e9 元 → 45亿元, 70 → 70%, 3 家 → 3家."""
    def plain(x: float) -> str:
        return f"{x:.2f}".rstrip("0").rstrip(".")

    if kind == "money":
        for word, size in (("亿", 1e8), ("万", 1e4)):
            if abs(value) >= size:
                return f"{plain(value / size)}{word}元"
        return f"{plain(value)}元"
    if kind in BASE_UNIT:
        return f"{plain(value)}{BASE_UNIT[kind]}"
    return f"{plain(value)}{unit}"
