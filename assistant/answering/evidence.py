"""Retrieved chunks → candidate sentences, each knowing its document, its display form and its citation data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from langchain_core.documents import Document

from ..ingest.chunk import split_sentences
from ..ingest.clean import quotable
from ..ingest.govdoc import lead_in
from ..ingest.injection import instruction_like
from ..schema import Citation, Script
from ..script import to_simplified, to_traditional

NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Shorter pieces (一、, 附件2) say nothing on their own and are never weighed.
MIN_SENTENCE_CHARS = 6


@dataclass
class Sentence:
    simplified: str
    original: str
    doc_script: Script
    meta: dict
    rank: int
    """Rank of its chunk in retrieval (0 = best)."""
    position: int
    """Index of the sentence among all candidates (adjacent sentences of a chunk are adjacent here)."""
    previous: str = ""
    """The sentence before it in the same chunk: what 该集群 or 此 refer to is usually there."""
    place: str = ""
    """Where it stands in its document (第二条…); empty in an unstructured text."""
    heading: str = ""
    """The lead-ins of the units holding it (第八条 申报省级集群应当同时具备下列条件：), from ingest."""
    score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        return self.meta["doc_id"]

    @property
    def date(self) -> str | None:
        return self.meta.get("date")

    @property
    def low_quality(self) -> bool:
        return bool(self.meta.get("quality_low"))

    def display(self, script: Script) -> str:
        """The sentence in the reader's script; a source already in that script is quoted as written."""
        if script == self.doc_script:
            return self.original
        return to_traditional(self.simplified) if script == "traditional" else self.simplified


def sentences_from(docs: list[Document]) -> list[Sentence]:
    out: list[Sentence] = []
    for rank, doc in enumerate(docs):
        meta = doc.metadata
        script = meta.get("script", "simplified")
        original_text = meta.get("text") or doc.page_content
        paragraphs = doc.page_content.split("\n")
        places, headings = (_aligned(meta.get(key), len(paragraphs)) for key in ("places", "headings"))
        for para_s, para_o, place, heading in zip(paragraphs, original_text.split("\n"), places, headings):
            heading = to_simplified(heading) if heading else ""
            simp = split_sentences(para_s)
            orig = split_sentences(para_o)
            if len(orig) != len(simp):  # t2s changed a boundary; fall back to converting the simplified text
                orig = [to_traditional(s) if script == "traditional" else s for s in simp]
            for s, o in zip(simp, orig):
                s, o = quotable(s.strip()), quotable(o.strip())
                if s is None or o is None or instruction_like(s):  # neither an encoding's wreckage nor orders to a model
                    continue
                previous = out[-1].simplified if out and out[-1].meta is meta else ""
                out.append(Sentence(s, o, script, meta, rank, len(out), previous, place, heading))
    return out


def candidate_sentences(docs: list[Document]) -> list[Sentence]:
    """The sentences the answerer weighs: each once, from its best-ranked chunk (overlapping chunks repeat a
    sentence). Ingest embeds exactly these, chunk by chunk, so a question finds their vectors stored."""
    unique: dict[str, Sentence] = {}
    for s in sentences_from(docs):
        if len(s.simplified) >= MIN_SENTENCE_CHARS:
            unique.setdefault(s.simplified, s)
    return list(unique.values())


def _aligned(stored: str | None, paragraphs: int) -> list[str]:
    """A per-paragraph list from chunk metadata; blanks when it is missing or does not line up."""
    values = json.loads(stored or "[]")
    return values if len(values) == paragraphs else [""] * paragraphs


def introduces(s: Sentence) -> bool:
    """A sentence that only announces what follows (附件3：专精特新“小巨人”企业认定标准（要点）, 通知如下：)."""
    text = s.simplified.strip()
    return bool(text) and lead_in(text) == text


def reading_order(s: Sentence) -> tuple[int, int]:
    """Where a sentence stands in its document: its chunk's place, then its place among the candidates
    (which keep each chunk's sentences in order, whichever copy of an overlapping sentence was kept)."""
    return int(s.meta.get("position", 0)), s.position


def numbers_in(text: str) -> set[str]:
    return set(NUMBER.findall(to_simplified(text)))


def build_citation(n: int, sentences: list[Sentence], script: Script) -> Citation:
    first = sentences[0]
    meta = first.meta
    return Citation(
        n=n,
        doc_id=first.doc_id,
        title=meta.get("title", ""),
        source=meta.get("source", ""),
        date=meta.get("date"),
        url=meta.get("url"),
        quote="".join(s.display(script) for s in sentences),
        quality="low" if any(s.low_quality for s in sentences) else "ok",
        place=first.place or None,
        doc_number=meta.get("doc_number"),
    )
