"""GET /api/health: 200 with what is loaded once the warm-up is done; 503 (error shape) until then."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from .auth import require_reader
from .errors import ERROR_RESPONSES
from .models import Health
from .runtime import Runtime, get_runtime, model_label

router = APIRouter(prefix="/api", tags=["状态"], dependencies=[Depends(require_reader)])


@router.get("/health", response_model=Health, responses=ERROR_RESPONSES)
def health(runtime: Runtime = Depends(get_runtime)) -> Health:
    """就绪时返回 200 和文档数、片段数、嵌入模型、回答后端；加载中返回 503。"""
    assistant = runtime.require_ready()
    s = runtime.settings
    return Health(
        documents=len(assistant.store.manifest()),
        chunks=assistant.store.count_chunks(),
        embedding_model=model_label(s.embedding_model),
        answer_backend=assistant.answerer.name,
        llm_model=s.llm_model if assistant.answerer.name == "llm" else None,
        chroma="server" if s.chroma_host else "embedded",
        index_version=assistant.store.version(),
        load_seconds=runtime.load_seconds or 0.0,
    )
