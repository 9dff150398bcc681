"""The API's one error shape, ``{"code", "message", "details"}``, for the failures that come
before or around a service: the request itself (body, path, method, token) and faults.

A service's refusals carry their own ``ErrorCode`` (domain/errors.py); the codes here are
the transport's and, like those, never renamed.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse

MALFORMED_BODY = "malformed_body"
BODY_TOO_LARGE = "body_too_large"
BAD_REQUEST = "bad_request"
UNAUTHORIZED = "unauthorized"
TOKEN_EXPIRED = "token_expired"  # noqa: S105 - an error code, not a secret
TOKEN_REVOKED = "token_revoked"  # noqa: S105 - an error code, not a secret
SCOPE_MISSING = "scope_missing"
RATE_LIMITED = "rate_limited"
FORBIDDEN = "permission_denied"
NOT_FOUND = "not_found"
METHOD_NOT_ALLOWED = "method_not_allowed"
VALIDATION_ERROR = "validation_error"
SERVER_ERROR = "server_error"

# What a bare status means when nothing more specific is known (an answer Django or
# django-ninja made before an operation ran).
BY_STATUS: dict[int, tuple[str, str]] = {
    400: (BAD_REQUEST, "请求无法处理"),
    401: (UNAUTHORIZED, "未登录或令牌无效"),
    403: (FORBIDDEN, "无权进行此操作"),
    404: (NOT_FOUND, "请求的地址不存在"),
    405: (METHOD_NOT_ALLOWED, "此地址不支持该请求方法"),
    413: (BODY_TOO_LARGE, "请求内容过大"),
    422: (VALIDATION_ERROR, "请求参数不正确"),
    429: (RATE_LIMITED, "请求过于频繁，请稍后再试"),
    500: (SERVER_ERROR, "服务器内部错误，请稍后再试或联系平台管理员"),
}


def for_status(status: int) -> tuple[str, str]:
    """The code and Chinese message of a bare status (any other 5xx is a server error)."""
    if status in BY_STATUS:
        return BY_STATUS[status]
    return BY_STATUS[500] if status >= 500 else BY_STATUS[400]


def body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def json_error(status: int, code: str, message: str,
               details: dict[str, Any] | None = None) -> HttpResponse:
    """An error answered outside django-ninja (the middleware), in the same shape."""
    return JsonResponse(body(code, message, details), status=status)
