"""POST /v1/chat/completions and GET /v1/models: the assistant as an OpenAI-compatible model, `sme-assistant`.

Any OpenAI SDK works unchanged (base_url=http://host:7860/v1). The last user message is the question and
the messages before it are the history. Sampling parameters (temperature, max_tokens…) are accepted and
ignored: answers are grounded in the documents, not sampled.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..schema import Answer, Citation, Turn, readable
from .auth import require_reader
from .errors import ERROR_RESPONSES, ApiError, ErrorBody
from .limits import check_conversation
from .models import ZJ_EXAMPLE, AskFilters
from .render import answer_text
from .runtime import Runtime, get_runtime
from .sse import sse

MODEL = "sme-assistant"
_SOURCES_MARK = "\n\n来源：\n"

router = APIRouter(prefix="/v1", tags=["OpenAI 兼容"], dependencies=[Depends(require_reader)])


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None

    _readable = field_validator("text")(readable)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    @field_validator("content")
    @classmethod
    def _readable(cls, value):
        return readable(value) if isinstance(value, str) else value

    def text(self) -> str:
        if self.content is None or isinstance(self.content, str):
            return self.content or ""
        if any(p.type != "text" for p in self.content):
            raise ApiError(422, "invalid_request", "只支持文字消息（content 中的 type 应为 text）")
        return "".join(p.text or "" for p in self.content)


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{"model": MODEL, "messages": [{"role": "user", "content": ZJ_EXAMPLE}]}]},
    )
    model: str = Field(MODEL, description="只有 sme-assistant")
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    # Strict: "yes" or "5" is a caller's mistake to hear about, not something to guess the meaning of.
    stream: bool = Field(False, strict=True)
    top_k: int | None = Field(None, ge=1, le=50, strict=True, description="扩展字段：检索片段数")
    filters: AskFilters | None = Field(None, description="扩展字段：同 /api/ask 的 filters")

    _readable = field_validator("model")(readable)


class ResponseMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: ResponseMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL
    choices: list[Choice]
    sme_citations: list[Citation] = Field(description="扩展字段：引用的来源（与回答文本中的 [n] 对应）")
    sme_answer: Answer = Field(description="扩展字段：完整的回答对象（与 POST /api/ask 相同）")


class ModelCard(BaseModel):
    id: str = MODEL
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "sme-assistant"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def split_conversation(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """The last message is the question; earlier ones are history, without the sources we appended to our answers."""
    *earlier, last = messages
    if last.role != "user":
        raise ApiError(422, "invalid_request", "最后一条消息应来自 user（即要问的问题）")
    history = []
    for m in earlier:
        role = {"developer": "system"}.get(m.role, m.role)
        if role in ("user", "assistant", "system"):
            history.append(Turn(role=role, content=m.text().split(_SOURCES_MARK)[0]))
    return last.text(), history


def _check_model(name: str) -> None:
    if name != MODEL:
        raise ApiError(404, "model_not_found", f"模型 {name[:64]} 不存在，请使用 {MODEL}")


def _extras(answer: Answer) -> dict[str, Any]:
    return {"sme_citations": [c.model_dump(mode="json") for c in answer.citations], "sme_answer": answer.model_dump(mode="json")}


def _chunks(events: Iterator[dict], completion_id: str, created: int) -> Iterator[str]:
    def chunk(delta: dict, finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL, "choices": [choice]}
        return sse({**body, **extra})

    yield chunk({"role": "assistant", "content": ""})
    sent = ""
    for event in events:
        if "delta" in event:
            sent += event["delta"]
            yield chunk({"content": event["delta"]})
            continue
        answer: Answer = event["answer"]
        full = answer_text(answer)
        # Normally the deltas are the start of the final text; when a checked LLM answer was replaced by the
        # extractive one, say so and send the final text whole.
        rest = full[len(sent) :] if full.startswith(sent) else "\n\n（以上内容未通过核对，以下为依据原文的回答）\n" + full
        if rest:
            yield chunk({"content": rest})
        yield chunk({}, "stop", **_extras(answer))
    yield sse("[DONE]")


@router.get("/models", response_model=ModelList, responses=ERROR_RESPONSES)
def models() -> ModelList:
    """可用模型：只有 `sme-assistant`。"""
    return ModelList(data=[ModelCard()])


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        **ERROR_RESPONSES,
        200: {"content": {"text/event-stream": {}}, "description": "stream=true 时为 SSE"},
        404: {"model": ErrorBody, "description": "没有这个模型（可用的模型见 GET /v1/models）"},
    },
)
def chat_completions(body: ChatCompletionRequest, runtime: Runtime = Depends(get_runtime)):
    """OpenAI 兼容的对话接口，模型名 `sme-assistant`。

    - 最后一条 user 消息是问题，之前的消息作为对话历史（用于理解追问）。
    - 回答文本（`choices[0].message.content`）末尾附有编号的“来源：”列表，与文中的 [n] 对应。
    - 扩展字段 `sme_citations`：引用列表（n、doc_id、title、source、date、url、quote、quality）；
      `sme_answer`：完整的回答对象（与 POST /api/ask 相同）。
    - `stream: true` 时按 OpenAI 格式返回 `chat.completion.chunk` 事件：先是 role，再是逐段的 content，
      然后是“来源：”列表，最后一个 chunk 的 `finish_reason` 为 `stop` 并带有 `sme_citations` 和 `sme_answer`，
      最后是 `data: [DONE]`。
    - 扩展请求字段：`top_k`、`filters`（同 /api/ask）。temperature、max_tokens 等采样参数会被忽略。
    """
    _check_model(body.model)
    question, history = split_conversation(body.messages)
    check_conversation(history, body.filters, runtime.settings)
    assistant = runtime.require_ready()
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        events = assistant.chain.stream(question, history, body.top_k, body.filters)
        return runtime.event_stream(_chunks(events, completion_id, created))
    with runtime.limiter.slot():
        answer = assistant.chain.ask(question, history, body.top_k, body.filters)
    return ChatCompletion(
        id=completion_id,
        created=created,
        choices=[Choice(message=ResponseMessage(content=answer_text(answer)))],
        sme_citations=answer.citations,
        sme_answer=answer,
    )
