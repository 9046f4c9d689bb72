"""Every example question the chat offers is an evaluation item, and the real assistant answers it with the
item's key facts: a user who clicks an example must get a good answer."""

from __future__ import annotations

import pytest

from assistant.api.ui import ENTERPRISE_EXAMPLES, OFFICIAL_EXAMPLES
from eval.runner import QA_DEFAULT, fact_recall, load_qa

ITEMS = {qa.question: qa for qa in load_qa(QA_DEFAULT) if not qa.history}
EXAMPLES = [*OFFICIAL_EXAMPLES, *ENTERPRISE_EXAMPLES]


def test_every_example_is_an_answerable_eval_item():
    missing = [q for q in EXAMPLES if q not in ITEMS]
    assert missing == []
    assert all(ITEMS[q].answerable for q in EXAMPLES)


@pytest.mark.parametrize("question", EXAMPLES)
def test_each_example_is_answered_with_its_key_facts_and_source(ingested, question):
    qa = ITEMS[question]
    answer = ingested.chain.ask(question)
    assert answer.answered, answer.answer
    assert fact_recall(qa, answer.answer) == 1.0, answer.answer
    assert {c.date for c in answer.citations} & set(qa.sources), [c.date for c in answer.citations]
