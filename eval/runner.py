"""Score the assistant on a Q&A file, side by side with two baselines on the same index.

Systems:
- `pipeline`: the assistant itself (hybrid retrieval + the configured answerer);
- `dense`: vanilla LangChain, Chroma `similarity_search` top-k, the top chunk as the answer;
- `bm25`: BM25 over jieba tokens only, the top chunk as the answer.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from assistant.answering.query import normalise
from assistant.container import Assistant
from assistant.schema import Answer, Citation, Retrieved, Timings, Turn
from assistant.script import to_simplified

QA_DEFAULT = Path(__file__).parent / "qa.jsonl"
SYSTEMS = ("pipeline", "dense", "bm25")
_MARKER = re.compile(r"\[\d+\]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class QA:
    id: str
    question: str
    answers: list[list[str]]
    answerable: bool
    sources: list[str]
    type: str
    script: str
    history: list[dict] = field(default_factory=list)


@dataclass
class Outcome:
    id: str
    type: str
    answerable: bool
    answered: bool
    answer: str
    recall: float | None
    rank: int | None
    """1-based rank of the first retrieved chunk that supports the answer (None: not retrieved)."""
    citations_ok: int
    citations: int
    grounded: bool | None
    latency_ms: float
    cited: list[str] = field(default_factory=list)


def load_qa(path: Path) -> list[QA]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                items.append(QA(**json.loads(line)))
            except (ValueError, TypeError) as exc:
                raise SystemExit(f"{path}:{n}: 不是有效的问答条目：{exc}") from exc
    return items


def _s(text: str) -> str:
    return to_simplified(text).replace(" ", "")


def fact_recall(qa: QA, text: str) -> float:
    answer = _s(text)
    return sum(any(_s(alt) in answer for alt in group) for group in qa.answers) / len(qa.answers)


def names_of(doc_id: str, meta) -> set[str]:
    """What a Q&A item may name a source by: its doc_id, its date (the seeds), or its file name (the policy suite)."""
    return {doc_id, meta.date, PurePosixPath(meta.path).name} - {None}


def supports(qa: QA, names: set[str], text: str) -> bool:
    """A chunk from a supporting document that holds at least half of the answer's key facts."""
    if not names & set(qa.sources):
        return False
    return fact_recall(qa, text) >= 0.5


def grounded(answer: str, citations: list[Citation]) -> bool:
    """Every number in the answer appears in a cited quote or in a cited document's date."""
    evidence = " ".join(_s(c.quote) for c in citations)
    dates = {part.lstrip("0") or "0" for c in citations if c.date for part in c.date.split("-")}
    return all(n in evidence or n.lstrip("0") in dates for n in _NUMBER.findall(_MARKER.sub("", _s(answer))))


def _outcome(qa: QA, answer: Answer, names: dict[str, set[str]], latency_ms: float) -> Outcome:
    rank = next(
        (i for i, r in enumerate(answer.retrieved, 1) if supports(qa, names.get(r.doc_id, {r.doc_id}), r.text)), None
    )
    ok = sum(bool(names.get(c.doc_id, {c.doc_id, c.date}) & set(qa.sources)) for c in answer.citations)
    return Outcome(
        id=qa.id,
        type=qa.type,
        answerable=qa.answerable,
        answered=answer.answered,
        answer=answer.answer,
        recall=fact_recall(qa, answer.answer) if qa.answerable and answer.answered else (0.0 if qa.answerable else None),
        rank=rank if qa.answerable else None,
        citations_ok=ok if qa.answerable else 0,
        citations=len(answer.citations) if qa.answerable else 0,
        grounded=grounded(answer.answer, answer.citations) if answer.answered else None,
        latency_ms=latency_ms,
        cited=[c.date or c.doc_id for c in answer.citations],
    )


