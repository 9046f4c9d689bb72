"""Turn a crawled Chinese news page into its article text.

Each step is a small function over text or lines so it can be tested on real snippets. None knows any
particular site: they look for the shapes that crawled pages share (menus, teaser lists, repeated
promo strings, pinyin annotations).
"""

from __future__ import annotations

import re
from collections import Counter

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SENTENCE_END = "。！？!?；;…"

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# A syllable counts as inserted pinyin only when it carries a tone mark, so "(Network)" or "(GDP)" survive.
_PINYIN = re.compile(rf"(?<=[{CJK}])[(（]([a-zü{_TONED}]{{1,7}})[)）]")

_BREADCRUMB = re.compile(r"(当前位置|當前位置|您的位置|您現在的位置|您现在的位置)[:：]|^(首页|主页|主頁|首頁)\s*>|(\s>\s.*){2,}")
_CHROME_LINE = re.compile(
    r"^(分享到|分享：|分享:|收藏|打印|关闭|關閉|返回顶部|返回頂部|日榜|周榜|月榜|上一篇|下一篇|责任编辑|責任編輯|编辑[:：]|編輯[:：]|转自[:：]|轉自[:：])"
    r"|微信公众号|微信公眾號|扫一扫|掃一掃|版权所有|版權所有|ICP备|ICP備|公网安备|公網安備"
)
# Lines after which a page holds only site furniture: related-article teasers, snapshot and copyright notices.
_TAIL_MARKERS = (
    r"(推荐资讯|推薦資訊|热门资讯|熱門資訊|延伸阅读|延伸閱讀|更多关于|更多關於|推荐文章|推薦文章|"
    r"相关阅读|相關閱讀|相关新闻|相關新聞|热点新闻|熱點新聞|热点视频|熱點視頻|热门推荐|熱門推薦|猜你喜欢|猜你喜歡|"
    r"本文链接|本文鏈接|以上内容为|以上內容為|版权及免责声明|版權及免責聲明|免责声明|免責聲明|声明[:：]|聲明[:：]|分享到)"
)
_TAIL_MARKER = re.compile(r"^[【\[]?" + _TAIL_MARKERS)
# The same marker inside a line, after a sentence or a space: a page crawled as one paragraph.
_INLINE_TAIL_MARKER = re.compile(r"(?<=[\s。！？!?）)])[【\[]?" + _TAIL_MARKERS)
_SNAPSHOT = re.compile(r"快照|爬虫|爬蟲|信息原文地址|如有侵权|如有侵權")


