"""The Chroma store: a collection of chunk vectors, a manifest collection with one record per document, and
the passage vectors of the sentences the answerer weighs (keyed by a hash of their text, with the number of
chunks that hold each).

Both live in Chroma, so an embedded `PersistentClient` and a `chroma run` server (several app workers)
hold the same state. The chunk collection's metadata records the embedding model that built it and a
version stamp that changes whenever its contents do.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from ..schema import Chunk, DocumentMeta
from .tokens import search_tokens

_MANIFEST_VECTOR = [1.0]  # the manifest is looked up by id, never searched; Chroma still wants a vector



def _manifest_entry(record: dict) -> tuple[DocumentMeta, list[str]]:
    record = dict(record)
    chunk_ids = json.loads(record.pop("chunk_ids", "[]"))
    return DocumentMeta(**record), chunk_ids

class IndexModelMismatch(RuntimeError):
    pass


class StoreUnavailable(RuntimeError):
    pass


def make_client(settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as exc:  # chromadb raises several types for an unreachable server
            raise StoreUnavailable(
                f"无法连接 Chroma 服务器 {settings.chroma_host}:{settings.chroma_port}，请确认 `chroma run` 已启动"
            ) from exc
    path = settings.resolved_index_dir() / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata takes str/int/float/bool only."""
    return {k: v for k, v in meta.items() if v is not None}


def date_number(date: str | None) -> int:
    """YYYY-MM-DD → YYYYMMDD, so Chroma's numeric $gte/$lte can filter a date range (0 when unknown)."""
    return int(date.replace("-", "")) if date else 0


def chunk_tokens(text: str) -> str:
    """A chunk's BM25 tokens (words and character bigrams), as stored in its metadata."""
    return json.dumps(search_tokens(text), ensure_ascii=False)


def chunk_metadata(chunk: Chunk, doc: DocumentMeta, low_quality_below: float) -> dict[str, Any]:
    q = chunk.quality
    return _clean_meta(
        {
            "doc_id": doc.doc_id,
            "position": chunk.position,
            "title": doc.title,
            "source": doc.source,
            "date": doc.date,
            "date_num": date_number(doc.date),
            "url": doc.url,
            "doc_number": doc.doc_number,
            "official_title": doc.official_title,
            "region": doc.region,
            "signed_on": doc.signed_on,
            "script": doc.script,
            "text": chunk.text,
            "places": json.dumps(chunk.places, ensure_ascii=False),
            "headings": json.dumps(chunk.headings, ensure_ascii=False),
            "quality": q.score,
            "quality_low": q.score < low_quality_below,
            "q_dict_word_share": q.dict_word_share,
            "q_bigram_plausibility": q.bigram_plausibility,
            "q_mojibake_markers": q.mojibake_markers,
            "q_broken_clauses": q.broken_clauses,
            "q_instructions": q.instructions,
            # Computed once here, so rebuilding the keyword index never runs jieba again.
            "tokens": chunk_tokens(chunk.text_simplified),
        }
    )


