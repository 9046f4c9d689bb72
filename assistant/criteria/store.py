"""Criteria beside the chunks: a third Chroma collection, one record per criterion and one marker per
document that says which version of the words read it.

Chroma rather than a file in the index folder, because several workers (or hosts) share one `chroma run`
server and must see the same criteria as they see the same chunks; the records are looked up by
metadata, never searched, so each carries the same one-dimensional placeholder vector as the manifest.
"""

from __future__ import annotations

from collections.abc import Iterable

from .extract import EXTRACTOR_VERSION
from .model import Criterion
from .terms import terms

_VECTOR = [1.0]
_MARKER = "marker"
_CRITERION = "criterion"


def reading_version() -> str:
    """The words and the reader together: a change to either makes every document be read again."""
    return f"{terms().version}-{EXTRACTOR_VERSION}"


class CriteriaStore:
    def __init__(self, client, name: str):
        self.client = client
        self.name = name
        self._collection = None

    @property
    def collection(self):
        if self._collection is None:
            self._collection = self.client.get_or_create_collection(self.name, embedding_function=None)
        return self._collection

    def reset(self) -> None:
        try:
            self.client.delete_collection(self.name)
        except Exception:  # absent already; chromadb's error type differs between client kinds
            pass
        self._collection = None

    def put(self, doc_id: str, criteria: list[Criterion]) -> None:
        self.put_many({doc_id: criteria})

    def put_many(self, criteria: dict[str, list[Criterion]]) -> None:
        """Replaces what each document states, in one write per kind; the markers are written last, so a
        run killed half-way leaves the documents to be read again."""
        if not criteria:
            return
        self.collection.delete(where={"doc_id": {"$in": list(criteria)}})
        # A criterion's id is its document, sentence and figure: a sentence a document repeats (a summary
        # above the articles, a repost's quoted copy) states it once, and Chroma refuses repeated ids.
        found = list({c.id: (doc_id, c) for doc_id, cs in criteria.items() for c in reversed(cs)}.values())[::-1]
        if found:
            self.collection.upsert(
                ids=[c.id for _, c in found],
                embeddings=[_VECTOR] * len(found),
                documents=[c.model_dump_json() for _, c in found],
                metadatas=[{"kind": _CRITERION, "doc_id": doc_id, "programme": c.programme, "region": c.region} for doc_id, c in found],
            )
        self.collection.upsert(
            ids=[f"{_MARKER}:{doc_id}" for doc_id in criteria],
            embeddings=[_VECTOR] * len(criteria),
            documents=[""] * len(criteria),
            metadatas=[{"kind": _MARKER, "doc_id": doc_id, "version": reading_version()} for doc_id in criteria],
        )

    def delete(self, doc_id: str) -> None:
        self.collection.delete(where={"doc_id": doc_id})

    def delete_outside(self, doc_ids: Iterable[str]) -> None:
        """Drops what belongs to no listed document (left by an upload that was undone)."""
        known = list(doc_ids)
        self.collection.delete(where={"doc_id": {"$nin": known}} if known else {"kind": {"$in": [_MARKER, _CRITERION]}})

    def read_with_current_words(self) -> set[str]:
        """The documents whose criteria were read with the current words and reader."""
        got = self.collection.get(where={"$and": [{"kind": _MARKER}, {"version": reading_version()}]}, include=["metadatas"])
        return {m["doc_id"] for m in got["metadatas"]}

    def programmes(self) -> set[str]:
        """The programmes the library states criteria for, from the metadata alone."""
        got = self.collection.get(where={"kind": _CRITERION}, include=["metadatas"])
        return {m["programme"] for m in got["metadatas"]}

    def criteria(self, doc_ids: list[str] | None = None) -> list[Criterion]:
        where: dict = {"kind": _CRITERION}
        if doc_ids is not None:
            where = {"$and": [where, {"doc_id": {"$in": doc_ids}}]} if doc_ids else {"doc_id": "\x00none"}
        got = self.collection.get(where=where, include=["documents"])
        return [Criterion.model_validate_json(d) for d in got["documents"]]