class Runner:
    def __init__(self, assistant: Assistant, k: int = 5):
        self.assistant = assistant
        self.k = k
        self.names = {doc_id: names_of(doc_id, meta) for doc_id, (meta, _) in assistant.store.manifest().items()}

    def pipeline(self, qa: QA) -> Answer:
        history = [Turn(**t) for t in qa.history]
        return self.assistant.chain.ask(qa.question, history=history)

    def top_chunk(self, qa: QA, mode: str) -> Answer:
        """A baseline: retrieve, then hand back the top chunk as the answer, citing it."""
        started = time.perf_counter()
        query = normalise(" ".join([*(t["content"] for t in qa.history if t["role"] == "user"), qa.question]))
        if mode == "dense":
            hits = self.assistant.store.vectorstore(self.assistant.embeddings).similarity_search(query, k=self.k)
            docs = [(d.metadata["doc_id"], d.id, d.page_content, d.metadata) for d in hits]
        else:
            hits = self.assistant.retriever.keyword_index().search(query, self.k)
            docs = [(h.meta["doc_id"], h.chunk_id, h.text, h.meta) for h in hits]

        retrieved = [Retrieved(doc_id=d, chunk_id=c, score=0.0, text=t) for d, c, t, _ in docs]
        citations = []
        if docs:
            _, _, _, meta = docs[0]
            citations = [
                Citation(n=1, doc_id=meta["doc_id"], title=meta["title"], source=meta["source"], date=meta.get("date"),
                         url=meta.get("url"), quote=meta["text"], quality="low" if meta.get("quality_low") else "ok")
            ]
        elapsed = (time.perf_counter() - started) * 1000
        return Answer(question=qa.question, answer=docs[0][3]["text"] if docs else "", answered=bool(docs),
                      backend="extractive", citations=citations, retrieved=retrieved, timings_ms=Timings(total=elapsed))

    def run(self, items: list[QA], systems=SYSTEMS) -> dict[str, list[Outcome]]:
        results: dict[str, list[Outcome]] = {s: [] for s in systems}
        for qa in items:
            for system in systems:
                answer = self.pipeline(qa) if system == "pipeline" else self.top_chunk(qa, system)
                results[system].append(_outcome(qa, answer, self.names, answer.timings_ms.total))
        return results


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def percentile(values: list[float], q: float) -> float | None:
    """The q-quantile by rank (no interpolation); the benchmarks report the same figure."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _pct(values: list[float], q: float) -> float | None:
    value = percentile(values, q)
    return None if value is None else round(value, 1)


def metrics(outcomes: list[Outcome]) -> dict[str, float | None]:
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    answered = [o for o in outcomes if o.answered]
    ranks = [o.rank for o in answerable]
    latencies = [o.latency_ms for o in outcomes]
    cited = sum(o.citations for o in answerable if o.answered)
    return {
        "n": len(outcomes),
        "hit@1": _mean([1.0 if r == 1 else 0.0 for r in ranks]),
        "hit@5": _mean([1.0 if r and r <= 5 else 0.0 for r in ranks]),
        "mrr": _mean([1.0 / r if r else 0.0 for r in ranks]),
        "key_fact_recall": _mean([o.recall for o in answerable]),
        "refusal_accuracy": _mean([0.0 if o.answered else 1.0 for o in unanswerable]),
        "false_refusal_rate": _mean([0.0 if o.answered else 1.0 for o in answerable]),
        "citation_accuracy": round(sum(o.citations_ok for o in answerable if o.answered) / cited, 3) if cited else None,
        "number_grounding": _mean([1.0 if o.grounded else 0.0 for o in answered]),
        "latency_p50_ms": _pct(latencies, 0.5),
        "latency_p95_ms": _pct(latencies, 0.95),
    }


def summarise(results: dict[str, list[Outcome]]) -> dict:
    summary = {"overall": {s: metrics(o) for s, o in results.items()}, "by_type": {}}
    types = sorted({o.type for o in next(iter(results.values()))})
    for t in types:
        summary["by_type"][t] = {s: metrics([o for o in outs if o.type == t]) for s, outs in results.items()}
    return summary


def failures(outcomes: list[Outcome]) -> list[Outcome]:
    """Worst first: wrong refusals and wrong answers, then missing facts, then bad citations or numbers."""

    def badness(o: Outcome) -> float:
        if not o.answerable:
            return 2.0 if o.answered else 0.0
        bad = (1 - (o.recall or 0)) + (1.0 if not o.answered else 0.0)
        bad += 0.5 * (o.citations - o.citations_ok) / max(1, o.citations)
        bad += 1.0 if o.grounded is False else 0.0
        return bad

    return sorted((o for o in outcomes if badness(o) > 0), key=lambda o: (-badness(o), o.id))


def to_json(results: dict[str, list[Outcome]], summary: dict) -> dict:
    return {"summary": summary, "outcomes": {s: [asdict(o) for o in outs] for s, outs in results.items()}}
