"""How the assistant scales: libraries of generated policy documents, 1k to 100k chunks.

    python -m eval.bench_scale [--sizes 1000 10000 100000] [--questions 40] [--rounds 2] [--keep DIR] [--results FILE]

For each size it writes generated documents (`eval/synthetic.py`: corpus sentences with other places,
figures and years), ingests them with the real ingest path, and reports:
- ingest chunks/s: chunks are embedded from a cache of real sentence embeddings (embedding 100k chunks
  with the model would take hours here); the real model's rate on the seed corpus is printed above the
  table, measured in the same run;
- ask p50/p95, warm and in-process (questions of eval/qa.jsonl, embedded by the real model), and vanilla
  LangChain `similarity_search` p50/p95 in the same process, so the ratio holds on a shared machine;
- start-up: seconds from launching `app.py` to a 200 from /api/health;
- answer after upload: seconds from the upload's response (`POST /api/documents`, embedded by the real
  model) to an answer that cites the new document;
- RSS of the served process after those requests, and its peak;
- index size on disk (Chroma, keyword index).
A chart (log-log) goes to eval/reports/scale.png. With `--results FILE` each size's row is appended to a
JSON-lines file and the table and chart show every row in it, so sizes can be measured in separate runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from assistant.container import Assistant
from assistant.library.embeddings import build_embeddings
from assistant.settings import PROJECT_ROOT, Settings

from .runner import QA_DEFAULT, load_qa, percentile
from .synthetic import CachedEmbeddings, write_corpus

CHUNKS_PER_DOCUMENT = 17  # what the generator makes on average, measured
MARK = "磐石县玄武岩纤维产业集群"
UPLOAD = f"{MARK}发展情况\n发布时间：2025-06-01 来源：磐石县工业和信息化局\n\n截至2025年5月，{MARK}现有企业412家，其中规上企业37家，2024年实现产值58.6亿元。\n"
UPLOAD_Q = f"{MARK}现有多少家企业？"
REPORTS = Path(__file__).parent / "reports"


def ms_stats(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), percentile(values, 0.95)


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20 if path.exists() else 0.0


def proc_mb(pid: int, field: str) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith(field)).split()[1]) / 1024


def settings_for(folder: Path) -> Settings:
    return Settings(corpus_dir=folder / "corpus", index_dir=folder / "index")


def real_ingest_rate(real) -> float:
    """Chunks/s of the seed corpus with the real model, into a scratch library."""
    with tempfile.TemporaryDirectory(prefix="scale-seeds-") as tmp:
        assistant = Assistant(Settings(index_dir=Path(tmp) / "index"))
        assistant.__dict__["embeddings"] = real
        report = assistant.ingestor.ingest(progress=False)
        return report.chunks_added / report.seconds


def build(folder: Path, size: int, real) -> dict:
    origin = write_corpus(folder / "corpus", max(1, size // CHUNKS_PER_DOCUMENT))
    assistant = Assistant(settings_for(folder))
    assistant.__dict__["embeddings"] = CachedEmbeddings(real, origin)
    report = assistant.ingestor.ingest(progress=False)
    return {"chunks": assistant.store.count_chunks(), "ingest_chunks_s": report.chunks_added / report.seconds}


def latencies(folder: Path, real, questions: int, rounds: int) -> dict:
    assistant = Assistant(settings_for(folder))
    assistant.__dict__["embeddings"] = real
    items = [q for q in load_qa(QA_DEFAULT) if not q.history][:questions]
    vectorstore = assistant.store.vectorstore(real)
    systems = {"ask": lambda q: assistant.chain.ask(q.question), "vanilla": lambda q: vectorstore.similarity_search(q.question, k=5)}
    out: dict[str, list[float]] = {name: [] for name in systems}
    for round_ in range(rounds + 1):  # round 0 warms the model, the caches and the page cache
        for q in items:
            for name, fn in systems.items():  # interleaved, so both see the same load
                started = time.perf_counter()
                fn(q)
                if round_:
                    out[name].append((time.perf_counter() - started) * 1000)
    return {f"{name}_{stat}": value for name, ms in out.items() for stat, value in zip(("p50", "p95"), ms_stats(ms))}


def served(folder: Path) -> dict:
    """Start-up, answer after upload and RSS of `app.py` on the library."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # this process lets go of the embedded store before the server opens it
    port = free_port()
    env = {**os.environ, "SME_CORPUS_DIR": str(folder / "corpus"), "SME_INDEX_DIR": str(folder / "index"), "SME_OPEN_LIBRARY": "1"}
    started = time.perf_counter()
    app = subprocess.Popen([sys.executable, str(PROJECT_ROOT / "app.py"), "--port", str(port)], env=env, cwd=PROJECT_ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=300) as http:
            while True:
                try:
                    if http.get("/api/health").status_code == 200:
                        break
                except httpx.ConnectError:
                    pass
                if app.poll() is not None:
                    raise RuntimeError("app.py exited during start-up")
                time.sleep(0.1)
            startup = time.perf_counter() - started
            doc = http.post("/api/documents", files={"file": ("upload.txt", UPLOAD.encode(), "text/plain")}).json()["document"]
            uploaded = time.perf_counter()
            while not any(c["doc_id"] == doc["doc_id"] for c in http.post("/api/ask", json={"question": UPLOAD_Q}).json()["citations"]):
                time.sleep(0.05)
            after_upload = time.perf_counter() - uploaded
            return {"startup_s": startup, "answer_after_upload_s": after_upload,
                    "rss_mb": proc_mb(app.pid, "VmRSS"), "peak_rss_mb": proc_mb(app.pid, "VmHWM")}
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=60)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


