"""Back-pressure: answer requests beyond `SME_MAX_CONCURRENCY` wait up to `SME_QUEUE_SECONDS` for a slot,
then get 429; bodies beyond their limit get 413.

A short wait serves a burst that two cores can absorb in a moment (32 clients at once were 75% refused
without it); a long one would only add latency to everyone behind it, so past it the client is told when
to retry, from the service times measured here.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..schema import Filters, Turn
from ..settings import Settings
from .errors import ApiError, error_response

MB = 1024 * 1024
# Multipart framing and form fields around the file itself.
_MULTIPART_OVERHEAD = 64 * 1024


class ConcurrencyLimiter:
    def __init__(self, limit: int, wait_seconds: float = 0.0):
        self.limit = limit
        self.wait_seconds = wait_seconds
        self._slots = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self._waiting = 0
        self._service: deque[float] = deque(maxlen=100)  # seconds a slot was held, most recent last

    def acquire(self) -> float:
        """Takes a slot, waiting up to `wait_seconds`, or raises 429. Returns when it was taken, which
        whoever took it hands back to `release`."""
        with self._lock:
            self._waiting += 1
        try:
            got = self._slots.acquire(timeout=self.wait_seconds)  # 0: a single try
        finally:
            with self._lock:
                self._waiting -= 1
        if not got:
            wait = self.retry_after()
            raise ApiError(
                429,
                "too_many_requests",
                f"当前提问的人较多（同时最多处理 {self.limit} 个请求），请在 {wait} 秒后重试",
                headers={"Retry-After": str(wait)},
            )
        return time.monotonic()

    def release(self, taken: float) -> None:
        """Frees a slot, recording how long it was held."""
        with self._lock:
            self._service.append(time.monotonic() - taken)
        self._slots.release()

    def retry_after(self) -> int:
        """Whole seconds until the requests now waiting are likely served: the median service time, times
        the rounds of `limit` it takes to clear them and one more, at least one second."""
        with self._lock:
            typical = statistics.median(self._service) if self._service else 1.0
            rounds = self._waiting / self.limit + 1
        return max(1, math.ceil(typical * rounds))

    @contextmanager
    def slot(self) -> Iterator[None]:
        taken = self.acquire()
        try:
            yield
        finally:
            self.release(taken)


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
    """Caps an API request's body: a file upload (multipart) at the upload limit, anything else (JSON) at
    `max_json_kb`. A declared Content-Length over the cap is refused before the body is read; a body sent
    without one (chunked) is counted as it arrives and refused the moment it passes the cap, so nothing
    beyond the cap is buffered or spooled to disk.
    """

    def __init__(self, app: ASGIApp, max_upload_mb: float, max_json_kb: int, prefixes: tuple[str, ...] = ("/api/", "/v1/")):
        self.app = app
        self.max_upload_mb = max_upload_mb
        self.max_json_kb = max_json_kb
        self.prefixes = prefixes

    def cap(self, headers: dict[bytes, bytes]) -> tuple[int, ApiError]:
        """The most bytes this request's body may have, and the refusal past it."""
        if headers.get(b"content-type", b"").startswith(b"multipart/"):
            return int(self.max_upload_mb * MB) + _MULTIPART_OVERHEAD, too_large(self.max_upload_mb)
        return self.max_json_kb * 1024, json_too_large(self.max_json_kb)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit, refusal = self.cap(headers)
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await error_response(refusal.status, refusal.code, refusal.message)(scope, receive, send)
            return

        received = 0
        refused = False

        async def counted() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    await error_response(refusal.status, refusal.code, refusal.message)(scope, receive, send)
                    # The app sees a client that went away, and whatever it answers to that is dropped.
                    return {"type": "http.disconnect"}
            return message

        async def unless_refused(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counted, unless_refused)
