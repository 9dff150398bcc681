"""Reads of the organisation tree: subtrees, ancestors, a user's roles."""

from __future__ import annotations

import hashlib

from django.db.models import Q, QuerySet

from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import INSTITUTION_KINDS, ApiToken, Organization, OrgKind, User


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


# --- policies: who publishes a node's rules, who reads them ---

# The nodes whose rules are set: leading groups (a prefecture's, a county's), committees and
# governance centres; a committee without its own version inherits the nearest above it.
POLICY_KINDS = (OrgKind.LEADING_GROUP, OrgKind.COMMITTEE, OrgKind.GOVERNANCE_CENTRE)


def administers_platform(user: User) -> bool:
    """The platform's administrators: a superuser, or an administrator of the operator (or
    of no node). An administrator placed at a prefecture or county node administers that
    node and its subtree only."""
    if user.is_superuser:
        return True
    node = user.organization
    return Role.ADMINISTRATOR in user_roles(user) and (node is None
                                                      or node.kind == OrgKind.OPERATOR)


def policy_nodes_managed_by(user: User) -> QuerySet[Organization]:
    """The nodes ``user`` may publish a new version of the rules for (DESIGN.md §3): any
    node for the platform's administrators; a prefecture's or county's administrator its
    own node and those below it; nobody else."""
    nodes = Organization.objects.filter(kind__in=POLICY_KINDS).order_by("path")
    if not user.is_active:
        return nodes.none()
    if administers_platform(user):
        return nodes
    node = user.organization
    if node is None or Role.ADMINISTRATOR not in user_roles(user):
        return nodes.none()
    return nodes.filter(path__startswith=node.path)


def may_publish_policy(user: User, node: Organization) -> bool:
    """Whether ``user`` may publish a version of ``node``'s rules (the rule of
    :func:`policy_nodes_managed_by`, for one node)."""
    if not user.is_active or node.kind not in POLICY_KINDS:
        return False
    if administers_platform(user):
        return True
    own = user.organization
    return (Role.ADMINISTRATOR in user_roles(user) and own is not None
            and node.path.startswith(own.path))


def policy_nodes_visible_to(user: User) -> QuerySet[Organization] | None:
    """The nodes whose rule versions ``user`` may read; ``None`` for every node.

    Everyone on the platform's staff reads the rules that apply to them and below them:
    those of their own node, of the nodes above it (which it inherits) and of those under
    it; the platform's administrators read all. A party signed
    in to the portal reads none here (their dispute's page says what applies to them).
    """
    roles = user_roles(user)
    if administers_platform(user) or Role.SYSTEM in roles:
        return None
    node = user.organization
    if node is None or not roles or roles == {Role.PARTY}:
        return Organization.objects.none()
    ids = [int(part) for part in node.path.strip("/").split("/") if part]
    return Organization.objects.filter(Q(pk__in=ids) | Q(path__startswith=node.path))
