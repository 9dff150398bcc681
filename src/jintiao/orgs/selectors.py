"""Reads of the organisation tree: subtrees, ancestors, a user's roles."""

from __future__ import annotations

import hashlib

from django.db.models import Q, QuerySet

from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import INSTITUTION_KINDS, ApiToken, Organization, User


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


# --- API tokens ---

def token_digest(token: str) -> str:
    """Return the stored form of a bearer token."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_presented(secret: str) -> ApiToken | None:
    """The token whose secret was presented, with its holder (revoked and expired ones too:
    the API says which it is)."""
    return (ApiToken.objects.select_related("user", "user__organization")
            .filter(digest=token_digest(secret)).first())


def tokens_with_prefix(prefix: str) -> QuerySet[ApiToken]:
    """Tokens whose shown prefix is ``prefix`` (``jt_`` may be left off)."""
    prefix = prefix.strip()
    if not prefix.startswith("jt_"):
        prefix = "jt_" + prefix
    return ApiToken.objects.filter(prefix=prefix).select_related("user")


def tokens_listed(user: User | None = None) -> QuerySet[ApiToken]:
    """Every token (or ``user``'s), newest first, with holders: never the secret, which is
    not kept."""
    rows = ApiToken.objects.select_related("user", "revoked_by").order_by("-created_at", "-pk")
    return rows if user is None else rows.filter(user=user)


def tokens_managed_by(viewer: User) -> QuerySet[ApiToken]:
    """The tokens ``viewer`` may see and revoke (the rule of
    :func:`jintiao.orgs.services.may_revoke_token`): their own; an approver's institution's
    too; an administrator's all."""
    roles = user_roles(viewer)
    rows = tokens_listed()
    if viewer.is_superuser or Role.ADMINISTRATOR in roles:
        return rows
    mine = Q(user=viewer)
    node = viewer.organization
    if Role.APPROVER in roles and node is not None and node.kind in INSTITUTION_KINDS:
        mine |= Q(user__organization__path__startswith=node.path)
    return rows.filter(mine)
