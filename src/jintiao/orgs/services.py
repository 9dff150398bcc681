"""Writes to the organisation tree and its users."""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from jintiao import clock
from jintiao.domain import identity
from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.case_numbers import suggested_court_code, validate_court_code
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import (
    INSTITUTION_KINDS,
    ApiToken,
    AuthorityGrant,
    MediatorProfile,
    Organization,
    OrgKind,
    TokenScope,
    User,
    UserRole,
)
from jintiao.orgs.selectors import token_digest, user_roles


class OrganizationInvalid(DomainError):
    code = ErrorCode.ORGANIZATION_INVALID


@transaction.atomic
def organization_create(
    *,
    name: str,
    kind: OrgKind,
    region_code: str,
    parent: Organization | None = None,
    accepted_types: Iterable[str] = (),
    accepted_channels: Iterable[str] = (),
    credit_code: str = "",
    court_code: str = "",
) -> Organization:
    """Create a node under ``parent`` and give it its materialised path. A court gets its
    code in case numbers (法院代字): the one given, else the one its division code suggests
    (:func:`jintiao.domain.case_numbers.suggested_court_code`).

    :raises OrganizationInvalid: a region code that is not six digits, an invalid unified
        social credit code, or one another node is registered under
    :raises CourtCodeInvalid: a court code not in the SPC's form, or none for a court whose
        division code suggests none
    """
    if not (len(region_code) == 6 and region_code.isdigit()):
        raise OrganizationInvalid(f"行政区划代码应为6位数字：{region_code}",
                                  f"region code must be six digits: {region_code}")
    credit_code = organization_credit_code(credit_code)
    court_code = organization_court_code(court_code, kind=kind, region_code=region_code)
    org = Organization.objects.create(
        name=name, kind=kind, region_code=region_code, parent=parent, credit_code=credit_code,
        court_code=court_code,
        path=f"tmp-{name}-{region_code}-{parent.pk if parent else 0}",
        accepted_types=list(accepted_types), accepted_channels=list(accepted_channels),
    )
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.save(update_fields=["path"])
    return org


def organization_court_code(text: str, *, kind: str, region_code: str,
                            of: Organization | None = None) -> str:
    """A court's code in case numbers: the one given, else the one its division code
    suggests; "" for any other node. ``of``: the court being edited.

    :raises CourtCodeInvalid: a court's code not in the SPC's form (or none to suggest)
    :raises OrganizationInvalid: a code given for a node that is not a court, or one another
        court holds (a railway or internet court under a city's division code is given its
        own published code)
    """
    if kind != OrgKind.COURT:
        if text.strip():
            raise OrganizationInvalid("只有法院登记法院代字", "only a court has a court code",
                                      field="court_code")
        return ""
    code = validate_court_code(text or suggested_court_code(region_code))
    holders = Organization.objects.filter(court_code=code)
    if of is not None:
        holders = holders.exclude(pk=of.pk)
    holder = holders.first()
    if holder is not None:
        raise OrganizationInvalid(
            f"法院代字{code}已登记为“{holder.name}”，请填写本院公布的法院代字",
            f"court code {code} belongs to another court", field="court_code")
    return code


def organization_credit_code(text: str, *, of: Organization | None = None) -> str:
    """Return the normalised credit code for a node (``of``, when it is an existing one), or
    "" for none.

    :raises OrganizationInvalid: the code fails GB 32100, or another node holds it
    """
    if not text.strip():
        return ""
    try:
        code = identity.validate_credit_code(text)
    except identity.IdentityInvalid as exc:
        raise OrganizationInvalid(exc.message, exc.message_en, field="credit_code") from None
    holders = Organization.objects.filter(credit_code=code)
    if of is not None:
        holders = holders.exclude(pk=of.pk)
    holder = holders.first()
    if holder is not None:
        raise OrganizationInvalid(f"统一社会信用代码{code}已登记为“{holder.name}”",
                                  f"credit code {code} belongs to another organisation",
                                  field="credit_code")
    return code


class PasswordInvalid(DomainError):
    code = ErrorCode.PASSWORD_INVALID


