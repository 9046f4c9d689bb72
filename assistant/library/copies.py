"""Copies of one document: the same notice on the ministry's site, on a news site and on a WeChat account.

Two documents are copies when nearly all of the shorter one's text is in the longer one (a repost adds
site chrome and a lead, and may lose its line breaks or gain pinyin) and they are of comparable length
(a news story that quotes a notice is not a copy of it). Text is compared as sampled character shingles
of its Chinese characters, so layout, punctuation and inserted Latin do not count.

Of a group of copies, the authoritative one is the issuing body's own (its publisher is the issuer its
official title names), else the one that states a 文号 and its own signing date, else the earliest (see
`authority`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..ingest.govdoc import issuer_in_title
from ..schema import DocumentMeta
from ..script import to_simplified

SHINGLE = 8
# One shingle in SAMPLE is kept, the same ones in every document, so shared text is found in both samples.
SAMPLE = 4
# Share of the shorter text's shingles found in the longer one, and how much longer the longer may be.
CONTAINED = 0.7
MIN_LENGTH_RATIO = 0.4
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]")
_FIGURE = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Print:
    shingles: frozenset[int]
    figures: frozenset[str]


def fingerprint(text: str) -> Print:
    simplified = to_simplified(text)
    chars = _NOT_CJK.sub("", simplified)
    hashes = (int.from_bytes(hashlib.blake2b(chars[i : i + SHINGLE].encode(), digest_size=8).digest(), "big") for i in range(len(chars) - SHINGLE + 1))
    return Print(frozenset(h for h in hashes if h % SAMPLE == 0), frozenset(_FIGURE.findall(simplified)))


def copies_of_each_other(a: Print, b: Print) -> bool:
    """Nearly all of the shorter text, and its figures, are in the longer one: next year's notice in last
    year's words states other figures (another year, quota and deadline), and is no copy."""
    small, large = sorted((a, b), key=lambda p: len(p.shingles))
    if not small.shingles or len(small.shingles) < MIN_LENGTH_RATIO * len(large.shingles):
        return False
    shared_text = len(small.shingles & large.shingles) / len(small.shingles)
    shared_figures = len(small.figures & large.figures) / len(small.figures) if small.figures else 1.0
    return shared_text >= CONTAINED and shared_figures >= CONTAINED


def authority(meta: DocumentMeta, size: int) -> tuple:
    """Sort key, best first: the issuer's own copy, then one that states its 文号 and signing date, then the
    earliest, then the cleaner, then the one with least added to the shared text (`size`, its sampled
    shingles): a repost that kept the notice's header reads as the notice, and its additions tell it apart."""
    issuer = issuer_in_title(meta.official_title or meta.title) or ""
    own = bool(issuer) and to_simplified(meta.source) in to_simplified(issuer)
    return (not own, not (meta.doc_number and meta.signed_on), meta.date or "9999", -meta.quality, size, meta.doc_id)


def groups(metas: list[DocumentMeta], texts: dict[str, str]) -> dict[str, str]:
    """doc_id → the doc_id of the authoritative copy, for every document that has another copy."""
    prints = {m.doc_id: fingerprint(texts.get(m.doc_id, "")) for m in metas}
    parent = {m.doc_id: m.doc_id for m in metas}

    def root(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    ids = list(prints)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if copies_of_each_other(prints[a], prints[b]):
                parent[root(a)] = root(b)
    members: dict[str, list[DocumentMeta]] = {}
    for m in metas:
        members.setdefault(root(m.doc_id), []).append(m)
    best = {r: min(group, key=lambda m: authority(m, len(prints[m.doc_id].shingles))).doc_id for r, group in members.items() if len(group) > 1}
    return {m.doc_id: best[r] for r, group in members.items() if r in best for m in group}


def copies_under(grouped: dict[str, str]) -> dict[str, list[str]]:
    """The authoritative copy's doc_id → the doc_ids of its other copies, from `groups`' answer."""
    out: dict[str, list[str]] = {}
    for doc_id, best in sorted(grouped.items()):
        if doc_id != best:
            out.setdefault(best, []).append(doc_id)
    return out
