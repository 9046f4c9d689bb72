"""Suggested follow-ups over the real seed library: at most three, each one answered when asked, and none
answered with the text already shown."""

from __future__ import annotations

import pytest

from assistant.answering.rewrite import sibling_questions
from assistant.answering.suggest import MAX_SUGGESTIONS, suggest
from assistant.api.ui import ENTERPRISE_EXAMPLES, OFFICIAL_EXAMPLES
from assistant.schema import Turn


def test_the_question_is_asked_again_of_what_the_sources_name_in_their_order():
    text = "山东、浙江均以23个并列榜首，广东、江苏新增8个以上；东部地区156个。"
    assert sibling_questions("浙江现在有多少个国家级集群？", text) == [
        "山东现在有多少个国家级集群？", "广东现在有多少个国家级集群？", "江苏现在有多少个国家级集群？",
    ]  # fmt: skip
    assert sibling_questions("广东计划培育多少家专精特新中小企业？", "1万家专精特新中小企业、1000家小巨人") == ["广东计划培育多少家小巨人？"]
    assert sibling_questions("国家级集群的称号管几年？", text) == []  # another level is not offered


@pytest.mark.parametrize("question", [*OFFICIAL_EXAMPLES, *ENTERPRISE_EXAMPLES])
def test_suggestions_are_few_and_each_is_answered_differently(ingested, question):
    shown = ingested.chain.ask(question)
    found = suggest(ingested.chain, question, [], shown)
    assert len(found) <= MAX_SUGGESTIONS and question not in found
    for follow_up in found:
        answer = ingested.chain.ask(follow_up)
        assert answer.answered and answer.answer != shown.answer, (follow_up, answer.answer)


def test_a_follow_up_is_varied_in_its_standalone_form(ingested):
    history = [Turn(role="user", content=OFFICIAL_EXAMPLES[0]), Turn(role="assistant", content="浙江增至23个。")]
    shown = ingested.chain.ask("那广东呢？", history)
    found = suggest(ingested.chain, "那广东呢？", history, shown)
    assert found and all(q.endswith("现在有多少个国家级中小企业特色产业集群？") for q in found)
    assert not any(q.startswith(("广东", "浙江")) for q in found)  # neither this question nor one asked before
