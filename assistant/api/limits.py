"""Back-pressure: answer requests beyond `SME_MAX_CONCURRENCY` get 429 at once, bodies beyond the upload limit 413.

Refusing beats queueing here: an answer costs CPU seconds, and a client told to retry can go to another
worker, while a queued request only adds latency to everyone behind it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp, Receive, Scope, Send

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


def too_large(max_upload_mb: float) -> ApiError:
    return ApiError(413, "payload_too_large", f"文件超过 {max_upload_mb:g} MB 的上限，请压缩或拆分后再上传")


class BodySizeLimit:
    """Rejects an API request whose declared Content-Length is over the limit before its body is read.

    Bodies sent without a length (chunked) are still parsed; the upload route checks the file's size itself.
    """

    def __init__(self, app: ASGIApp, max_upload_mb: float, prefixes: tuple[str, ...] = ("/api/", "/v1/")):
        self.app = app
        self.max_upload_mb = max_upload_mb
        self.max_bytes = int(max_upload_mb * MB) + _MULTIPART_OVERHEAD
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefixes):
            length = dict(scope["headers"]).get(b"content-length")
            if length is not None and length.isdigit() and int(length) > self.max_bytes:
                err = too_large(self.max_upload_mb)
                await error_response(err.status, err.code, err.message)(scope, receive, send)
                return
        await self.app(scope, receive, send)
