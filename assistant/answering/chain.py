"""The path a question takes: validate → standalone question → retriever → answerer → citations.

It is one LangChain runnable whose stream yields `{"delta": text}` events while the answer is built and
a final `{"answer": Answer}` event; `ask` is the same stream, consumed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, Protocol

from langchain_core.documents import Document
from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda

from ..criteria.chat import SelfCheck
from ..library.retrieve import HybridRetriever
from ..schema import Answer, Filters, Retrieved, Timings, Turn
from ..script import in_script
from .compound import answered_already, merge, parts
from .extractive import Draft
from .query import Question, normalise, parse

# A refusal under a filter may be the filter's doing: the reader is told which, and how to check.
FILTERED_NOTE = "（当前启用了筛选条件：{filters}。相关资料可能被筛掉了，去掉筛选条件再问一次试试。）"


class Answerer(Protocol):
    name: str

    def rewrite(self, question: Question, history: list[Turn]) -> str: ...

    def stream(self, question: Question, docs: list[Document]) -> Iterator[str | Draft]: ...


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


class AskChain:
    def __init__(self, retriever: HybridRetriever, answerer: Answerer, top_k: int = 5, self_check: SelfCheck | None = None):
        self.retriever = retriever
        self.answerer = answerer
        self.top_k = top_k
        self.self_check = self_check
        # 申报自查: a question asking for a programme's conditions, or giving one's own figures, is
        # answered with the criteria table (criteria/chat.py); every other question is retrieved and answered.
        # A question asking two things (…多少年？…多少？) is answered part by part (compound.py).
        self.runnable: Runnable = RunnableLambda(self._prepare) | RunnableBranch(
            (self._is_self_check, RunnableLambda(self._check)),
            (self._is_compound, RunnableLambda(self._compound)),
            RunnableLambda(self._retrieve) | RunnableLambda(self._answer),
        )

    def _prepare(self, inputs: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        question = inputs["question"]
        question = question if isinstance(question, Question) else parse(question)
        search = self.standalone(question, inputs.get("history") or [])
        standalone = Question(text=question.text, search=search, script=question.script)
        return {**inputs, "started": started, "parsed": standalone, "parts": parts(search)}

    def standalone(self, question: Question, history: list[Turn]) -> str:
        """The question as it would be asked on its own (那广东呢？ → 广东…有多少个…), normalised for search."""
        history = [Turn(role=t.role, content=normalise(t.content)) for t in history if t.content.strip()]
        return normalise(self.answerer.rewrite(question, history)) if history else question.search

    def _is_self_check(self, state: dict[str, Any]) -> bool:
        return self.self_check is not None and self.self_check.claims(state["parsed"].search)

    def _check(self, state: dict[str, Any]) -> Iterator[dict[str, Any]]:
        t = time.perf_counter()
        draft = self.self_check.answer(state["parsed"].search)
        yield {"delta": draft.answer}
        yield {"answer": self._contract({**state, "docs": [], "retrieve_ms": 0.0}, draft, _ms(t))}

    @staticmethod
    def _is_compound(state: dict[str, Any]) -> bool:
        return len(state["parts"]) > 1

    def _compound(self, state: dict[str, Any]) -> Iterator[dict[str, Any]]:
        t = time.perf_counter()
        script = state["parsed"].script
        whole = self._retrieve(state)
        retrieve_ms, docs = whole["retrieve_ms"], {d.metadata["chunk_id"]: d for d in whole["docs"]}
        whole_draft = self._draft(whole)
        pieces = state["parts"]
        first = [Turn(role="user", content=pieces[0])]
        answers: list[tuple[str, Draft]] = []
        for i, piece in enumerate(pieces):
            if i and answered_already(piece, [whole_draft, *(draft for _, draft in answers)]):
                continue
            asked = Question(text=piece, search=piece, script=script)
            search = normalise(self.answerer.rewrite(asked, first)) if i else piece
            part = self._retrieve({**state, "parsed": replace(asked, search=search)})
            retrieve_ms += part["retrieve_ms"]
            docs.update({d.metadata["chunk_id"]: d for d in part["docs"]})
            answers.append((piece, self._draft(part)))
        draft = self._with_filter_note(merge(whole_draft, answers, script), state.get("filters"), script)
        yield {"delta": draft.answer}
        done = {**whole, "docs": list(docs.values()), "retrieve_ms": retrieve_ms}
        yield {"answer": self._contract(done, draft, round(_ms(t) - retrieve_ms, 1))}

    def _draft(self, state: dict[str, Any]) -> Draft:
        return next(piece for piece in self.answerer.stream(state["parsed"], state["docs"]) if isinstance(piece, Draft))

    @staticmethod
    def _with_filter_note(draft: Draft, filters: Filters | None, script) -> Draft:
        if draft.answered or filters is None or not filters.describe():
            return draft
        return replace(draft, answer=draft.answer + in_script(FILTERED_NOTE.format(filters=filters.describe()), script))

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        t = time.perf_counter()
        # The question's one embedding: retrieval searches with it, the answerer weighs sentences with it.
        question = replace(state["parsed"], vector=self.retriever.embed_query(state["parsed"].search))
        docs = self.retriever.invoke(
            question.search, filters=state.get("filters"), k=state.get("top_k") or self.top_k, vector=question.vector
        )
        return {**state, "parsed": question, "docs": docs, "retrieve_ms": _ms(t)}

    def _answer(self, state: dict[str, Any]) -> Iterator[dict[str, Any]]:
        t = time.perf_counter()
        draft: Draft | None = None
        for piece in self.answerer.stream(state["parsed"], state["docs"]):
            if isinstance(piece, Draft):
                draft = piece
            else:
                yield {"delta": piece}
        assert draft is not None, "an answerer's stream ends with its Draft"
        noted = self._with_filter_note(draft, state.get("filters"), state["parsed"].script)
        if noted is not draft:
            yield {"delta": noted.answer[len(draft.answer) :]}
        draft = noted
        yield {"answer": self._contract(state, draft, _ms(t))}

    def _contract(self, state: dict[str, Any], draft: Draft, answer_ms: float) -> Answer:
        retrieved = [
            Retrieved(doc_id=d.metadata["doc_id"], chunk_id=d.metadata["chunk_id"], score=round(d.metadata["score"], 6), text=d.page_content)
            for d in state["docs"]
        ]
        return Answer(
            question=state["parsed"].text,
            answer=draft.answer,
            answered=draft.answered,
            backend=self.answerer.name,
            fallback=draft.fallback,
            citations=draft.citations,
            retrieved=retrieved,
            timings_ms=Timings(retrieve=state["retrieve_ms"], answer=answer_ms, total=_ms(state["started"])),
        )

    def stream(
        self, question: str, history: list[Turn] | None = None, top_k: int | None = None, filters: Filters | None = None
    ) -> Iterator[dict[str, Any]]:
        """Raises QuestionError at once, before any event, when the question cannot be asked: callers turn
        that into a 422 or a message before a response or a chat turn has started."""
        inputs = {"question": parse(question), "history": history or [], "top_k": top_k, "filters": filters}
        return self.runnable.stream(inputs)

    def ask(self, question: str, history: list[Turn] | None = None, top_k: int | None = None, filters: Filters | None = None) -> Answer:
        final = None
        for event in self.stream(question, history, top_k, filters):
            final = event.get("answer", final)
        return final
