"""Where the browser's seconds go between clicking 提问 and the answer, against the API in the same run.

    python -m eval.bench_ui [--rounds 3] [--port 0] [--questions N]

Starts `python app.py` on a free loopback port (settings from the environment, as `make run`) and asks
each question of the UI's examples (and the first `--questions` of the Q&A set) `--rounds` times, taking
turns between:
- the API: POST /api/ask/stream over HTTP, timed to the first `delta` event and to the `answer` event,
  with the server's own chain time (`timings_ms.total`) beside them;
- the chat in Debian's chromium (Playwright): timed inside the page, from the click to the moment the
  answer's first text is in the page (a MutationObserver, not polling), to the moment its whole text
  and all its sources are, and to the moment a "working" indicator appears.

The chat is emptied with 清空对话 before each question, so every question is asked without history, as
the API's is. Prints medians and p95 per measure; the last lines give the browser's extra time over the
API's for the same questions.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path

import httpx

from assistant.api.ui import ENTERPRISE_EXAMPLES, OFFICIAL_EXAMPLES

from .bench_api import free_port, start_server
from .runner import QA_DEFAULT, load_qa, percentile

CHROMIUM = "/usr/bin/chromium"
TIMEOUT = 120.0

# Runs in the page: records performance.now() at the click and at each change of the newest answer.
# "first" is the first moment the answer holds text other than a working indicator; "done" the moment it
# holds the whole final text and every source.
MEASURE_JS = """
([expected, sources, indicators]) => new Promise((resolve) => {
  const chat = document.querySelector('#sme-chat');
  const before = chat.querySelectorAll('.sme-answer').length;
  const squash = (s) => s.replace(/\\s+/g, '');
  const t = {start: performance.now(), busy: null, first: null, done: null};
  const check = () => {
    const now = performance.now();
    if (t.busy === null && chat.querySelectorAll('.sme-answer, .sme-pending').length > before) t.busy = now;
    const answers = chat.querySelectorAll('.sme-answer');
    if (answers.length <= before) return;
    const last = answers[answers.length - 1];
    const text = squash(last.innerText);
    if (t.first === null && text && !indicators.some((i) => text.startsWith(i))) t.first = now;
    const cited = last.parentElement.querySelectorAll('details.sme-source').length;
    if (t.done === null && text === expected && cited >= sources) {
      t.done = now;
      observer.disconnect();
      resolve({busy: t.busy - t.start, first: t.first - t.start, done: t.done - t.start});
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(chat, {childList: true, subtree: true, characterData: true});
  document.querySelector('#sme-send').click();
})
"""
INDICATORS = ["正在查找资料", "正在检索"]


def api_times(client: httpx.Client, question: str, history: list[dict]) -> tuple[float, float, float, dict]:
    """(ms to the first delta, ms to the answer event, the server's chain ms, the answer)."""
    started = time.perf_counter()
    first = None
    event = None
    with client.stream("POST", "/api/ask/stream", json={"question": question, "history": history}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                if event == "delta" and first is None:
                    first = (time.perf_counter() - started) * 1000
                elif event == "answer":
                    done = (time.perf_counter() - started) * 1000
                    answer = json.loads(line.removeprefix("data: "))["answer"]
                    return first if first is not None else done, done, answer["timings_ms"]["total"], answer
                elif event == "error":
                    raise SystemExit(f"回答出错：{line}")
    raise SystemExit(f"事件流没有 answer 事件：{question}")


def row(name: str, ms: list[float]) -> str:
    return f"| {name} | {len(ms)} | {statistics.median(ms):.0f} | {percentile(ms, 0.95):.0f} |"


MEASURES = {
    "chain": "server chain (timings_ms.total)",
    "api_first": "API stream: first delta",
    "api_done": "API stream: answer event",
    "ui_busy": "browser: working indicator shown",
    "ui_first": "browser: first answer text",
    "ui_done": "browser: whole answer with sources",
}


def clear(page) -> None:
    page.locator("#sme-clear").click()
    page.wait_for_function("() => !document.querySelector('#sme-chat .sme-answer')")


def run(page, client: httpx.Client, questions: list[str], rounds: int, mode: str, history_turns: int) -> dict[str, list[float]]:
    """Each question through the API and then the chat. Modes: "emptied" empties the chat first;
    "opened" asks on a page just (re)loaded, as a first-time visitor clicks an example at once;
    "conversation" keeps the chat's turns, and the API is sent the same latest turns the chat sends."""
    measured: dict[str, list[float]] = {k: [] for k in MEASURES}
    for _ in range(rounds):
        history: list[dict] = []
        clear(page)
        for q in questions:
            recent = history[-history_turns:] if mode == "conversation" else []
            api_first, api_done, chain, answer = api_times(client, q, recent)
            history += [{"role": "user", "content": q}, {"role": "assistant", "content": answer["answer"]}]
            measured["api_first"].append(api_first)
            measured["api_done"].append(api_done)
            measured["chain"].append(chain)
            if mode == "emptied":
                clear(page)
            elif mode == "opened":
                page.reload()
            page.locator("#sme-question textarea").fill(q)
            expected = re.sub(r"\s+", "", answer["answer"])
            t = page.evaluate(MEASURE_JS, [expected, len(answer["citations"]), INDICATORS])
            measured["ui_busy"].append(t["busy"])
            measured["ui_first"].append(t["first"])
            measured["ui_done"].append(t["done"])
    return measured


def report(title: str, measured: dict[str, list[float]]) -> None:
    print(f"\n{title}\n\n| measure | n | p50 ms | p95 ms |\n|---|---|---|---|")
    for key, name in MEASURES.items():
        print(row(name, measured[key]))
    extra_first = [u - a for u, a in zip(measured["ui_first"], measured["api_first"])]
    extra_done = [u - a for u, a in zip(measured["ui_done"], measured["api_done"])]
    print(f"\nbrowser minus API, same question: first text p50 {statistics.median(extra_first):.0f} ms "
          f"(p95 {percentile(extra_first, 0.95):.0f}), whole answer p50 {statistics.median(extra_done):.0f} ms "
          f"(p95 {percentile(extra_done, 0.95):.0f})")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.bench_ui")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--questions", type=int, default=8, help="how many Q&A-set questions to add to the UI's examples")
    p.add_argument("--qa", type=Path, default=QA_DEFAULT)
    args = p.parse_args(argv)
    questions = [*OFFICIAL_EXAMPLES, *ENTERPRISE_EXAMPLES]
    questions += [q.question for q in load_qa(args.qa) if not q.history][: args.questions]

    from playwright.sync_api import sync_playwright

    from assistant.settings import Settings

    port = args.port or free_port()
    proc, startup_s = start_server(port, max_concurrency=8, queue_seconds=None)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=TIMEOUT) as client, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.set_default_timeout(TIMEOUT * 1000)
            page.goto(base + "/")
            page.locator("#sme-question textarea").wait_for()
            for q in questions:  # warm-up: caches and every question's first answer
                api_times(client, q, [])
            turns = Settings().max_history_turns
            results = {mode: run(page, client, questions, args.rounds, mode, turns) for mode in ("emptied", "opened", "conversation")}
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    print(f"{len(questions)} questions × {args.rounds} rounds, warm; API and browser take turns on each question")
    print(f"server start-up to ready: {startup_s:.1f} s")
    report("Each question in an emptied chat (the API without history):", results["emptied"])
    report("Each question asked as soon as the page has loaded (the API without history):", results["opened"])
    report(f"One conversation of {len(questions)} questions per round (the API sent the same latest turns):", results["conversation"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
