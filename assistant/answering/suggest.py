"""Suggested follow-ups: the question just answered, asked again of the other provinces, regions,
programmes or levels that its sources name, offered only when the library answers them.

They are worked out after the answer is shown, never before its first text: each candidate is asked in
full, and one that is declined, or answered with the very text already shown, is dropped.
"""

from __future__ import annotations

import re

from ..schema import Answer, Filters, Turn
from ..script import in_script, to_simplified
from .chain import AskChain
from .query import QuestionError, normalise, parse
from .rewrite import sibling_questions

MAX_SUGGESTIONS = 3
# Candidates asked before giving up: each one is a whole question's work.
MAX_TRIED = 6
_MARKER = re.compile(r"\[\d+\]")
# A standalone question is in search form, its punctuation half-width (NFKC): shown, it reads as Chinese again.
_FULL_WIDTH = str.maketrans(",?!:;()", "，？！：；（）")


def _text(answer: Answer) -> str:
    return _MARKER.sub("", answer.answer)


def suggest(chain: AskChain, question: str, history: list[Turn], answer: Answer, filters: Filters | None = None) -> list[str]:
    """Up to MAX_SUGGESTIONS questions, each standing on its own, that the library answers differently
    (under the same filters)."""
    if not answer.answered:
        return []
    parsed = parse(question)
    # A follow-up (那广东呢？) is varied in its standalone form; a question on its own, in the user's words.
    base = chain.standalone(parsed, history).translate(_FULL_WIDTH) if history else to_simplified(parsed.text)
    sources = " ".join(to_simplified(f"{c.title}{c.quote}") for c in answer.citations)
    sources += " ".join(to_simplified(r.text) for r in answer.retrieved)
    shown, out, tried = {_text(answer)}, [], 0
    asked = {normalise(t.content) for t in history if t.role == "user"}
    for candidate in dict.fromkeys(sibling_questions(base, sources)):
        if len(out) >= MAX_SUGGESTIONS or tried >= MAX_TRIED:
            break
        candidate = in_script(candidate, parsed.script)
        if normalise(candidate) in asked:
            continue  # already asked in this conversation
        tried += 1
        try:
            found = chain.ask(candidate, filters=filters)
        except QuestionError:
            continue
        text = _text(found)
        if found.answered and text not in shown:
            out.append(candidate)
        shown.add(text)
    return out
