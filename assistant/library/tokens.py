"""jieba tokens of simplified text, shared by BM25 and the extractive answerer."""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache

# Policy terms jieba would otherwise cut apart.
DOMAIN_WORDS = (
    "专精特新", "小巨人", "单项冠军", "特色产业集群", "产业集群", "中小企业", "梯度培育", "优质中小企业",
    "创新型中小企业", "国家级", "省级", "工信部", "十四五", "上云", "新质生产力", "县域经济", "主导产业",
    "计划单列市", "零的突破",
)  # fmt: skip

# Words that say how a question is asked, not what it is about.
STOPWORDS = frozenset(
    "的 了 和 与 及 或 是 在 有 都 也 就 还 又 等 对 为 把 被 将 从 到 以 之 其 这 那 个 些 么 吗 呢 吧 啊 呀 "
    "什么 哪些 哪个 哪 多少 几 几个 如何 怎么 怎样 怎么样 为什么 是否 是不是 有没有 请问 请 一下 我 我们 咱们 你 "
    "现在 目前 如今 一共 总共 共 大概 大约 具体 主要 哪里 谁 那么 还有 呢 可以 能 能够 需要 要 该 应该 "
    "多大 几成 多久 哪一年 哪年 何时 时候 里 里面 上 中 下 来 去 过 着 说 讲 告诉".split()
)
# Different words users and articles use for the same thing; the right side is the canonical form.
# Applied to questions and to indexed text alike, so either wording matches the other.
SYNONYMS: tuple[tuple[str, str], ...] = (
    ("中小微型企业", "中小企业"),
    ("中小微企业", "中小企业"),
    ("工业和信息化部", "工信部"),
    ("特色集群", "特色产业集群"),
    ("产业群", "产业集群"),
    ("到期", "届满"),
    ("期满", "届满"),
)
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
