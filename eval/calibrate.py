"""Choose the refusal threshold (`SME_MIN_EVIDENCE`) on a Q&A set.

For every question it records the best evidence score the extractive answerer sees, then sweeps the
threshold: the chosen one declines the most unanswerable questions while declining at most
`--max-false-refusals` of the answerable ones. `python -m eval.calibrate [--qa FILE]`
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.answering.query import normalise, parse
from assistant.container import build_assistant
from assistant.schema import Turn

from .runner import QA_DEFAULT, load_qa


def best_scores(assistant, items) -> list[tuple[float, bool]]:
    out = []
    chain = assistant.chain
    for qa in items:
        question = parse(qa.question)
        history = [Turn(role=t["role"], content=normalise(t["content"])) for t in qa.history]
        search = normalise(assistant.extractive.rewrite(question, history)) if history else question.search
        question = question.__class__(text=question.text, search=search, script=question.script)
        docs = chain.retriever.invoke(search)
        _, ranked = assistant.extractive.score(question, docs)
        out.append((assistant.extractive.evidence(ranked), qa.answerable))
    return out


def sweep(scores: list[tuple[float, bool]], max_false: float) -> tuple[float, float, float]:
    """(threshold, refusal accuracy, false-refusal rate) of the best threshold: the lowest one that declines
    the most unanswerable questions, since every step above it only adds false refusals."""
    pos = [s for s, a in scores if a]
    neg = [s for s, a in scores if not a]
    best = (0.0, 0.0, 0.0)
    for t in sorted({round(s, 3) for s, _ in scores} | {0.0}):
        false = sum(s < t for s in pos) / len(pos)
        refused = sum(s < t for s in neg) / len(neg)
        if false <= max_false and refused > best[1]:
            best = (t, refused, false)
    return best


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.calibrate")
    p.add_argument("--qa", type=Path, default=QA_DEFAULT)
    p.add_argument("--max-false-refusals", type=float, default=0.03)
    args = p.parse_args(argv)
    scores = best_scores(build_assistant(), load_qa(args.qa))
    threshold, refused, false = sweep(scores, args.max_false_refusals)
    print(f"threshold {threshold:.3f}: refusal accuracy {refused:.3f}, false refusals {false:.3f}")
    for s, answerable in sorted(scores):
        print(f"{s:.3f} {'answerable' if answerable else 'UNANSWERABLE'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
