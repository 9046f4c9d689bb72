"""Latency of the served API, against the HTTP round trip alone and the in-server chain time, in one run.

    python -m eval.bench_api [--sequential 50] [--clients 16] [--seconds 60] [--port 0]
                             [--max-concurrency N] [--queue-seconds S]

Starts `python app.py` on a free loopback port over the index the settings name (as `make run`), times
start-up to a ready /api/health, sends `--sequential` POST /api/ask one after another and then runs
`--clients` concurrent clients, each asking one question after another for `--seconds`, cycling through
the Q&A set's questions. Prints answers/s (200s per second of the concurrent run), p50/p95 latency,
the error count (non-200s, timeouts and refused connections) and the server's peak RSS from /proc. Baselines from the same run: GET /api/health (HTTP + framework
only) and `timings_ms.total` of each answer (the chain inside the server, without HTTP). Everything
stays on 127.0.0.1 and every request has a timeout; the server is stopped at the end.

By default every client gets a slot, so the concurrent run measures queueing for CPU. With
`--max-concurrency 8` (the default setting) it measures overload instead: how many requests the short
queue (`--queue-seconds`, SME_QUEUE_SECONDS) serves and how many get 429.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from assistant.settings import PROJECT_ROOT

from .runner import QA_DEFAULT, load_qa, percentile

TIMEOUT = 120.0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def row(name: str, ms: list[float], note: str = "") -> str:
    if not ms:
        return f"| {name} | 0 | – | – | {note} |"
    return f"| {name} | {len(ms)} | {statistics.median(ms):.0f} | {percentile(ms, 0.95):.0f} | {note} |"


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(port: int, max_concurrency: int, queue_seconds: float | None) -> tuple[subprocess.Popen, float]:
    env = {**os.environ, "SME_MAX_CONCURRENCY": str(max_concurrency)}
    if queue_seconds is not None:
        env["SME_QUEUE_SECONDS"] = str(queue_seconds)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/api/health"
    while time.perf_counter() - started < 300:
        if proc.poll() is not None:
            raise SystemExit(f"服务启动失败：{proc.stderr.read()[-2000:]}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return proc, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("服务在 300 秒内没有就绪")


def timed_post(client: httpx.Client, question: str) -> tuple[int, float, float | None]:
    """(status, end-to-end ms, the server's own chain ms); status 0 when no response came."""
    started = time.perf_counter()
    try:
        response = client.post("/api/ask", json={"question": question})
    except httpx.HTTPError:
        return 0, (time.perf_counter() - started) * 1000, None
    ms = (time.perf_counter() - started) * 1000
    chain_ms = response.json()["timings_ms"]["total"] if response.status_code == 200 else None
    return response.status_code, ms, chain_ms


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.bench_api")
    p.add_argument("--qa", type=Path, default=QA_DEFAULT)
    p.add_argument("--sequential", type=int, default=50)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=float, default=60, help="how long the concurrent clients ask")
    p.add_argument("--port", type=int, default=0, help="0 = a free port")
    p.add_argument("--max-concurrency", type=int, default=0, help="the server's SME_MAX_CONCURRENCY; 0 = one slot per client")
    p.add_argument("--queue-seconds", type=float, default=None, help="the server's SME_QUEUE_SECONDS; default: its setting")
    args = p.parse_args(argv)
    if not 1 <= args.sequential <= 2000 or not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 3600:
        p.error("参数超出范围（sequential ≤ 2000，clients ≤ 64，seconds 为 1–3600）")
    questions = [q.question for q in load_qa(args.qa) if not q.history]
    port = args.port or free_port()
    proc, startup_s = start_server(port, args.max_concurrency or args.clients, args.queue_seconds)
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
            health_ms = []
            for _ in range(50):
                started = time.perf_counter()
                client.get("/api/health").raise_for_status()
                health_ms.append((time.perf_counter() - started) * 1000)
            sequential = [timed_post(client, questions[i % len(questions)]) for i in range(args.sequential)]

        started = time.perf_counter()
        deadline = started + args.seconds

        def one_client(k: int) -> list[tuple[int, float, float | None]]:
            results, i = [], k * 7  # clients start at different questions
            with httpx.Client(base_url=base, timeout=TIMEOUT) as c:
                while time.perf_counter() < deadline:
                    results.append(timed_post(c, questions[i % len(questions)]))
                    i += 1
            return results

        with ThreadPoolExecutor(args.clients) as pool:
            concurrent = [r for batch in pool.map(one_client, range(args.clients)) for r in batch]
        wall = time.perf_counter() - started
        rss = peak_rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()

    def ok(results):
        return [ms for status, ms, _ in results if status == 200]

    def chain(results):
        return [c for status, _, c in results if status == 200 and c is not None]

    def failed(results):
        return sum(status != 200 for status, _, _ in results)

    def shares(results) -> str:
        counts: dict[int, int] = {}
        for status, _, _ in results:
            counts[status] = counts.get(status, 0) + 1
        return ", ".join(f"{status}: {n / len(results):.0%}" for status, n in sorted(counts.items()))

    env = ", ".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("SME_")) or "no SME_ settings"
    print(f"{len(questions)} questions cycled; {env}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}; loopback\n")
    print("| measurement | n | p50 ms | p95 ms | note |\n|---|---|---|---|---|")
    print(row("baseline: GET /api/health", health_ms, "HTTP + FastAPI only"))
    print(row("POST /api/ask, sequential", ok(sequential), f"{failed(sequential)} non-200"))
    print(row("  … chain inside the server", chain(sequential), "timings_ms.total"))
    limits = f"SME_MAX_CONCURRENCY={args.max_concurrency or args.clients}, SME_QUEUE_SECONDS={args.queue_seconds if args.queue_seconds is not None else 'default'}"
    conc_note = f"{args.clients} clients for {wall:.0f} s; {len(ok(concurrent)) / wall:.1f} answers/s; {failed(concurrent)} errors; {shares(concurrent)}; {limits}"
    print(row(f"POST /api/ask, {args.clients} concurrent clients", ok(concurrent), conc_note))
    print(row("  … chain inside the server", chain(concurrent), "timings_ms.total"))
    print(f"| start-up to ready /api/health | 1 | {startup_s * 1000:.0f} | – | process start → 200 |")
    print(f"| peak RSS of the server | 1 | – | – | {rss:.0f} MB (VmHWM) |")
    print(f"\n{args.clients} concurrent clients: {len(ok(concurrent)) / wall:.1f} answers/s, {failed(concurrent)} errors")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
