"""Questions about one article of a rule: 暂行办法第二十条是怎么规定的？

Such a question is answered with that article's own text, from the document the retriever ranked best
among those that have it, cited with its place (第二十条). When no retrieved document has that article,
the answer says so instead of quoting a sentence that merely shares words with the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..ingest.govdoc import NUMERAL, number_of
from .evidence import Sentence

_ARTICLE = re.compile(rf"第({NUMERAL})条")
# Enough for a long article; a longer one is cut at a sentence end and the reader follows the citation.
MAX_ARTICLE_CHARS = 600


def asked_article(question: str) -> tuple[int, str] | None:
    """The article a question names, as a number and as written: (20, "第二十条"), or None."""
    m = _ARTICLE.search(question)
    return (number_of(m.group(1)), m.group(0)) if m else None


def article_of(place: str) -> int | None:
    m = _ARTICLE.search(place or "")
    return number_of(m.group(1)) if m else None


def article_text(n: int, sentences: list[Sentence], title_fit: Callable[[str], float], named: Callable[[dict], bool]) -> list[Sentence]:
    """Article n's sentences, in reading order, from a document the question may mean (`named`: 陕西实施办法
    is not the national 暂行办法), the one whose title fits the question best, then the best-ranked one."""
    holding = [s for s in sentences if article_of(s.place) == n and named(s.meta)]
    if not holding:
        return []
    best = min(holding, key=lambda s: (-title_fit(s.meta.get("title", "")), s.rank, s.position))
    own = sorted({s.simplified: s for s in holding if s.doc_id == best.doc_id}.values(), key=lambda s: (s.rank, s.position))
    # Overlapping chunks repeat sentences; reading order is the order within the best chunk, then the rest.
    kept, size = [], 0
    for s in own:
        if kept and size + len(s.simplified) > MAX_ARTICLE_CHARS:
            break
        kept.append(s)
        size += len(s.simplified)
    return kept
