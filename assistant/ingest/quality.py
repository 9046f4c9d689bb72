"""Score how far a piece of (simplified) Chinese text can be trusted, without changing it.

Signals, all stored with the chunk:
- dict_word_share: share of Chinese characters that jieba explains as dictionary words or common
  function characters. "Spun" text (clauses rotated, words swapped for odd synonyms) leaves orphans.
- bigram_plausibility: how common each adjacent character pair is inside words of jieba's dictionary,
  a reference for ordinary written Chinese that does not depend on this corpus.
- mojibake_markers: `?` running into the next word (`當?shù)`), Cyrillic or other stray scripts, leftover pinyin after a
  non-Chinese character, replacement characters.
- broken_clauses: a clause that starts with punctuation, or two clause marks in a row.
- instructions: sentences written to steer a language model (`injection.py`); each one cuts the score hard,
  since a text that carries one was written to poison answers.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from functools import lru_cache

from ..schema import QualitySignals
from .clean import CJK
from .injection import count_instructions

_HAN_RUN = re.compile(f"[{CJK}]+")
_MOJIBAKE = re.compile(
    rf"\?(?=[a-z{CJK}。，、；])"
    r"|[\u0370-\u03ff\u0400-\u04ff\u0530-\u058f\u0590-\u05ff\u0600-\u06ff\ufffd\ue000-\uf8ff]"
    r"|[A-Za-z]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)"
    rf"|(?<=[{CJK}])\^|\^(?=[{CJK}])"
)
_BROKEN = re.compile(r"(?:^|\n)[,，、;；]|[,，、][,，、]")

# A single character this frequent in jieba's dictionary is a function word (的, 在, 和), not an orphan.
_FUNCTION_CHAR_FREQ = 100_000
_BIGRAM_SATURATION = math.log1p(1000)


@lru_cache(maxsize=1)
def _reference() -> tuple[dict[str, int], Counter[str]]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    freq: dict[str, int] = jieba.dt.FREQ
    bigrams: Counter[str] = Counter()
    for word, f in freq.items():
        if f and len(word) >= 2:
            for a, b in zip(word, word[1:]):
                bigrams[a + b] += f
    return freq, bigrams


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def dict_word_share(runs: list[str]) -> float:
    import jieba

    freq, _ = _reference()
    total = sum(len(r) for r in runs)
    if not total:
        return 1.0
    explained = 0
    for run in runs:
        for word in jieba.lcut(run, HMM=False):
            if (len(word) >= 2 and freq.get(word)) or freq.get(word, 0) >= _FUNCTION_CHAR_FREQ:
                explained += len(word)
    return explained / total


def bigram_plausibility(runs: list[str]) -> float:
    _, bigrams = _reference()
    pairs = [run[i : i + 2] for run in runs for i in range(len(run) - 1)]
    if not pairs:
        return 1.0
    return sum(min(1.0, math.log1p(bigrams.get(p, 0)) / _BIGRAM_SATURATION) for p in pairs) / len(pairs)


def score_text(text: str) -> QualitySignals:
    runs = _HAN_RUN.findall(text)
    words = dict_word_share(runs)
    plaus = bigram_plausibility(runs)
    markers = len(_MOJIBAKE.findall(text))
    broken = len(_BROKEN.findall(text))
    per_100 = max(1.0, len(text) / 100)
    fluency = math.sqrt(_clamp((words - 0.70) / 0.20) * _clamp((plaus - 0.40) / 0.15))
    instructions = count_instructions(text)
    score = fluency / (1 + markers / per_100) / (1 + broken / per_100) / (1 + 4 * instructions)
    return QualitySignals(
        score=round(score, 3),
        dict_word_share=round(words, 3),
        bigram_plausibility=round(plaus, 3),
        mojibake_markers=markers,
        broken_clauses=broken,
        instructions=instructions,
    )
