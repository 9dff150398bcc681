"""Reads of the organisation tree: subtrees, ancestors, a user's roles."""

from __future__ import annotations

from django.db.models import QuerySet

from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import Organization, User


def subtree(org: Organization) -> QuerySet[Organization]:
    """Return ``org`` and every node below it."""
    return Organization.objects.filter(path__startswith=org.path)


def ancestors(org: Organization) -> list[Organization]:
    """Return ``org`` and its ancestors, nearest first."""
    ids = [int(part) for part in org.path.strip("/").split("/") if part]
    by_id = Organization.objects.in_bulk(ids)
    return [by_id[i] for i in reversed(ids) if i in by_id]


def organization_registered_as(credit_code: str) -> Organization | None:
    """The node registered under a unified social credit code, if any."""
    if not credit_code:
        return None
    return Organization.objects.filter(credit_code=credit_code).first()


def user_roles(user: User) -> frozenset[Role]:
    """Return the roles ``user`` holds (cached on the instance for the request)."""
    cached: frozenset[Role] | None = getattr(user, "_jintiao_roles", None)
    if cached is None:
        cached = frozenset(Role(r) for r in user.role_rows.values_list("role", flat=True))
        user._jintiao_roles = cached  # type: ignore[attr-defined]
    return cached


def is_party(user: object) -> bool:
    """A person signed in to the party portal (the portal's pages are theirs alone)."""
    return isinstance(user, User) and user.is_authenticated and Role.PARTY in user_roles(user)