def password_check(password: str, user: User) -> None:
    """Django's password validators (``AUTH_PASSWORD_VALIDATORS``: at least 10 characters,
    not a common password, not all digits, not like the user's own names).

    :raises PasswordInvalid: with every reason, in Chinese and in English
    """
    said = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            try:
                validate_password(password, user)
            except ValidationError as exc:
                said[language] = exc.messages
    if said:
        raise PasswordInvalid("；".join(said["zh-hans"]), " ".join(said["en"]), field="password")


@transaction.atomic
def user_create(
    *, username: str, organization: Organization | None, roles: Iterable[Role],
    password: str | None = None, full_name: str = "", mobile: str = "",
) -> User:
    """Create a user at a node with its roles; ``mobile`` receives signing codes."""
    user = User(username=username, organization=organization, first_name=full_name,
                mobile=mobile)
    if password:
        password_check(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    UserRole.objects.bulk_create(UserRole(user=user, role=Role(r).value) for r in roles)
    return user


class TokenInvalid(DomainError):
    code = ErrorCode.TOKEN_INVALID


# How often a token's last use is written: once a minute, not on every request.
TOKEN_USE_RESOLUTION = dt.timedelta(minutes=1)
TOKEN_SYSTEM_MAX = 50


def _token_text(text: str, *, label: str, field: str, limit: int) -> str:
    """A token's system or purpose: printable, within ``limit`` characters."""
    text = text.strip()
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in text):
        raise TokenInvalid(f"{label}含有不可见的字符", f"{field} holds invisible characters",
                           field=field)
    if len(text) > limit:
        raise TokenInvalid(f"{label}不能超过{limit}个字", f"{field} is too long", field=field)
    return text


def token_scopes(scopes: Iterable[str] | None) -> list[str]:
    """The scopes asked for, in their declared order; ``None`` is all of them.

    :raises TokenInvalid: none, or one that is not a scope
    """
    if scopes is None:
        return list(TokenScope.values)
    asked = {s.strip() for s in scopes}
    unknown = sorted(asked - set(TokenScope.values))
    if unknown:
        raise TokenInvalid(
            f"权限范围无效：{'、'.join(unknown)}（可选：{'、'.join(TokenScope.values)}）",
            f"unknown scope: {', '.join(unknown)}", field="scopes")
    if not asked:
        raise TokenInvalid("至少选择一项权限范围", "at least one scope", field="scopes")
    return [s for s in TokenScope.values if s in asked]


@transaction.atomic
def token_create(*, user: User, name: str = "", system: str = "",
                 scopes: Iterable[str] | None = None, days: int | None = None) -> str:
    """Issue a bearer token for ``user`` and return it; only its digest is kept.

    ``system`` names the institution's system that will hold it (核心系统, 催收系统): each
    system gets its own token, so that one can be revoked without stopping the others.
    ``scopes`` (all when ``None``) limit what it may do; it expires after ``days``
    (``JINTIAO_API_TOKEN_DAYS`` by default, at most ``JINTIAO_API_TOKEN_MAX_DAYS``).

    :raises TokenInvalid: an inactive user, an unknown scope, a lifetime out of range, a
        system or purpose too long or with invisible characters
    """
    if not user.is_active:
        raise TokenInvalid(f"用户已停用：{user.username}", "inactive user", field="user")
    longest: int = settings.API_TOKEN_MAX_DAYS
    days = settings.API_TOKEN_DAYS if days is None else days
    if isinstance(days, bool) or not 1 <= days <= longest:
        raise TokenInvalid(f"有效期应为1到{longest}天", f"lifetime must be 1..{longest} days",
                           field="days")
    granted = token_scopes(scopes)
    system = _token_text(system, label="使用系统", field="system", limit=TOKEN_SYSTEM_MAX)
    name = _token_text(name, label="用途说明", field="name", limit=100)
    token = "jt_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(token), prefix=token[:8], name=name,
                            system=system, scopes=granted,
                            expires_at=clock.now() + dt.timedelta(days=days))
    return token


