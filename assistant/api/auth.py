"""Bearer keys: `SME_API_KEY` guards /api and /v1; `SME_ADMIN_KEY` (when set) guards what changes documents.

401 means no key or an unknown one; 403 means a valid key that may not do this (the API key on an admin
endpoint). The admin key also opens everything the API key opens. Keys are compared in constant time.
"""

from __future__ import annotations

import hmac

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


def key_matches(given: str | None, expected: str | None) -> bool:
    return bool(given and expected) and hmac.compare_digest(given.encode(), expected.encode())


def write_key(settings: Settings) -> str | None:
    """The key that changes documents: the admin key, else the API key, else none (open)."""
    return settings.admin_key or settings.api_key


def can_read(settings: Settings, key: str | None) -> bool:
    return not settings.api_key or key_matches(key, settings.api_key) or key_matches(key, settings.admin_key)


def can_write(settings: Settings, key: str | None) -> bool:
    required = write_key(settings)
    return required is None or key_matches(key, required)


def _token(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    return credentials.credentials if credentials else None


def _settings(request: Request) -> Settings:
    return request.app.state.runtime.settings


def require_reader(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    s = _settings(request)
    if not s.api_key:
        return
    token = _token(credentials)
    if token is None:
        raise _MISSING
    if not can_read(s, token):
        raise _INVALID


def require_writer(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    s = _settings(request)
    if write_key(s) is None:
        return
    token = _token(credentials)
    if token is None:
        raise _MISSING
    if can_write(s, token):
        return
    raise _NOT_ADMIN if key_matches(token, s.api_key) else _INVALID
