"""Who calls the API and what their token lets them do: a token that is unknown, revoked or
expired is refused (401); an operation needs its scope (403); each token makes at most
``JINTIAO_API_RATE_PER_MINUTE`` requests a minute (429 with Retry-After), counted in Django's
cache so that every worker and host counts the same minute.

Every operation's scope is declared here, by its operation id, in :data:`SCOPES`; a GET not
listed there is a plain read and needs ``read``. A write not listed is refused to every
token (the scope test names it), so that no new endpoint is open to every token by default.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer

from jintiao import clock
from jintiao.api import errors
from jintiao.orgs.models import ApiToken, TokenScope
from jintiao.orgs.selectors import token_presented
from jintiao.orgs.services import token_used

READ, INTAKE = TokenScope.READ, TokenScope.INTAKE
PAYMENTS, DOCUMENTS = TokenScope.PAYMENTS, TokenScope.DOCUMENTS

# operation id → the scope it needs; any GET not named is a read
SCOPES: dict[str, TokenScope] = {
    # filing and working a dispute: intake, its lifecycle, the mediation's records and offers
    **dict.fromkeys([
        "disputes_intake", "disputes_intake_batch", "intake_files_upload", "disputes_apply_action",
        "disputes_appoint_representative", "disputes_update_party", "triage_confirm",
        "team_change", "recusal_request", "recusal_decide", "session_schedule", "session_record",
        "session_cancel", "session_reschedule", "session_record_correct", "caucus_note_add",
        "attachment_add", "plan_menu_publish", "offer_propose", "offer_accept", "offer_reject",
        "approval_request", "approval_decide", "offer_withdraw", "blind_bound_enter",
        "budget_declare", "consent_record", "evaluation_record"], INTAKE),
    "disputes_batch_action": INTAKE,  # accept or assign many: each dispute as one action
    # joint mediation (issue 21 §2): joining, the consolidated plan, the joint meeting
    **dict.fromkeys(["joint_create", "joint_plan", "joint_session_schedule"], INTAKE),
    "disputes_menu_offers": INTAKE,  # the standard menu sent to many debtors
    # payments and what follows from them: reversal, bulk import, enforcement, credit repair
    **dict.fromkeys([
        "payment_record", "payment_reverse", "payments_import", "enforcement_apply",
        "credit_repair_confirm"], PAYMENTS),
    # the agreement and the court papers: drafting, codes, signatures, seal, filing, ruling,
    # and what carries the parties' full particulars — the files, and a full number shown on
    # request (the role is the service's to check; a read-only token never gets one)
    **dict.fromkeys([
        "agreement_draft", "signing_code_send", "agreement_sign", "agreement_seal",
        "confirmation_apply", "joint_confirmation_apply", "confirmation_accept",
        "confirmations_docket",
        "confirmation_decide",
        "statements_service_address", "statements_joint_application_sign", "statements_sign",
        "dossier_download", "document_download", "party_reveal"], DOCUMENTS),
    # the failure package carries every party's full particulars, and its evidence files
    **dict.fromkeys(["failure_package_get", "failure_package_generate",
                     "failure_package_file"], DOCUMENTS),
    # a post that changes nothing: plans computed side by side
    **dict.fromkeys(["plans_compare"], READ),
}


log = logging.getLogger(__name__)

def scope_of(operation_id: str, methods: list[str]) -> TokenScope | None:
    """The scope an operation needs; ``None`` for a write nobody declared (refused)."""
    if operation_id in SCOPES:
        return SCOPES[operation_id]
    return READ if set(methods) <= {"GET", "HEAD"} else None


class TokenRefused(Exception):
    """A token that may not make this request: the answer's status, code and words."""

    def __init__(self, status: int, code: str, message: str,
                 details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details or {}, headers or {}


def _wait_seconds(row: ApiToken) -> int:
    """Seconds until this token may call again (0: now), counting this request; the count
    is per token and per clock minute, in the shared cache."""
    limit: int = settings.API_RATE_PER_MINUTE
    if limit <= 0:
        return 0
    stamp = int(clock.now().timestamp())
    key = f"jintiao:api-rate:{row.digest[:32]}:{stamp // 60}"
    try:
        try:
            count = cache.incr(key)
        except ValueError:  # the minute's first request: another worker may be making it too
            count = 1 if cache.add(key, 1, timeout=120) else cache.incr(key)
    except Exception as exc:  # the cache (Redis) is down: count nothing rather than refuse all
        log.warning("API rate limit not counted: cache unavailable (%s)", type(exc).__name__)
        return 0
    return 60 - stamp % 60 if count > limit else 0


def check_token(row: ApiToken | None, scope: TokenScope | None) -> ApiToken:
    """The token if it may make a request needing ``scope`` now; each refusal in words.

    :raises TokenRefused: unknown or its holder disabled, revoked, expired (401); too many
        requests this minute (429); without ``scope`` (403)
    """
    if row is None or not row.user.is_active:
        raise TokenRefused(401, errors.UNAUTHORIZED, errors.BY_STATUS[401][1])
    now = clock.now()
    if row.revoked:
        raise TokenRefused(401, errors.TOKEN_REVOKED,
                           f"令牌{row.prefix}…已吊销，请使用新令牌", {"prefix": row.prefix})
    if row.expires_at <= now:
        day = row.expires_at.astimezone(clock.TZ)
        raise TokenRefused(401, errors.TOKEN_EXPIRED,
                           f"令牌{row.prefix}…已于{day:%Y-%m-%d %H:%M}过期，"
                           "请向平台管理员申请新令牌",
                           {"prefix": row.prefix, "expired_at": day.isoformat()})
    wait = _wait_seconds(row)
    if wait:
        limit = settings.API_RATE_PER_MINUTE
        raise TokenRefused(429, errors.RATE_LIMITED,
                           f"请求过于频繁：每个令牌每分钟最多{limit}次，请{wait}秒后再试",
                           {"limit": limit, "retry_after": wait}, {"Retry-After": str(wait)})
    token_used(row, now)
    if scope is None or scope.value not in row.scopes:
        needed = f"“{scope.label}”（{scope.value}）" if scope else "（未声明）"
        raise TokenRefused(403, errors.SCOPE_MISSING,
                           f"该令牌没有{needed}权限范围，无权进行此操作",
                           {"required": scope.value if scope else "",
                            "granted": ",".join(row.scopes)})
    return row


class BearerToken(HttpBearer):
    """Authenticate by an API token for the scope the operation declared."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        scope: TokenScope | None = getattr(request, "jintiao_scope", None)
        row = check_token(token_presented(token), scope)
        request.user = row.user
        return row.user


def scoped(run: Callable[..., Any]) -> Callable[..., Any]:
    """A view decorator for every operation (``api.add_decorator(..., mode="view")``): puts
    the scope the operation needs on the request before its token is checked, and says it
    in the OpenAPI document (``x-scope``) for those who integrate."""
    operation = inspect.unwrap(run).__self__
    operation_id = operation.operation_id or operation.api.get_openapi_operation_id(operation)
    scope = scope_of(operation_id, operation.methods)
    operation.openapi_extra = {**(operation.openapi_extra or {}),
                               "x-scope": scope.value if scope else "undeclared"}

    @functools.wraps(run)
    def with_scope(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        request.jintiao_scope = scope  # type: ignore[attr-defined]
        return run(request, *args, **kwargs)

    return with_scope
