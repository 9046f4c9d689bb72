"""Corpus → index, idempotently: unchanged files embed nothing, edited files replace exactly their chunks.

New chunks are added before old ones are deleted, and the manifest record is written last, so a run
killed at any point leaves the previous version searchable and the next run finishes the job. Uploads and
deletes park their file outside the corpus while they work (`pending.py`); `reconcile` settles what a
crash left parked, and removes chunks that belong to no document.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.documents import Document as ChunkDocument
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from ..criteria.extract import extract
from ..criteria.store import CriteriaStore
from ..library.keywords import KeywordIndex
from ..library.store import Store, chunk_metadata
from ..schema import Chunk, Document, IngestReport, SkippedFile
from ..script import to_simplified
from ..settings import Settings
from .chunk import chunk_document
from .document import SIDECAR_SUFFIX, build_document, content_hash, doc_id_for, read_sidecar, sidecar_path
from .load import LoadError, ReadLimits
from .pending import deleting_path, final_path, held, park, parked_files, staged_path

if TYPE_CHECKING:
    from ..answering.sentence_vectors import SentenceVectors

_NOT_DOCUMENTS = {"readme.md"}

log = logging.getLogger("sme.ingest")


def discover(paths: list[Path]) -> Iterator[Path]:
    """Files under the given paths, minus sidecars, hidden files and folder READMEs."""
    for root in paths:
        if root.is_file():
            yield root
            continue
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if not path.is_file() or any(part.startswith(".") for part in rel.parts):
                continue
            if path.name.endswith(SIDECAR_SUFFIX) or path.name.lower() in _NOT_DOCUMENTS:
                continue
            yield path


class Ingestor:
    def __init__(
        self, settings: Settings, store: Store, embeddings: Embeddings, keywords: KeywordIndex, sentences: SentenceVectors, criteria: CriteriaStore
    ):
        self.settings = settings
        self.store = store
        self.embeddings = embeddings
        self.keywords = keywords
        self.sentences = sentences
        self.criteria = criteria
        self.limits = ReadLimits.of(settings)

    def relative_path(self, path: Path) -> str:
        corpus = self.settings.corpus_dir.resolve()
        path = path.resolve()
        return str(path.relative_to(corpus)) if path.is_relative_to(corpus) else str(path)

    def ingest(self, paths: list[Path] | None = None, rebuild: bool = False, progress: bool = True) -> IngestReport:
        started = time.perf_counter()
        if rebuild:
            self.store.reset()
            self.keywords.reset()
            self.criteria.reset()
        whole_corpus = not paths
        if whole_corpus:
            self.reconcile()
        files = list(discover(paths or [self.settings.corpus_dir]))
        manifest = self.store.manifest()
        hashes = {meta.content_hash: meta.path for meta, _ in manifest.values()}
        report = IngestReport()
        seen: set[str] = set()
        changed = False

        queue: list[tuple[Document, list[Chunk], list[str]]] = []

        def flush() -> None:
            added, removed, low = self._replace_many(queue)
            report.chunks_added += added
            report.chunks_removed += removed
            report.low_quality_chunks += low
            queue.clear()

        for path in tqdm(files, desc="ingest", unit="file", disable=not progress):
            rel = self.relative_path(path)
            doc_id = doc_id_for(rel)
            seen.add(doc_id)
            try:
                digest = content_hash(path.read_bytes(), read_sidecar(path))
                if doc_id in manifest and manifest[doc_id][0].content_hash == digest:
                    report.unchanged += 1
                    continue
                if hashes.get(digest, rel) != rel:
                    raise LoadError(f"与已收录的 {hashes[digest]} 内容相同")
                doc = build_document(path, rel, self.limits)
            except (LoadError, OSError) as exc:
                report.skipped.append(SkippedFile(path=rel, reason=str(exc)))
                continue
            queue.append((doc, self._chunks(doc), manifest[doc_id][1] if doc_id in manifest else []))
            hashes[digest] = rel
            report.files_read += 1
            changed = True
            # In groups (SME_INGEST_GROUP_CHUNKS): an embedded Chroma write costs a third of a second under load
            # whatever its size, and a group costs a handful of them, not a handful per document.
            if sum(len(chunks) for _, chunks, _ in queue) >= self.settings.ingest_group_chunks:
                flush()
        if queue:
            flush()

        if whole_corpus:
            for doc_id in manifest.keys() - seen:
                report.chunks_removed += self.remove(doc_id, manifest[doc_id][1])
                report.documents_removed += 1
                changed = True
        self.read_criteria()
        if changed:
            self._bump_version()
        report.seconds = round(time.perf_counter() - started, 2)
        return report

    def _bump_version(self) -> None:
        """The change is complete: a new version stamp for every worker, which the keyword index records."""
        self.keywords.mark(self.store.bump_version())

    def _chunks(self, doc: Document) -> list[Chunk]:
        s = self.settings
        return chunk_document(doc, s.chunk_max_chars, s.chunk_min_chars, s.chunk_overlap_sentences)

    def read_criteria(self) -> None:
        """Reads the criteria of documents indexed before the criteria's words last changed (or before
        criteria were read at all) from their stored text: nothing is embedded again."""
        current = self.criteria.read_with_current_words()
        for doc_id in self.store.manifest().keys() - current:
            found = self.store.document(doc_id)
            if found is None:
                continue
            meta, _, text = found
            doc = Document(meta=meta, text=text, text_simplified=to_simplified(text))
            self.criteria.put(doc_id, extract(doc, self._chunks(doc), self.settings.low_quality_below))

    def _replace_many(self, items: list[tuple[Document, list[Chunk], list[str]]]) -> tuple[int, int, int]:
        """Index documents (with their chunks and the chunk ids they had) in one write per store, then
        record them in the manifest, which stays the commit: killed before it, their chunks are orphans
        that `reconcile` removes, and the next run reads the documents again."""
        s = self.settings
        metas = [[chunk_metadata(c, doc.meta, s.low_quality_below) for c in chunks] for doc, chunks, _ in items]
        pairs = [(doc, c, m) for (doc, chunks, _), ms in zip(items, metas) for c, m in zip(chunks, ms)]
        ids = [c.chunk_id for _, c, _ in pairs]
        self.keywords.begin()
        present = self.store.existing_chunk_ids(ids)
        self._add([p for p in pairs if p[1].chunk_id not in present])
        kept = [(c.chunk_id, m) for _, c, m in pairs if c.chunk_id in present]
        self.store.update_chunk_metadata([i for i, _ in kept], [m for _, m in kept])
        # Kept chunks too: their metadata (title, date…) may have changed with the document's header.
        self.keywords.update(add=[(c.chunk_id, c.text_simplified, m) for _, c, m in pairs])
        stale = {i for _, _, old_ids in items for i in old_ids} - set(ids)
        self._delete_chunks(stale)

        low = 0
        for (doc, chunks, _), ms in zip(items, metas):
            total = sum(len(c.text) for c in chunks) or 1
            doc.meta.chunk_count = len(chunks)
            doc.meta.low_quality_chunks = sum(m["quality_low"] for m in ms)
            doc.meta.quality = round(sum(c.quality.score * len(c.text) for c in chunks) / total, 3)
            low += doc.meta.low_quality_chunks
        # Criteria before the manifest records, which stay the commit: undone uploads lose theirs in `reconcile`.
        self.criteria.put_many({doc.meta.doc_id: extract(doc, chunks, s.low_quality_below) for doc, chunks, _ in items})
        self.store.put_documents([(doc.meta, doc.text, [c.chunk_id for c in chunks]) for doc, chunks, _ in items])
        return len(ids) - len(present), len(stale), low

    def _add(self, new: list[tuple[Document, Chunk, dict]]) -> None:
        """One model call for the chunks and their sentences not stored yet, sorted by length inside the
        model, and one write per store: an embedded Chroma write costs a third of a second whatever its size."""
        if not new:
            return
        titles = {id(doc): to_simplified(doc.meta.title) for doc, _, _ in new}
        texts = [c.embedding_text(titles[id(doc)]) for doc, c, _ in new]
        sentences = self.sentences.plan([ChunkDocument(page_content=c.text_simplified, metadata=m) for _, c, m in new])
        vectors = self.embeddings.embed_documents(texts + sentences.texts)
        self.store.add_chunks([c.chunk_id for _, c, _ in new], vectors[: len(new)], [c.text_simplified for _, c, _ in new], [m for _, _, m in new])
        self.sentences.add(sentences, vectors[len(new) :])

    def _delete_chunks(self, ids: Iterable[str]) -> None:
        """Their sentences lose a holder after the chunks are gone: killed in between, a sentence vector
        outlives its chunks, which costs disk, never an answer."""
        ids = list(ids)
        if not ids:
            return
        self.keywords.begin()
        got = self.store.chunks_by_id(ids)
        self.store.delete_chunks(ids)
        self.keywords.update(delete=ids)
        self.sentences.release([ChunkDocument(page_content=t, metadata=m) for t, m in zip(got["documents"], got["metadatas"])])

    def commit_upload(self, doc: Document, staged: Path, final: Path) -> None:
        """Index a document read from its staged file, then move the file into the corpus. The manifest
        record is the commit: killed before it, `reconcile` undoes the upload; after it, finishes the move."""
        self._replace_many([(doc, self._chunks(doc), [])])
        staged.replace(final)
        self._bump_version()

    def remove_document(self, doc_id: str) -> bool:
        """Remove a document from the index (and its file under the corpus, so a re-ingest does not bring it back).

        The file leaves the corpus first: killed at any later point, no ingest adopts it again, and
        `reconcile` finishes the delete."""
        found = self.store.document(doc_id)
        if found is None:
            return False
        meta, chunk_ids, _ = found
        path = self.settings.corpus_dir / meta.path
        inside = path.resolve().is_relative_to(self.settings.corpus_dir.resolve())  # never touch files elsewhere
        parked = deleting_path(path) if inside and path.is_file() else None
        if parked is not None:
            park(path, parked)
        self.remove(doc_id, chunk_ids)
        self._bump_version()
        if parked is not None:
            parked.unlink(missing_ok=True)
        if inside:
            sidecar_path(path).unlink(missing_ok=True)
        return True

    def reconcile(self) -> None:
        """Settle what a killed upload or delete left behind, then drop chunks that belong to no document,
        so nothing is cited from a document the library does not list. Each repair is logged."""
        manifest = self.store.manifest()
        busy: set[str] = set()
        removed = False
        for parked in parked_files(self.settings.corpus_dir):
            final = final_path(parked)
            doc_id = doc_id_for(self.relative_path(final))
            with held(parked) as mine:
                if not mine:  # another process is uploading or deleting it right now
                    busy.add(doc_id)
                elif parked == staged_path(final) and doc_id in manifest:
                    parked.replace(final)
                    log.warning("finished an upload interrupted after it was indexed: %s", self.relative_path(final))
                elif parked == staged_path(final):
                    parked.unlink()
                    log.warning("removed an upload interrupted before it was indexed: %s", self.relative_path(final))
                else:
                    if doc_id in manifest:
                        self.remove(doc_id, manifest.pop(doc_id)[1])
                        removed = True
                    parked.unlink()
                    log.warning("finished an interrupted delete: %s", self.relative_path(final))
        self.criteria.delete_outside(manifest.keys() | busy)
        orphans = self.store.chunk_ids_outside(manifest.keys() | busy)
        if orphans:
            self._delete_chunks(orphans)
            log.warning("removed %d chunks that belonged to no document (left by an interrupted ingest)", len(orphans))
        if orphans or removed:
            self._bump_version()

    def remove(self, doc_id: str, chunk_ids: list[str]) -> int:
        """Chunks first: if killed in between, the manifest still names them and the next run removes them."""
        self._delete_chunks(chunk_ids)
        self.criteria.delete(doc_id)
        self.store.delete_document(doc_id)
        return len(chunk_ids)
