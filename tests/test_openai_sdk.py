"""/v1/chat/completions through the official `openai` client, unchanged, pointed at the app."""

from __future__ import annotations

import openai
import pytest

from assistant.api.app import create_app
from assistant.schema import Answer

from .conftest import make_settings
from .live_server import corpus_in, serve, wait_ready

KEY = "sdk-test-key"
ZJ_Q = "浙江现在有多少个国家级中小企业特色产业集群？"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, model_dir):
    """The corpus in its own index, behind an API key as a deployment would have it."""
    tmp = tmp_path_factory.mktemp("openai")
    app = create_app(make_settings(tmp, corpus_in(tmp), api_key=KEY))
    app.state.runtime.assistant.ingestor.ingest(progress=False)
    with serve(app) as url:
        wait_ready(url, headers={"Authorization": f"Bearer {KEY}"})
        yield f"{url}/v1"


@pytest.fixture
def client(base_url) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=KEY, max_retries=0, timeout=60)


def ask(client, *messages, **kwargs):
    return client.chat.completions.create(model="sme-assistant", messages=list(messages), **kwargs)


def test_the_model_is_listed(client):
    assert [m.id for m in client.models.list()] == ["sme-assistant"]


def test_an_answer_carries_numbered_sources_in_text_and_in_the_extra_field(client):
    completion = ask(client, {"role": "user", "content": ZJ_Q})
    assert completion.object == "chat.completion" and completion.model == "sme-assistant"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    text = choice.message.content
    assert "23个[1]" in text and "\n\n来源：\n[1] " in text
    citations = completion.model_extra["sme_citations"]
    assert citations[0]["n"] == 1 and any(c["date"] == "2024-09-12" for c in citations)
    assert Answer.model_validate(completion.model_extra["sme_answer"]).citations[0].doc_id == citations[0]["doc_id"]


def test_streaming_builds_the_same_message(client):
    whole = ask(client, {"role": "user", "content": ZJ_Q}).choices[0].message.content
    with ask(client, {"role": "user", "content": ZJ_Q}, stream=True) as stream:
        chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == whole
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert any(c["date"] == "2024-09-12" for c in chunks[-1].model_extra["sme_citations"])


def test_earlier_messages_are_the_history(client):
    first = ask(client, {"role": "user", "content": "2022年首批名单里江苏入选了几个集群？"}).choices[0].message.content
    follow_up = ask(
        client,
        {"role": "system", "content": "你是集群政策助手。"},
        {"role": "user", "content": "2022年首批名单里江苏入选了几个集群？"},
        {"role": "assistant", "content": first},
        {"role": "user", "content": [{"type": "text", "text": "那广东呢？"}]},
        temperature=0.7,
        max_tokens=300,
    )
    assert "7" in follow_up.choices[0].message.content.split("来源：")[0]


def test_errors_reach_the_sdk_as_its_exception_types(client, base_url):
    with pytest.raises(openai.NotFoundError, match="sme-assistant"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": ZJ_Q}])
    with pytest.raises(openai.UnprocessableEntityError, match="不能为空"):
        ask(client, {"role": "user", "content": "  "})
    with pytest.raises(openai.UnprocessableEntityError, match="user"):
        ask(client, {"role": "user", "content": ZJ_Q}, {"role": "assistant", "content": "……"})
    wrong = openai.OpenAI(base_url=base_url, api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError, match="访问密钥无效"):
        ask(wrong, {"role": "user", "content": ZJ_Q})
