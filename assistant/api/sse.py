"""Server-Sent Events out of a blocking iterator: each step runs in a worker thread, the slot is always freed."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator

from starlette.concurrency import iterate_in_threadpool
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from .errors import error_body

log = logging.getLogger("sme.api")

STREAM_FAILED = error_body("stream_failed", "生成回答时出错，请稍后重试；如果一直出现，请联系管理员查看服务日志")


def sse(data: dict | str, event: str | None = None) -> str:
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return (f"event: {event}\n" if event else "") + f"data: {payload}\n\n"


def _guarded(events: Iterator[str]) -> Iterator[str]:
    """The status line is already sent when a stream fails, so the failure becomes a last `error` event."""
    try:
        yield from events
    except Exception:
        log.exception("stream failed")
        yield sse(STREAM_FAILED, "error")


class EventStream(StreamingResponse):
    """Frees its concurrency slot however the response ends: finished, failed, or the client gone."""

    def __init__(self, events: Iterator[str], release: Callable[[], None]):
        super().__init__(
            iterate_in_threadpool(_guarded(events)),
            media_type="text/event-stream",
            # A reverse proxy would otherwise buffer the deltas until the end.
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()
