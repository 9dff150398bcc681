"""Writes to the organisation tree and its users."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.db import transaction

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
    User,
    UserRole,
)
from jintiao.orgs.selectors import user_roles


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


@transaction.atomic
def user_create(
    *, username: str, organization: Organization | None, roles: Iterable[Role],
    password: str | None = None, full_name: str = "", mobile: str = "",
) -> User:
    """Create a user at a node with its roles; ``mobile`` receives signing codes."""
    user = User(username=username, organization=organization, first_name=full_name,
                mobile=mobile)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    UserRole.objects.bulk_create(UserRole(user=user, role=Role(r).value) for r in roles)
    return user


def token_digest(token: str) -> str:
    """Return the stored form of a bearer token."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str = "") -> str:
    """Issue a bearer token for ``user`` and return it; only its digest is kept."""
    token = "jt_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(token), prefix=token[:8], name=name)
    return token


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
