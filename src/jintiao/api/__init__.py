"""The HTTP API at /api/v1/: bearer tokens (expiry, scopes, rate: jintiao.api.auth), JSON
errors with stable codes, thin routers.

Errors are ``{"code", "message", "details"}`` with a Chinese message; a dispute the caller
may not see is a 404 exactly like one that does not exist. Whatever fails (a body that
cannot be read, a fault in the code) answers in the same shape, never a page or a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from jintiao.api import errors
from jintiao.api.auth import BearerToken, TokenRefused, scoped
from jintiao.api.routers import court_queue as court_queue_router
from jintiao.api.routers import disputes, loop, mediation, orgs, reveal, statements, supervision
from jintiao.api.routers import hardship as hardship_router
from jintiao.api.routers import intake_files as intake_files_router
from jintiao.api.routers import joint as joint_router
from jintiao.api.routers import policies as policies_router
from jintiao.api.routers import portfolio as portfolio_router
from jintiao.api.routers import results as results_router
from jintiao.api.routers.batch_actions import router as batch_actions_router
from jintiao.api.routers.failure_package import router as failure_package_router
from jintiao.confirmation.services import ConfirmationWindowClosed
from jintiao.disputes.access import DisputeNotFound, PermissionDenied, RecordNotFound
from jintiao.disputes.services import DisputeConflict
from jintiao.documents.integrity import RecordAltered
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import TransitionRefused
from jintiao.mediation.services import ApprovalRequired, MediationDeadlinePassed

logger = logging.getLogger(__name__)


DESCRIPTION = """令牌：`Authorization: Bearer jt_…`，由平台管理员用 `jintiao token create` 签发，
每个机构系统一个令牌，有有效期，可随时吊销。每个接口需要令牌具有相应的权限范围（见各接口的
`x-scope`）：read 查询、intake 登记与办理、payments 还款与履行、documents 文书与签署。
令牌过期（token_expired）、已吊销（token_revoked）答 401；缺少权限范围（scope_missing）答 403；
每个令牌每分钟的请求次数有上限，超过答 429（rate_limited）并给出 Retry-After。"""

api = NinjaAPI(title="金调通 JinTiao API", version="1", description=DESCRIPTION,
               urls_namespace="api-v1", auth=BearerToken(), docs_url="/docs")
# every operation's scope on the request before the token is checked (jintiao.api.auth)
api.add_decorator(scoped, mode="view")
# before the disputes' own router: /disputes/{dispute_id} would take "batch-actions" first
api.add_router("/disputes", batch_actions_router)
api.add_router("", portfolio_router.router)
# before the loop's /confirmations/{application_id}: POST /confirmations/docket is its own
api.add_router("", court_queue_router.router)
api.add_router("/disputes", disputes.router)
api.add_router("", mediation.router)
api.add_router("", hardship_router.router)
api.add_router("", joint_router.router)
api.add_router("", orgs.router)
api.add_router("", loop.router)
api.add_router("", statements.router)
api.add_router("", failure_package_router)
api.add_router("", reveal.router)
api.add_router("/supervision", supervision.router)
api.add_router("", results_router.router)
api.add_router("", intake_files_router.router)
api.add_router("", policies_router.router)


def _error(request: HttpRequest, status: int, code: str, message: str,
           details: dict[str, Any] | None = None) -> HttpResponse:
    return api.create_response(request, errors.body(code, message, details), status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 400
    # by class, and by code for the apps below disputes that cannot name its classes
    # (a node whose rules the caller does not read, a node they do not administer)
    if (isinstance(exc, DisputeNotFound | RecordNotFound)
            or exc.code in (ErrorCode.NOT_FOUND, ErrorCode.DISPUTE_NOT_FOUND)):
        status = 404
    elif isinstance(exc, PermissionDenied) or exc.code == ErrorCode.PERMISSION_DENIED:
        status = 403
    elif isinstance(exc, DisputeConflict | TransitionRefused | ApprovalRequired
                    | MediationDeadlinePassed | ConfirmationWindowClosed | RecordAltered):
        status = 409
    body = exc.as_dict()
    return _error(request, status, body["code"], body["message"], body["details"])


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = {"errors": [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", "")}
                          for e in exc.errors]}
    return _error(request, 422, *errors.for_status(422), details)


@api.exception_handler(TokenRefused)
def token_refused(request: HttpRequest, exc: TokenRefused) -> HttpResponse:
    """A token revoked, expired, without the operation's scope or over its rate."""
    response = _error(request, exc.status, exc.code, exc.message, exc.details)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, *errors.for_status(401))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own refusals; the one it makes is a body that is not JSON."""
    if exc.status_code == 400:
        return _error(request, 400, errors.MALFORMED_BODY, "请求内容不是有效的 JSON")
    code, message = errors.for_status(exc.status_code)
    return _error(request, exc.status_code, code, message)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, *errors.for_status(404))


@api.exception_handler(DjangoPermissionDenied)
def forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    return _error(request, 403, *errors.for_status(403))


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, errors.BODY_TOO_LARGE, "请求内容过大",
                  {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})


@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
@api.exception_handler(BadRequest)
@api.exception_handler(SuspiciousOperation)
def malformed_body(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A body Django cannot read: a multipart post without its boundary, too many fields,
    a connection cut mid-upload."""
    logger.warning("Unreadable request body: %s %s (%s)", request.method, request.path, exc)
    return _error(request, 400, errors.MALFORMED_BODY, "请求内容无法解析")


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A fault: logged with its traceback for the operator, never shown to the caller."""
    logger.error("Internal Server Error: %s %s", request.method, request.path,
                 exc_info=(type(exc), exc, exc.__traceback__))
    return _error(request, 500, *errors.for_status(500))
