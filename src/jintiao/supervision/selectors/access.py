"""For which nodes a supervisor reads figures (who supervises at all is
:mod:`jintiao.disputes.access`)."""

from __future__ import annotations

from django.db.models import QuerySet

from jintiao.disputes.access import SUPERVISING, may_supervise, supervises_everything
from jintiao.orgs.models import Organization, OrgKind, User
from jintiao.orgs.selectors import subtree

__all__ = ["REPORT_KINDS", "SUPERVISING", "may_supervise", "report_node_for", "report_nodes"]
# The nodes a report can be made for: those that have committees below them.
REPORT_KINDS = (OrgKind.LEADING_GROUP, OrgKind.COMMITTEE, OrgKind.GOVERNANCE_CENTRE,
                OrgKind.REGULATOR, OrgKind.OPERATOR)


def report_nodes(viewer: User) -> QuerySet[Organization]:
    """The nodes ``viewer`` may read figures for: their own node and those below it that
    hold committees (an administrator: every such node)."""
    if not may_supervise(viewer):
        return Organization.objects.none()
    nodes = Organization.objects.filter(kind__in=REPORT_KINDS)
    if not supervises_everything(viewer):
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
