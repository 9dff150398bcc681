"""Reads of disputes, always scoped to who is asking (DESIGN.md §1).

Hidden and missing disputes look the same: :func:`dispute_get_for` raises one
``DisputeNotFound`` for both, so existence does not leak.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from jintiao.disputes.models import Dispute
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import User
from jintiao.orgs.selectors import subtree, user_roles


class DisputeNotFound(DomainError):
    code = ErrorCode.DISPUTE_NOT_FOUND


def dispute_visible_to(viewer: User) -> QuerySet[Dispute]:
    """Return the disputes ``viewer`` may see, by role × organisation node.

    An institution's staff see their institution's disputes and its branches'; committee
    staff their committee's; mediators those they are assigned to; court staff those their
    court sent or received; supervisors everything below their node.
    """
    roles = user_roles(viewer)
    if viewer.is_superuser or Role.ADMINISTRATOR in roles:
        return Dispute.objects.all()
    if viewer.organization is None:
        return Dispute.objects.none()
    below = subtree(viewer.organization)
    rules = Q(pk__in=[])
    if roles & {Role.AGENT, Role.APPROVER}:
        rules |= Q(institution__in=below)
    if roles & {Role.INTAKE_CLERK, Role.DIRECTOR, Role.SUPERVISOR}:
        rules |= Q(committee__in=below)
    if roles & {Role.MEDIATOR, Role.EXPERT}:
        rules |= Q(pk__in=Dispute.objects.filter(mediator_rows__user=viewer).values("pk"))
    if roles & {Role.JUDGE, Role.COURT_CLERK}:
        rules |= Q(court__in=below)
    return Dispute.objects.filter(rules)


def dispute_list(
    viewer: User, *, state: str | None = None, dispute_type: str | None = None,
    channel: str | None = None, committee_id: int | None = None,
    institution_id: int | None = None, overdue_on: dt.date | None = None,
    text: str | None = None,
) -> QuerySet[Dispute]:
    """Return the viewer's disputes filtered as the list pages and the API ask, newest first,
    with what a list row shows already joined."""
    rows = dispute_visible_to(viewer)
    if state:
        rows = rows.filter(state=state)
    if dispute_type:
        rows = rows.filter(dispute_type=dispute_type)
    if channel:
        rows = rows.filter(channel=channel)
    if committee_id is not None:
        rows = rows.filter(committee_id=committee_id)
    if institution_id is not None:
        rows = rows.filter(institution_id=institution_id)
    if overdue_on is not None:
        rows = rows.filter(deadline__lt=overdue_on)
    if text:
        rows = rows.filter(Q(number__icontains=text) | Q(summary__icontains=text)
                           | Q(party_rows__party__name__icontains=text)).distinct()
    return (rows.select_related("committee", "institution", "court")
            .prefetch_related("party_rows__party").order_by("-received_on", "-pk"))


def dispute_get_for(viewer: User, dispute_id: int) -> Dispute:
    """Return the dispute if ``viewer`` may see it.

    :raises DisputeNotFound: it does not exist or ``viewer`` may not see it
    """
    found = (dispute_visible_to(viewer).filter(pk=dispute_id)
             .select_related("committee", "institution", "court", "policy_version")
             .prefetch_related("party_rows__party").first())
    if found is None:
        # no details: the answer must be the same whatever id was asked for
        raise DisputeNotFound("纠纷不存在或无权查看", "dispute not found")
    return found
