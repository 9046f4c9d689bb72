"""BM25 engines side by side on generated chunks, with the project's own tokens (`tokens.search_tokens`).

    python -m eval.bench_keywords [--chunks 5000 20000] [--queries 100]

For each size it tokenises the chunks once (the cost ingest now pays, once per chunk), then runs each
engine in its own process so that RSS is its own: rank_bm25 (what the retriever used before), bm25s
(Robertson's formula, rank_bm25's k1 and b), and tantivy with pre-tokenised text. It prints build time,
query p50/p95 (the questions of eval/qa.jsonl, top 20), RSS after build and queries, size on disk, the
cost of adding one document of 15 chunks to a built index (bm25s and rank_bm25 have no incremental
update: they rebuild), and how many of rank_bm25's top 20 each engine's top 20 holds. For tantivy it
also gives how many its top 100 hold: the retriever rescores those 100 with rank_bm25's formula.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.ingest.chunk import chunk_document
from assistant.ingest.document import build_document
from assistant.library.tokens import search_tokens

from .runner import QA_DEFAULT, load_qa, percentile
from .synthetic import base_sentences, document

ENGINES = ("rank_bm25", "bm25s", "tantivy")
ADDED_CHUNKS = 15


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) / 1024


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def generated_chunks(count: int, folder: Path) -> list[str]:
    base, rng, out, n = base_sentences(), random.Random(11), [], 0
    while len(out) < count:
        path = folder / f"g{n}.txt"
        path.write_text(document(n, base, rng).text, encoding="utf-8")
        out += [c.text_simplified for c in chunk_document(build_document(path, path.name))]
        n += 1
    return out[:count]


def run_engine(engine: str, data: Path, work: Path) -> dict:
    """In a child process: build, query, update, measure."""
    corpus, added, queries, reference = pickle.loads(data.read_bytes())
    started = time.perf_counter()
    if engine == "rank_bm25":
        from rank_bm25 import BM25Okapi

        index = BM25Okapi(corpus)

        def search(q, k=20):
            return top(index.get_scores(q), k)

        def update():
            BM25Okapi(corpus + added)
    elif engine == "bm25s":
        import bm25s

        def build(docs):
            vocab: dict[str, int] = {}
            ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in docs]
            model = bm25s.BM25(method="robertson", k1=1.5, b=0.75)
            model.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
            model.save(str(work / "bm25s"))
            return model, vocab

        index, vocab = build(corpus)

        def search(q, k=20):
            known = [vocab[t] for t in q if t in vocab]
            return top(index.get_scores(known), k) if known else []

        def update():
            build(corpus + added)
    else:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
        builder.add_text_field("tokens", tokenizer_name="raw", index_option="freq")
        schema = builder.build()
        (work / "tantivy").mkdir()
        index = tantivy.Index(schema, path=str(work / "tantivy"))

        def add(writer, i, tokens):
            doc = tantivy.Document()
            doc.add_text("id", str(i))
            doc.add_pre_tokenized_text("tokens", tantivy.PreTokenizedString("", [tantivy.Token(t, p, 0, 0) for p, t in enumerate(tokens)]))
            writer.add_document(doc)

        writer = index.writer(50_000_000, 1)
        for i, tokens in enumerate(corpus):
            add(writer, i, tokens)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()

        def search(q, k=20):
            query = tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(schema, "tokens", t)) for t in q])
            searcher = index.searcher()
            return [int(searcher.doc(address)["id"][0]) for _, address in searcher.search(query, k).hits]

        def update():
            writer = index.writer(50_000_000, 1)
            for i, tokens in enumerate(added):
                add(writer, len(corpus) + i, tokens)
            writer.commit()
            writer.wait_merging_threads()
            index.reload()

    build_s = time.perf_counter() - started
    timings, held, held_100 = [], 0, 0
    for q, best in zip(queries, reference):
        t = time.perf_counter()
        found = search(q)
        timings.append((time.perf_counter() - t) * 1000)
        held += len(best & set(found))
        held_100 += len(best & set(search(q, 100))) if engine == "tantivy" else 0
    expected = max(1, sum(len(b) for b in reference))
    t = time.perf_counter()
    update()
    update_s = time.perf_counter() - t
    return {
        "build_s": build_s, "p50_ms": statistics.median(timings), "p95_ms": percentile(timings, 0.95),
        "rss_mb": rss_mb(), "disk_mb": disk_mb(work) if engine != "rank_bm25" else 0.0, "update_s": update_s,
        "same_top20": held / expected, "top100_holds": held_100 / expected if engine == "tantivy" else None,
    }


def top(scores, k: int) -> list[int]:
    scores = np.asarray(scores)
    return [int(i) for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > 0]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.bench_keywords")
    p.add_argument("--chunks", type=int, nargs="+", default=[5000, 20000])
    p.add_argument("--queries", type=int, default=100)
    p.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)  # child mode
    p.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.engine:
        with tempfile.TemporaryDirectory(prefix="bench-kw-") as work:
            print(json.dumps(run_engine(args.engine, args.data, Path(work))))
        return 0

    questions = [search_tokens(q.question) for q in load_qa(QA_DEFAULT)][: args.queries]
    print("| chunks | engine | build s | query p50 ms | query p95 ms | RSS MB | disk MB | add one document (15 chunks) s | rank_bm25's top 20 in its top 20 | … in its top 100 |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for count in args.chunks:
        with tempfile.TemporaryDirectory(prefix="bench-kw-") as tmp:
            tmp = Path(tmp)
            (tmp / "docs").mkdir()
            texts = generated_chunks(count + ADDED_CHUNKS, tmp / "docs")
            started = time.perf_counter()
            tokens = [search_tokens(t) for t in texts]
            tokenise_s = time.perf_counter() - started
            from rank_bm25 import BM25Okapi

            okapi = BM25Okapi(tokens[:count])
            reference = [set(top(okapi.get_scores(q), 20)) for q in questions]
            data = tmp / "data.pickle"
            data.write_bytes(pickle.dumps((tokens[:count], tokens[count:], questions, reference)))
            shutil.rmtree(tmp / "docs")
            for engine in ENGINES:
                out = subprocess.run(
                    [sys.executable, "-m", "eval.bench_keywords", "--engine", engine, "--data", str(data)],
                    capture_output=True, text=True, check=True,
                )
                r = json.loads(out.stdout.strip().splitlines()[-1])
                within = "" if r["top100_holds"] is None else f"{r['top100_holds']:.3f}"
                print(f"| {count:,} | {engine} | {r['build_s']:.1f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
                      f"{r['rss_mb']:.0f} | {r['disk_mb']:.0f} | {r['update_s']:.2f} | {r['same_top20']:.3f} | {within} |", flush=True)
            print(f"| {count:,} | (jieba tokens, once at ingest) | {tokenise_s:.1f} | | | | | | | |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
