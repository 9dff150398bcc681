"""What every workbench service shares: its errors, one clock read, the timeline event
without private content, and the checks of state, deadline and desk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Manager

from jintiao import clock
from jintiao.disputes.models import Dispute
from jintiao.disputes.selectors import DisputeNotFound
from jintiao.disputes.services import PermissionDenied, dispute_lock
from jintiao.domain import lifecycle
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.events import EventType
from jintiao.domain.lifecycle import State
from jintiao.mediation import selectors
from jintiao.mediation.models import Offer
from jintiao.mediation.selectors import RecordNotFound
from jintiao.orgs.models import User
from jintiao.timeline.services import event_append

MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024  # a long session's recording
SESSION_HORIZON = dt.timedelta(days=366)  # a session is scheduled, or recorded, within a year


class MediationInvalid(DomainError):
    code = ErrorCode.MEDIATION_INVALID


class MediationDeadlinePassed(DomainError):
    code = ErrorCode.MEDIATION_DEADLINE_PASSED


class ApprovalRequired(DomainError):
    """Accepting this plan goes beyond the agent's authority: ask an approver."""

    code = ErrorCode.APPROVAL_REQUIRED


def next_seq(rows: Manager[Any]) -> int:
    """The next number of a dispute's sessions or offers (the dispute row is locked)."""
    last: int | None = rows.order_by("-seq").values_list("seq", flat=True).first()
    return (last or 0) + 1


def instant() -> tuple[dt.datetime, dt.date]:
    now = clock.now()
    return now, now.astimezone(clock.TZ).date()


def record_event(dispute: Dispute, type: EventType, actor: User, at: dt.datetime,
                 params: dict[str, Any]) -> None:
    event_append(dispute=dispute, type=type, actor=actor, at=at, state_before=dispute.state,
                 state_after=dispute.state, params=params)


def lock_behind(actor: User, dispute_id: int, missing: RecordNotFound) -> Dispute:
    """Lock the dispute a record belongs to; a record of a dispute the actor may not see
    is missing, with the same answer as one that never existed."""
    try:
        return dispute_lock(actor, dispute_id)
    except DisputeNotFound:
        raise missing from None


def require_state(dispute: Dispute, *states: State, doing: str) -> None:
    if State(dispute.state) not in states:
        raise lifecycle.TransitionRefused(
            f"纠纷处于“{State(dispute.state).label}”状态，不能{doing}",
            f"cannot {doing} in state {dispute.state}", state=dispute.state)


def require_time_left(dispute: Dispute, today: dt.date) -> None:
    """Past its deadline a mediation must be extended, failed or closed before more work."""
    if dispute.deadline is not None and today > dispute.deadline:
        raise MediationDeadlinePassed(
            f"调解期限已于{dispute.deadline:%Y-%m-%d}届满，须经双方同意延长期限，或终止调解",
            "the mediation deadline has passed: extend it or end the mediation",
            deadline=dispute.deadline.isoformat())


def require_desk(actor: User, dispute: Dispute, doing: str) -> None:
    """The dispute's mediators and its committee's director."""
    if not selectors.sees_everything(actor, dispute):
        raise PermissionDenied(f"只有本纠纷的调解员或调委会主任可以{doing}",
                               f"only the dispute's mediators or director may {doing}")


def require_director(actor: User, dispute: Dispute, doing: str) -> None:
    if not selectors.is_director_of(actor, dispute):
        raise PermissionDenied(f"只有调委会主任可以{doing}", f"only the director may {doing}")


def require_no_settlement(dispute: Dispute) -> None:
    """One settlement at a time: a plan both sides accepted is withdrawn before another."""
    settled = dispute.offers.filter(status=Offer.Status.ACCEPTED).first()
    if settled is not None:
        raise MediationInvalid(
            f"双方已接受方案{settled.seq}；如需重新协商，请先由调解员撤回该方案",
            "a plan is already accepted by both sides", offer=settled.seq)
