"""POST /api/ask and POST /api/ask/stream: the answering contract (`Answer`) over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Depends

from ..answering.suggest import suggest
from ..schema import Answer
from .auth import require_reader
from .errors import ERROR_RESPONSES
from .limits import check_conversation
from .models import AskRequest, Suggestions
from .runtime import Runtime, get_runtime
from .sse import EventStream, sse

router = APIRouter(prefix="/api", tags=["问答"], dependencies=[Depends(require_reader)])


@router.post("/ask", response_model=Answer, responses=ERROR_RESPONSES)
def ask(body: AskRequest, runtime: Runtime = Depends(get_runtime)) -> Answer:
    """提问，返回带引用的回答（与 `sme-assistant ask --json` 相同的结构）。"""
    check_conversation(body.history, body.filters, runtime.settings)
    assistant = runtime.require_ready()
    with runtime.limiter.slot():
        return assistant.chain.ask(body.question, body.history, body.top_k, body.filters)


@router.post("/suggest", response_model=Suggestions, responses=ERROR_RESPONSES)
def suggest_followups(body: AskRequest, runtime: Runtime = Depends(get_runtime)) -> Suggestions:
    """回答之后可以接着问的问题：同一问题换成来源中提到的其他省份、地区、项目或级别，
    只保留资料库能回答、且回答与原问题不同的（最多 3 个）。请求体与 POST /api/ask 相同。"""
    check_conversation(body.history, body.filters, runtime.settings)
    assistant = runtime.require_ready()
    with runtime.limiter.slot():
        answer = assistant.chain.ask(body.question, body.history, body.top_k, body.filters)
        return Suggestions(suggestions=suggest(assistant.chain, body.question, body.history, answer, body.filters))


def _answer_events(events: Iterator[dict]) -> Iterator[str]:
    for event in events:
        if "delta" in event:
            yield sse({"delta": event["delta"]}, "delta")
        else:
            yield sse({"answer": event["answer"].model_dump(mode="json")}, "answer")


@router.post(
    "/ask/stream",
    responses={**ERROR_RESPONSES, 200: {"content": {"text/event-stream": {}}, "description": "SSE 事件流"}},
)
def ask_stream(body: AskRequest, runtime: Runtime = Depends(get_runtime)) -> EventStream:
    """边生成边返回（Server-Sent Events，`text/event-stream`）。

    事件依次为：

    - `event: delta`，`data: {"delta": "…"}`：回答的下一段文字（可能有零个或多个）；
    - `event: answer`，`data: {"answer": {…}}`：最后一个事件，完整的 `Answer` 对象（与 POST /api/ask 相同），
      其中的 `answer` 字段是最终文本，应以它替换已显示的片段；
    - `event: error`，`data: {"error": {"code", "message"}}`：生成中途出错时代替 `answer` 事件。

    问题无效、未就绪或请求过多时，在事件流开始前就返回 422 / 503 / 429（统一的错误 JSON）。
    """
    check_conversation(body.history, body.filters, runtime.settings)
    assistant = runtime.require_ready()
    events = assistant.chain.stream(body.question, body.history, body.top_k, body.filters)
    return runtime.event_stream(_answer_events(events))
