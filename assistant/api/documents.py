"""The document library behind both the API and the UI: list, read, upload, delete, reindex.

Uploads are saved under `corpus/uploads/` with a name the server makes up (uuid + the allowed suffix),
so nothing the client sends ever becomes a path. An upload is read (the slow, untrusted part) from its
staged file before the write lock is taken, so one heavy file does not hold up other changes; under the
lock it is indexed and only then moved into the corpus (`pending.py`: all or nothing across a crash).
Changes go through the `Ingestor`, which bumps the index version; every retriever (in every worker)
rebuilds its BM25 side on the next question.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import PurePosixPath

from ..container import Assistant
from ..ingest.document import build_document, content_hash
from ..ingest.load import SUPPORTED_SUFFIXES, LoadError
from ..ingest.pending import held, staged_path
from ..library import copies
from ..schema import IngestReport
from .errors import ApiError
from .limits import MB, too_large
from .models import DeleteResult, DocumentDetail, DocumentInfo, UploadResult

UPLOADS = "uploads"
# doc_id → its authoritative copy, and the authoritative copy → its other copies.
Grouped = tuple[dict[str, str], dict[str, list[str]]]


def _not_found(doc_id: str) -> ApiError:
    return ApiError(404, "document_not_found", "没有这篇文档，请用 GET /api/documents 查看现有文档的 doc_id")


class DocumentLibrary:
    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.settings = assistant.settings
        # One change at a time: two ingests racing over the manifest could both miss a duplicate.
        self._writing = threading.Lock()
        self._grouping = threading.Lock()
        self._copies_of: tuple[str | None, Grouped] = (None, ({}, {}))

    def _info(self, meta, grouped: Grouped) -> DocumentInfo:
        uploaded = PurePosixPath(meta.path).parts[:1] == (UPLOADS,)
        copy_of, under = grouped
        best = copy_of.get(meta.doc_id, meta.doc_id)
        return DocumentInfo.of(meta, self.settings.low_quality_below, uploaded, best if best != meta.doc_id else None, under.get(meta.doc_id))

    def _copies(self) -> Grouped:
        """Which documents are copies of which (library/copies.py), worked out once per library version:
        every document's text is read and compared."""
        store = self.assistant.store
        version = store.version()
        with self._grouping:
            if self._copies_of[0] != version:
                metas = [meta for meta, _ in store.manifest().values()]
                copy_of = copies.groups(metas, store.document_texts())
                self._copies_of = (version, (copy_of, copies.copies_under(copy_of)))
            return self._copies_of[1]

    def list(self) -> list[DocumentInfo]:
        """Newest first; the copies of a document (reposts) follow it, the authoritative copy first."""
        grouped = self._copies()
        docs = {d.doc_id: d for d in (self._info(meta, grouped) for meta, _ in self.assistant.store.manifest().values())}
        heads = sorted((d for d in docs.values() if d.copy_of is None), key=lambda d: (d.date or "", d.title), reverse=True)
        return [shown for head in heads for shown in (head, *(docs[c] for c in head.copies))]

    def get(self, doc_id: str) -> DocumentDetail:
        found = self.assistant.store.document(doc_id)
        if found is None:
            raise _not_found(doc_id)
        meta, _, text = found
        return DocumentDetail(**self._info(meta, self._copies()).model_dump(), text=text)

    # -- changes ------------------------------------------------------------------------------------
    def accepted_suffix(self, filename: str | None) -> str:
        suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise ApiError(
                415,
                "unsupported_media_type",
                f"不支持的文件类型 {suffix or '（无扩展名）'}，请上传 {' / '.join(s.lstrip('.') for s in SUPPORTED_SUFFIXES)} 文件",
            )
        return suffix

    @property
    def max_bytes(self) -> int:
        return int(self.settings.max_upload_mb * MB)

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise too_large(self.settings.max_upload_mb)

    def add(self, filename: str | None, data: bytes) -> UploadResult:
        """Raises ApiError: 415 type, 413 size, 409 duplicate, 422 unreadable."""
        suffix = self.accepted_suffix(filename)
        self.check_size(len(data))
        if not data.strip():
            raise ApiError(422, "unreadable_document", "文件是空的，请检查后重新上传")
        digest = content_hash(data, {})
        self._refuse_twin(digest)  # before reading it: a duplicate costs nothing
        ingestor = self.assistant.ingestor
        final = self.settings.corpus_dir / UPLOADS / f"{uuid.uuid4().hex}{suffix}"
        staged = staged_path(final)
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(data)
        started = time.perf_counter()
        try:
            with held(staged):
                try:
                    doc = build_document(staged, ingestor.relative_path(final), ingestor.limits)
                except LoadError as exc:
                    raise ApiError(422, "unreadable_document", f"文件无法收录：{exc}") from None
                with self._writing:
                    self._refuse_twin(digest)  # another upload of the same bytes may have won meanwhile
                    ingestor.commit_upload(doc, staged, final)
                seconds = round(time.perf_counter() - started, 2)
        finally:
            staged.unlink(missing_ok=True)  # gone already once committed
        meta = doc.meta
        return UploadResult(
            document=self._info(meta, self._copies()),
            chunks=meta.chunk_count,
            low_quality_chunks=meta.low_quality_chunks,
            quality=meta.quality,
            seconds=seconds,
        )

    def _refuse_twin(self, digest: str) -> None:
        twin = next((m for m, _ in self.assistant.store.manifest().values() if m.content_hash == digest), None)
        if twin is not None:
            raise ApiError(409, "duplicate_document", f"资料库中已有内容相同的文档《{twin.title}》（doc_id {twin.doc_id}），无需重复上传")

    def delete(self, doc_id: str) -> DeleteResult:
        with self._writing:
            if not self.assistant.ingestor.remove_document(doc_id):
                raise _not_found(doc_id)
        return DeleteResult(doc_id=doc_id)

    def reindex(self) -> IngestReport:
        with self._writing:
            return self.assistant.ingestor.ingest(progress=False)
