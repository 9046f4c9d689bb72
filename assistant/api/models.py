"""Request and response bodies of /api (the answer itself is `assistant.schema.Answer`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..schema import DocumentMeta, Filters, Turn

ZJ_EXAMPLE = "浙江现在有多少个国家级中小企业特色产业集群？"


class AskFilters(Filters):
    """`Filters` (dates already checked there) that also rejects unknown keys, so a typo is a 422."""

    model_config = ConfigDict(extra="forbid")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"question": ZJ_EXAMPLE}]})

    question: str = Field(description="问题（中文，最多 2000 字）")
    history: list[Turn] = Field(default_factory=list, max_length=50, description="此前的对话，用于理解追问")
    top_k: int | None = Field(None, ge=1, le=50, strict=True, description="交给回答器的片段数（默认 SME_TOP_K）")
    filters: AskFilters | None = Field(None, description="只在这些文档中查找")


class DocumentInfo(BaseModel):
    """A document as the API shows it: no file path, only the handle `doc_id`."""

    doc_id: str
    title: str
    source: str
    date: str | None = Field(None, description="YYYY-MM-DD")
    url: str | None = None
    script: Literal["simplified", "traditional"]
    quality: float = Field(description="按长度加权的片段文本质量，0–1")
    quality_label: Literal["ok", "low"]
    chunk_count: int
    low_quality_chunks: int
    uploaded: bool = Field(description="是否经 POST /api/documents 上传")

    @classmethod
    def of(cls, meta: DocumentMeta, low_quality_below: float, uploaded: bool) -> DocumentInfo:
        return cls(
            **meta.model_dump(include={"doc_id", "title", "source", "date", "url", "script", "quality", "chunk_count", "low_quality_chunks"}),
            quality_label="low" if meta.quality < low_quality_below else "ok",
            uploaded=uploaded,
        )


class DocumentDetail(DocumentInfo):
    text: str = Field(description="清洗后的正文（原文字形）")


class UploadResult(BaseModel):
    document: DocumentInfo
    chunks: int
    low_quality_chunks: int
    quality: float
    seconds: float


class DeleteResult(BaseModel):
    doc_id: str
    deleted: bool = True


class Liveness(BaseModel):
    status: Literal["alive"] = "alive"


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    documents: int
    chunks: int
    embedding_model: str
    answer_backend: Literal["extractive", "llm"]
    llm_model: str | None = None
    chroma: Literal["embedded", "server"]
    index_version: str
    load_seconds: float = Field(description="启动时加载模型和索引所用的秒数")
