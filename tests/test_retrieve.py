"""Hybrid retrieval: filters, near-duplicate collapse, index changes seen without a restart, streaming."""

from assistant.answering.query import parse
from assistant.container import Assistant
from assistant.schema import Filters

from .conftest import SEEDS, make_settings
from .test_api import NOTICE_2025, REPOST_2025

ZJ = parse("浙江现在有多少个国家级中小企业特色产业集群？").search


def test_date_publisher_and_document_filters(ingested):
    before_2024 = ingested.retriever.invoke(ZJ, filters=Filters(date_to="2023-12-31"))
    assert before_2024 and all(d.metadata["date"] <= "2023-12-31" for d in before_2024)
    since = ingested.retriever.invoke(ZJ, filters=Filters(date_from="2024-09-20"))
    assert since and {d.metadata["date"] for d in since} == {"2024-09-25"}
    by_source = ingested.retriever.invoke(ZJ, filters=Filters(source="杭州网"))
    assert by_source and {d.metadata["source"] for d in by_source} == {"杭州网"}
    doc_id = by_source[0].metadata["doc_id"]
    only = ingested.retriever.invoke(ZJ, filters=Filters(doc_ids=[doc_id]))
    assert {d.metadata["doc_id"] for d in only} == {doc_id}


def test_a_filter_that_excludes_the_answer_gets_no_answer_from_elsewhere(ingested):
    answer = ingested.chain.ask("浙江现在有多少个国家级中小企业特色产业集群？", filters=Filters(date_to="2023-12-31"))
    assert all(c.date <= "2023-12-31" for c in answer.citations)
    assert "23个" not in answer.answer


def test_near_duplicate_articles_from_two_sites_collapse_to_one(tmp_path, corpus_copy, model_dir):
    text = SEEDS["zhejiang"].read_text(encoding="utf-8")
    (corpus_copy / "repost-of-zhejiang.txt").write_text(
        text.replace("来源:杭州网", "来源:某转载网").replace("潮新闻讯 ", ""), encoding="utf-8"
    )
    assistant = Assistant(make_settings(tmp_path, corpus_copy))
    assistant.ingestor.ingest(progress=False)
    docs = assistant.retriever.invoke(ZJ, k=10)
    with_23 = [d for d in docs if "增至23个" in d.page_content]
    assert len(with_23) == 1


def test_answers_cite_the_issuers_own_copy_over_a_repost_that_ranks_higher(tmp_path, model_dir):
    # The repost carries the whole notice in one chunk with a portal's chrome around it, and ranks first.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "portal.txt").write_text(REPOST_2025, encoding="utf-8")
    (corpus / "notice.txt").write_text(NOTICE_2025, encoding="utf-8")
    assistant = Assistant(make_settings(tmp_path, corpus))
    assistant.ingestor.ingest(progress=False)
    for question, figure in (("每个设区市推荐数量不超过几个？", "4个"), ("推荐材料什么时候报送？", "6月30日")):
        answer = assistant.chain.ask(question)
        assert figure in answer.answer
        assert {c.source for c in answer.citations} == {"某省工业和信息化厅"}


def test_answers_follow_ingestion_without_a_restart(tmp_path, corpus_copy, model_dir):
    assistant = Assistant(make_settings(tmp_path, corpus_copy))
    assistant.ingestor.ingest(progress=False)
    question = "某省公布的省级中小企业特色产业集群名单共认定了多少个集群？"
    assert "25" not in assistant.chain.ask(question).answer
    notice = corpus_copy / "notice.txt"
    notice.write_text("发布时间:2025-01-05 来源:某省经信厅\n\n某省公布省级中小企业特色产业集群名单，共认定25个集群。\n", encoding="utf-8")
    assistant.ingestor.ingest([notice], progress=False)
    assert "25个" in assistant.chain.ask(question).answer
    other = Assistant(assistant.settings)  # a second worker on the same index sees it too
    assert "25个" in other.chain.ask(question).answer
    assert other.retriever.keyword_index().search("省级中小企业特色产业集群名单", 1)[0].meta["source"] == "某省经信厅"
    notice.unlink()
    assistant.ingestor.ingest(progress=False)  # and a deletion leaves both sides of its retrieval
    assert "某省经信厅" not in {h.meta["source"] for h in other.retriever.keyword_index().search("省级中小企业特色产业集群名单", 50)}
    assert "25个" not in other.chain.ask(question).answer


def test_the_extractive_answer_streams_sentence_by_sentence(ingested):
    events = list(ingested.chain.stream("广东十四五期间要培育多少家专精特新小巨人企业和专精特新中小企业？"))
    deltas = [e["delta"] for e in events if "delta" in e]
    final = events[-1]["answer"]
    assert deltas and "".join(deltas) == final.answer and final.answered
