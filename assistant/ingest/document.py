"""One file → one cleaned Document with its metadata (sidecar `<file>.meta.json` wins over what is extracted)."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

from ..schema import Document, DocumentMeta
from ..script import detect_script, to_simplified
from ..vocabulary import CITIES, PROVINCES, cities_in, issuing_province
from .clean import CJK, clean_body, normalize_whitespace, strip_pinyin
from .govdoc import (
    DOC_NUMBER,
    doc_number,
    header_fields,
    is_title_line,
    issuer_in_title,
    parse_date,
    rules,
    signature,
    split_run_on,
    title_from_lead,
)
from .load import LoadError, ReadLimits, load_file
from .metadata import Header, extract_header

SIDECAR_SUFFIX = ".meta.json"
SIDECAR_FIELDS = ("title", "source", "date", "url", "doc_number")
UNKNOWN_SOURCE = "未知来源"
_TITLE_LINES = 30
_MAX_TITLE = 90
# Bump when cleaning changes, so re-ingest redoes every document instead of trusting old hashes.
PIPELINE_VERSION = "7"


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict[str, str]:
    side = sidecar_path(path)
    if not side.exists():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LoadError(f"元数据文件 {side.name} 不是有效的 JSON：{exc}") from exc
    if not isinstance(data, dict):
        raise LoadError(f"元数据文件 {side.name} 应为 JSON 对象")
    return {k: str(v) for k, v in data.items() if k in SIDECAR_FIELDS and v not in (None, "")}


def doc_id_for(relative_path: str) -> str:
    """Stable across edits of the file, so an edited document replaces its own chunks."""
    return hashlib.sha256(relative_path.encode("utf-8")).hexdigest()[:16]


def content_hash(data: bytes, sidecar: dict[str, str]) -> str:
    h = hashlib.sha256(data)
    h.update(json.dumps(sidecar, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    h.update(PIPELINE_VERSION.encode())
    return h.hexdigest()


def normalise_date(value: str | None) -> str | None:
    return parse_date(value) if value else None


def _title_line(lines: list[str], skip: frozenset[int]) -> int | None:
    """The document's own title line (关于…的通知, 《…》, …实施办法) near the top, if it has one."""
    for i, line in enumerate(lines[:_TITLE_LINES]):
        if i not in skip and line and is_title_line(line):
            return i
    return None


@cache
def _number_after_title() -> re.Pattern:
    """关于…的通告 工信部企业函〔2023〕3号: a title phrase (its kinds from the data file), then the number."""
    kinds = "|".join(rules().title_kinds)
    return re.compile(rf"关于[^。；，]{{2,80}}?的(?:{kinds})\s+({DOC_NUMBER.pattern})")


def _header_doc_number(lines: list[str], skip: frozenset[int]) -> str | None:
    """A 文号 printed on its own line under the title, or right after the title in a repost that lost its
    line breaks; never one cited inside a sentence of the body."""
    for i, line in enumerate(lines[:_TITLE_LINES]):
        if i not in skip and (number := doc_number(line)) and len(line.strip()) <= len(number) + 4:
            return number
        if m := _number_after_title().search(to_simplified(line)):
            return doc_number(m.group(1))
    return None


@cache
def _official_title() -> tuple[re.Pattern, re.Pattern]:
    """A government document's full title (…关于…的通知/通告/办法, kinds from the data file): a line of its
    own, or, in a repost that lost its line breaks, a sentence start followed by its 文号."""
    kinds = "|".join(rules().title_kinds)
    title = rf"[^。；，,\s]{{0,40}}关于[^。；，,]{{2,80}}?的(?:{kinds})"
    return re.compile(rf"^{title}$"), re.compile(rf"(?:^|(?<=[。！？\s]))({title})\s*{DOC_NUMBER.pattern}")


def official_title_in(body: str, lines: int = 60) -> str | None:
    """The official title a report or repost prints before the text it carries, near the top of its body.
    Offsets carry over from the simplified text, which OpenCC converts character for character."""
    alone, numbered = _official_title()
    for line in body.split("\n")[:lines]:
        line, simplified = line.strip(), to_simplified(line.strip())
        if alone.match(simplified):
            return line
        if (m := numbered.search(simplified)) and len(simplified) == len(line):
            return line[m.start(1) : m.end(1)]
    return None


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)


