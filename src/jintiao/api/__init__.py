"""The HTTP API at /api/v1/: bearer tokens, JSON errors with stable codes, thin routers.

Errors are ``{"code", "message", "details"}`` with a Chinese message; a dispute the caller
may not see is a 404 exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from jintiao.api.routers import disputes, loop, mediation, orgs, supervision
from jintiao.confirmation.services import ConfirmationWindowClosed
from jintiao.disputes.access import DisputeNotFound, PermissionDenied, RecordNotFound
from jintiao.disputes.services import DisputeConflict
from jintiao.domain.errors import DomainError
from jintiao.domain.lifecycle import TransitionRefused
from jintiao.mediation.services import ApprovalRequired, MediationDeadlinePassed
from jintiao.orgs.models import ApiToken
from jintiao.orgs.services import token_digest


class BearerToken(HttpBearer):
    """Authenticate by an API token; only active users with unrevoked tokens pass."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (ApiToken.objects.select_related("user", "user__organization")
               .filter(digest=token_digest(token), revoked=False, user__is_active=True).first())
        if row is None:
            return None
        request.user = row.user
        return row.user


api = NinjaAPI(title="金调通 JinTiao API", version="1", urls_namespace="api-v1",
               auth=BearerToken(), docs_url="/docs")
api.add_router("/disputes", disputes.router)
api.add_router("", mediation.router)
api.add_router("", orgs.router)
api.add_router("", loop.router)
api.add_router("/supervision", supervision.router)


def _error(request: HttpRequest, status: int, code: str, message: str,
           details: dict[str, Any] | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message,
                                         "details": details or {}}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 400
    if isinstance(exc, DisputeNotFound | RecordNotFound):
        status = 404
    elif isinstance(exc, PermissionDenied):
        status = 403
    elif isinstance(exc, DisputeConflict | TransitionRefused | ApprovalRequired
                    | MediationDeadlinePassed | ConfirmationWindowClosed):
        status = 409
    body = exc.as_dict()
    return _error(request, status, body["code"], body["message"], body["details"])


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = {"errors": [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", "")}
                          for e in exc.errors]}
    return _error(request, 422, "validation_error", "请求参数不正确", details)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthorized", "未登录或令牌无效")
