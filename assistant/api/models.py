"""Request and response bodies of /api (the answer itself is `assistant.schema.Answer`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr, field_validator

from ..criteria.model import Criterion, CriterionLine
from ..schema import DocumentMeta, Filters, Turn, readable

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


class Suggestions(BaseModel):
    suggestions: list[str] = Field(description="回答之后可以接着问的问题（最多 3 个），每个都已确认资料库能回答")


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
    copy_of: str | None = Field(None, description="本文是另一篇文档的转载或副本时，最权威那一份（发文机关自己的、或最早的）的 doc_id")
    copies: list[str] = Field(default_factory=list, description="本文是最权威的一份时，其余副本（转载）的 doc_id")

    @classmethod
    def of(
        cls, meta: DocumentMeta, low_quality_below: float, uploaded: bool, copy_of: str | None = None, copies: list[str] | None = None
    ) -> DocumentInfo:
        """`copy_of` and `copies`: see library/copies.py."""
        return cls(
            **meta.model_dump(include={"doc_id", "title", "source", "date", "url", "script", "quality", "chunk_count", "low_quality_chunks"}),
            quality_label="low" if meta.quality < low_quality_below else "ok",
            uploaded=uploaded,
            copy_of=copy_of,
            copies=copies or [],
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


# -- 申报自查 ------------------------------------------------------------------------------------------
CHECK_EXAMPLE = {
    "programme": "国家级中小企业特色产业集群",
    "text": "近三年产值分别是35亿、42亿、45亿，中小企业产值占比75%",
    "facts": {"上云比例": "0.45", "面积": "80平方公里"},
}
FactValue = StrictStr | StrictFloat | StrictInt | list[StrictStr | StrictFloat | StrictInt]


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CHECK_EXAMPLE, {"programme": "小巨人", "facts": {}}]})

    programme: str | None = Field(
        None, max_length=100, description="要核对的项目，如 国家级中小企业特色产业集群、省级集群、小巨人；为空时从 text 中识别"
    )
    region: str | None = Field(None, max_length=20, description="所在省份（如 安徽）：只核对全国和该省的条件；为空时从 text 中识别")
    doc_ids: list[str] | None = Field(None, description="只用这些文档中的条件")
    facts: dict[str, FactValue] | None = Field(
        None, max_length=60, description="指标 → 数值：45亿、75%、0.75、七成、80平方公里；逐年数据用数组（从早到晚）"
    )
    text: str | None = Field(None, max_length=2000, description="用一段话描述自己的数据，如 近三年产值分别是35亿、42亿、45亿")

    # Before the length checks, which would report a lone surrogate as a mere invalid value.
    @field_validator("programme", "region", "text", "facts", mode="before")
    @classmethod
    def _readable(cls, value):
        items = [*value.keys(), *value.values()] if isinstance(value, dict) else [value]
        for item in items:
            for text in item if isinstance(item, list) else [item]:
                if isinstance(text, str):
                    readable(text)
        return value


class CriterionInfo(CriterionLine):
    every_year: bool = Field(description="期间内每一年都须达到")
    condition: str | None = Field(None, description="只适用的情形，如 皖北地区的集群")

    @classmethod
    def of(cls, c: Criterion) -> CriterionInfo:
        return cls(**cls.fields_of(c), every_year=c.every_year, condition=c.condition.text if c.condition else None)


class RegionCriteria(BaseModel):
    region: str = Field(description="全国或某省")
    criteria: list[CriterionInfo]


class ProgrammeCriteria(BaseModel):
    programme: str
    regions: list[RegionCriteria]


class CriteriaListing(BaseModel):
    programmes: list[ProgrammeCriteria]
