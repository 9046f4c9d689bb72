"""The evaluation's quality gate: the full pipeline on eval/qa.jsonl must meet eval/thresholds.json."""

import json

from eval.report import gate
from eval.runner import QA_DEFAULT, Runner, load_qa, summarise
from eval.__main__ import THRESHOLDS


def test_pipeline_meets_every_threshold(ingested):
    results = Runner(ingested).run(load_qa(QA_DEFAULT), systems=("pipeline",))
    outcome = gate(summarise(results), json.loads(THRESHOLDS.read_text()))
    missed = {name: value for name, (value, ok) in outcome.items() if not ok}
    assert missed == {}, f"below threshold: {missed}"
