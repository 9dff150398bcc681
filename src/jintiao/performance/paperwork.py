"""The record of a follow-up visit (人民调解回访记录), made from the dispute page once an
agreement is in effect, and the one door for every document the desk makes there: the
committee's notices and forms are mediation's (:func:`jintiao.mediation.services.
notice_generate`); the follow-up record reads the agreement's performance, which lives a
layer above mediation, so it is made here."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from jintiao import clock
from jintiao.agreements import selectors as agreements
from jintiao.agreements.models import Agreement
from jintiao.disputes.access import RecordNotFound, Standing, standing_of
from jintiao.disputes.changes import instant, lock_behind
from jintiao.disputes.models import Dispute
from jintiao.documents import desk_texts
from jintiao.documents.models import Document, Kind
from jintiao.documents.services import document_generate
from jintiao.documents.texts import day, yuan
from jintiao.domain.lifecycle import State
from jintiao.domain.performance import Account, PerformanceInvalid
from jintiao.mediation import services as mediation
from jintiao.orgs.models import User
from jintiao.performance import selectors
from jintiao.performance.models import FollowUp


def paper_generate(*, actor: User, dispute_id: int, kind: str,
                   document_id: int | None = None) -> Document:
    """Make the document of ``kind`` the desk chose on the dispute page.

    :raises PermissionDenied: not the committee's desk
    :raises MediationInvalid: see :func:`jintiao.mediation.services.notice_generate`
    :raises PerformanceInvalid: a follow-up record with no agreement in effect
    """
    if kind == Kind.FOLLOW_UP_RECORD:
        return follow_up_document(actor=actor, dispute_id=dispute_id)
    return mediation.notice_generate(actor=actor, dispute_id=dispute_id, kind=kind,
                                     document_id=document_id)


@transaction.atomic
def follow_up_document(*, actor: User, dispute_id: int) -> Document:
    """The 回访记录 of the last visit recorded (who visited, when and how, what they found),
    with the agreement's performance as it stands today; before any visit is recorded, the
    form for the visitor to fill in by hand, its facts already written.

    :raises PermissionDenied: not the committee's desk
    :raises PerformanceInvalid: no agreement in effect
    """
    now, today = instant()
    dispute = lock_behind(actor, dispute_id, RecordNotFound("纠纷不存在", "no such dispute"))
    standing_of(actor, dispute).require(Standing.may_serve, "制作回访记录")
    agreement = agreements.effective(dispute)
    if agreement is None or agreement.effective_at is None:
        raise PerformanceInvalid("尚无生效的调解协议，不能制作回访记录", "no agreement in effect")
    visit = (FollowUp.objects.filter(dispute=dispute, done_at__isnull=False)
             .select_related("done_by").order_by("-done_at", "-pk").first())
    seen = None
    if visit is not None and visit.done_at is not None:
        at = visit.done_at.astimezone(clock.TZ)
        by = (visit.done_by.get_full_name() or visit.done_by.username) if visit.done_by else ""
        seen = {"at": f"{day(at.date().isoformat())} {at:%H:%M}", "on": day(at.date().isoformat()),
                "method": visit.get_method_display(), "by": by, "note": visit.note}
    parties = agreement.content["parties"]
    doc = desk_texts.follow_up_record({
        "number": dispute.number, "matter": dispute.get_dispute_type_display(),
        "agreement_number": agreement.content.get("number", dispute.number),
        "effective_on": agreement.effective_at.astimezone(clock.TZ).date().isoformat(),
        "names": [p["name"] for p in parties], "visit": seen,
        "performance": _performance(dispute, agreement, selectors.account_of(dispute, today),
                                    today)})
    return document_generate(actor=actor, dispute=dispute, doc=doc,
                             source=f"follow_up:{visit.pk if visit else 'form'}:"
                                    f"{now.isoformat()}")


def _performance(dispute: Dispute, agreement: Agreement, account: Account | None,
                 today: dt.date) -> str:
    """How the agreement is being performed, in a sentence or two."""
    schedule = agreement.content["terms"]["schedule"]
    if account is None:
        return (f"调解协议已生效，尚未进入履行阶段；约定分{len(schedule)}期还款，首期还款日为"
                f"{day(schedule[0]['due_on'])}。")
    fallen = [s for s in account.standings if s.due.due_on <= today]
    text = (f"截至{day(today.isoformat())}，协议约定分{len(account.standings)}期还款，合计"
            f"{yuan(account.total_due)}；已到期{len(fallen)}期，已还款{yuan(account.total_paid)}")
    if account.paid_in_full:
        return text + "，协议已全部履行完毕。"
    missed = account.missed
    text += (f"，逾期未还{len(missed)}期，逾期金额{yuan(account.overdue_amount)}" if missed
             else "，无逾期")
    upcoming = account.next_due
    if upcoming is not None:
        text += (f"；下一期（第{upcoming.due.number}期）还款日为"
                 f"{day(upcoming.due.due_on.isoformat())}，应还{yuan(upcoming.unpaid)}")
    if State(dispute.state) in (State.DEFAULTED, State.ENFORCEMENT):
        text += "；债务人已违约，剩余款项已按协议约定全部到期"
    return text + "。"
