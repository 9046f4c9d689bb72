"""The optional cross-encoder reranker, exercised with a tiny CrossEncoder the test builds itself."""

import pytest
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

from assistant.answering.query import parse
from assistant.container import Assistant


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory, model_dir):
    """Random weights on the offline model's tokenizer: no hub, and scores that differ from retrieval's."""
    folder = tmp_path_factory.mktemp("tiny-ce")
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=512, num_labels=1)
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def test_the_reranker_orders_what_retrieval_found(ingested, tiny_cross_encoder):
    settings = ingested.settings.model_copy(update={"reranker_model": tiny_cross_encoder})
    assistant = Assistant(settings)
    for part in ("embeddings", "store"):
        assistant.__dict__[part] = getattr(ingested, part)
    query = parse("浙江现在有多少个国家级中小企业特色产业集群？").search

    docs = assistant.retriever.invoke(query, k=5)

    assert assistant.reranker is not None and len(docs) == 5
    scores = assistant.reranker.predict([(query, d.page_content) for d in docs])
    penalised = [s - (1.0 if d.metadata.get("quality_low") else 0.0) for s, d in zip(scores, docs)]
    assert penalised == sorted(penalised, reverse=True)
    assert [d.metadata["score"] for d in docs] == pytest.approx(penalised, abs=1e-4)
    answer = assistant.chain.ask("浙江现在有多少个国家级中小企业特色产业集群？")
    assert answer.retrieved[0].chunk_id == docs[0].metadata["chunk_id"]
