"""Sentence vectors are embedded at ingest and read at question time: a question embeds only itself."""

import pytest

from assistant.answering.sentence_vectors import sentence_id
from assistant.container import Assistant
from assistant.library.embeddings import build_embeddings
from assistant.settings import Settings

from .conftest import CountingEmbeddings, make_settings

ZJ_Q = "浙江现在有多少个国家级中小企业特色产业集群？"
SHARED = "该省国家级中小企业特色产业集群总数达到9个，居西部地区前列。"


@pytest.fixture(scope="module")
def counting(model_dir):
    return CountingEmbeddings(build_embeddings(Settings(model_cache=model_dir.parent)))


def library(tmp_path, corpus, embeddings) -> Assistant:
    assistant = Assistant(make_settings(tmp_path, corpus))
    assistant.__dict__["embeddings"] = embeddings
    assistant.ingestor.ingest(progress=False)
    return assistant


def test_a_question_is_embedded_once_and_its_sentences_not_at_all(tmp_path, corpus_copy, counting):
    assistant = library(tmp_path, corpus_copy, counting)
    counting.embedded = counting.queries = 0
    answer = assistant.chain.ask(ZJ_Q)
    assert answer.answered and "23个" in answer.answer
    assert (counting.queries, counting.embedded) == (1, 0)


def test_a_sentence_two_documents_share_is_stored_once_until_both_are_gone(tmp_path, counting):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, source in (("a.txt", "甲网"), ("b.txt", "乙网")):
        (corpus / name).write_text(f"发布时间:2024-05-0{len(source)} 来源:{source}\n\n{SHARED}\n{source}记者报道了这一消息。\n", encoding="utf-8")
    assistant = library(tmp_path, corpus, counting)
    key = sentence_id(SHARED)
    assert assistant.store.sentence_refs([key]) == {key: 2}

    (corpus / "a.txt").unlink()
    assistant.ingestor.ingest(progress=False)
    assert assistant.store.sentence_refs([key]) == {key: 1}
    (corpus / "b.txt").unlink()
    assistant.ingestor.ingest(progress=False)
    assert assistant.store.sentence_refs([key]) == {} and assistant.store.sentences.count() == 0


def test_a_library_without_stored_sentence_vectors_still_answers_and_embeds_each_sentence_once(tmp_path, corpus_copy, counting):
    assistant = library(tmp_path, corpus_copy, counting)
    assistant.store.client.delete_collection(assistant.store.sentences_name)  # as a library built before they were stored
    assistant.store._sentences = None
    fresh = Assistant(assistant.settings)
    fresh.__dict__["embeddings"] = counting
    counting.embedded = 0
    assert "23个" in fresh.chain.ask(ZJ_Q).answer
    embedded = counting.embedded
    assert embedded > 0
    assert "23个" in fresh.chain.ask(ZJ_Q).answer and counting.embedded == embedded
