"""Split the held-out policy question set once, at random, before any tuning.

Reads eval/documents/qa_all.jsonl, shuffles with random.Random(20261122),
stratified by `answerable`, and writes half to eval/policy_dev.jsonl and the
other half to eval/policy_test.jsonl (order within each file follows qa_all).

Run: python3 eval/documents/split.py
"""
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVAL = HERE.parent
SEED = 20261122


def main() -> None:
    rows = [json.loads(line) for line in (HERE / "qa_all.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(SEED)
    dev_ids, test_ids = set(), set()
    for flag in (True, False):
        group = [r["id"] for r in rows if bool(r["answerable"]) is flag]
        rng.shuffle(group)
        half = len(group) // 2
        dev_ids.update(group[:half])
        test_ids.update(group[half:])
    for name, ids in (("policy_dev.jsonl", dev_ids), ("policy_test.jsonl", test_ids)):
        part = [r for r in rows if r["id"] in ids]
        with open(EVAL / name, "w", encoding="utf-8") as f:
            for r in part:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        una = sum(not r["answerable"] for r in part)
        print(f"{name}: {len(part)} questions, {una} unanswerable")


if __name__ == "__main__":
    main()
