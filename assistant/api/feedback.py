"""👍/👎 on answers, appended one JSON object per line to `index/feedback.jsonl` for later review."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ..schema import Answer, Citation

Rating = Literal["up", "down"]


class FeedbackRecord(BaseModel):
    timestamp: str = Field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    rating: Rating
    question: str
    answer: str
    answered: bool
    backend: str
    citations: list[Citation]


class FeedbackLog:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def append(self, rating: Rating, answer: Answer) -> FeedbackRecord:
        record = FeedbackRecord(
            rating=rating,
            question=answer.question,
            answer=answer.answer,
            answered=answer.answered,
            backend=answer.backend,
            citations=answer.citations,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One write of one line in append mode: lines from several workers do not interleave.
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(record.model_dump_json() + "\n")
        return record
