"""The evaluation's quality gates: the full pipeline must meet its thresholds on both suites.

- seeds: eval/qa.jsonl on the corpus, against eval/thresholds.json;
- policy: the test half of the government-document suite (eval/documents/ beside the corpus), against
  eval/thresholds_policy.json. Its dev half was used for tuning; test never was.
"""

import json

import pytest

from assistant.container import Assistant
from eval.__main__ import THRESHOLDS
from eval.report import gate
from eval.runner import QA_DEFAULT, Runner, load_qa, summarise
from eval.suites import POLICY_SPLITS, POLICY_THRESHOLDS, policy_documents, policy_settings

from .conftest import make_settings


def missed(assistant: Assistant, qa_path, thresholds_path) -> dict:
    results = Runner(assistant).run(load_qa(qa_path), systems=("pipeline",))
    outcome = gate(summarise(results), json.loads(thresholds_path.read_text()))
    return {name: value for name, (value, ok) in outcome.items() if not ok}


def test_pipeline_meets_every_threshold(ingested):
    assert missed(ingested, QA_DEFAULT, THRESHOLDS) == {}


@pytest.fixture(scope="module")
def policy_library(tmp_path_factory, model_dir) -> Assistant:
    tmp = tmp_path_factory.mktemp("policy")
    assistant = Assistant(policy_settings(tmp, make_settings(tmp)))
    report = assistant.ingestor.ingest(progress=False)
    assert report.skipped == [], "every policy document must be ingested"
    assert assistant.store.count_documents() == 5 + len(policy_documents())
    return assistant


def test_policy_suite_test_half_meets_every_threshold(policy_library):
    assert missed(policy_library, POLICY_SPLITS["test"], POLICY_THRESHOLDS) == {}
