"""A user's question: validated, then normalised for search (simplified, half-width, canonical terms)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..ingest.clean import CJK
from ..library.tokens import canonical
from ..schema import UNREADABLE_TEXT, Script, has_lone_surrogate
from ..script import detect_script, to_simplified

MAX_QUESTION_CHARS = 2000

class QuestionError(ValueError):
    """A question that cannot be asked; the message says why, in Chinese."""


@dataclass(frozen=True)
class Question:
    text: str
    """As the user wrote it (trimmed)."""
    search: str
    """Simplified, half-width, canonical terms: what retrieval and matching use."""
    script: Script
    vector: list[float] | None = field(default=None, compare=False, repr=False)
    """The embedding of `search`, made once by retrieval and reused by the answerer."""


def validate(text: str | None) -> str:
    if text is None or not text.strip():
        raise QuestionError("问题不能为空，请输入您想了解的政策问题")
    text = text.strip()
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(f"问题过长（{len(text)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise QuestionError("问题中含有控制字符，请删除后重试")
    if has_lone_surrogate(text):
        raise QuestionError(UNREADABLE_TEXT)
    if not re.search(rf"[{CJK}0-9０-９]", text):
        raise QuestionError("请用中文提问（问题中既没有汉字也没有数字）")
    return text


def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), traditional → simplified, and canonical terms."""
    return canonical(to_simplified(unicodedata.normalize("NFKC", text)))


def parse(text: str | None) -> Question:
    text = validate(text)
    return Question(text=text, search=normalise(text), script=detect_script(text, threshold=0.01))
