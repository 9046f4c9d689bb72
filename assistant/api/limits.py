"""Back-pressure: answer requests beyond `SME_MAX_CONCURRENCY` get 429 at once, bodies beyond the upload limit 413.

Refusing beats queueing here: an answer costs CPU seconds, and a client told to retry can go to another
worker, while a queued request only adds latency to everyone behind it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp, Receive, Scope, Send

from ..schema import Filters, Turn
from ..settings import Settings
from .errors import ApiError, error_response

MB = 1024 * 1024
# Multipart framing and form fields around the file itself.
_MULTIPART_OVERHEAD = 64 * 1024


class ConcurrencyLimiter:
    def __init__(self, limit: int):
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)

    def acquire(self) -> None:
        """Takes a slot or raises 429; whoever takes one must `release` it."""
        if not self._slots.acquire(blocking=False):
            raise ApiError(
                429,
                "too_many_requests",
                f"当前提问的人较多（同时最多处理 {self.limit} 个请求），请稍等几秒后重试",
                headers={"Retry-After": "1"},
            )

    def release(self) -> None:
        self._slots.release()

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()


def check_conversation(history: list[Turn], filters: Filters | None, settings: Settings) -> None:
    """History and filters within their caps, checked before any work: one request must not hold a core
    for seconds (50 turns of 100k characters took 30 s) or overflow the index's query (33,000 doc_ids)."""
    if len(history) > settings.max_history_turns:
        raise ApiError(
            422, "history_too_long", f"对话历史过长（{len(history)} 条），最多 {settings.max_history_turns} 条，请只保留最近几轮后重试"
        )
    longest = max((len(t.content) for t in history), default=0)
    if longest > settings.max_turn_chars:
        raise ApiError(422, "history_too_long", f"对话历史中有一条过长（{longest} 字），每条最多 {settings.max_turn_chars} 字，请截短后重试")
    if filters and filters.doc_ids and len(filters.doc_ids) > settings.max_doc_ids:
        raise ApiError(
            422, "too_many_documents", f"filters.doc_ids 最多 {settings.max_doc_ids} 个（收到 {len(filters.doc_ids)} 个），请缩小范围或不限文档"
        )


def too_large(max_upload_mb: float) -> ApiError:
    return ApiError(413, "payload_too_large", f"文件超过 {max_upload_mb:g} MB 的上限，请压缩或拆分后再上传")


def json_too_large(max_json_kb: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"请求体超过 {max_json_kb} KB 的上限，请缩短问题、对话历史或筛选条件")


class BodySizeLimit:
    """Rejects an API request whose declared Content-Length is over its limit before its body is read: a
    file upload (multipart) up to the upload limit, anything else (JSON) up to `max_json_kb`.

    Bodies sent without a length (chunked) are still parsed; the upload route checks the file's size itself.
    """

    def __init__(self, app: ASGIApp, max_upload_mb: float, max_json_kb: int, prefixes: tuple[str, ...] = ("/api/", "/v1/")):
        self.app = app
        self.max_upload_mb = max_upload_mb
        self.max_json_kb = max_json_kb
        self.prefixes = prefixes

    def refusal(self, headers: dict[bytes, bytes]) -> ApiError | None:
        length = headers.get(b"content-length")
        if length is None or not length.isdigit():
            return None
        if headers.get(b"content-type", b"").startswith(b"multipart/"):
            over = int(length) > int(self.max_upload_mb * MB) + _MULTIPART_OVERHEAD
            return too_large(self.max_upload_mb) if over else None
        return json_too_large(self.max_json_kb) if int(length) > self.max_json_kb * 1024 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefixes):
            err = self.refusal(dict(scope["headers"]))
            if err is not None:
                await error_response(err.status, err.code, err.message)(scope, receive, send)
                return
        await self.app(scope, receive, send)
