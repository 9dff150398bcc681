"""Who may read the supervisors' figures, and for which nodes."""

from __future__ import annotations

from django.db.models import QuerySet

from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import Organization, OrgKind, User
from jintiao.orgs.selectors import subtree, user_roles

SUPERVISING = frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.ADMINISTRATOR})
# The nodes a report can be made for: those that have committees below them.
REPORT_KINDS = (OrgKind.LEADING_GROUP, OrgKind.COMMITTEE, OrgKind.GOVERNANCE_CENTRE,
                OrgKind.REGULATOR, OrgKind.OPERATOR)


def may_supervise(viewer: User) -> bool:
    return bool(user_roles(viewer) & SUPERVISING) or viewer.is_superuser


def report_nodes(viewer: User) -> QuerySet[Organization]:
    """The nodes ``viewer`` may read figures for: their own node and those below it that
    hold committees (an administrator: every such node)."""
    if not may_supervise(viewer):
        return Organization.objects.none()
    nodes = Organization.objects.filter(kind__in=REPORT_KINDS)
    if not (viewer.is_superuser or Role.ADMINISTRATOR in user_roles(viewer)):
        if viewer.organization is None:
            return Organization.objects.none()
        nodes = nodes.filter(pk__in=subtree(viewer.organization).values("pk"))
    return nodes.order_by("path")


def report_node_for(viewer: User, node_id: int | None) -> Organization | None:
    """The node asked for if ``viewer`` may read it; their own node when none is asked."""
    nodes = report_nodes(viewer)
    if node_id is None:
        own = viewer.organization
        if own is not None and nodes.filter(pk=own.pk).exists():
            return own
        return nodes.first()
    return nodes.filter(pk=node_id).first()
