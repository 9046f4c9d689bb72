"""Passage vectors of the sentences the answerer weighs: embedded at ingest, read at question time.

Embedding a question's candidate sentences was most of what a question cost. Ingest now embeds each
sentence once, split exactly as the answerer splits it (`evidence.candidate_sentences`), and the store keeps the
vector under a hash of the sentence's text: a sentence that overlapping chunks or a repost repeat is
stored once, with the number of chunks that hold it, and leaves the store with the last of them.

A sentence the store lacks (a library built before sentence vectors were stored, or a count a crash left
behind) is embedded at question time and kept in memory, so a question never fails for it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from ..library.store import Store
from .evidence import candidate_sentences

log = logging.getLogger("sme.answer")


def sentence_id(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def chunk_sentences(chunk: Document) -> set[str]:
    return {s.simplified for s in candidate_sentences([chunk])}


@dataclass
class SentencePlan:
    ids: list[str]
    texts: list[str]
    refs: list[int]
    counts: dict[str, int]  # stored sentences: their new number of holders


class SentenceVectors:
    def __init__(self, store: Store, embeddings: Embeddings, cache_size: int = 20_000):
        self.store = store
        self.embeddings = embeddings
        self.cache_size = cache_size
        self._embedded: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    # -- ingest ------------------------------------------------------------------------------------
    def plan(self, chunks: list[Document]) -> SentencePlan:
        """What adding these chunks needs: the sentences not stored yet (to embed, with the chunks, in one
        model call) and the new holder counts."""
        texts, held = self._count(chunks)
        stored = self.store.sentence_refs(list(held))
        new = [i for i in held if i not in stored]
        return SentencePlan(new, [texts[i] for i in new], [held[i] for i in new], {i: stored[i] + held[i] for i in held if i in stored})

    def add(self, plan: SentencePlan, vectors: list[list[float]]) -> None:
        """Stores the planned sentences' vectors (in `plan.texts` order) and the stored ones' new counts."""
        self.store.add_sentences(plan.ids, vectors, plan.refs)
        self.store.set_sentence_refs(plan.counts)

    def release(self, chunks: list[Document]) -> None:
        """Chunks about to be deleted: one holder less for each of their sentences."""
        _, held = self._count(chunks)
        stored = self.store.sentence_refs(list(held))
        self.store.set_sentence_refs({i: n - held[i] for i, n in stored.items()})

    @staticmethod
    def _count(chunks: list[Document]) -> tuple[dict[str, str], Counter[str]]:
        texts: dict[str, str] = {}
        held: Counter[str] = Counter()
        for chunk in chunks:
            for text in chunk_sentences(chunk):
                key = sentence_id(text)
                texts[key] = text
                held[key] += 1
        return texts, held

    # -- questions ---------------------------------------------------------------------------------
    def get(self, texts: list[str]) -> list[list[float]]:
        ids = {t: sentence_id(t) for t in texts}
        found = self.store.sentence_vectors(list(dict.fromkeys(ids.values())))
        with self._lock:
            vectors = {t: found.get(i) or self._embedded.get(t) for t, i in ids.items()}
        missing = [t for t, v in vectors.items() if v is None]
        if missing:
            log.info("%d 个句子没有预存的向量，已在提问时计算；运行 sme-assistant ingest --rebuild 可在收录时预存", len(missing))
            vectors.update(zip(missing, self.embeddings.embed_documents(missing)))
            with self._lock:
                self._embedded.update((t, vectors[t]) for t in missing)
                while len(self._embedded) > self.cache_size:
                    self._embedded.popitem(last=False)
        return [vectors[t] for t in texts]
