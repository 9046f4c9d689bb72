"""Latency of `ask`, warm and in-process, against the two retrieval baselines in the same run.

    python -m eval.bench_ask [--qa FILE] [--rounds N]

Every question of the Q&A set is asked once to warm caches, then `--rounds` more times; the table gives
median and p95 per call for the full pipeline (retrieval + extractive answer), its retrieval step alone,
vanilla LangChain `similarity_search` and BM25 alone. The systems take turns on each question, so that on
a shared machine a burst of load falls on all of them alike, and the last line gives ask's ratio to
similarity_search.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from assistant.answering.query import normalise
from assistant.container import build_assistant
from assistant.schema import Turn

from .runner import QA_DEFAULT, load_qa, percentile


def timed(systems: dict, rounds: int) -> dict[str, list[float]]:
    """Milliseconds per call of each system, the systems interleaved question by question."""
    out: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(rounds):
        for i in range(len(next(iter(systems.values()))[1])):
            for name, (fn, data) in systems.items():
                started = time.perf_counter()
                fn(data[i])
                out[name].append((time.perf_counter() - started) * 1000)
    return out


def row(name: str, ms: list[float]) -> str:
    return f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {percentile(ms, 0.95):.1f} |"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.bench_ask")
    p.add_argument("--qa", type=Path, default=QA_DEFAULT)
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args(argv)
    assistant = build_assistant()
    items = load_qa(args.qa)
    queries = [normalise(q.question) for q in items]
    vectorstore = assistant.store.vectorstore(assistant.embeddings)
    keywords = assistant.retriever.keyword_index()

    def ask(q):
        assistant.chain.ask(q.question, history=[Turn(**t) for t in q.history])

    systems = {
        "ask (full pipeline)": (ask, items),
        "hybrid retrieval only": (lambda q: assistant.retriever.invoke(q), queries),
        "baseline: similarity_search k=5": (lambda q: vectorstore.similarity_search(q, k=5), queries),
        "baseline: BM25 k=5": (lambda q: keywords.search(q, 5), queries),
    }
    timed(systems, 1)  # warm-up: model, caches, keyword index
    print(f"{len(items)} questions × {args.rounds} rounds, warm, in-process, systems interleaved\n")
    print("| system | calls | p50 ms | p95 ms |\n|---|---|---|---|")
    measured = timed(systems, args.rounds)
    for name, ms in measured.items():
        print(row(name, ms))
    ask, vanilla = (statistics.median(measured[n]) for n in ("ask (full pipeline)", "baseline: similarity_search k=5"))
    print(f"\nask p50 / similarity_search p50 = {ask / vanilla:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