def _title_and_body(lines: list[str], header: Header, at: int | None) -> tuple[str, list[str]]:
    """The title and the lines after it. A government title line wins over a news headline when it is the
    headline, or stands right under the page's date line (sites put either first); lines above the title
    are site furniture. Without either, a first line too long to be a title is body: nothing is swallowed."""
    if at is not None:
        if header.date is None or at < header.body_start:
            return lines[at].strip(), lines[at + 1 :]
        between = [line for line in lines[header.body_start : at] if line]
        if len(between) <= 1:
            return lines[at].strip(), lines[at + 1 :]
    if len(header.title) > _MAX_TITLE:
        return "", lines[header.body_start - 1 :]
    return header.title, lines[header.body_start :]


def region_of_document(title: str, source: str, body: str) -> str | None:
    """The province a document is about: the one its title or issuer names, else, in a text that speaks
    as a province (我省, 全省), the one it names most. A national text names provinces too, in datelines
    (北京8月6日电) and lists (新疆生产建设兵团), without being about any of them."""
    if named := issuing_province(source, title):
        return named
    # A city counts for its province: a provincial paper names 西安市碑林区, not 陕西.
    counts = Counter({p: n for p in PROVINCES if (n := body.count(p))})
    counts.update(CITIES[city] for city in cities_in(body))
    if not counts or not re.search(r"我省|本省|全省", body):
        return None
    top = max(counts, key=counts.get)
    return top if counts[top] * 2 > sum(counts.values()) else None


def build_document(path: Path, relative_path: str, limits: ReadLimits = ReadLimits()) -> Document:
    """Raises LoadError with a Chinese reason when the file cannot become a document.

    Metadata, first found wins: the sidecar, what the format carries (an HTML page's title), labelled
    header fields (成文日期, 发布机构, 文号 in any layout), a news header (date and source under the
    headline), the document's own title line, the signature block at the end; then the file name and
    未知来源. A file with any CJK sentence becomes a document even when none of that is found.
    """
    loaded = load_file(path, limits)
    sidecar = read_sidecar(path)
    text = normalize_whitespace(strip_pinyin(loaded.text))
    lines = text.split("\n")
    fields = header_fields(lines)
    header = extract_header(lines)
    at = _title_line(lines, fields.lines)
    # Header fields are page furniture: kept out of the body, wherever the title turns out to be.
    title, body_lines = _title_and_body(["" if i in fields.lines else s for i, s in enumerate(lines)], header, at)
    body = clean_body(body_lines, title)
    if not body.strip():
        body = "\n".join(line for line in lines if line)  # never lose a document that has text
    if not re.search(f"[{CJK}]{{4}}", body):
        raise LoadError("文件中没有中文正文（至少需要一句中文），请确认上传的是政策文件或报道")
    body = "\n".join(part for para in body.split("\n") for part in split_run_on(para))

    signed_by, signed_on = signature(body.split("\n"))
    title = fields.values.get("title") or title or loaded.hints.get("title") or title_from_lead(body)
    official = is_title_line(title)
    posted = fields.values.get("posted") or loaded.hints.get("date") or header.date
    # An official text is dated and issued by its signature; a report about it, by the site that ran it.
    dates = (signed_on, posted) if official else (posted, signed_on)
    issuers = (issuer_in_title(title), signed_by) if official else ()
    found = {
        "title": title,
        "source": _first(fields.values.get("issuer"), *issuers, fields.values.get("source"), loaded.hints.get("source"), header.source, signed_by),
        "date": _first(fields.values.get("date"), *dates),
        "url": loaded.hints.get("url") or header.url,
        "doc_number": fields.values.get("doc_number") or _header_doc_number(lines, fields.lines),
    }
    meta = {k: sidecar.get(k) or found[k] for k in SIDECAR_FIELDS}
    simplified = to_simplified(body)
    title = meta["title"] or path.stem
    meta_model = DocumentMeta(
        doc_id=doc_id_for(relative_path),
        path=relative_path,
        title=title,
        source=meta["source"] or UNKNOWN_SOURCE,
        date=normalise_date(meta["date"]),
        url=meta["url"],
        doc_number=meta["doc_number"],
        region=region_of_document(title, meta["source"] or "", simplified),
        official_title=None if official else official_title_in(body),
        signed_on=normalise_date(fields.values.get("date") or signed_on),
        script=detect_script(title + body),
        content_hash=content_hash(path.read_bytes(), sidecar),
    )
    return Document(meta=meta_model, text=body, text_simplified=simplified)
