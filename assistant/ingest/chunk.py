"""Split a cleaned document into overlapping chunks of whole sentences.

Sentences end at 。！？；… (and ASCII ! ? ; . where they really end a sentence). A boundary is never
placed inside 《…》, so a cut can never fall inside a title, a number (2.5) or a percentage (30%).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..schema import Chunk, Document
from ..script import to_simplified
from .clean import CJK
from .govdoc import enclosing_lead_ins, locate
from .quality import score_text

_FULL_END = "。！？；…"
_ASCII_END = "!?;."
_CLOSERS = "”’」』）)】〕\"'"
_CJK_CHARS = f"[{CJK}]"


@dataclass(frozen=True)
class Sentence:
    text: str
    starts_paragraph: bool
    place: str = ""
    """Where its paragraph stands in the document (第二条, 一、（二）, 附件1); empty in an unstructured text."""
    heading: str = ""
    """The lead-ins of the units that hold its paragraph (第八条 申报省级集群应当同时具备下列条件：)."""


def _is_ascii_end(text: str, i: int) -> bool:
    """`2.5`, `achie.org`, mojibake like `當?shù` are not sentence ends; `有多重要?` is."""
    prev = text[i - 1] if i else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if text[i] == "." and (nxt and not nxt.isspace()):
        return False
    if prev.isascii() and prev.isalnum():
        return False
    return not nxt or nxt.isspace() or nxt in _CLOSERS or "\u4e00" <= nxt <= "\u9fff" and text[i] != "."


def split_sentences(paragraph: str) -> list[str]:
    out: list[str] = []
    start = depth = 0
    i, n = 0, len(paragraph)
    while i < n:
        ch = paragraph[i]
        if ch == "《":
            depth += 1
        elif ch == "》":
            depth = max(0, depth - 1)
        elif depth == 0 and (ch in _FULL_END or (ch in _ASCII_END and _is_ascii_end(paragraph, i))):
            j = i + 1
            while j < n and (paragraph[j] in _FULL_END or paragraph[j] in _CLOSERS):
                j += 1
            out.append(paragraph[start:j])
            start = i = j
            continue
        i += 1
    if start < n:
        out.append(paragraph[start:])
    return [s for s in out if s.strip()]


def sentences_of(text: str) -> list[Sentence]:
    units: list[Sentence] = []
    paragraphs = text.split("\n")
    for para, place, heading in zip(paragraphs, locate(paragraphs), enclosing_lead_ins(paragraphs)):
        for k, s in enumerate(split_sentences(para.strip())):
            units.append(Sentence(s, starts_paragraph=k == 0, place=place, heading=heading))
    return units


def paragraph_starts(units: list[Sentence], indexes: list[int]) -> list[Sentence]:
    """The first sentence of each paragraph of a chunk, in the order `join_units` lays them out."""
    return [units[k] for pos, k in enumerate(indexes) if pos == 0 or units[k].starts_paragraph]


def pack(units: list[Sentence], max_chars: int, min_chars: int, overlap: int) -> list[list[int]]:
    """Group sentence indexes into chunks; a chunk closes at a paragraph end once it has min_chars."""
    chunks: list[list[int]] = []
    current: list[int] = []
    size = 0
    for i, unit in enumerate(units):
        fits = size + len(unit.text) <= max_chars
        para_break = unit.starts_paragraph and size >= min_chars
        if current and (not fits or para_break):
            chunks.append(current)
            current = _overlap_tail(units, current, overlap, max_chars - len(unit.text))
            size = sum(len(units[k].text) for k in current)
        current.append(i)
        size += len(unit.text)
    if current:
        chunks.append(current)
    return chunks


def _overlap_tail(units: list[Sentence], chunk: list[int], overlap: int, room: int) -> list[int]:
    tail: list[int] = []
    for k in reversed(chunk[len(chunk) - overlap :] if overlap else []):
        if len(units[k].text) > room:
            break
        room -= len(units[k].text)
        tail.insert(0, k)
    # A chunk made only of overlap would repeat its predecessor; keep at least one new sentence.
    return tail if len(tail) < len(chunk) else tail[1:]


def join_units(units: list[Sentence], indexes: list[int]) -> str:
    parts = []
    for pos, k in enumerate(indexes):
        if pos and units[k].starts_paragraph:
            parts.append("\n")
        parts.append(units[k].text)
    return "".join(parts)


def chunk_id(doc_id: str, embedding_text: str) -> str:
    """Content hash: an unchanged chunk keeps its id across re-ingests and is never embedded twice."""
    return hashlib.sha256(f"{doc_id}\x00{embedding_text}".encode("utf-8")).hexdigest()[:32]


def chunk_document(doc: Document, max_chars: int = 500, min_chars: int = 300, overlap: int = 1) -> list[Chunk]:
    units = sentences_of(doc.text)
    title_s = to_simplified(doc.meta.title)
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for indexes in pack(units, max_chars, min_chars, overlap):
        text = join_units(units, indexes)
        simplified = to_simplified(text)
        cid = chunk_id(doc.meta.doc_id, f"{title_s}\n{simplified}")
        if cid in seen:
            continue
        seen.add(cid)
        chunks.append(
            Chunk(
                chunk_id=cid,
                doc_id=doc.meta.doc_id,
                position=len(chunks),
                text=text,
                text_simplified=simplified,
                quality=score_text(simplified),
                places=[u.place for u in paragraph_starts(units, indexes)],
                headings=[u.heading for u in paragraph_starts(units, indexes)],
            )
        )
    return chunks
