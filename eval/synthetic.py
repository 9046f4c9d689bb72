"""Generated policy documents for the scale benchmarks: corpus sentences with other places, figures and years.

Every sentence of a generated document is a real sentence of `corpus/` or `eval/documents/` with its
province swapped for another, its years moved and its other figures changed, so that documents differ
(and answers would) while the words stay those of real policy text. `CachedEmbeddings` gives each
generated text the real embedding of the sentences it came from, computed once per machine, so that
libraries of 100k chunks can be built without hours of embedding; questions are still embedded for real.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.ingest.chunk import split_sentences
from assistant.ingest.document import build_document
from assistant.settings import PROJECT_ROOT
from assistant.vocabulary import PROVINCES

SOURCES = [PROJECT_ROOT / "corpus", PROJECT_ROOT / "eval" / "documents"]
CACHE = PROJECT_ROOT / ".cache" / "bench"
SENTENCES_PER_DOCUMENT = (40, 160)  # about 5 to 20 chunks
_YEAR = re.compile(r"20[12]\d(?=年)")
_FIGURE = re.compile(r"(?<![\d.〔])(?!20[12]\d年)\d+(?:\.\d+)?(?![\d〕])")


def base_sentences() -> list[str]:
    """The distinct sentences of the real documents, long enough to say something."""
    out: dict[str, None] = {}
    for folder in SOURCES:
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in (".txt", ".html", ".md") or path.name.lower() == "readme.md":
                continue
            doc = build_document(path, path.name)
            for paragraph in doc.text_simplified.split("\n"):
                for sentence in split_sentences(paragraph):
                    if 15 <= len(sentence.strip()) <= 160:
                        out.setdefault(sentence.strip())
    return list(out)


def vary(sentence: str, rng: random.Random, province: str) -> str:
    sentence = _FIGURE.sub(lambda m: str(max(1, int(float(m.group()) * rng.uniform(0.5, 2.0)))), sentence)
    sentence = _YEAR.sub(lambda m: str(rng.randint(2018, 2026)), sentence)
    for other in PROVINCES:
        if other in sentence:
            sentence = sentence.replace(other, province)
    return sentence


@dataclass
class Generated:
    text: str
    origin: dict[str, int] = field(default_factory=dict)
    """Each generated sentence → the index of the real sentence it was made from."""


def document(n: int, base: list[str], rng: random.Random) -> Generated:
    province = rng.choice(PROVINCES)
    year = rng.randint(2019, 2025)
    date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    title = f"{province}{year}年中小企业特色产业集群发展情况通报（第{n}期）"
    out = Generated(f"{title}\n发布时间：{date} 来源：{province}工业和信息化厅\n\n")
    picks = [rng.randrange(len(base)) for _ in range(rng.randint(*SENTENCES_PER_DOCUMENT))]
    paragraphs = []
    for start in range(0, len(picks), 4):
        sentences = [vary(base[i], rng, province) for i in picks[start : start + 4]]
        out.origin.update(zip(sentences, picks[start : start + 4]))
        paragraphs.append("".join(sentences))
    out.text += "\n\n".join(paragraphs) + "\n"
    return out


def write_corpus(folder: Path, documents: int, seed: int = 7) -> dict[str, int]:
    """`documents` generated files in `folder`; returns the origin of every generated sentence."""
    folder.mkdir(parents=True, exist_ok=True)
    base, rng, origin = base_sentences(), random.Random(seed), {}
    for n in range(documents):
        doc = document(n, base, rng)
        (folder / f"generated-{n:06d}.txt").write_text(doc.text, encoding="utf-8")
        origin.update(doc.origin)
    return origin


class CachedEmbeddings(Embeddings):
    """Real passage embeddings of the real sentences, averaged over the sentences a generated text came from.
    Queries go to the real model."""

    def __init__(self, real: Embeddings, origin: dict[str, int]):
        self.real, self.origin = real, origin
        base = base_sentences()
        key = hashlib.sha256("\n".join(base).encode("utf-8")).hexdigest()[:16]
        path = CACHE / f"base-vectors-{key}.npy"
        if not path.exists():
            CACHE.mkdir(parents=True, exist_ok=True)
            np.save(path, np.asarray(real.embed_documents(base), dtype=np.float32))
        self.base = np.load(path)

    def _one(self, text: str) -> list[float]:
        rows = [self.origin[s.strip()] for line in text.split("\n") for s in split_sentences(line) if s.strip() in self.origin]
        if not rows:  # a title or header line: any real sentence, picked by the text so it is stable
            rows = [int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % len(self.base)]
        vector = self.base[rows].mean(axis=0)
        return (vector / np.linalg.norm(vector)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)
