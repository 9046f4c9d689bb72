"""The keyword index on disk: filters inside it, updates per document, shared by workers, rebuilt from Chroma
when it is damaged, missing or of another format, and never half-written by a kill."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from assistant.answering.query import normalise
from assistant.api.app import create_app
from assistant.container import Assistant
from assistant.library.keywords import CURRENT, LOCK, UNFINISHED
from assistant.library.tokens import search_tokens
from assistant.schema import Filters
from assistant.settings import PROJECT_ROOT
from eval.runner import QA_DEFAULT, load_qa

from .conftest import make_settings
from .live_server import serve, wait_ready

ZJ_Q = "浙江现在有多少个国家级中小企业特色产业集群？"


@pytest.fixture
def library(tmp_path, corpus_copy, model_dir) -> Assistant:
    assistant = Assistant(make_settings(tmp_path, corpus_copy))
    assistant.ingestor.ingest(progress=False)
    return assistant


def state(assistant: Assistant) -> dict:
    return json.loads((assistant.keywords.folder / CURRENT).read_text())


def test_filters_are_applied_inside_the_index(ingested):
    index = ingested.retriever.keyword_index()
    everything = index.search("国家级中小企业特色产业集群", 50)
    dated = index.search("国家级中小企业特色产业集群", 50, Filters(date_from="2024-01-01"))
    assert {h.meta["date"] for h in dated} == {"2024-09-12", "2024-09-25"} < {h.meta["date"] for h in everything}
    source = index.search("国家级中小企业特色产业集群", 50, Filters(source="杭州网"))
    assert source and {h.meta["source"] for h in source} == {"杭州网"}
    one = everything[0].meta["doc_id"]
    assert {h.meta["doc_id"] for h in index.search("集群", 50, Filters(doc_ids=[one]))} == {one}
    # A filter scores nothing: the documents it keeps rank and score as they would without it.
    unfiltered = {h.chunk_id: h.score for h in everything}
    assert all(abs(h.score - unfiltered[h.chunk_id]) < 1e-6 for h in dated if h.chunk_id in unfiltered)


def test_chunks_rank_and_score_as_rank_bm25_ranked_them_in_memory(ingested):
    """The fusion weights were tuned with rank_bm25's Okapi scores: the index on disk gives the same."""
    from rank_bm25 import BM25Okapi

    got = ingested.store.all_chunks()
    okapi = BM25Okapi([json.loads(m["tokens"]) for m in got["metadatas"]])
    index = ingested.retriever.keyword_index()
    for qa in load_qa(QA_DEFAULT)[:60]:
        query = normalise(qa.question)
        scores = okapi.get_scores(search_tokens(query))
        expected = sorted((i for i in range(len(scores)) if scores[i] > 0), key=lambda i: -scores[i])[:20]
        hits = index.search(query, 20)
        assert [h.chunk_id for h in hits] == [got["ids"][i] for i in expected], query
        assert [h.score for h in hits] == pytest.approx([scores[i] for i in expected])


@pytest.mark.parametrize(
    "damage, says",
    [
        (lambda folder, s: (folder / s["dir"] / "meta.json").write_text("{not json"), "无法打开"),
        (lambda folder, s: (folder / CURRENT).unlink(), "缺失"),
        (lambda folder, s: (folder / CURRENT).write_text(json.dumps({**s, "format": 0})), "格式为 0"),
        (lambda folder, s: (folder / CURRENT).write_text(json.dumps({**s, "version": UNFINISHED})), "上次更新未完成"),
    ],
    ids=["corrupt", "missing", "other-format", "unfinished"],
)
def test_an_unusable_index_is_rebuilt_from_chroma_with_one_chinese_line(library, damage, says, caplog):
    damage(library.keywords.folder, state(library))
    fresh = Assistant(library.settings)
    with caplog.at_level(logging.WARNING, logger="sme.keywords"):
        answer = fresh.chain.ask(ZJ_Q)
    assert "23个" in answer.answer
    lines = [r.getMessage() for r in caplog.records if r.name == "sme.keywords" and r.levelno >= logging.WARNING]
    assert len(lines) == 1 and says in lines[0] and "重建" in lines[0]
    assert fresh.keywords.size() == fresh.store.count_chunks()
    assert len(list(library.keywords.folder.glob("index-*"))) == 1  # the damaged folder is gone


def test_health_is_503_until_a_damaged_index_is_rebuilt(library):
    (library.keywords.folder / state(library)["dir"] / "meta.json").write_text("{not json")
    app = create_app(library.settings)
    # Another process holds the index while it changes it: the rebuild, and so the warm-up, waits for it.
    with open(library.keywords.folder / LOCK, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with serve(app) as url:
            response = httpx.get(f"{url}/api/health", timeout=10)
            assert response.status_code == 503 and response.json()["error"]["code"] == "loading"
            assert httpx.post(f"{url}/api/ask", json={"question": ZJ_Q}, timeout=10).status_code == 503
            fcntl.flock(held, fcntl.LOCK_UN)
            wait_ready(url)
            answer = httpx.post(f"{url}/api/ask", json={"question": ZJ_Q}, timeout=60).json()
            assert "23个" in answer["answer"]


WRITER = """
import sys
from assistant.container import Assistant
from assistant.settings import Settings

assistant = Assistant(Settings(corpus_dir=sys.argv[1], index_dir=sys.argv[2], model_cache=sys.argv[3]))
meta = assistant.store.all_chunks()["metadatas"][0]
for n in range(1_000_000):  # updates until killed
    assistant.keywords.update(add=[(f"extra-{n}-{i}", "磐石县玄武岩纤维产业集群", meta) for i in range(200)])
"""


def test_an_index_killed_during_an_update_still_opens_and_is_rebuilt(library):
    s = library.settings
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(s.corpus_dir), str(s.index_dir), str(s.model_cache)],
        cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 300
        while state(library)["version"] != UNFINISHED:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the writer never started"
            time.sleep(0.05)
        time.sleep(1.0)  # into its stream of commits
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        proc.kill()
    fresh = Assistant(library.settings)
    assert "23个" in fresh.chain.ask(ZJ_Q).answer
    assert fresh.keywords.size() == fresh.store.count_chunks()  # what Chroma holds, none of the killed writes
