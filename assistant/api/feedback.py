"""👍/👎 on answers, appended one JSON object per line to `index/feedback.jsonl` for later review.

A comment written after a 👎 is appended as its own line naming the vote's id, never written into the
vote's line: appending one line is safe with several workers writing, rewriting the file is not. Reading
puts each comment back on its vote.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
import uuid
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from ..schema import Answer, Citation

Rating = Literal["up", "down"]
RATING_WORDS = {"up": "赞", "down": "踩"}
MAX_COMMENT_CHARS = 2000
# Excel reads a CSV as the local code page unless it starts with a byte-order mark.
CSV_BOM = "\ufeff"
CSV_HEADER = ("时间", "评价", "问题", "回答", "来源", "评论")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class FeedbackRecord(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex, description="这条反馈的编号")
    timestamp: str = Field(default_factory=_now, description="时间（UTC，ISO 8601）")
    rating: Rating = Field(description="up：赞；down：踩")
    question: str
    answer: str
    answered: bool
    backend: str
    citations: list[Citation]
    comment: str | None = Field(None, description="点踩后填写的评论（可选）")


class FeedbackComment(BaseModel):
    """A comment on the vote `id`, written after it."""

    id: str
    timestamp: str = Field(default_factory=_now)
    comment: str


class FeedbackLog:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def _write(self, line: BaseModel) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One write of one line in append mode: lines from several workers do not interleave.
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line.model_dump_json() + "\n")

    def append(self, rating: Rating, answer: Answer) -> FeedbackRecord:
        record = FeedbackRecord(
            rating=rating,
            question=answer.question,
            answer=answer.answer,
            answered=answer.answered,
            backend=answer.backend,
            citations=answer.citations,
        )
        self._write(record)
        return record

    def comment(self, record_id: str, text: str) -> FeedbackComment:
        note = FeedbackComment(id=record_id, comment=text.strip()[:MAX_COMMENT_CHARS])
        self._write(note)
        return note

    def records(self) -> list[FeedbackRecord]:
        """Every vote with its latest comment, newest first. A line that cannot be read is skipped: one
        torn line must not hide the rest from the admin."""
        if not self.path.exists():
            return []
        votes: dict[str, FeedbackRecord] = {}
        comments: dict[str, str] = {}
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                data = json.loads(line)
                if "rating" in data:
                    record = FeedbackRecord.model_validate(data)
                    votes[record.id] = record
                else:
                    note = FeedbackComment.model_validate(data)
                    comments[note.id] = note.comment
            except (ValueError, ValidationError):
                continue
        found = [v.model_copy(update={"comment": comments.get(v.id, v.comment)}) for v in reversed(votes.values())]
        # Several workers append out of order by a moment; within one second the later line is the newer.
        return sorted(found, key=lambda r: r.timestamp, reverse=True)


def local_time(record: FeedbackRecord) -> str:
    """When it was given, in the server's time zone, as an admin reads a time."""
    try:
        return dt.datetime.fromisoformat(record.timestamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return record.timestamp


def sources_text(record: FeedbackRecord) -> str:
    return "；".join(f"[{c.n}]《{c.title}》（{c.source}，{c.date or '日期不详'}）" for c in record.citations)


def feedback_csv(records: list[FeedbackRecord]) -> str:
    """The feedback as CSV, with a byte-order mark so that Excel shows the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in records:
        writer.writerow((local_time(r), RATING_WORDS[r.rating], r.question, r.answer, sources_text(r), r.comment or ""))
    return CSV_BOM + out.getvalue()
