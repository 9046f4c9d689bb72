"""Bearer keys: `SME_API_KEY` guards /api and /v1; `SME_ADMIN_KEY` guards what changes documents.

The library is read-only unless an admin key is set, or `SME_OPEN_LIBRARY=1` says on purpose that anyone
who may read may also change it: a deployment that forgot to set a key must not take uploads from anyone.
401 means no key or an unknown one; 403 means a valid key that may not do this (the API key on an admin
endpoint), or a library that takes no changes. The admin key also opens everything the API key opens.
Keys are compared in constant time.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections import deque

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..settings import Settings
from .errors import ApiError

# auto_error=False: a missing header is reported in our own error shape, not FastAPI's.
_bearer = HTTPBearer(auto_error=False, description="SME_API_KEY，或修改资料库时的 SME_ADMIN_KEY")

_MISSING = ApiError(
    401, "unauthorized", "缺少访问密钥：请在请求头中加入 Authorization: Bearer <密钥>", headers={"WWW-Authenticate": "Bearer"}
)
_INVALID = ApiError(401, "unauthorized", "访问密钥无效，请检查后重试", headers={"WWW-Authenticate": "Bearer"})
_NOT_ADMIN = ApiError(403, "forbidden", "该操作需要管理员密钥（SME_ADMIN_KEY），当前密钥只能提问和查看资料")
LOCKED_MESSAGE = (
    "资料库当前为只读：要上传、删除文档或重建索引，请在启动服务前设置管理员密钥 SME_ADMIN_KEY=<密钥>，"
    "并在请求中带上该密钥；仅在受信任的本机使用时，也可设置 SME_OPEN_LIBRARY=1"
)
_LOCKED = ApiError(403, "library_read_only", LOCKED_MESSAGE)


class WrongKeyThrottle:
    """After `free` wrong keys from one client address within a minute, each further wrong key is answered
    only after `delay` seconds: a typo costs nothing, guessing keys becomes slow. The wait is asynchronous,
    so it holds no worker thread."""

    WINDOW = 60.0
    MAX_CLIENTS = 10_000  # addresses remembered at once; the oldest are forgotten first

    def __init__(self, free: int, delay: float):
        self.free = free
        self.delay = delay
        self._failures: dict[str, deque[float]] = {}

    async def wrong_key(self, client: str) -> None:
        now = time.monotonic()
        recent = self._failures.pop(client, deque())
        while recent and now - recent[0] > self.WINDOW:
            recent.popleft()
        recent.append(now)
        self._failures[client] = recent  # re-inserted: the dict's order is most recently failed last
        if len(self._failures) > self.MAX_CLIENTS:
            del self._failures[next(iter(self._failures))]
        if len(recent) > self.free and self.delay > 0:
            await asyncio.sleep(self.delay)


def key_matches(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(given.encode(), expected.encode())


def read_only(settings: Settings) -> bool:
    return not settings.admin_key and not settings.open_library


def can_read(settings: Settings, key: str | None) -> bool:
    return not settings.api_key or key_matches(key, settings.api_key) or key_matches(key, settings.admin_key)


def can_write(settings: Settings, key: str | None) -> bool:
    if settings.admin_key:
        return key_matches(key, settings.admin_key)
    return settings.open_library and can_read(settings, key)


def _token(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    return credentials.credentials if credentials else None


def _settings(request: Request) -> Settings:
    return request.app.state.runtime.settings


async def _invalid(request: Request) -> ApiError:
    await request.app.state.runtime.wrong_keys.wrong_key(request.client.host if request.client else "")
    return _INVALID


async def require_reader(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    s = _settings(request)
    if not s.api_key:
        return
    token = _token(credentials)
    if token is None:
        raise _MISSING
    if not can_read(s, token):
        raise await _invalid(request)


async def require_writer(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    s = _settings(request)
    if not s.admin_key:
        await require_reader(request, credentials)
        if read_only(s):
            raise _LOCKED
        return
    token = _token(credentials)
    if token is None:
        raise _MISSING
    if can_write(s, token):
        return
    raise _NOT_ADMIN if key_matches(token, s.api_key) else await _invalid(request)