def may_revoke_token(actor: User, token: ApiToken) -> bool:
    """The token's holder, an administrator, or an approver of the holder's institution
    (or of a node above it): whoever must be able to stop a leaked token at once."""
    roles = user_roles(actor)
    if actor.pk == token.user_id or actor.is_superuser or Role.ADMINISTRATOR in roles:
        return True
    node, held_at = actor.organization, token.user.organization
    return (Role.APPROVER in roles and node is not None and held_at is not None
            and node.kind in INSTITUTION_KINDS and held_at.path.startswith(node.path))


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User | None) -> ApiToken:
    """Revoke ``token`` now (``by``: who, ``None`` for the operator's command line); it is
    refused from the next request on. Revoking a revoked token changes nothing.

    :raises TokenInvalid: ``by`` may not revoke it
    """
    # only the token's row is locked: PostgreSQL refuses FOR UPDATE across a nullable join
    row = (ApiToken.objects.select_for_update(of=("self",))
           .select_related("user__organization").get(pk=token.pk))
    if by is not None and not may_revoke_token(by, row):
        raise TokenInvalid("只有令牌持有人、其所在金融机构的审批人或管理员可以吊销该令牌",
                           "only the holder, their institution's approver or an administrator")
    if not row.revoked:
        row.revoked, row.revoked_at, row.revoked_by = True, clock.now(), by
        row.save(update_fields=["revoked", "revoked_at", "revoked_by"])
    return row


def token_used(token: ApiToken, at: dt.datetime) -> None:
    """Note that ``token`` was used at ``at`` — written only when the last note is a minute
    old or more, so a busy system does not write a row on every request."""
    if token.last_used_at is not None and at - token.last_used_at < TOKEN_USE_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)
    token.last_used_at = at


@transaction.atomic
def mediator_profile_set(
    *, user: User, expertise: Iterable[str] = (), capacity: int = 15, available: bool = True,
    full_time: bool = False, affiliations: Iterable[Organization] = (),
) -> MediatorProfile:
    """Record what ranking needs about a mediator, replacing what was there.

    ``affiliations`` are institutions the mediator is tied to besides their employer (a
    retired manager of a bank, a board seat at a credit union): they exclude the mediator
    from that institution group's disputes exactly as employment does.

    :raises OrganizationInvalid: not a mediator or expert, a capacity below one, or an
        affiliation that is not a financial institution
    """
    if not user_roles(user) & {Role.MEDIATOR, Role.EXPERT}:
        raise OrganizationInvalid(f"{user}不是调解员或调解专家", "not a mediator or expert")
    if isinstance(capacity, bool) or not 1 <= capacity <= 500:
        raise OrganizationInvalid("在办上限应为1到500件", "capacity must be 1..500")
    ties = list(affiliations)
    wrong = [o for o in ties if o.kind not in INSTITUTION_KINDS]
    if wrong:
        raise OrganizationInvalid(f"关联单位须为金融机构：{wrong[0]}",
                                  "affiliations must be financial institutions")
    profile, _created = MediatorProfile.objects.update_or_create(
        user=user, defaults={"expertise": sorted({e.strip() for e in expertise if e.strip()}),
                             "capacity": capacity, "available": available,
                             "full_time": full_time})
    profile.affiliations.set(ties)
    return profile


def may_hold_authority(user: User) -> bool:
    """Only an institution's agents and approvers hold authority limits."""
    node = user.organization
    return bool(user_roles(user) & {Role.AGENT, Role.APPROVER} and node is not None
                and node.kind in INSTITUTION_KINDS)


@transaction.atomic
def authority_grant_set(*, user: User, limits: AuthorityLimits, note: str = "") -> AuthorityGrant:
    """Record an institution officer's limits (分级授权), replacing the previous grant.

    :raises OrganizationInvalid: not an agent or approver of a financial institution
    """
    if not may_hold_authority(user):
        raise OrganizationInvalid(f"{user}不是金融机构的经办人或审批人",
                                  "not an institution's agent or approver")
    grant, _created = AuthorityGrant.objects.update_or_create(user=user, defaults={
        "max_charge_waiver_ratio": limits.max_charge_waiver_ratio,
        "max_principal_waiver_ratio": limits.max_principal_waiver_ratio,
        "max_term_months": limits.max_term_months, "min_annual_rate": limits.min_annual_rate,
        "max_deferral_months": limits.max_deferral_months, "note": note.strip()[:200]})
    return grant


SYSTEM_USERNAME = "jintiao-system"


def system_actor() -> User:
    """The account scheduled jobs act as (role SYSTEM): it cannot sign in, and every event
    it writes says the system did it."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "系统", "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        UserRole.objects.create(user=user, role=Role.SYSTEM.value)
    return user