class Store:
    def __init__(self, client, collection: str, model_id: str):
        self.client = client
        self.model_id = model_id
        self.chunks_name = f"{collection}_chunks"
        self.docs_name = f"{collection}_documents"
        self.sentences_name = f"{collection}_sentences"
        self._chunks = None
        self._docs = None
        self._sentences = None

    # -- collections -------------------------------------------------------------------------------
    @property
    def chunks(self):
        if self._chunks is None:
            col = self.client.get_or_create_collection(
                self.chunks_name,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": self.model_id, "version": "0"},
                embedding_function=None,
            )
            built_with = (col.metadata or {}).get("embedding_model")
            if built_with != self.model_id:
                raise IndexModelMismatch(
                    f"索引是用嵌入模型 {built_with} 构建的，当前配置为 {self.model_id}；"
                    "请运行 `sme-assistant ingest --rebuild` 重建索引"
                )
            self._chunks = col
        return self._chunks

    @property
    def docs(self):
        if self._docs is None:
            self._docs = self.client.get_or_create_collection(self.docs_name, embedding_function=None)
        return self._docs

    @property
    def sentences(self):
        if self._sentences is None:
            self._sentences = self.client.get_or_create_collection(
                self.sentences_name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
        return self._sentences

    def vectorstore(self, embeddings):
        """The chunk collection as a LangChain vector store, for retrieval."""
        from langchain_chroma import Chroma

        self.chunks  # noqa: B018 - checks the model before LangChain opens the collection
        return Chroma(client=self.client, collection_name=self.chunks_name, embedding_function=embeddings)

    def version(self) -> str:
        """Read fresh from the server: another process (a worker, the CLI) may have changed the index."""
        self.chunks  # noqa: B018 - creates the collection and checks its model on first use
        return str((self.client.get_collection(self.chunks_name).metadata or {}).get("version", "0"))

    def bump_version(self) -> str:
        version = str(time.time_ns())
        self.chunks.modify(metadata={"embedding_model": self.model_id, "version": version})
        self._chunks = None
        return version

    def reset(self) -> None:
        for name in (self.chunks_name, self.docs_name, self.sentences_name):
            try:
                self.client.delete_collection(name)
            except Exception:  # absent already; chromadb's error type differs between client kinds
                pass
        self._chunks = self._docs = self._sentences = None

    # -- chunks ------------------------------------------------------------------------------------
    def existing_chunk_ids(self, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        return set(self.chunks.get(ids=ids, include=[])["ids"])

    def add_chunks(self, ids: list[str], vectors: list[list[float]], texts: list[str], metas: list[dict]) -> None:
        if ids:
            self.chunks.upsert(ids=ids, embeddings=vectors, documents=texts, metadatas=metas)

    def update_chunk_metadata(self, ids: list[str], metas: list[dict]) -> None:
        if ids:
            self.chunks.update(ids=ids, metadatas=metas)

    def delete_chunks(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids:
            self.chunks.delete(ids=ids)

    def chunk_ids_outside(self, doc_ids: Iterable[str]) -> list[str]:
        """Chunks of no document in `doc_ids`: with the manifest's ids, the chunks a crash left without a document."""
        known = list(doc_ids)
        where = {"doc_id": {"$nin": known}} if known else None
        return self.chunks.get(where=where, include=[])["ids"]

    def chunks_by_id(self, ids: list[str]) -> dict[str, list]:
        return self.chunks.get(ids=ids, include=["documents", "metadatas"])

    def chunk_page(self, offset: int, limit: int) -> dict[str, list]:
        return self.chunks.get(include=["documents", "metadatas"], offset=offset, limit=limit)

    def all_chunks(self) -> dict[str, list]:
        return self.chunks.get(include=["documents", "metadatas"])

    def count_chunks(self) -> int:
        return self.chunks.count()

    # -- sentence vectors --------------------------------------------------------------------------
    def sentence_vectors(self, ids: list[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        got = self.sentences.get(ids=ids, include=["embeddings"])
        return {i: list(v) for i, v in zip(got["ids"], got["embeddings"])}

    def sentence_refs(self, ids: list[str]) -> dict[str, int]:
        """How many chunks hold each stored sentence."""
        if not ids:
            return {}
        got = self.sentences.get(ids=ids, include=["metadatas"])
        return {i: int((m or {}).get("refs", 1)) for i, m in zip(got["ids"], got["metadatas"])}

    def add_sentences(self, ids: list[str], vectors: list[list[float]], refs: list[int]) -> None:
        if ids:
            self.sentences.upsert(ids=ids, embeddings=vectors, metadatas=[{"refs": n} for n in refs])

    def set_sentence_refs(self, refs: dict[str, int]) -> None:
        """New counts; a sentence no chunk holds any more is deleted."""
        gone = [i for i, n in refs.items() if n <= 0]
        kept = {i: n for i, n in refs.items() if n > 0}
        if kept:
            self.sentences.update(ids=list(kept), metadatas=[{"refs": n} for n in kept.values()])
        if gone:
            self.sentences.delete(ids=gone)

    # -- manifest ----------------------------------------------------------------------------------
    def manifest(self) -> dict[str, tuple[DocumentMeta, list[str]]]:
        """doc_id → (metadata, chunk ids) for every ingested document."""
        got = self.docs.get(include=["metadatas"])
        return {doc_id: _manifest_entry(meta) for doc_id, meta in zip(got["ids"], got["metadatas"])}

    def count_documents(self) -> int:
        return self.docs.count()

    def document(self, doc_id: str) -> tuple[DocumentMeta, list[str], str] | None:
        """One document's metadata, chunk ids and cleaned text, without reading the whole manifest."""
        got = self.docs.get(ids=[doc_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        return (*_manifest_entry(got["metadatas"][0]), got["documents"][0])

    def document_texts(self) -> dict[str, str]:
        """doc_id → cleaned text of every document, in one read."""
        got = self.docs.get(include=["documents"])
        return dict(zip(got["ids"], got["documents"]))

    def document_text(self, doc_id: str) -> str | None:
        found = self.document(doc_id)
        return found[2] if found else None

    def put_documents(self, documents: list[tuple[DocumentMeta, str, list[str]]]) -> None:
        """Manifest records (metadata, cleaned text, chunk ids), in one write."""
        if not documents:
            return
        self.docs.upsert(
            ids=[meta.doc_id for meta, _, _ in documents],
            embeddings=[_MANIFEST_VECTOR] * len(documents),
            documents=[text for _, text, _ in documents],
            metadatas=[_clean_meta({**meta.model_dump(), "chunk_ids": json.dumps(ids)}) for meta, _, ids in documents],
        )

    def delete_document(self, doc_id: str) -> None:
        self.docs.delete(ids=[doc_id])
