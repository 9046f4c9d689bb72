"""Hybrid retrieval: dense search in Chroma + BM25 over jieba tokens, fused by reciprocal rank.

Low-quality chunks are down-weighted, near-duplicate chunks from different documents collapse to the
better one, and an optional cross-encoder reranks. The BM25 side is a tantivy index on disk
(`keywords.py`) that ingest updates per document; when the store's version stamp changes, every worker's
retriever picks up the change on its next question, without a restart.
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from ..answering.document_facts import named_documents, names_a_document
from ..schema import Filters
from .copies import fingerprint, first_of
from .keywords import Hit, KeywordIndex
from .store import date_number

Mode = Literal["hybrid", "dense", "bm25"]


def chroma_where(filters: Filters | None) -> dict | None:
    if filters is None:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.date_from:
        clauses.append({"date_num": {"$gte": date_number(filters.date_from)}})
    if filters.date_to:
        clauses.append({"date_num": {"$lte": date_number(filters.date_to)}})
    if filters.source:
        clauses.append({"source": {"$eq": filters.source}})
    if filters.doc_ids:
        clauses.append({"doc_id": {"$in": list(filters.doc_ids)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def shingles(text: str, n: int = 4) -> set[str]:
    text = "".join(text.split())
    return {text[i : i + n] for i in range(max(1, len(text) - n + 1))}


# Share of a chunk's shingles found in a chunk of another document for it to be the same passage there.
HELD_IN = 0.8


def near_duplicate(a: set[str], b: set[str], threshold: float = 0.6) -> bool:
    return len(a & b) / max(1, len(a | b)) >= threshold


# A line that only announces what follows: 应当同时具备下列条件：
_LEAD_IN_LINE = re.compile(r"[：:]\s*$")
_STAMP = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}:\d{2}(?::\d{2})?")


def stated_figures(text: str) -> frozenset[str]:
    """The figures a chunk states, without date and time stamps: a repost states the same ones under its own
    发布时间, while next year's notice in last year's words states others (3月31日 for 4月30日)."""
    return frozenset(re.findall(r"\d+(?:\.\d+)?", _STAMP.sub("", text)))


@lru_cache(maxsize=8192)
def passage_key(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """A chunk's shingles and figures, which `_collapse` compares among a question's candidates. Chunk
    texts recur from question to question, and computing these cost more than comparing them."""
    return frozenset(shingles(text)), stated_figures(text)


def article_start(index: KeywordIndex, meta: dict) -> Hit | None:
    """The chunk before this one when this one opens inside an article or item that began there (a long
    第九条 cut in two): the start holds its subject (由…作为申报主体), the rest only its details."""
    opening = json.loads(meta.get("places") or "[]")[:1]
    if not opening or not opening[0]:
        return None
    before = index.chunk_at(meta["doc_id"], meta.get("position", 0) - 1)
    return before if before is not None and json.loads(before.meta.get("places") or "[]")[-1:] == opening else None


def _without_tokens(meta: dict) -> dict:
    return {k: v for k, v in meta.items() if k != "tokens"}

def article_rest(index: KeywordIndex, meta: dict, text: str) -> Hit | None:
    """The chunk after this one when this one announces a list (下列条件：) and the list runs on into the
    next chunk: the items there are what the lead-in promises."""
    places = json.loads(meta.get("places") or "[]")
    lines = [line for line in text.splitlines() if line.strip()]
    leads = [n for n, line in enumerate(lines) if _LEAD_IN_LINE.search(line)]
    # Places are per line; the last lead-in must head the item the chunk ends in (第八条 → 第八条（二）).
    if not leads or len(lines) != len(places) or not places[leads[-1]] or not places[-1].startswith(places[leads[-1]]):
        return None
    after = index.chunk_at(meta["doc_id"], meta.get("position", 0) + 1)
    return after if after is not None and json.loads(after.meta.get("places") or "[]")[:1] == places[-1:] else None


def _entry(hit: Hit) -> dict[str, Any]:
    return {"text": hit.text, "meta": hit.meta, "dense": 0.0, "bm25": 0.0, "rrf": 0.0}


class HybridRetriever(BaseRetriever):
    store: Any
    embeddings: Any
    keywords: Any
    k: int = 5
    fetch_k: int = 20
    # Tuned on eval/qa.jsonl (hit@5 0.69 → 0.95 against equal weights and k=60): e5-small's similarities are
    # compressed on this corpus, so BM25 over words and character bigrams is the sharper ranker, and a small
    # rrf_k lets the top ranks decide. The spun article is the only source for several facts, so its
    # chunks are down-weighted gently rather than pushed out.
    rrf_k: int = 10
    dense_weight: float = 0.5
    bm25_weight: float = 1.0
    low_quality_weight: float = 0.95
    mode: Mode = "hybrid"
    reranker: Any = None

    model_config = ConfigDict(arbitrary_types_allowed=True)
    _version: str | None = PrivateAttr(default=None)
    _vectorstore: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    # doc_id → (metadata, fingerprint), for `_first_copy`, valid for one library version.
    _prints: dict[str, Any] = PrivateAttr(default_factory=dict)
    _prints_version: str | None = PrivateAttr(default=None)

    def keyword_index(self) -> KeywordIndex:
        """The one version check per question: the keyword index follows a change another process made
        (or is rebuilt, at start-up), and the dense side reopens, since a rebuilt collection has a new id."""
        version = self.store.version()
        with self._lock:
            if version != self._version:
                self.keywords.sync(version)
                self._vectorstore = None
                self._version = version
        return self.keywords

    def vectorstore(self):
        """Call after `keyword_index()`, which notices a rebuilt collection and drops the stale handle."""
        with self._lock:
            if self._vectorstore is None:
                self._vectorstore = self.store.vectorstore(self.embeddings)
            return self._vectorstore

    def embed_query(self, query: str) -> list[float]:
        return self.embeddings.embed_query(query)

    def _dense(self, vector: list[float], k: int, filters: Filters | None) -> list[tuple[str, str, dict, float]]:
        hits = self.vectorstore().similarity_search_by_vector_with_relevance_scores(vector, k=k, filter=chroma_where(filters))
        # Chroma's cosine space returns a distance; 1 - distance is the cosine similarity. The stored tokens
        # are the keyword index's business, not the answerer's.
        return [(doc.id, doc.page_content, _without_tokens(doc.metadata), 1.0 - dist) for doc, dist in hits]

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun | None = None,
        filters: Filters | None = None,
        k: int | None = None,
        vector: list[float] | None = None,
    ) -> list[Document]:
        """`vector`: the query's embedding when the caller has made it already (the chain reuses it)."""
        k = k or self.k
        index = self.keyword_index()
        if not index.size():
            return []
        found: dict[str, dict[str, Any]] = {}
        if self.mode in ("hybrid", "dense"):
            dense = self._dense(vector or self.embed_query(query), self.fetch_k, filters)
            for rank, (cid, text, meta, sim) in enumerate(dense):
                entry = found.setdefault(cid, {"text": text, "meta": meta, "dense": sim, "bm25": 0.0, "rrf": 0.0})
                entry["rrf"] += self.dense_weight / (self.rrf_k + rank + 1)
        if self.mode in ("hybrid", "bm25"):
            for rank, hit in enumerate(index.search(query, self.fetch_k, filters)):
                entry = found.setdefault(hit.chunk_id, _entry(hit))
                entry["bm25"] = hit.score
                entry["rrf"] += self.bm25_weight / (self.rrf_k + rank + 1)

        self._add_named(query, index, filters, found)
        for entry in found.values():
            low = entry["meta"].get("quality_low", False)
            entry["score"] = entry["rrf"] * (self.low_quality_weight if low else 1.0)
        if self.reranker is not None:
            self._rerank(query, found)
        ranked = sorted(found.items(), key=lambda kv: -kv[1]["score"])
        kept = self._collapse(ranked)[:k]
        return [self._document(cid, e) for cid, e in kept + self._article_starts(index, kept)]

    @staticmethod
    def _article_starts(index: KeywordIndex, kept: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
        """After the k chunks, the start of each article one of them opens in the middle of (see
        `article_start`) and the rest of each list one of them begins (`article_rest`), ranked below them all."""
        held = {cid for cid, _ in kept}
        out: list[tuple[str, dict]] = []
        for cid, entry in kept:
            for near in (article_start(index, entry["meta"]), article_rest(index, entry["meta"], entry["text"])):
                if near is not None and near.chunk_id not in held:
                    held.add(near.chunk_id)
                    out.append((near.chunk_id, {**_entry(near), "score": 0.0}))
        return out

    def _add_named(self, query: str, index: KeywordIndex, filters: Filters | None, found: dict[str, dict[str, Any]]) -> None:
        """A document the question names (by 文号, or by title when it asks for the document's 文号 or date)
        ranks as if both searches put it first: its best chunk found, else its opening chunk."""
        if not names_a_document(query):  # most questions: no pass over the catalogue
            return
        openings = {hit.meta["doc_id"]: hit for hit in sorted(index.openings(filters), key=lambda h: h.meta["doc_id"])}
        for rank, meta in enumerate(named_documents(query, [hit.meta for hit in openings.values()])[:2]):
            held = [e for e in found.values() if e["meta"]["doc_id"] == meta["doc_id"]]
            if not held:
                hit = openings[meta["doc_id"]]
                held = [found.setdefault(hit.chunk_id, _entry(hit))]
            best = max(held, key=lambda e: e["rrf"])
            best["rrf"] += (self.dense_weight + self.bm25_weight) / (self.rrf_k + rank + 1)

    def _rerank(self, query: str, found: dict[str, dict[str, Any]]) -> None:
        items = list(found.values())
        scores = self.reranker.predict([(query, e["text"]) for e in items])
        for entry, score in zip(items, scores):
            low = entry["meta"].get("quality_low", False)
            entry["rerank"] = float(score)
            entry["score"] = float(score) - (1.0 if low else 0.0)

    def _collapse(self, ranked: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
        """Keep one of each group of copies, at the higher one's rank:
        - near-identical chunks from different documents that state the same figures: the cleaner, then
          the higher. Near-identical wording with other figures is a later version of the text (a yearly
          notice), and both stay;
        - a passage of one document held in a chunk of a copy of it (a repost, cut into other chunks or
          with site chrome around it): the authoritative copy's, so an answer cites the issuer's notice
          rather than a repost of it (library/copies.py says which documents are copies)."""
        kept: list[tuple[str, dict, tuple[set[str], frozenset[str]]]] = []
        for cid, entry in ranked:
            key = passage_key(entry["text"])
            twin = next((i for i, (_, _, k) in enumerate(kept) if k[1] == key[1] and near_duplicate(key[0], k[0])), None)
            if twin is not None:
                if entry["meta"].get("quality", 0) > kept[twin][1]["meta"].get("quality", 0) + 0.2:
                    kept[twin] = (cid, entry, key)
                continue
            copies = ((i, self._copy_of_passage(entry["meta"], key, e["meta"], k)) for i, (_, e, k) in enumerate(kept))
            copy = next(((i, first) for i, first in copies if first), None)
            if copy is None:
                kept.append((cid, entry, key))
            elif copy[1] == entry["meta"]["doc_id"]:
                kept[copy[0]] = (cid, {**entry, "score": kept[copy[0]][1]["score"]}, key)
        return [(cid, e) for cid, e, _ in kept]

    def _copy_of_passage(self, meta: dict, key: tuple, other_meta: dict, other: tuple) -> str | None:
        """When one chunk's text and figures are nearly all in the other's and their documents are copies of
        each other, the doc_id of the authoritative one; else None."""
        if meta["doc_id"] == other_meta["doc_id"]:
            return None
        (small, small_figures), (large, large_figures) = sorted((key, other), key=lambda k: len(k[0]))
        # The figures first: comparing two small sets is much cheaper than the shingles.
        if not small_figures <= large_figures or len(small & large) < HELD_IN * len(small):
            return None
        return self._first_copy(meta["doc_id"], other_meta["doc_id"])

    def _first_copy(self, a: str, b: str) -> str | None:
        """The authoritative one of two documents that are copies of each other (library/copies.py), else
        None. Only documents with twin chunks among a question's candidates are compared, so a question
        pays for at most a few reads, and each document is read once per library version."""
        with self._lock:
            if self._prints_version != self._version:
                self._prints, self._prints_version = {}, self._version
            prints = self._prints
        for doc_id in (a, b):
            if doc_id not in prints:
                found = self.store.document(doc_id)
                prints[doc_id] = (found[0], fingerprint(found[2])) if found else None
        if prints[a] is None or prints[b] is None:
            return None
        first = first_of(prints[a], prints[b])
        return first.doc_id if first else None

    @staticmethod
    def _document(cid: str, entry: dict[str, Any]) -> Document:
        meta = {**entry["meta"], "chunk_id": cid, "score": entry["score"], "dense": entry["dense"], "bm25": entry["bm25"]}
        return Document(page_content=entry["text"], metadata=meta)
