"""The shapes of Chinese government documents: header fields, 文号, the title line, the signature block,
and the structure (第X章, 第X条, 一、, （一）, 附件) that gives a passage its place.

The labels and endings live in `data/govdoc.toml`, so a policy expert can extend them. Every function
here works on plain lines of text in any script: values are matched on a simplified copy and returned
from the original line, so nothing is rewritten.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..script import to_simplified
from .clean import CJK, is_chrome_line

RULES_FILE = Path(__file__).parent.parent / "data" / "govdoc.toml"
NUMERAL = "[一二三四五六七八九十百零〇两0-9０-９]+"
# 工信部企业〔2022〕119号, 工信厅企业函〔2024〕122号, 陕工信发〔2023〕89号; brackets vary between sites.
DOC_NUMBER = re.compile(rf"[{CJK}]{{1,16}}[〔\[［【(（]((?:19|20)\d{{2}})[〕\]］】)）]\s*(\d{{1,4}})\s*号")
# 2024-09-13, 2024年9月19日, 2024/9/19 (year, month, day captured); 二〇二四年九月十九日 likewise.
DIGIT_DATE = r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
CN_DATE = r"([一二三四五六七八九〇零○Ｏ0]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
_DIGIT_DATE = re.compile(DIGIT_DATE + r"\s*日?")
_CN_DATE = re.compile(CN_DATE)
_CN_DIGIT = dict(zip("〇零○Ｏ0一二三四五六七八九", "00000123456789"))
_HEADER_LINES = 40
_MAX_FIELD_LINE = 200
_SIGNATURE_LINES = 8


@dataclass(frozen=True)
class Rules:
    fields: dict[str, list[str]]
    bylines: tuple[str, ...]
    issuer_endings: tuple[str, ...]
    title_kinds: tuple[str, ...]
    structure: dict[str, re.Pattern]
    asking: dict[str, tuple[str, ...]]
    """Phrases that ask for a document's own field (文号, 落款), by field."""


@cache
def rules() -> Rules:
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    structure = {
        name: re.compile("^" + pattern.replace("{n}", f"({NUMERAL})")) for name, pattern in data["structure"].items()
    }
    return Rules(
        fields=data["fields"],
        bylines=tuple(data["byline"]["labels"]),
        issuer_endings=tuple(sorted(data["signature"]["issuer_endings"], key=len, reverse=True)),
        title_kinds=tuple(sorted(data["title"]["kinds"], key=len, reverse=True)),
        structure=structure,
        asking={field: tuple(phrases) for field, phrases in data["asking"].items()},
    )


