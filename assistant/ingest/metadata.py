"""Find a page's header (title, date, publisher, URL) and where its article starts.

Chinese news pages put a date/source line under the headline, in many shapes:
`发布时间:2024-09-12 20:43:00 来源:杭州网`, `2024-09-25 09:42:10 来源:` plus a byline, `來源:高新院 … 日期:2023-07-17`,
`中國產業經濟信息網 時間:2023-07-03`. Everything above the headline is site navigation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clean import CJK, is_chrome_line
from .govdoc import DIGIT_DATE, parse_date

_DATE_LABEL = r"(?:发布时间|發布時間|发布日期|發布日期|发表时间|發表時間|日期|时间|時間|更新时间|更新時間)"
_LABELLED_DATE = re.compile(_DATE_LABEL + r"\s*[:：]\s*" + DIGIT_DATE)
_TIMESTAMP = re.compile(DIGIT_DATE + r"日?\s+\d{1,2}:\d{2}")
_SOURCE = re.compile(r"(?:来源|來源|出处|出處)\s*[:：]\s*([^\s:：|]*)")
_POSTER = re.compile(r"(?:发布者|發布者|作者)\s*[:：]\s*([^\s:：|]+)")
_BYLINE = re.compile(r"^(\S{2,20}?)(?:记者|記者|讯|訊)")
_META_LABEL = re.compile(r"(发布者|發布者|作者|来源|來源|浏览|瀏覽|点击|點擊|类别|類別|责任编辑|責任編輯)\s*[:：(（]")
_URL = re.compile(r"(?:本文链接|本文鏈接|原文链接|原文鏈接|原文地址|来源网址|來源網址)\s*[:：].*?(https?://[^\s<>\"]+)")
_UNKNOWN = {"", "未知", "不详", "不詳", "网络", "網絡", "互联网", "互聯網"}
_HEADER_SEARCH_LINES = 60


@dataclass(frozen=True)
class Header:
    title: str
    date: str | None
    source: str | None
    url: str | None
    body_start: int
    """Index of the first line of the article body."""


def find_header_line(lines: list[str]) -> int | None:
    """The first line near the top that carries a labelled date, or a timestamp, or a source label with a date."""
    for i, line in enumerate(lines[:_HEADER_SEARCH_LINES]):
        if _LABELLED_DATE.search(line) or _TIMESTAMP.search(line):
            return i
    return None


def _date_of(line: str) -> str | None:
    m = _LABELLED_DATE.search(line) or _TIMESTAMP.search(line)
    return parse_date(m.group(0)) if m else None


def _is_title_candidate(line: str) -> bool:
    cjk = len(re.findall(f"[{CJK}]", line))
    return cjk >= 4 and not is_chrome_line(line) and not _META_LABEL.search(line)


def _source_of(block: list[str], header_line: str, next_line: str) -> str | None:
    text = " ".join(block)
    m = _SOURCE.search(text)
    if m and m.group(1) not in _UNKNOWN:
        return m.group(1)
    byline = _BYLINE.match(next_line)
    if byline:
        return byline.group(1)
    before_label = re.split(_DATE_LABEL + r"\s*[:：]", header_line)[0].strip()
    if before_label and re.fullmatch(f"[{CJK}A-Za-z0-9（）()]{{2,24}}", before_label):
        return before_label
    poster = _POSTER.search(text)
    return poster.group(1) if poster else None


def extract_header(lines: list[str]) -> Header:
    """Lines must already be whitespace-normalised and free of inserted pinyin."""
    url = next((m.group(1) for line in lines if (m := _URL.search(line))), None)
    h = find_header_line(lines)
    if h is None:
        start = next((i for i, line in enumerate(lines) if _is_title_candidate(line)), 0)
        return Header(title=lines[start] if lines else "", date=None, source=None, url=url, body_start=start + 1)

    # The header may span several label lines (发布者…/来源…日期…); widen to its neighbours.
    top = h
    while top > 0 and (_META_LABEL.search(lines[top - 1]) or not lines[top - 1]):
        top -= 1
    bottom = h
    while bottom + 1 < len(lines) and lines[bottom + 1] and _META_LABEL.search(lines[bottom + 1]):
        bottom += 1
    block = lines[top : bottom + 1]
    title_at = next((i for i in range(top - 1, -1, -1) if _is_title_candidate(lines[i])), None)
    title = lines[title_at] if title_at is not None else ""
    next_line = next((line for line in lines[bottom + 1 :] if line), "")
    return Header(
        title=title,
        date=_date_of(lines[h]),
        source=_source_of(block, lines[h], next_line),
        url=url,
        body_start=bottom + 1,
    )
