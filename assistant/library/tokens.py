"""jieba tokens of simplified text, shared by BM25 and the extractive answerer."""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache

from ..vocabulary import DOMAIN_WORDS, STOPWORDS, SYNONYMS

_LITTLE_GIANT = re.compile(r"(?<!专精特新)(?<!专精特新[“\"”])小巨人")

_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for word in DOMAIN_WORDS:
        jieba.add_word(word, freq=200_000)
    return jieba


def tokenize(text: str) -> list[str]:
    """Search-mode tokens (long words and their parts), lower-cased, without punctuation or stopwords."""
    return [
        t.lower()
        for t in _jieba().lcut_for_search(text)
        if _WORDLIKE.search(t) and t not in STOPWORDS and t.strip()
    ]


def bigrams(text: str) -> list[str]:
    """Character pairs inside Chinese runs: they still match when a word is cut differently or swapped."""
    return [run[i : i + 2] for run in _HAN_RUN.findall(text) for i in range(len(run) - 1)]


def canonical(text: str) -> str:
    for variant, canonical_form in SYNONYMS:
        text = text.replace(variant, canonical_form)
    return _LITTLE_GIANT.sub("专精特新小巨人", text)


def search_tokens(text: str) -> list[str]:
    """What BM25 indexes: words and character bigrams of the canonical text."""
    text = canonical(text)
    return tokenize(text) + bigrams(text)


@lru_cache(maxsize=1)
def _word_weights() -> tuple[dict[str, int], float]:
    dt = _jieba().dt
    dt.check_initialized()
    return dt.FREQ, math.log(dt.total)


def weight(token: str) -> float:
    """Rare words (嘉善, 光电子) say more about what is asked than common ones (企业, 发展)."""
    if token in ("集群", "企业"):  # in nearly every sentence of this corpus
        return 1.0
    freq, log_total = _word_weights()
    return max(0.5, log_total - math.log(freq.get(token, 0) + 1))


def title_fit(tokens: list[str], title: str) -> float:
    """Weighted share of a question's words that a document's title holds: how well the question names it."""
    total = sum(weight(t) for t in tokens)
    title = canonical(title)
    return sum(weight(t) for t in tokens if t in title) / total if total else 0.0