# -- values ---------------------------------------------------------------------------------------------
def _cn_number(text: str) -> int | None:
    """一 → 1, 十九 → 19, 二十 → 20, 三十一 → 31 (small numbers: months, days, articles)."""
    if text.isdigit():
        return int(text)
    digits = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "〇": 0, "零": 0}
    total, current = 0, 0
    for ch in text:
        if ch in digits:
            current = digits[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def number_of(text: str) -> int | None:
    """The value of a structural number: 二十 → 20, 3 → 3, ３ → 3."""
    return _cn_number(text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


def parse_date(text: str) -> str | None:
    """The first date in a text as YYYY-MM-DD: 2024-09-13, 2024年9月19日, 二〇二四年九月十九日."""
    found = []
    if m := _DIGIT_DATE.search(text):
        found.append((m.start(), m.group(1), m.group(2), m.group(3)))
    if m := _CN_DATE.search(text):
        year = "".join(_CN_DIGIT.get(ch, ch) for ch in m.group(1))
        found.append((m.start(), year, str(_cn_number(m.group(2))), str(_cn_number(m.group(3)))))
    for _, year, month, day in sorted(found):
        mm, dd = int(month), int(day)
        if 1 <= mm <= 12 and 1 <= dd <= 31:
            return f"{int(year):04d}-{mm:02d}-{dd:02d}"
    return None


def doc_number(text: str) -> str | None:
    """The first 文号 in a text, in simplified script (號 → 号), so one number reads the same on every site."""
    m = DOC_NUMBER.search(to_simplified(text))
    if not m:
        return None
    value = m.group(0)
    # Keep the issuer's abbreviation only: drop a lead-in such as 文号 or 根据.
    for label in rules().fields["doc_number"]:
        value = value.split(label)[-1]
    return re.sub(r"\s+", "", value.lstrip("：:|"))


# -- header fields --------------------------------------------------------------------------------------
def _label_pattern() -> re.Pattern:
    labels = sorted({label for group in rules().fields.values() for label in group}, key=len, reverse=True)
    return re.compile(r"(?<![" + CJK + r"])(" + "|".join(labels) + r")\s*(?:[:：|]|\s{1,}(?=\S))")


@cache
def _labels() -> tuple[re.Pattern, dict[str, str]]:
    owner = {label: name for name, group in rules().fields.items() for label in group}
    return _label_pattern(), owner


def _cells(line: str) -> list[tuple[str, str]]:
    """(label, value) pairs on one line: `a：x b：y`, `| a | x | b | y |`, or `a x`."""
    pattern, owner = _labels()
    simplified = to_simplified(line)
    hits = list(pattern.finditer(simplified))
    pairs = []
    for i, m in enumerate(hits):
        end = hits[i + 1].start() if i + 1 < len(hits) else len(line)
        value = line[m.end() : end].strip(" |：:\t")
        if value and owner.get(m.group(1)):
            pairs.append((m.group(1), value))
    return pairs


@dataclass(frozen=True)
class HeaderFields:
    values: dict[str, str]
    """field → value (date already ISO); the highest-priority label of each field wins."""
    lines: frozenset[int]
    """Indexes of the lines the fields came from: page furniture, not body."""


def header_fields(lines: list[str]) -> HeaderFields:
    """Labelled fields near the top of a page, in whatever layout: one per line, several per line, or a
    `|` table. A label alone on a line takes the next line as its value (tables flattened by a crawler)."""
    _, owner = _labels()
    fields = rules().fields
    best: dict[str, tuple[int, str]] = {}
    used: set[int] = set()
    top = lines[:_HEADER_LINES]
    for i, line in enumerate(top):
        pairs = _cells(line)
        bare = to_simplified(line).strip(" ：:|")
        if not pairs and bare in owner and i + 1 < len(top) and top[i + 1].strip():
            pairs = [(bare, top[i + 1].strip(" |"))]
            used.add(i + 1)
        for label, value in pairs:
            name = owner[label]
            if name in ("date", "posted"):
                value = parse_date(value)
            elif name == "doc_number":
                value = doc_number(value) or None
            elif name in ("issuer", "source"):
                value = value.split()[0]  # a site's URL or a byline may follow on the same line
                value = value if 2 <= len(value) <= 40 and value not in ("未知", "不详", "网络", "互联网") else None
            elif len(value) > 120:
                value = None
            if not value:
                continue
            priority = fields[name].index(label)
            if name not in best or priority < best[name][0]:
                best[name] = (priority, value)
            if len(line) <= _MAX_FIELD_LINE:  # a long line that carries labels is a one-line repost: body
                used.add(i)
    return HeaderFields({name: value for name, (_, value) in best.items()}, frozenset(used))


# -- title line -----------------------------------------------------------------------------------------
def is_title_line(line: str) -> bool:
    """关于…的通知, 《…》, or a short line that ends with a kind of document (…实施办法（试行）)."""
    s = to_simplified(line).strip()
    if not 6 <= len(s) <= 90 or s.endswith(("。", "；", "：", ":")):
        return False
    if re.fullmatch(r"《[^《》]+》", s):
        return True
    if not re.match(f"[{CJK}《“]", s) or is_chrome_line(s) or re.search(r"[>|｜]", s):
        return False  # menu items, list bullets (- 产业规划) and breadcrumbs (首页 > 通知公告) are not titles
    core = re.sub(r"[（(](试行|暂行|征求意见稿|修订)[）)]$", "", s)
    return core.endswith(rules().title_kinds) and (core.startswith("关于") or 8 <= len(core) <= 60)


def issuer_in_title(title: str) -> str | None:
    """工业和信息化部办公厅关于组织推荐…的通知 → 工业和信息化部办公厅: an official title names its issuer."""
    m = re.match(rf"^([{CJK}（）()、]{{3,40}}?)关于", to_simplified(title))
    if m and _is_issuer(m.group(1)):
        return title[: m.end(1)]
    return None


def title_from_lead(text: str, limit: int = 40) -> str:
    """A title for a document that states none: its own title phrase if it opens with one, else a short lead."""
    s = text.strip()
    m = re.match(rf"^《[^《》]{{4,80}}》|^关于[^。；]{{2,80}}?的(?:{'|'.join(rules().title_kinds)})", to_simplified(s))
    if m:
        return s[: m.end()]
    first = re.split(r"[。！？；]", s, maxsplit=1)[0]
    return first if len(first) <= limit else first[:limit] + "…"


# -- signature block ------------------------------------------------------------------------------------
def _is_issuer(line: str) -> bool:
    s = to_simplified(line).strip()
    return 3 <= len(s) <= 40 and bool(re.fullmatch(f"[{CJK}（）()、]+", s)) and s.endswith(rules().issuer_endings)


_DATE_AT_END = re.compile(
    r"((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d{2}-\d{1,2}-\d{1,2}|"
    + CN_DATE.replace("(", "(?:")
    + r")\s*[）)]?\s*$"
)


def _block_at(lines: list[str], k: int) -> tuple[list[str], str | None] | None:
    """A signature block whose date is on line k: (issuers, date), or None."""
    m = _DATE_AT_END.search(lines[k])
    if not m:
        return None
    date = parse_date(m.group(1))
    prefix = lines[k][: m.start()].strip()
    issuers = []
    if prefix:
        last = re.split(r"[。！？；\s]", prefix)[-1]
        if not _is_issuer(last):
            return None  # a sentence that ends in a date
        if last != prefix:
            return [last], date
        issuers = [last]
    j = k - 1
    while j >= 0 and _is_issuer(lines[j]):
        issuers.insert(0, lines[j].strip())
        j -= 1
    return issuers, date


def signature(lines: list[str]) -> tuple[str | None, str | None]:
    """(issuer, date) of a notice's signature: issuer lines (several, for a joint notice) and then a date
    line, or both on one line (工业和信息化部 2024年9月19日, as in a repost that lost its line breaks). It
    may stand before annexes or a covered text (印发…的通知, then the 办法 itself), so the last block that
    names an issuer wins; a bare date line counts only among the last lines; a print record
    (…办公室 2023年7月10日印发) is not a signature."""
    kept = [line.strip() for line in lines if line.strip()]
    blocks = {k: b for k in range(len(kept)) if (b := _block_at(kept, k))}
    signed = [b for b in blocks.values() if b[0]]
    if signed:
        issuers, date = signed[-1]
        return "、".join(issuers), date
    tail = [b for k, b in blocks.items() if k >= len(kept) - _SIGNATURE_LINES]
    return (None, tail[-1][1]) if tail else (None, None)


# -- structure ------------------------------------------------------------------------------------------
_SPLIT_BEFORE = re.compile(
    rf"(?<=[。；;！？\s])(?=第{NUMERAL}[章条]|附件\s*\d|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])"
)


@cache
def _field_run() -> re.Pattern:
    """Two or more labelled header fields or bylines in a row inside a paragraph (发布时间：2023-01-12 08:41
    来源：某网 编辑：某某)."""
    found = {label for group in rules().fields.values() for label in group} | set(rules().bylines)
    labels = "|".join(sorted(found, key=len, reverse=True))
    value = r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?|[^\s:：|]+"
    field = rf"(?:{labels})\s*[:：]\s*(?:{value})"
    return re.compile(rf"(?<![{CJK}]){field}(?:\s+{field})+")


def split_run_on(paragraph: str, min_chars: int = 300) -> list[str]:
    """A long paragraph that holds a whole notice (reposts often lose every line break) is split again
    where its articles and numbered items begin, so chunks and citations can tell them apart. The page's
    header fields inside it are furniture (their values were read before): they go, so a 发布时间 does
    not become part of the headline's sentence."""
    if len(paragraph) < min_chars:
        return [paragraph]
    return [p.strip() for part in _field_run().split(paragraph) for p in _SPLIT_BEFORE.split(part) if p.strip()]


def heading_of(paragraph: str) -> tuple[str, str] | None:
    """(level, label) when a paragraph opens a structural unit: ("article", "第二条")."""
    s = to_simplified(paragraph)
    for level, pattern in rules().structure.items():
        if m := pattern.match(s):
            return level, re.sub(r"\s+", "", m.group(0)).rstrip("、")
    return None


_LEVELS = ("annex", "chapter", "article", "section", "item")  # outermost first: an annex holds the rest


def locate(paragraphs: list[str]) -> list[str]:
    """The place of each paragraph, as a person cites it: 第二章第五条, 一、（二）, 附件1.

    A heading resets the levels below it; an annex starts afresh."""
    current: dict[str, str] = {}
    out = []
    for para in paragraphs:
        found = heading_of(para)
        if found:
            level, label = found
            if level == "annex":
                current = {}
            else:
                for lower in _LEVELS[_LEVELS.index(level) + 1 :]:
                    current.pop(lower, None)
            current[level] = label
        out.append(_place(current))
    return out


def lead_in(paragraph: str) -> str:
    """The part of a paragraph that announces what follows it, or "": a sentence ending in a colon
    (第八条 申报省级集群应当同时具备下列条件：) or a short heading with no sentence end (第三章 认定条件和程序,
    附件3：专精特新“小巨人”企业认定标准)."""
    text = paragraph.strip()
    if len(text) <= 50 and not re.search(r"[。！？；!?;…]$", text):
        return text
    first = re.match(r"[^。！？；!?;]*?[：:]$|[^。！？；!?;]*?[：:](?=[（(一二三四五六七八九十1-9])", text)
    return first.group(0) if first else ""


def enclosing_lead_ins(paragraphs: list[str]) -> list[str]:
    """For each paragraph, the lead-ins of the units that hold it, outermost first: an item (（四）集群内至少
    有1家…) is about what its article's lead-in says (申报省级集群应当…具备下列条件：), even when a chunk
    boundary separates the two."""
    open_units: dict[str, str] = {}
    out = []
    for para in paragraphs:
        found = heading_of(para)
        if found:
            level = found[0]
            if level == "annex":
                open_units = {}
            else:
                for lower in _LEVELS[_LEVELS.index(level):]:
                    open_units.pop(lower, None)
        out.append("".join(open_units[level] for level in _LEVELS if open_units.get(level)))
        if found:
            open_units[found[0]] = lead_in(para)
    return out


def _place(current: dict[str, str]) -> str:
    if "article" in current:  # an article number is unique in its document: the chapter adds nothing
        parts = [current.get("annex", ""), current["article"], current.get("item", "")]
    else:
        parts = [current.get(level, "") for level in ("annex", "chapter", "section", "item")]
    return "".join(p for p in parts if p)
