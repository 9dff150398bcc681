"""The judge's batch review over HTTP (issue 20 §6): a court's confirmation applications,
the alike ones grouped, each with its checklist — what the review page shows. Each is
ruled on by POST /confirmations/{id}/ruling."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from jintiao.api.routers.disputes import ERRORS, DisputeId
from jintiao.api.routers.loop import checks_out
from jintiao.api.schemas import CheckOut, OrgRef
from jintiao.confirmation import batch
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


class DocketIn(Schema):
    """Up to 100 applications to docket (立案), each by the single acceptance."""

    application_ids: list[Annotated[int, Field(ge=1, le=2**53)]] = Field(min_length=1,
                                                                         max_length=100)


class DocketItemOut(Schema):
    application_id: int
    dispute_number: str  # empty for one you may not see
    status: Literal["ok", "refused"]
    code: str
    message: str  # the case number given, or the refusal in Chinese


class DocketOut(Schema):
    done: int
    refused: int
    items: list[DocketItemOut]


@router.post("/confirmations/docket", response={200: DocketOut, **ERRORS},
             operation_id="confirmations_docket")
def confirmations_docket(request: HttpRequest, payload: DocketIn) -> DocketOut:
    """Docket many applications at once (a court's judge or clerk; 403 otherwise): each by
    the single acceptance in its own transaction — its case number, review period and
    acceptance notice — one not waiting or not your court's listed with the code and
    message the single acceptance answers."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    outcomes = batch.confirmation_batch_accept(actor=viewer, applications=payload.application_ids)
    items = [DocketItemOut(application_id=o.application or 0, dispute_number=o.number,
                           status="ok" if o.ok else "refused", code=o.code, message=o.message)
             for o in outcomes]
    done = sum(1 for i in items if i.status == "ok")
    return DocketOut(done=done, refused=len(items) - done, items=items)
