"""A question that asks two things at once: 从事细分市场要多少年？近两年主营业务收入增长要多少？

One retrieval for the whole question often finds the evidence of one part only. So the whole question is
answered, then each part on its own (the later ones read as follow-ups of the first: 其他州市呢？ takes the
first part's subject), and what the parts' answers add is joined to the whole one, under one numbering of
sources.
"""

from __future__ import annotations

import re

from ..schema import Citation, Script
from ..script import in_script
from .extractive import NOT_FOUND, Draft
from .intent import analyse, char_pairs
from .rewrite import QUESTION_WORD

_PART = re.compile(r"(?<=[？?])")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CITED = re.compile(r"\[(\d+)\]")
_FRAGMENT_EDGES = re.compile(r"^(?:那么|那|还有|另外)|[呢吗？?。\s]+$")
# How much of a fragment's wording an earlier part's answer must hold to have answered it already.
COVERED = 0.6
_YES_NO = re.compile(r"吗[？?]?$|是否|能否|可否|能不能|是不是|有没有|可不可以")


def answered_already(part: str, answers: list[Draft]) -> bool:
    """A later part that asks nothing of its own (其他州市呢？) and whose words the answers so far already hold
    (昆明市不超过3个，其他州、市各不超过2个), or a yes-or-no part (企业自己能报吗？) once the whole question is
    answered: a quoted sentence does not say yes or no, so asking it again would only add noise."""
    if answers and answers[0].answered and _YES_NO.search(part):
        return True
    if QUESTION_WORD.search(part):
        return False
    pairs = char_pairs(_FRAGMENT_EDGES.sub("", part))
    said = "".join(d.answer for d in answers if d.answered)
    return bool(pairs) and sum(p in said for p in pairs) / len(pairs) >= COVERED


def parts(question: str) -> list[str]:
    """The parts of a question that asks for two values or more (要多少年？…增长要多少？), each ending in a
    question mark, or [question]. What follows the last question mark (…利润？要最新的数。) belongs to the
    part before it. A question that asks one thing twice (啥叫…？官方怎么定义的？) or adds a yes-or-no
    (由谁申报？企业自己能报吗？) is one question: its whole answer is better than its parts'."""
    pieces = [p.strip() for p in _PART.split(question) if p.strip()]
    if len(pieces) > 1 and not pieces[-1].endswith(("？", "?")):
        pieces[-2:] = [pieces[-2] + pieces[-1]]
    if len(pieces) < 2 or any(len(_CJK.findall(p)) < 2 for p in pieces) or sum(map(asks_value, pieces)) < 2:
        return [question]
    return pieces


def asks_value(question: str) -> bool:
    """A figure, a date or a value of a named kind (多少, 哪天, 哪几年), which one sentence states."""
    intent = analyse(question)
    return intent.type in ("number", "date") or intent.value_kind is not None


def merge(whole: Draft, answers: list[tuple[str, Draft]], script: Script) -> Draft:
    """The whole question's answer, with what the parts' answers add, in the order asked: a source cited
    several times keeps one number, and its quotes are joined; an answer another one contains is said once.
    A part the library cannot answer is named only when the whole question found nothing either (the
    whole answer may well cover it); when nothing at all is found, the whole question's refusal stands."""
    if not whole.answered and not any(draft.answered for _, draft in answers):
        return whole
    citations: list[Citation] = []
    by_doc: dict[str, int] = {}
    texts: list[str] = []
    for part, draft in [("", whole), *answers]:
        if not draft.answered:
            if part and not whole.answered:
                texts.append(in_script(f"关于“{part.rstrip('？?')}”，{NOT_FOUND}", script))
            continue
        number: dict[int, int] = {}
        for c in draft.citations:
            if c.doc_id in by_doc:
                held = citations[by_doc[c.doc_id] - 1]
                if c.quote not in held.quote:
                    citations[by_doc[c.doc_id] - 1] = held.model_copy(update={"quote": held.quote + c.quote})
            else:
                by_doc[c.doc_id] = len(citations) + 1
                citations.append(c.model_copy(update={"n": by_doc[c.doc_id]}))
            number[c.n] = by_doc[c.doc_id]
        text = _CITED.sub(lambda m: f"[{number.get(int(m.group(1)), m.group(1))}]", draft.answer)
        if any(_bare(text) in _bare(t) for t in texts):
            continue
        texts = [t for t in texts if _bare(t) not in _bare(text)] + [text]
    return _renumbered("".join(texts), citations)


def _renumbered(answer: str, citations: list[Citation]) -> Draft:
    """Sources numbered in the order the answer first cites them, without the ones it no longer cites."""
    order = list(dict.fromkeys(int(n) for n in _CITED.findall(answer)))
    new = {old: i for i, old in enumerate(order, 1)}
    kept = [c.model_copy(update={"n": new[c.n]}) for c in citations if c.n in new]
    return Draft(answer=_CITED.sub(lambda m: f"[{new[int(m.group(1))]}]", answer), answered=True, citations=sorted(kept, key=lambda c: c.n))


def _bare(text: str) -> str:
    return _CITED.sub("", text).rstrip("。")
