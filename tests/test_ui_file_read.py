"""The chat UI must never turn a client-supplied server path into a file read.

Replays the hostile walk-through's request (`POST /gradio_api/call/upload` with a `gradio.FileData` that
names a server file), then the same payload on every UI event through Gradio's queue and its file route,
with no keys set and with only `SME_API_KEY` (the attacker holds the reader key). The secret's text must
appear nowhere: not in a response, not in the library, not in Gradio's cache, not in the corpus.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest

from assistant.api.app import create_app

from .conftest import make_settings
from .live_server import corpus_in, serve, wait_ready

SECRET = "机密口令：青龙白虎朱雀玄武。此文件只在服务器上，任何人都不应通过界面读到它。"
READER_KEY = "reader-key-for-tests"


def file_data(path: Path) -> dict:
    return {"path": str(path), "meta": {"_type": "gradio.FileData"}, "orig_name": path.name}


def texts_under(folder: Path) -> str:
    if not folder.exists():
        return ""
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file())


@pytest.fixture(params=["no keys", "reader key"])
def hostile_setup(request, tmp_path, monkeypatch, model_dir):
    cache = tmp_path / "gradio-cache"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(cache))  # Gradio reads it at each upload, so the test can look inside
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET, encoding="utf-8")
    keys = {"api_key": READER_KEY} if request.param == "reader key" else {}
    corpus = corpus_in(tmp_path)
    # An open library is the worst case: whoever may read may also upload.
    app = create_app(make_settings(tmp_path, corpus, open_library=True, **keys))
    app.state.runtime.assistant.ingestor.ingest(progress=False)
    with serve(app) as url:
        headers = {"Authorization": f"Bearer {READER_KEY}"} if keys else {}
        wait_ready(url, headers)
        with httpx.Client(base_url=url, timeout=30) as client:
            if keys:  # a reader logs in to the UI with the key, as the login form asks
                client.post("/login", data={"username": "任意", "password": READER_KEY})
            yield client, headers, secret, cache, corpus


def test_a_server_path_sent_to_the_ui_is_never_read(hostile_setup):
    client, headers, secret, cache, corpus = hostile_setup
    seen: list[str] = []

    # 1. The exact request from the report, and its result stream if an event was started.
    r = client.post("/gradio_api/call/upload", json={"data": [file_data(secret), READER_KEY]})
    seen.append(r.text)
    if r.status_code == 200 and "event_id" in r.text:
        seen.append(client.get(f"/gradio_api/call/upload/{r.json()['event_id']}").text)

    # 2. The same payload in every input of every UI event, through the queue the browser uses.
    config = client.get("/config")
    assert config.status_code == 200, "the attacker must reach the UI, or this test proves nothing"
    seen.append(config.text)
    dependencies = config.json()["dependencies"]
    assert dependencies
    session = uuid.uuid4().hex
    for fn_index, dep in enumerate(dependencies):
        payload = {
            "data": [file_data(secret)] * len(dep.get("inputs", [])),
            "fn_index": dep.get("id", fn_index),
            "session_hash": session,
            "event_data": None,
            "trigger_id": (dep.get("targets") or [[None]])[0][0],
        }
        seen.append(client.post("/gradio_api/queue/join", json=payload).text)
    with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}, timeout=20) as stream:
        try:
            for line in stream.iter_lines():
                seen.append(line)
                if '"close_stream"' in line:
                    break
        except httpx.ReadTimeout:
            pass

    # 3. Gradio's own file route, for the path itself.
    seen.append(client.get(f"/gradio_api/file={secret}").text)

    documents = client.get("/api/documents", headers=headers)
    assert documents.status_code == 200
    seen.append(documents.text)
    for doc in documents.json():
        seen.append(client.get(f"/api/documents/{doc['doc_id']}", headers=headers).text)
    assert len(documents.json()) == 5, "nothing may be added to the library"

    leaked = [s for s in seen if "青龙白虎" in s or "青龙白虎" in json.dumps(s, ensure_ascii=False)]
    assert leaked == []
    assert "青龙白虎" not in texts_under(cache), "Gradio must not copy the file into its cache"
    assert "青龙白虎" not in texts_under(corpus)
