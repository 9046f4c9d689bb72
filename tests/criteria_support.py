"""Reading criteria from a few sentences, as ingest reads them from a document."""

from __future__ import annotations

from assistant.criteria.extract import extract
from assistant.criteria.model import Criterion
from assistant.ingest.chunk import chunk_document
from assistant.schema import Document, DocumentMeta
from assistant.script import to_simplified


def criteria_in(text: str, title: str = "", region: str | None = None) -> list[Criterion]:
    meta = DocumentMeta(doc_id="d", path="d.txt", title=title, source="测试", date="2024-01-01", region=region, content_hash="h")
    doc = Document(meta=meta, text=text, text_simplified=to_simplified(text))
    return extract(doc, chunk_document(doc), 0.6)
