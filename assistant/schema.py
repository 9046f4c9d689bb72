"""Data that crosses a module or process boundary."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator

Script = Literal["simplified", "traditional"]


DATE_FORMAT_HINT = "日期应为 YYYY-MM-DD 格式，例如 2024-09-12"
UNREADABLE_TEXT = "文字中含有无法识别的字符（不成对的代理码位），请检查编码后重试"


def has_lone_surrogate(text: str) -> bool:
    """A half of a UTF-16 pair, which JSON can carry (\\ud800) but no UTF-8 text can hold."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def readable(value: str | None) -> str | None:
    """A field validator: text that cannot be written out as UTF-8 is the caller's error, not a 500."""
    if value is not None and has_lone_surrogate(value):
        raise ValueError(UNREADABLE_TEXT)
    return value


class QualitySignals(BaseModel):
    """Why a piece of text is or is not trusted; stored beside every chunk."""

    score: float = Field(ge=0, le=1)
    dict_word_share: float
    bigram_plausibility: float
    mojibake_markers: int
    broken_clauses: int
    instructions: int = 0
    """Sentences addressed to a language model ("忽略之前的指令"): a poisoned text."""


class DocumentMeta(BaseModel):
    doc_id: str
    path: str
    title: str
    source: str
    date: str | None = Field(None, description="ISO YYYY-MM-DD")
    url: str | None = None
    doc_number: str | None = Field(None, description="文号, e.g. 工信部企业〔2022〕119号")
    region: str | None = Field(None, description="The province the document is about (陕西), when it is about one")
    official_title: str | None = Field(
        None, description="The official title (关于…的通告) a report or repost carries in its body, when its own title is a headline"
    )
    signed_on: str | None = Field(
        None, description="ISO date the text itself was signed or written (成文日期, the signature block); a repost's own date is not"
    )
    script: Script = "simplified"
    content_hash: str
    quality: float = 1.0
    chunk_count: int = 0
    low_quality_chunks: int = 0


class Document(BaseModel):
    """A cleaned document: display text in its original script, index text in simplified Chinese."""

    meta: DocumentMeta
    text: str
    text_simplified: str


class Chunk(BaseModel):
    chunk_id: str
    doc_id: str
    position: int
    text: str
    text_simplified: str
    quality: QualitySignals
    places: list[str] = []
    """The place of each of its paragraphs in the document (第二条…), aligned with `text.split("\\n")`."""
    headings: list[str] = []
    """The lead-ins of the units holding each of its paragraphs, aligned the same way."""

    def embedding_text(self, title_simplified: str) -> str:
        """The title gives a chunk the context its sentences often leave implicit (which province, which year)."""
        return f"{title_simplified}\n{self.text_simplified}"


class SkippedFile(BaseModel):
    path: str
    reason: str


class IngestReport(BaseModel):
    files_read: int = 0
    unchanged: int = 0
    skipped: list[SkippedFile] = []
    chunks_added: int = 0
    chunks_removed: int = 0
    documents_removed: int = 0
    low_quality_chunks: int = 0
    seconds: float = 0.0


Role = Literal["user", "assistant", "system"]


class Turn(BaseModel):
    role: Role
    content: str

    _readable = field_validator("content")(readable)


class Filters(BaseModel):
    date_from: str | None = Field(None, description="YYYY-MM-DD, inclusive")
    date_to: str | None = Field(None, description="YYYY-MM-DD, inclusive")
    source: str | None = Field(None, description="Publisher, exactly as listed by /api/documents")
    doc_ids: list[str] | None = None

    _readable = field_validator("source")(readable)

    def describe(self) -> str:
        """The active conditions in words (起始日期 2024-01-01、来源 杭州网), for a reader told they may be why
        nothing was found."""
        parts = [
            f"{label} {value}"
            for label, value in (("起始日期", self.date_from), ("截止日期", self.date_to), ("来源", self.source))
            if value
        ]
        if self.doc_ids:
            parts.append(f"限定 {len(self.doc_ids)} 篇文档")
        return "、".join(parts)

    @field_validator("date_from", "date_to")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        """A typo in a date is an error the user sees, not a search that silently finds nothing."""
        if value in (None, ""):
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(DATE_FORMAT_HINT) from None
        return value


class Retrieved(BaseModel):
    doc_id: str
    chunk_id: str
    score: float
    text: str


class Citation(BaseModel):
    n: int
    doc_id: str
    title: str
    source: str
    date: str | None
    url: str | None
    quote: str
    quality: Literal["ok", "low"]
    place: str | None = Field(None, description="Where the quote stands in the document: 第二条, 一、（二）, 附件1")
    doc_number: str | None = Field(None, description="The document's 文号, when it has one")

    @property
    def reference(self) -> str:
        """As a person cites it: 《促进中小企业特色产业集群发展暂行办法》第二条（工业和信息化部，工信部企业〔2022〕119号，2022-09-13）."""
        title = self.title if self.title.startswith("《") and self.title.endswith("》") else f"《{self.title}》"
        details = "，".join(x for x in (self.source, self.doc_number, self.date or "日期不详") if x)
        return f"{title}{self.place or ''}（{details}）"


class Timings(BaseModel):
    retrieve: float = 0.0
    answer: float = 0.0
    total: float = 0.0


class Answer(BaseModel):
    """The contract of `sme-assistant ask --json` and of `POST /api/ask`."""

    question: str
    answer: str
    answered: bool
    backend: Literal["extractive", "llm"]
    fallback: str | None = None
    citations: list[Citation] = []
    retrieved: list[Retrieved] = []
    timings_ms: Timings = Timings()
