"""The embedding backends side by side: speed, and agreement with the fp32 torch model they come from.

    python -m eval.bench_embed [--rounds 3] [--backends torch,onnx,onnx-int8]

Texts are what ingest embeds for both eval suites' libraries: every chunk of corpus/ and eval/documents/
(with its title, as ingest embeds it) and every sentence the answerer weighs; queries are the seed
questions. Backends are built from Settings (batch size and threads as configured), each warmed up, and
run in turn round by round, so load from other processes falls on all of them alike. Prints passages/s
(median over rounds), query p50/p95, and the cosine of each backend's vectors to torch's: min and mean
over every passage (the issue's check: min ≥ 0.99).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from langchain_core.documents import Document

from assistant.answering.sentence_vectors import chunk_sentences
from assistant.ingest.chunk import chunk_document
from assistant.ingest.document import build_document
from assistant.ingest.ingestor import discover
from assistant.library.embeddings import build_embeddings
from assistant.script import to_simplified
from assistant.settings import Settings

from .runner import QA_DEFAULT, load_qa, percentile
from .suites import policy_documents


def library_texts(settings: Settings) -> tuple[list[str], list[str]]:
    """(chunk texts as ingest embeds them, distinct sentences) of the corpus plus the policy documents."""
    chunks, sentences = [], set()
    for path in [*discover([settings.corpus_dir]), *policy_documents()]:
        doc = build_document(path, path.name)
        title = to_simplified(doc.meta.title)
        for chunk in chunk_document(doc, settings.chunk_max_chars, settings.chunk_min_chars, settings.chunk_overlap_sentences):
            chunks.append(chunk.embedding_text(title))
            sentences |= chunk_sentences(Document(page_content=chunk.text_simplified))
    return chunks, sorted(sentences)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.bench_embed", description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--backends", default="torch,onnx,onnx-int8")
    args = p.parse_args(argv)
    backends = args.backends.split(",")
    if "torch" not in backends:
        p.error("torch 是比较基准，--backends 必须包含 torch")

    settings = Settings()
    chunks, sentences = library_texts(settings)
    passages = chunks + sentences
    queries = [q.question for q in load_qa(QA_DEFAULT)]
    models = {b: build_embeddings(settings.model_copy(update={"embedding_backend": b})) for b in backends}
    for model in models.values():
        model.embed_documents(passages[:8])  # warm-up: loading, first-call allocations, thread pools
        model.embed_query(queries[0])

    rates: dict[str, list[float]] = {b: [] for b in backends}
    query_ms: dict[str, list[float]] = {b: [] for b in backends}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.rounds):
        for backend, model in models.items():
            started = time.perf_counter()
            vectors[backend] = np.array(model.embed_documents(passages))
            rates[backend].append(len(passages) / (time.perf_counter() - started))
            for q in queries:
                started = time.perf_counter()
                model.embed_query(q)
                query_ms[backend].append((time.perf_counter() - started) * 1000)

    threads = settings.embedding_threads or f"default ({os.cpu_count()} CPUs)"
    print(
        f"{len(chunks)} chunks + {len(sentences)} sentences = {len(passages)} passages "
        f"({np.mean([len(t) for t in passages]):.0f} chars on average), {len(queries)} queries; "
        f"{args.rounds} rounds, batch {settings.embedding_batch_size}, threads {threads}, load {os.getloadavg()[0]:.1f}\n"
    )
    print("| backend | passages/s (median) | speed-up vs torch | query p50 ms | query p95 ms | min cosine to torch | mean cosine |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    base = statistics.median(rates["torch"])
    for backend in backends:
        cos = (vectors[backend] * vectors["torch"]).sum(axis=1)
        rate = statistics.median(rates[backend])
        print(
            f"| {backend} | {rate:.1f} | {rate / base:.2f}x | {statistics.median(query_ms[backend]):.1f} "
            f"| {percentile(query_ms[backend], 0.95):.1f} | {cos.min():.5f} | {cos.mean():.5f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
