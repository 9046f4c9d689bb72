"""What the API and the UI share inside one process: the assistant, whether it is ready, and the limits.

`start()` loads the model and the index in a background thread, so the server answers at once: 503 with
a Chinese "still loading" until the warm-up has run one real question, 200 from then on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from fastapi import Request

from ..answering.chain import AskChain
from ..container import Assistant, build_assistant
from ..library.embeddings import EmbeddingModelMissing
from ..library.store import IndexModelMismatch, StoreUnavailable
from ..settings import Settings
from .auth import WrongKeyThrottle
from .documents import DocumentLibrary
from .errors import ApiError
from .feedback import FeedbackLog
from .limits import ConcurrencyLimiter
from .models import ZJ_EXAMPLE
from .sse import EventStream

log = logging.getLogger("sme.api")

WARM_UP_QUESTION = ZJ_EXAMPLE


def describe_failure(exc: Exception) -> str:
    """A failed start-up, told to the user without paths (the log has the details)."""
    if isinstance(exc, EmbeddingModelMissing):
        return "离线嵌入模型尚未导出，请先运行：sme-assistant models prepare（或 make model），然后重启服务"
    if isinstance(exc, (IndexModelMismatch, StoreUnavailable)):
        return str(exc)
    return "服务启动失败，请联系管理员查看服务日志"


def model_label(name: str) -> str:
    """The embedding model's name for /api/health: a local folder is shown by its name only."""
    return Path(name).name if Path(name).is_absolute() else name


class Runtime:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.assistant: Assistant = build_assistant(settings)
        self.documents = DocumentLibrary(self.assistant)
        self.feedback = FeedbackLog(settings.resolved_index_dir() / "feedback.jsonl")
        self.limiter = ConcurrencyLimiter(settings.max_concurrency, settings.queue_seconds)
        self.wrong_keys = WrongKeyThrottle(settings.free_wrong_keys, settings.wrong_key_delay)
        self.failure: str | None = None
        self.load_seconds: float | None = None
        self._ready = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._load, name="sme-warm-up", daemon=True).start()

    def _load(self) -> None:
        started = time.perf_counter()
        try:
            a = self.assistant
            a.ingestor.reconcile()  # before the first answer: nothing a crash left half-done may be cited
            if not a.store.count_chunks():
                # Otherwise every question is declined and nothing says why.
                log.warning("索引中还没有文档，所有问题都会被拒答：请先运行 make index（或 sme-assistant ingest），或在“资料库”页上传文件")
            # The extractive path even when an LLM is configured: warming must not wait on an endpoint.
            AskChain(a.retriever, a.extractive, top_k=self.settings.top_k).ask(WARM_UP_QUESTION)
            a.answerer  # noqa: B018 - builds the LLM client too, if one is configured
        except Exception as exc:  # every failure becomes a 503 with a reason, never a dead thread
            log.exception("start-up failed")
            self.failure = describe_failure(exc)
            return
        self.load_seconds = round(time.perf_counter() - started, 2)
        log.info("ready in %.1f s", self.load_seconds)
        self._ready.set()

    def event_stream(self, events: Iterator[str]) -> EventStream:
        """A streamed response holding one concurrency slot until it ends. The events are made first,
        so nothing can fail between taking the slot and handing it over."""
        taken = self.limiter.acquire()
        return EventStream(events, lambda: self.limiter.release(taken))

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def require_ready(self) -> Assistant:
        if self.failure is not None:
            raise ApiError(503, "unavailable", self.failure)
        if not self.ready:
            raise ApiError(503, "loading", "服务正在加载模型和索引，请稍等几秒后重试", headers={"Retry-After": "5"})
        return self.assistant


def get_runtime(request: Request) -> Runtime:
    """FastAPI dependency: the process's Runtime, set on the app by `create_app`."""
    return request.app.state.runtime
