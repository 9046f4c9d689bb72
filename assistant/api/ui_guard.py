"""What reaches the Gradio UI from a client: never a file.

Gradio treats any `{"path": …, "meta": {"_type": "gradio.FileData"}}` in an event's input as a file the
client uploaded, and copies it into its cache, from any path on the server, before an event handler
runs (and, mounted into FastAPI, without its own upload-folder check). The UI has no file components:
documents are uploaded by the browser as multipart bytes to `POST /api/documents`, the same code path
and checks as the API. So this guard refuses, before Gradio sees them:
- any JSON body under /gradio_api that carries a FileData object, anywhere in it;
- Gradio's own upload and file routes, which the UI does not use;
- a UI request body over `max_bytes` (questions are short; this bounds what is buffered).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_response

GRADIO_API = "/gradio_api/"
# Routes through which Gradio reads or writes files on the server; the UI needs neither.
_FILE_ROUTES = ("/gradio_api/upload", "/gradio_api/file=", "/gradio_api/stream/", "/gradio_api/proxy=")
_FILE_MARKER = "gradio.FileData"


def carries_file(value: Any) -> bool:
    """Whether a decoded JSON value holds an object that Gradio would treat as a file."""
    if isinstance(value, dict):
        meta = value.get("meta")
        if isinstance(meta, dict) and meta.get("_type") == _FILE_MARKER:
            return True
        return any(carries_file(v) for v in value.values())
    if isinstance(value, list):
        return any(carries_file(v) for v in value)
    return False


class UiFileGuard:
    def __init__(self, app: ASGIApp, max_bytes: int = 1024 * 1024):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(GRADIO_API):
            await self.app(scope, receive, send)
            return
        if path.startswith(_FILE_ROUTES):
            await error_response(404, "not_found", "问答界面不提供文件读取或上传；上传文档请用“资料库”页或 POST /api/documents")(
                scope, receive, send
            )
            return
        if scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return

        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await error_response(413, "payload_too_large", "请求内容过长，请缩短问题或对话后重试")(scope, receive, send)
                return
        if _FILE_MARKER.encode() in body or b"\\u" in body:  # decode only what could hide the marker
            try:
                decoded = json.loads(body)
            except ValueError:
                decoded = None
            if carries_file(decoded):
                await error_response(400, "files_not_accepted", "问答界面不接受文件或服务器路径；上传文档请用“资料库”页或 POST /api/documents")(
                    scope, receive, send
                )
                return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
