"""GET /api/health: 200 with what is loaded once the warm-up is done; 503 (error shape) until then.
GET /api/live: a keyless liveness probe for load balancers, which says nothing about the library."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends

from .auth import require_reader
from .errors import ERROR_RESPONSES, ApiError
from .models import Health, Liveness
from .runtime import Runtime, get_runtime, model_label

log = logging.getLogger("sme.api")

router = APIRouter(prefix="/api", tags=["状态"])


@router.get("/live", response_model=Liveness)
def live() -> Liveness:
    """进程存活即返回 200，无需密钥，不透露资料库的任何信息（供负载均衡器探活）。"""
    return Liveness()


@router.get("/health", response_model=Health, responses=ERROR_RESPONSES, dependencies=[Depends(require_reader)])
def health(runtime: Runtime = Depends(get_runtime)) -> Health:
    """就绪时返回 200 和文档数、片段数、嵌入模型、回答后端；加载中返回 503。"""
    assistant = runtime.require_ready()
    s = runtime.settings
    try:
        documents, chunks, version = assistant.store.count_documents(), assistant.store.count_chunks(), assistant.store.version()
    except Exception as exc:  # e.g. the Chroma server went away: not ready, rather than a 500
        log.warning("health: index unreadable: %r", exc)
        raise ApiError(503, "unavailable", "暂时无法读取索引（Chroma 不可用？），请稍后重试或联系管理员") from None
    return Health(
        documents=documents,
        chunks=chunks,
        embedding_model=model_label(s.embedding_model),
        answer_backend=assistant.answerer.name,
        llm_model=s.llm_model if assistant.answerer.name == "llm" else None,
        chroma="server" if s.chroma_host else "embedded",
        index_version=version,
        load_seconds=runtime.load_seconds or 0.0,
    )


# HEAD for probes that send it; outside the schema, where it would repeat GET's operation.
router.add_api_route("/live", live, methods=["HEAD"], include_in_schema=False)
router.add_api_route("/health", health, methods=["HEAD"], include_in_schema=False, dependencies=[Depends(require_reader)])
