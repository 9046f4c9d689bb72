"""The app factory: FastAPI (/api, /v1, /docs) with the Gradio UI mounted at "/", one process, one port.

Nothing loads here: the lifespan starts the Runtime's warm-up thread, and /api/health says 503 until it
is done. `create_app_from_env` is the import string uvicorn uses for several workers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from ..settings import Settings
from . import routes_ask, routes_check, routes_documents, routes_feedback, routes_health, routes_openai
from .errors import ApiError, CatchAll, ErrorShape, install_error_handlers
from .limits import BodySizeLimit
from .runtime import Runtime
from .ui_guard import UiFileGuard

DESCRIPTION = """依据资料库中的文档回答中小企业特色产业集群政策问题，每个回答都带引用。

- `POST /api/ask`、`POST /api/ask/stream`（SSE）：提问；
- `POST /v1/chat/completions`：OpenAI 兼容（模型 `sme-assistant`）；
- `POST /api/check`、`GET /api/criteria`：申报自查，把自己的数据与文件规定的认定条件逐条比对；
- `/api/documents`、`/api/reindex`：资料库；
- `POST /api/suggest`：回答之后可以接着问的问题；`GET /api/feedback`：用户的赞/踩与评论（管理员，JSON 或 CSV）。

设置了 `SME_API_KEY` 时，请求需带 `Authorization: Bearer <密钥>`；修改资料库需要 `SME_ADMIN_KEY`（未设置时资料库只读，除非设置了 `SME_OPEN_LIBRARY=1`）。
出错时统一返回 `{"error": {"code": "...", "message": "..."}}`。
"""

# Unknown paths under /api and /v1 get the API's error shape instead of falling through to the UI at "/".
_unknown = APIRouter(include_in_schema=False)


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


@_unknown.api_route("/api/{rest:path}", methods=_METHODS)
@_unknown.api_route("/v1/{rest:path}", methods=_METHODS)
def _no_such_endpoint(rest: str) -> None:
    raise ApiError(404, "not_found", "没有这个接口，或它不支持该请求方法；请查看 /docs 中的接口列表")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.start()
        yield

    # FastAPIOffline serves the /docs assets itself: the default loads them from a CDN, blank offline.
    app = FastAPIOffline(title="集群政策助手 API", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.runtime = runtime
    install_error_handlers(app)
    app.add_middleware(CatchAll)
    app.add_middleware(BodySizeLimit, max_upload_mb=settings.max_upload_mb, max_json_kb=settings.max_json_kb)
    app.add_middleware(UiFileGuard)
    # Always installed, even with no origins: Gradio then leaves CORS to us instead of adding its own.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )
    app.add_middleware(ErrorShape)  # outermost: it also rewrites what CORS refuses
    for module in (routes_health, routes_ask, routes_check, routes_openai, routes_documents, routes_feedback):
        app.include_router(module.router)
    app.include_router(_unknown)

    from .ui import mount_ui  # Gradio is heavy: imported when an app is made, not with this module

    mount_ui(app, runtime)  # last: the UI at "/" takes every path the routes above did not
    return app


def create_app_from_env() -> FastAPI:
    return create_app(Settings())