COLUMNS = [
    ("chunks", "chunks", "{:,}"), ("ask_p50", "ask p50 ms", "{:.0f}"), ("ask_p95", "ask p95 ms", "{:.0f}"),
    ("vanilla_p50", "similarity_search p50 ms", "{:.0f}"), ("vanilla_p95", "similarity_search p95 ms", "{:.0f}"),
    ("answer_after_upload_s", "answer after upload s", "{:.2f}"), ("startup_s", "start-up to ready s", "{:.1f}"),
    ("rss_mb", "RSS MB", "{:.0f}"), ("peak_rss_mb", "peak RSS MB", "{:.0f}"), ("chroma_mb", "Chroma MB", "{:.0f}"),
    ("keywords_mb", "keyword index MB", "{:.0f}"), ("ingest_chunks_s", "ingest chunks/s (cached embeddings)", "{:.1f}"),
]


def table(rows: list[dict]) -> str:
    head = "| " + " | ".join(title for _, title, _ in COLUMNS) + " |\n|" + "---:|" * len(COLUMNS) + "\n"
    return head + "\n".join("| " + " | ".join(fmt.format(r[key]) for key, _, fmt in COLUMNS) + " |" for r in rows)


def chart(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["chunks"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, label in (("ask_p50", "ask p50 (ms)"), ("ask_p95", "ask p95 (ms)"), ("vanilla_p50", "similarity_search p50 (ms)"),
                       ("startup_s", "start-up (s)"), ("answer_after_upload_s", "answer after upload (s)"), ("rss_mb", "RSS (MB)")):
        ax.plot(sizes, [r[key] for r in rows], marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("chunks in the library")
    ax.set_title("python -m eval.bench_scale (2 shared cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.bench_scale")
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    p.add_argument("--questions", type=int, default=40)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--keep", type=Path, default=None, help="build the libraries here and keep them (default: a temporary folder)")
    p.add_argument("--chart", type=Path, default=REPORTS / "scale.png")
    p.add_argument("--results", type=Path, default=None, help="a JSON-lines file: rows are appended, and all its rows are shown")
    args = p.parse_args(argv)
    real = build_embeddings(Settings())
    print(f"ingest with the real model, seed corpus: {real_ingest_rate(real):.1f} chunks/s", flush=True)
    print("libraries below embed chunks and sentences from a cache of real sentence embeddings; questions use the real model\n", flush=True)
    root = args.keep or Path(tempfile.mkdtemp(prefix="sme-scale-"))
    rows = []
    try:
        for size in args.sizes:
            folder = root / f"library-{size}"
            shutil.rmtree(folder, ignore_errors=True)
            row = build(folder, size, real)
            row.update(latencies(folder, real, args.questions, args.rounds))
            row.update(served(folder))
            row.update(chroma_mb=disk_mb(folder / "index" / "chroma"), keywords_mb=disk_mb(folder / "index" / "keywords"))
            rows.append(row)
            print(json.dumps(row), flush=True)
            if args.results:
                with args.results.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(row) + "\n")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    if args.results:
        rows = sorted((json.loads(line) for line in args.results.read_text().splitlines() if line.strip()), key=lambda r: r["chunks"])
    print("\n" + table(rows))
    chart(rows, args.chart)
    print(f"\nchart: {args.chart}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
