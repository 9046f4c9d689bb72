"""One file → one cleaned Document with its metadata (sidecar `<file>.meta.json` wins over what is extracted)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .clean import clean_body, normalize_whitespace, strip_pinyin
from .load import LoadError, load_file
from .metadata import _DATE, extract_header, iso_date
from .schema import Document, DocumentMeta
from .script import detect_script, to_simplified

SIDECAR_SUFFIX = ".meta.json"
SIDECAR_FIELDS = ("title", "source", "date", "url")
# Bump when cleaning changes, so re-ingest redoes every document instead of trusting old hashes.
PIPELINE_VERSION = "1"


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
    if not value:
        return None
    m = re.search(_DATE, value)
    return iso_date(*m.groups()) if m else None


def build_document(path: Path, relative_path: str) -> Document:
    """Raises LoadError with a Chinese reason when the file cannot become a document."""
    loaded = load_file(path)
    sidecar = read_sidecar(path)
    text = normalize_whitespace(strip_pinyin(loaded.text))
    lines = text.split("\n")
    header = extract_header(lines)
    body = clean_body(lines[header.body_start :], header.title)
    if not body.strip():
        raise LoadError("清洗后没有正文")

    found = {"title": header.title, "source": header.source, "date": header.date, "url": header.url}
    meta = {k: sidecar.get(k) or loaded.hints.get(k) or found[k] for k in SIDECAR_FIELDS}
    title = meta["title"] or path.stem
    meta_model = DocumentMeta(
        doc_id=doc_id_for(relative_path),
        path=relative_path,
        title=title,
        source=meta["source"] or "未知来源",
        date=normalise_date(meta["date"]),
        url=meta["url"],
        script=detect_script(title + body),
        content_hash=content_hash(path.read_bytes(), sidecar),
    )
    return Document(meta=meta_model, text=body, text_simplified=to_simplified(body))
