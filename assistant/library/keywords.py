"""The keyword side of retrieval: BM25 over the project's own tokens (`tokens.search_tokens`), in a tantivy
index on disk under the index folder, shared by every worker on the machine.

Why tantivy rather than bm25s: tantivy adds and deletes single documents and commits atomically, so an
upload costs one small segment, not a rebuild; filters run inside the index as term and range queries; and
stored fields give back each hit's text and metadata without holding the library in memory
(`python -m eval.bench_keywords` measures both; the README has the figures).

Scores are rank_bm25's (BM25Okapi: k1 1.5, b 0.75, a floor for words in most chunks), which the
retriever's fusion weights were tuned with: tantivy scores with k1 1.2 and another idf, and that cost the
policy evaluation hits. So tantivy finds the candidates (its best 100, inside the filters) and they are
scored again from each chunk's stored term counts and the index's own statistics (document frequencies,
average length), giving the ranking the in-memory rank_bm25 gave.

Tokens are computed once, at ingest, and kept in each chunk's Chroma metadata (`tokens`), so rebuilding this
index from Chroma never runs jieba again. The index is rebuilt at start-up when it is missing, will not
open, was written by another format, or does not match the store's version stamp (a run killed between
a Chroma write and the matching index commit marks it unfinished first). A rebuild writes a new folder
and then switches `CURRENT` to it with one atomic rename, so a reader never sees half an index.
"""

from __future__ import annotations

import fcntl
import json
import logging
import math
import os
import shutil
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..schema import Filters
from .store import Store, date_number
from .tokens import search_tokens

log = logging.getLogger("sme.keywords")

# Bumped whenever the schema, the tokens or what a record holds change: an older index is rebuilt.
FORMAT = 1
CURRENT = "CURRENT"
LOCK = "LOCK"
UNFINISHED = "unfinished"
WRITER_HEAP = 50_000_000
REBUILD_PAGE = 2000
# rank_bm25's BM25Okapi, which the retriever was tuned with.
OKAPI_K1, OKAPI_B, OKAPI_EPSILON = 1.5, 0.75, 0.25
SEP = "\x1f"  # a control character, which no token holds (tokens.tokenize keeps words and character pairs)
# Candidates tantivy hands to the Okapi scoring: enough that the best 20 by either formula are among them.
CANDIDATES = 100


@dataclass(frozen=True)
class _Okapi:
    chunks: int
    average_length: float
    average_idf: float

    @staticmethod
    def raw_idf(chunks: int, df: int) -> float:
        return math.log(chunks - df + 0.5) - math.log(df + 0.5)

    def idf(self, df: int) -> float:
        """A word in more than half the chunks would count against a chunk: it counts a little instead."""
        if not df:
            return 0.0
        raw = self.raw_idf(self.chunks, df)
        return raw if raw >= 0 else OKAPI_EPSILON * self.average_idf


def bag(tokens: list[str]) -> str:
    """A chunk's length and term frequencies, as ingest counted them: "length␟word␟count␟word␟count…"."""
    return SEP.join([str(len(tokens)), *(f"{t}{SEP}{n}" for t, n in Counter(tokens).items())])


def unbag(text: str) -> tuple[int, dict[str, str]]:
    parts = text.split(SEP)
    return int(parts[0]), dict(zip(parts[1::2], parts[2::2]))


def tantivy_all():
    import tantivy

    return tantivy.Query.all_query()


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    text: str
    meta: dict[str, Any]
    score: float = 0.0


