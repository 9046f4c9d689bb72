"""`python -m eval [--qa FILE] [--backend extractive|llm] [--json OUT] [--check]`"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.container import build_assistant
from assistant.settings import Settings

from . import report
from .runner import QA_DEFAULT, Runner, failures, load_qa, summarise

HERE = Path(__file__).parent
THRESHOLDS = HERE / "thresholds.json"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval", description="Score the assistant on a Q&A set")
    p.add_argument("--qa", type=Path, default=QA_DEFAULT, help="a JSONL Q&A file (default: eval/qa.jsonl)")
    p.add_argument("--backend", choices=("extractive", "llm"), default=None, help="answer backend (default: from settings)")
    p.add_argument("--json", type=Path, default=None, help="also write the full results to this file")
    p.add_argument("--out", type=Path, default=HERE / "reports", help="report folder (default: eval/reports)")
    p.add_argument("--check", action="store_true", help="exit 1 when a metric misses eval/thresholds.json")
    args = p.parse_args(argv)
    if not args.qa.exists():
        print(f"错误：找不到问答文件 {args.qa}", file=sys.stderr)
        return 2

    overrides = {"llm_base_url": None} if args.backend == "extractive" else {}
    settings = Settings(**overrides)
    if args.backend == "llm" and not (settings.llm_base_url and settings.llm_model):
        print("错误：--backend llm 需要设置 SME_LLM_BASE_URL 和 SME_LLM_MODEL", file=sys.stderr)
        return 2
    items = load_qa(args.qa)
    runner = Runner(build_assistant(settings))
    results = runner.run(items)
    summary = summarise(results)
    thresholds = json.loads(THRESHOLDS.read_text()) if THRESHOLDS.exists() else None
    path = report.write(results, summary, args.out, str(args.qa), thresholds if args.qa == QA_DEFAULT else None, args.json)

    print(path.read_text(encoding="utf-8").split("## Failures")[0])
    print(f"{len(failures(results['pipeline']))} failures listed in {path}")
    if args.check and thresholds:
        missed = [name for name, (_, ok) in report.gate(summary, thresholds).items() if not ok]
        if missed:
            print(f"质量门槛未通过：{', '.join(missed)}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
