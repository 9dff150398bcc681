"""The judge's batch review over HTTP (issue 20 §6): a court's confirmation applications,
the alike ones grouped, each with its checklist — what the review page shows. Each is
ruled on by POST /confirmations/{id}/ruling."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from jintiao.api.routers.disputes import ERRORS, DisputeId
from jintiao.api.routers.loop import checks_out
from jintiao.api.schemas import CheckOut, OrgRef
from jintiao.confirmation import selectors as court_selectors
from jintiao.confirmation.selectors import ReviewItem
from jintiao.disputes.access import court_for_review
from jintiao.domain import likeness
from jintiao.orgs.models import User

router = Router(tags=["agreement, confirmation, performance"])


class ConfirmationQueueItemOut(Schema):
    """One application with its checklist and the agreement's key terms, persons' names
    masked; ``ready``: under review with every checked ground met (the judge attests the
    rest); ``version`` is the dispute's, for the ruling."""

    application_id: int
    dispute_id: int
    dispute_number: str
    case_number: str
    status: str
    status_label: str
    version: int
    parties: list[str]
    total: str
    instalments: int
    first_due: str
    last_due: str
    waivers: list[str]
    altered: str
    ready: bool
    checklist: list[CheckOut]


class ConfirmationQueueGroupOut(Schema):
    """Applications alike: the same institution, dispute type and plan shape."""

    label: str
    count: int
    institution: str
    dispute_type: str
    method: str
    instalments: int
    waivers: list[str]
    items: list[ConfirmationQueueItemOut]


class ConfirmationQueueOut(Schema):
    court: OrgRef
    groups: list[ConfirmationQueueGroupOut]
    docketing: list[ConfirmationQueueItemOut]


def _item(i: ReviewItem) -> ConfirmationQueueItemOut:
    a = i.application
    return ConfirmationQueueItemOut(
        application_id=a.pk, dispute_id=a.dispute_id, dispute_number=a.dispute.number,
        case_number=a.case_number, status=a.status, status_label=a.get_status_display(),
        version=i.version, parties=list(i.parties), total=i.total, instalments=i.instalments,
        first_due=i.first_due, last_due=i.last_due, waivers=list(i.waivers), altered=i.altered,
        ready=i.ready, checklist=checks_out(i.checks))


def _group(g: likeness.Group[ReviewItem]) -> ConfirmationQueueGroupOut:
    s = g.shape
    return ConfirmationQueueGroupOut(
        label=s.label, count=g.count, institution=s.institution, dispute_type=s.dispute_type,
        method=s.method, instalments=s.instalments,
        waivers=[f"{part}{'（附条件）' if conditional else ''}" for part, conditional in s.waivers],
        items=[_item(i) for i in g.items])


@router.get("/courts/{court_id}/confirmation-queue",
            response={200: ConfirmationQueueOut, **ERRORS}, operation_id="confirmation_queue")
def confirmation_queue(request: HttpRequest, court_id: DisputeId) -> ConfirmationQueueOut:
    """The court's applications filed or under review, those under review grouped by
    shape (largest group first), each with its checklist: for the court's judges (404 for
    others, 403 for its clerks)."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    found = court_for_review(viewer, court_id)
    queue = court_selectors.review_queue(found)
    return ConfirmationQueueOut(
        court=OrgRef(id=found.pk, name=found.name, kind=found.kind),
        groups=[_group(g) for g in queue.groups],
        docketing=[_item(i) for i in queue.docketing])