def _schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("chunk_id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("doc_id", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("source", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("date_num", indexed=True, fast=True)
    builder.add_integer_field("position", indexed=True)
    builder.add_integer_field("length", fast=True)
    # Pre-tokenised: tantivy counts the project's own tokens and never runs a tokenizer of its own.
    builder.add_text_field("tokens", tokenizer_name="raw", index_option="freq")
    builder.add_bytes_field("bag", stored=True)
    builder.add_bytes_field("record", stored=True)
    return builder.build()


class KeywordIndex:
    def __init__(self, folder: Path, store: Store):
        self.folder = folder
        self.store = store
        self._schema = None
        self._index = None
        self._dir: str | None = None
        self._version: str | None = None
        self._stats: _Okapi | None = None
        self._lock = threading.RLock()

    # -- opening -----------------------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        try:
            return json.loads((self.folder / CURRENT).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _write_state(self, state: dict[str, Any]) -> None:
        """Atomic: a rename replaces CURRENT, so a kill leaves the old state or the new one, never half."""
        tmp = self.folder / f".{CURRENT}.{uuid.uuid4().hex}"
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self.folder / CURRENT)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One process changes the index at a time (an update, or a rebuild that replaces its folder)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.folder / LOCK, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _open_dir(self, name: str):
        import tantivy

        path = self.folder / name
        if not (path / "meta.json").is_file():
            raise OSError(f"no index in {path}")
        index = tantivy.Index(self.schema, path=str(path), reuse=True)
        index.reload()
        index.searcher()  # reads every segment's metadata: a damaged index fails here, not at a question
        return index

    @property
    def schema(self):
        if self._schema is None:
            self._schema = _schema()
        return self._schema

    def sync(self, version: str) -> None:
        """Serve the store at `version`: open the index, or follow another process's change, or rebuild it
        from Chroma when it cannot serve that version (missing, damaged, another format, unfinished)."""
        with self._lock:
            if self._index is not None:
                if version != self._version:
                    self._follow(version)
                return
            state = self._state()
            reason = self._unusable(state, version)
            if reason is None:
                try:
                    self._index, self._dir, self._version = self._open_dir(state["dir"]), state["dir"], version
                    self._stats = None
                    return
                except (OSError, ValueError) as exc:
                    reason = f"无法打开（{type(exc).__name__}）"
            with self._exclusive():
                self._rebuild(reason, version)

    def _ensure(self):
        if self._index is None:
            self.sync(self.store.version())
        return self._index

    @staticmethod
    def _unusable(state: dict[str, Any], version: str) -> str | None:
        if not state.get("dir"):
            return "缺失"
        if state.get("format") != FORMAT:
            return f"格式为 {state.get('format')}，当前为 {FORMAT}"
        if state.get("version") == UNFINISHED:
            return "上次更新未完成"
        if state.get("version") != version:
            return "与 Chroma 中的片段版本不一致"
        return None

    def _follow(self, version: str) -> None:
        """Another process changed the library: pick up its commits, or the folder it rebuilt."""
        name = self._state().get("dir")
        if name and name != self._dir:
            self._index, self._dir = self._open_dir(name), name
        else:
            self._index.reload()
        self._version, self._stats = version, None

    def _rebuild(self, reason: str, version: str) -> None:
        import tantivy

        total = self.store.count_chunks()
        if total:  # a new, empty library simply starts its index: nothing to tell
            log.warning("关键词索引%s，正在从 Chroma 重建（%d 个片段）；重建完成前服务返回 503，请稍候", reason, total)
        name = f"index-{uuid.uuid4().hex[:12]}"
        (self.folder / name).mkdir()
        index = tantivy.Index(self.schema, path=str(self.folder / name))
        writer = index.writer(WRITER_HEAP, 1)
        for offset in range(0, total, REBUILD_PAGE):
            got = self.store.chunk_page(offset, REBUILD_PAGE)
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                writer.add_document(self._document(cid, text, meta))
        writer.commit()
        writer.wait_merging_threads()
        self._write_state({"dir": name, "format": FORMAT, "version": version})
        self._index, self._dir, self._version, self._stats = self._open_dir(name), name, version, None
        for path in self.folder.glob("index-*"):
            if path.name != name:
                shutil.rmtree(path, ignore_errors=True)

    # -- writing -----------------------------------------------------------------------------------
    def _document(self, chunk_id: str, text: str, meta: dict[str, Any]):
        import tantivy

        tokens = json.loads(meta["tokens"]) if meta.get("tokens") else search_tokens(text)
        record = {"text": text, "meta": {k: v for k, v in meta.items() if k != "tokens"}}
        doc = tantivy.Document()
        doc.add_text("chunk_id", chunk_id)
        doc.add_text("doc_id", meta["doc_id"])
        doc.add_text("source", meta.get("source", ""))
        doc.add_integer("date_num", int(meta.get("date_num", 0)))
        doc.add_integer("position", int(meta.get("position", 0)))
        doc.add_pre_tokenized_text(
            "tokens", tantivy.PreTokenizedString("", [tantivy.Token(t, i, 0, 0) for i, t in enumerate(tokens)])
        )
        doc.add_integer("length", len(tokens))
        doc.add_bytes("bag", bag(tokens).encode("utf-8"))
        doc.add_bytes("record", json.dumps(record, ensure_ascii=False).encode("utf-8"))
        return doc

    def begin(self) -> None:
        """Before Chroma changes: the index is unfinished until `mark` records the store's new version,
        so a run killed anywhere in between leaves an index that start-up rebuilds."""
        self._ensure()
        with self._exclusive():
            state = self._state()
            if state.get("dir") != self._dir:  # another process rebuilt it meanwhile: write to its folder
                self._follow(self._version)
            if state.get("version") != UNFINISHED:
                self._write_state({"dir": self._dir, "format": FORMAT, "version": UNFINISHED})

    def update(self, add: list[tuple[str, str, dict[str, Any]]] = (), delete: list[str] = ()) -> None:
        """Add (chunk_id, text, metadata) and delete chunk ids, in one commit (after `begin`)."""
        if not add and not delete:
            return
        self.begin()
        with self._exclusive():
            writer = self._index.writer(WRITER_HEAP, 1)
            for cid in delete:
                writer.delete_documents_by_term("chunk_id", cid)
            for cid, text, meta in add:
                writer.delete_documents_by_term("chunk_id", cid)  # an upsert, as Chroma's
                writer.add_document(self._document(cid, text, meta))
            writer.commit()
            writer.wait_merging_threads()
            self._index.reload()
            self._stats = None

    def mark(self, version: str) -> None:
        """The store's version after a change: the index and Chroma agree again."""
        self._ensure()
        with self._exclusive():
            self._write_state({"dir": self._dir, "format": FORMAT, "version": version})
            self._version = version

    def reset(self) -> None:
        with self._exclusive():
            self._index = self._dir = self._version = self._stats = None
            for path in self.folder.glob("index-*"):
                shutil.rmtree(path, ignore_errors=True)
            (self.folder / CURRENT).unlink(missing_ok=True)

    # -- reading -----------------------------------------------------------------------------------
    def _hits(self, query, limit: int) -> list[Hit]:
        searcher = self._ensure().searcher()
        return [self._hit(searcher, address) for _, address in searcher.search(query, limit).hits]

    @staticmethod
    def _hit(searcher, address, score: float = 0.0) -> Hit:
        doc = searcher.doc(address)
        record = json.loads(doc["record"][0])
        return Hit(doc["chunk_id"][0], record["text"], record["meta"], score)

    def size(self) -> int:
        return self._ensure().searcher().num_docs

    def _filter(self, filters: Filters | None):
        """Filters as queries that score nothing, so BM25 scores stay what they are without them."""
        import tantivy

        Q, schema = tantivy.Query, self.schema
        clauses = []
        if filters is not None:
            if filters.date_from or filters.date_to:
                low = date_number(filters.date_from) if filters.date_from else None
                high = date_number(filters.date_to) if filters.date_to else None
                clauses.append(Q.range_query(schema, "date_num", tantivy.FieldType.Integer, low, high))
            if filters.source:
                clauses.append(Q.term_query(schema, "source", filters.source))
            if filters.doc_ids:
                clauses.append(Q.term_set_query(schema, "doc_id", list(filters.doc_ids)))
        return [(tantivy.Occur.Must, Q.const_score_query(c, 0.0)) for c in clauses]

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[Hit]:
        """The k best chunks by Okapi BM25 as rank_bm25 scored them (k1 1.5, b 0.75, a floor for words in
        most chunks), among the chunks the filters keep. Tantivy finds the candidates, inside the filters,
        by its own BM25; they are scored again here, so retrieval ranks as it did before the index moved
        to disk (tantivy's formula differs, and its ranking cost the evaluation a few hits)."""
        import tantivy

        tokens = search_tokens(query)
        if not tokens:
            return []
        Q = tantivy.Query
        words = Q.boolean_query([(tantivy.Occur.Should, Q.term_query(self.schema, "tokens", t)) for t in dict.fromkeys(tokens)])
        searcher = self._ensure().searcher()
        query = Q.boolean_query([(tantivy.Occur.Must, words), *self._filter(filters)])
        stats = self._okapi()
        idf = {t: stats.idf(searcher.doc_freq("tokens", t)) for t in set(tokens)}
        scored = []
        for _, address in searcher.search(query, max(CANDIDATES, k)).hits:
            length, counts = unbag(searcher.doc(address)["bag"][0].decode("utf-8"))
            tf = {t: int(counts.get(t, 0)) for t in idf}
            norm = OKAPI_K1 * (1 - OKAPI_B + OKAPI_B * length / stats.average_length)
            # Every token, repeats included, as rank_bm25 sums them: a word asked twice weighs twice.
            score = sum(idf[t] * tf[t] * (OKAPI_K1 + 1) / (tf[t] + norm) for t in tokens)
            if score > 0:
                scored.append((score, address))
        scored.sort(key=lambda pair: -pair[0])
        return [self._hit(searcher, address, score) for score, address in scored[:k]]

    def _okapi(self) -> _Okapi:
        """Corpus statistics, once per version of the index: chunks, their average length, the average idf."""
        if self._stats is None:
            searcher = self._ensure().searcher()
            n = searcher.num_docs
            total = searcher.aggregate(tantivy_all(), {"total": {"sum": {"field": "length"}}})["total"]["value"] or 0
            idfs = [_Okapi.raw_idf(n, df) for _, df in searcher.terms_with_prefix("tokens", "")]
            self._stats = _Okapi(n, total / max(1, n), sum(idfs) / max(1, len(idfs)))
        return self._stats

    def openings(self, filters: Filters | None = None) -> list[Hit]:
        """Each document's opening chunk (its title and header), for questions that name a document."""
        import tantivy

        first = tantivy.Query.term_query(self.schema, "position", 0)
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, first), *self._filter(filters)])
        return self._hits(query, max(1, self.store.count_documents()))

    def chunk_at(self, doc_id: str, position: int) -> Hit | None:
        import tantivy

        Q, occur = tantivy.Query, tantivy.Occur.Must
        query = Q.boolean_query(
            [(occur, Q.term_query(self.schema, "doc_id", doc_id)), (occur, Q.term_query(self.schema, "position", position))]
        )
        hits = self._hits(query, 1)
        return hits[0] if hits else None
