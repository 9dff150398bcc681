"""Writes to the organisation tree and its users."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.db import transaction

from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import ApiToken, Organization, OrgKind, User, UserRole


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
) -> Organization:
    """Create a node under ``parent`` and give it its materialised path.

    :raises OrganizationInvalid: a region code that is not six digits
    """
    if not (len(region_code) == 6 and region_code.isdigit()):
        raise OrganizationInvalid(f"行政区划代码应为6位数字：{region_code}",
                                  f"region code must be six digits: {region_code}")
    org = Organization.objects.create(
        name=name, kind=kind, region_code=region_code, parent=parent,
        path=f"tmp-{name}-{region_code}-{parent.pk if parent else 0}",
        accepted_types=list(accepted_types), accepted_channels=list(accepted_channels),
    )
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.save(update_fields=["path"])
    return org


@transaction.atomic
def user_create(
    *, username: str, organization: Organization | None, roles: Iterable[Role],
    password: str | None = None, full_name: str = "",
) -> User:
    """Create a user at a node with its roles."""
    user = User(username=username, organization=organization, first_name=full_name)
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
