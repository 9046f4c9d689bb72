"""One error shape for every API response that is not a success: `{"error": {"code": str, "message": str}}`.

Messages are Chinese and say what to do. Nothing from an exception's text reaches a response unless the
exception was written for users (`ApiError`, `QuestionError`), so no stack trace, path or key can leak.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..answering.query import QuestionError

log = logging.getLogger("sme.api")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(Exception):
    """An error meant for the caller: its status, a stable code and a Chinese message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


# The statuses the framework itself raises (routing, methods, malformed multipart).
_HTTP_ERRORS = {
    400: ("bad_request", "请求格式有误，请检查请求体（上传文件请用 multipart/form-data）"),
    404: ("not_found", "没有这个接口，请查看 /docs 中的接口列表"),
    405: ("method_not_allowed", "该接口不支持此请求方法，请查看 /docs 中的接口说明"),
}
_CORS_REJECTED = ("cors_rejected", "不允许来自该网页的跨域请求：请让管理员把该网页的来源加入 SME_CORS_ORIGINS")
_ANY_ERROR = ("http_error", "请求无法处理，请检查后重试")

_VALIDATION_MESSAGES = {
    "missing": "缺少必填字段",
    "json_invalid": "不是有效的 JSON",
    "json_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为数组",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "too_short": "不能为空",
    "too_long": "条目过多",
    "literal_error": "取值不在允许范围内",
    "extra_forbidden": "是不支持的字段",
}


def validation_message(errors: list[dict]) -> str:
    """The first problem, in Chinese, naming the field (`filters.date_from`) without echoing the input."""
    first = errors[0]
    loc = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
    if first.get("type") == "value_error":
        # Our own validators raise ValueError with a Chinese message; pydantic prefixes it.
        reason = str(first.get("msg", "")).removeprefix("Value error, ")
    elif first.get("type") == "json_invalid":
        return "请求体不是有效的 JSON"
    else:
        reason = _VALIDATION_MESSAGES.get(first.get("type", ""), "取值无效")
    if not loc:
        return "缺少请求体（应为 JSON 对象）" if first.get("type") == "missing" else f"请求体{reason}"
    return f"请求参数 {loc} {reason}"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(QuestionError)
    async def _question_error(request: Request, exc: QuestionError) -> JSONResponse:
        return error_response(422, "invalid_question", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", validation_message(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_ERRORS.get(exc.status_code, _ANY_ERROR)
        return error_response(exc.status_code, code, message, getattr(exc, "headers", None))



class CatchAll:
    """Any other exception: logged, and answered with a 500 in the error shape.

    A middleware rather than an `Exception` handler: Starlette re-raises after such a handler, and the
    server then drops the keep-alive connection under the client's next request.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except ClientDisconnect:
            return  # the client went away (or BodySizeLimit already answered it): no one to answer, nothing to log
        except Exception:
            if started:  # too late for another response; the server closes the connection
                raise
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            await error_response(500, "internal_error", "服务器内部错误，请稍后重试；如果一直出现，请联系管理员查看服务日志")(
                scope, receive, send
            )


def _in_shape(body: bytes) -> bool:
    try:
        decoded = json.loads(body)
    except ValueError:
        return False
    return isinstance(decoded, dict) and set(decoded) == {"error"} and isinstance(decoded["error"], dict)


class ErrorShape:
    """Error responses that other layers write in their own words, rewritten into ours: the framework's
    404/405 for a method no route takes (TRACE, OPTIONS), a CORS rejection ("Disallowed CORS origin", plain
    text), the UI server's `{"detail": …}`. Status and headers are kept. Gradio's own channel
    (/gradio_api/) is left alone: its page reads Gradio's format."""

    def __init__(self, app: ASGIApp, skip: tuple[str, ...] = ("/gradio_api/",)):
        self.app = app
        self.skip = skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = b""
        # A refused CORS preflight is the only error an OPTIONS request with this header can get.
        preflight = scope["method"] == "OPTIONS" and any(k == b"access-control-request-method" for k, _ in scope["headers"])

        async def reshaped(message: Message) -> None:
            nonlocal start, body
            if message["type"] == "http.response.start" and message["status"] >= 400:
                start = message
                return
            if start is None:
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body", False):
                return
            if not _in_shape(body):
                code, text = _CORS_REJECTED if preflight else _HTTP_ERRORS.get(start["status"], _ANY_ERROR)
                body = json.dumps(error_body(code, text), ensure_ascii=False).encode()
                kept = [(k, v) for k, v in start["headers"] if k.lower() not in (b"content-length", b"content-type")]
                start = {**start, "headers": [*kept, (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]}
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, reshaped)


# For the OpenAPI page: what each error status looks like.
ERROR_RESPONSES = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "请求体格式有误（如损坏的 multipart）",
        401: "缺少或无效的访问密钥",
        413: "请求体超过上限（SME_MAX_JSON_KB）",
        422: "请求体或问题无效，或对话历史、文档筛选超过上限",
        429: "同时进行的请求过多",
        503: "服务正在加载或不可用",
    }.items()
}
