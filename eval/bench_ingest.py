"""Ingest speed on the seeds, this tree against a baseline revision, in one run.

    python -m eval.bench_ingest [--baseline main] [--rounds 2] [--corpus DIR]

Each round builds a fresh index of `--corpus` (default corpus/) once with the baseline's code (a `git
archive` of the revision, run by this venv) and once with this tree's, each in its own process with the
settings from the environment, alternating so load from other processes falls on both alike. In each
process the first ingest is cold (model, jieba and Chroma load on first use), the second, into another
empty index, warm. Prints chunks/s (chunks added / the ingest's own seconds) per run and the medians.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from assistant.settings import PROJECT_ROOT

# Runs in the tree under test; uses only what every revision since the CLI's `ingest` has: the container,
# Settings and the ingest report.
CHILD = """
import json, sys
from assistant.container import build_assistant
from assistant.settings import Settings
corpus, work = sys.argv[1], sys.argv[2]
runs, model = [], None
for name in ("cold", "warm"):
    assistant = build_assistant(Settings(corpus_dir=corpus, index_dir=f"{work}/{name}"))
    if model is not None:
        assistant.__dict__["embeddings"] = model  # the loaded model, in place of the container's cached property
    model = assistant.embeddings
    report = assistant.ingestor.ingest(progress=False)
    runs.append({"run": name, "chunks": report.chunks_added, "seconds": report.seconds})
print(json.dumps(runs))
"""


def unpack(revision: str, into: Path) -> Path:
    """The revision's files (no .git), so its code runs beside this tree's without touching the repository."""
    archive = subprocess.run(["git", "archive", "--format=tar", revision], cwd=PROJECT_ROOT, capture_output=True, check=True)
    into.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into


def ingest_runs(tree: Path, corpus: Path, work: Path) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(tree), "SME_MODEL_CACHE": os.environ.get("SME_MODEL_CACHE", str(PROJECT_ROOT / ".cache" / "models"))}
    done = subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(work)], cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{tree} 的收录失败：\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.bench_ingest", description=__doc__.splitlines()[0])
    p.add_argument("--baseline", default="main", help="git revision to compare with")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="sme-bench-ingest-") as tmp:
        trees = {f"baseline ({args.baseline})": unpack(args.baseline, Path(tmp) / "baseline"), "this tree": PROJECT_ROOT}
        results: dict[str, list[dict]] = {name: [] for name in trees}
        for round_no in range(args.rounds):
            for n, (name, tree) in enumerate(trees.items()):
                runs = ingest_runs(tree, args.corpus.resolve(), Path(tmp) / f"index-{round_no}-{n}")
                results[name] += runs
                for r in runs:
                    print(f"round {round_no + 1}, {name}, {r['run']}: {r['chunks']} chunks in {r['seconds']:.2f} s = {r['chunks'] / r['seconds']:.1f} chunks/s", flush=True)

    backend = os.environ.get("SME_EMBEDDING_BACKEND", "the default")
    print(f"\n{args.corpus}; SME_EMBEDDING_BACKEND={backend} (a baseline without the setting runs torch); {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}\n")
    print("| code | cold chunks/s (median) | warm chunks/s (median) | runs |\n|---|---:|---:|---:|")
    for name, runs in results.items():
        rate = {kind: statistics.median(r["chunks"] / r["seconds"] for r in runs if r["run"] == kind) for kind in ("cold", "warm")}
        print(f"| {name} | {rate['cold']:.1f} | {rate['warm']:.1f} | {len(runs) // 2} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
