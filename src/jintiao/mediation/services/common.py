"""What the mediation workbench's services share beyond any dispute change
(:mod:`jintiao.disputes.changes`): its errors, numbering, and the checks of the mediation's
deadline and of one settlement at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Manager

from jintiao.disputes.models import Dispute
from jintiao.domain.dates import written
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.mediation.models import HardshipPause, JointMember, Offer

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


def require_time_left(dispute: Dispute, today: dt.date) -> None:
    """Past its deadline a mediation must be extended, failed or closed before more work."""
    if dispute.deadline is not None and today > dispute.deadline:
        raise MediationDeadlinePassed(
            f"调解期限已于{dispute.deadline:%Y-%m-%d}届满，须经双方同意延长期限，或终止调解",
            "the mediation deadline has passed: extend it or end the mediation",
            deadline=dispute.deadline.isoformat())


def require_no_settlement(dispute: Dispute) -> None:
    """One settlement at a time: a plan both sides accepted is withdrawn before another."""
    settled = dispute.offers.filter(status=Offer.Status.ACCEPTED).first()
    if settled is not None:
        raise MediationInvalid(
            f"双方已接受方案{settled.seq}；如需重新协商，请先由调解员撤回该方案",
            "a plan is already accepted by both sides", offer=settled.seq)


def require_joint_part(dispute: Dispute, offer: Offer | None = None) -> None:
    """A joined dispute settles only on its part of the joint plan (issue 21 §2): the
    shares depend on each other, so a plan of its own — the bank's, the debtor's counter,
    a standard plan — would break the one budget. ``offer`` None asks whether any new plan
    may be put on its table; otherwise whether this one may be accepted.

    :raises MediationInvalid: joined, and not its current part
    """
    member = JointMember.objects.filter(dispute=dispute).first()
    if member is None or (offer is not None and member.offer_id == offer.pk):
        return
    raise MediationInvalid(
        "本纠纷已与债务人的其他债务合并调解（联合调解），只能就合并还款方案中本纠纷的部分"
        "作出答复；如需调整，由调解员重新提出合并方案",
        "a joined dispute settles on its part of the joint plan", joint=member.joint_id)


def require_outside_pause(dispute: Dispute, first_due: dt.date,
                          down_payment_due: dt.date | None = None) -> None:
    """No payment of a plan falls due inside a running hardship pause (issue 21 §3).

    :raises MediationInvalid: the first instalment or the down payment is due inside it
    """
    pause = dispute.pauses.filter(status=HardshipPause.Status.ACTIVE).first()
    if pause is None or pause.ends_on is None:
        return
    days = [d for d in (first_due, down_payment_due) if d is not None]
    if any(d <= pause.ends_on for d in days):
        after = pause.ends_on + dt.timedelta(days=1)
        raise MediationInvalid(
            f"纾困暂停至{written(pause.ends_on)}，暂停期间不安排还款，"
            f"首期（及首付款）还款日须在{written(after)}或以后",
            "a payment would fall due inside the hardship pause", field="first_due")


# How far ahead a plan's first payment may be put by the debtor's own plan or a joint plan:
# a year (a longer wait is a deferral, which the desk's designer states as such).
FIRST_DUE_AHEAD = dt.timedelta(days=366)


def require_first_due(first_due: dt.date, today: dt.date) -> None:
    """A plan's first payment falls due after today and within a year.

    :raises MediationInvalid: a day gone by or today, or more than a year ahead
    """
    if first_due <= today:
        raise MediationInvalid(f"首期还款日须晚于今天（{today:%Y-%m-%d}）",
                               "the first payment must fall due after today",
                               field="first_due")
    if first_due > today + FIRST_DUE_AHEAD:
        raise MediationInvalid(
            "首期还款日不能晚于一年以后；需要更长的准备期，请与调解员商定延期方案",
            "the first payment more than a year ahead", field="first_due")


def require_plan_dates(dispute: Dispute, first_due: dt.date, down_payment_due: dt.date | None,
                       today: dt.date) -> None:
    """The days a party's or a joint plan asks: after today, within a year, and none inside
    a running hardship pause.

    :raises MediationInvalid: see :func:`require_first_due` and :func:`require_outside_pause`
    """
    require_first_due(first_due, today)
    require_outside_pause(dispute, first_due, down_payment_due)
