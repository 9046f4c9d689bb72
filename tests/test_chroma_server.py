"""The same ingestion and answering against a real `chroma run` server through HttpClient."""

from assistant.container import Assistant

from .conftest import make_settings


def test_ingest_and_answer_through_a_chroma_server(tmp_path, corpus_copy, chroma_server, model_dir):
    host, port = chroma_server
    settings = make_settings(tmp_path, corpus_copy, chroma_host=host, chroma_port=port, collection="server_test")
    assistant = Assistant(settings)
    report = assistant.ingestor.ingest(progress=False)
    assert report.files_read == 5 and report.chunks_added == assistant.store.count_chunks() > 0
    assert not (tmp_path / "index" / "chroma").exists()  # nothing was written to the embedded store

    again = Assistant(settings).ingestor.ingest(progress=False)
    assert again.unchanged == 5 and again.chunks_added == 0

    answer = assistant.chain.ask("浙江现在有多少个国家级中小企业特色产业集群？")
    assert answer.answered and "23" in answer.answer

    (corpus_copy / "2024-09-12_hangzhou-zhejiang-23-national-clusters.txt").unlink()
    removed = assistant.ingestor.ingest(progress=False)
    assert removed.documents_removed == 1
    assert len(Assistant(settings).store.manifest()) == 4