def normalize_whitespace(text: str) -> str:
    """Unify newlines and odd spaces, and trim lines, so later steps can work line by line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u3000", " ").replace("\xa0", " ").replace("\ufeff", "")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(lines)


def strip_pinyin(text: str) -> str:
    """`當(dāng)前` → `當前`: some sites annotate every character with its reading."""
    return _PINYIN.sub("", text)


# What survives of inserted pinyin when the page's encoding broke around it: 當?shù)刂еa(chǎn)業.
_PINYIN_RESIDUE = re.compile(rf"[?？]?[(（]?[a-zü{_TONED}]{{0,6}}[{_TONED}][a-zü]{{0,6}}[)）]|[?？](?=[a-zü{_TONED}]+[)）])")
# Marks of text that is still broken after repair: a question mark or a stray lower-case Latin, Cyrillic
# or Greek letter between Chinese characters, accented Latin letters, €, math signs (∑) or the
# replacement character. Upper-case letters are left alone: A股 and H股 are words.
_GARBLED = re.compile(
    rf"(?<=[{CJK}□])(?:[?？]|[a-z\u0370-\u03ff\u0400-\u04ff]{{1,2}})(?=[{CJK}])|\ufffd|[\u0400-\u04ff\u20ac\u0192\u2200-\u22ff]"
    r"|[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]"
)


def repair_residue(text: str) -> tuple[str, bool]:
    """Remove what is left of inserted pinyin; say whether the text is sound enough to quote.

    Where the page's encoding destroyed the character itself (`數(shù)` became `?shù)`), the repair shows
    □, the usual mark for an illegible character, instead of silently joining its neighbours. Other
    wreckage (a stray Cyrillic or Latin letter, €, the replacement character) makes the text unfit to quote.
    """
    repaired = _PINYIN_RESIDUE.sub(lambda m: "□" if m.group(0)[0] in "?？" else "", text)
    return repaired, not _GARBLED.search(repaired)


def quotable(text: str) -> str | None:
    """A sentence fit to quote: repaired of pinyin residue, with any clause the encoding destroyed left
    out and marked `…`; None when too little of it survives to mean anything."""
    repaired, sound = repair_residue(text)
    if sound:
        return repaired
    parts = re.split(r"([,，;；])", text)
    kept, gap, size = [], False, 0
    for clause, sep in zip(parts[0::2], [*parts[1::2], ""]):
        fixed, ok = repair_residue(clause)
        if ok:
            kept.append(("…" if gap and kept else "") + fixed + sep)
            size += len(fixed)
        gap = not ok
    return "".join(kept).strip(",，;；") if size >= 0.5 * len(repaired) and kept else None


def is_chrome_line(line: str) -> bool:
    """Menus, breadcrumbs, share widgets, copyright and snapshot notices."""
    return bool(_BREADCRUMB.search(line) or _CHROME_LINE.search(line) or _SNAPSHOT.search(line))


def drop_chrome_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if not is_chrome_line(line)]


def cut_trailing_chrome(lines: list[str], min_share: float = 0.3) -> list[str]:
    """Cut from the first tail marker on, but only once the article is well under way.

    A marker in the first part of a page is more likely a word in the article than the start of a
    teaser list, so it is left alone.
    """
    total = sum(len(line) for line in lines) or 1
    seen = 0
    for i, line in enumerate(lines):
        if seen / total >= min_share and len(line) <= 200 and _TAIL_MARKER.match(line):
            return lines[:i]
        inline = _INLINE_TAIL_MARKER.search(line)
        if inline and (seen + inline.start()) / total >= min_share and len(line) - inline.start() <= 200:
            return lines[:i] + [line[: inline.start()].rstrip()]
        seen += len(line)
    return lines


def repeated_spam(paragraphs: list[str], min_len: int = 6, min_count: int = 3) -> list[str]:
    """Strings a site appended again and again: a paragraph's unterminated tail, or a whole line, seen ≥ min_count times.

    An article's own repeated phrases sit inside sentences, so only what trails the last sentence end
    (or stands alone on a line) is a candidate.
    """
    tails: Counter[str] = Counter()
    for para in paragraphs:
        cut = max(para.rfind(ch) for ch in SENTENCE_END)
        tail = para[cut + 1 :].strip() if cut >= 0 else para.strip()
        if len(tail) >= min_len:
            tails[tail] += 1
    return sorted((t for t, n in tails.items() if n >= min_count), key=len, reverse=True)


def remove_spam(paragraphs: list[str], spam: list[str]) -> list[str]:
    out = []
    for para in paragraphs:
        for s in spam:
            para = para.replace(s, "")
        para = para.strip()
        if para:
            out.append(para)
    return out


def drop_repeated_title(paragraphs: list[str], title: str) -> list[str]:
    """Pages often print the headline again inside the body."""
    return [p for p in paragraphs if p != title]


def clean_body(lines: list[str], title: str = "") -> str:
    """Article lines (after the header) → paragraphs joined by newlines."""
    lines = cut_trailing_chrome([line for line in lines if line])
    paragraphs = drop_chrome_lines(lines)
    paragraphs = remove_spam(paragraphs, repeated_spam(paragraphs))
    paragraphs = drop_repeated_title(paragraphs, title)
    return "\n".join(paragraphs)
