"""Notices the desk serves: the non-litigation options (告知书), acceptance and
non-acceptance notices — generated when the desk serves them, from the dispute's record."""

from __future__ import annotations

from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import RecordNotFound, Standing, standing_of
from jintiao.disputes.changes import instant, lock_behind
from jintiao.documents import texts as doc_texts
from jintiao.documents.models import Document, Kind
from jintiao.documents.services import document_generate
from jintiao.domain import events
from jintiao.domain.dates import written
from jintiao.domain.lifecycle import State
from jintiao.mediation import selectors
from jintiao.mediation.models import Session
from jintiao.mediation.services.common import MediationInvalid
from jintiao.orgs.models import User

NOTICES = (Kind.OPTIONS_NOTICE, Kind.RIGHTS_NOTICE, Kind.ACCEPTANCE_NOTICE,
           Kind.NON_ACCEPTANCE_NOTICE)


@transaction.atomic
def notice_generate(*, actor: User, dispute_id: int, kind: str) -> Document:
    """Generate a notice to the parties for serving.

    :raises PermissionDenied: not the committee's desk
    :raises MediationInvalid: an unknown notice, or one the dispute's state does not call
        for (acceptance before acceptance, non-acceptance of an accepted dispute)
    """
    now, today = instant()
    dispute = lock_behind(actor, dispute_id, RecordNotFound("纠纷不存在", "no such dispute"))
    standing_of(actor, dispute).require(Standing.may_serve, "制作通知")
    if kind not in NOTICES:
        raise MediationInvalid("未知的通知类别", "unknown notice", kind=kind)
    state = State(dispute.state)
    if kind == Kind.ACCEPTANCE_NOTICE and state in (State.RECEIVED, State.DECLINED):
        raise MediationInvalid("纠纷尚未受理，不能制作受理通知书", "not accepted")
    if kind == Kind.RIGHTS_NOTICE and state == State.DECLINED:
        raise MediationInvalid("纠纷已不予受理，不再告知调解中的权利义务", "declined")
    if kind == Kind.NON_ACCEPTANCE_NOTICE and state != State.DECLINED:
        raise MediationInvalid("纠纷未被不予受理，不能制作不予受理通知书", "not declined")
    rows = list(dispute.party_rows.select_related("party").order_by("pk"))
    declined = dispute.events.filter(type=events.DISPUTE_DECLINE.type).order_by("-seq").first()
    accepted = dispute.events.filter(type=events.DISPUTE_ACCEPT.type).order_by("-seq").first()
    context = {
        "to": "、".join(r.party.name for r in rows), "committee": dispute.committee.name,
        "names": [r.party.name for r in rows if r.role in ("creditor", "debtor")],
        "number": dispute.number,
        "other": "、".join(r.party.name for r in rows if r.role == "creditor"),
        "debtors": "、".join(r.party.name for r in rows if r.role == "debtor"),
        "reason": declined.params.get("reason", "") if declined else "",
        "on": (accepted.at.astimezone(clock.TZ).date()
               if kind == Kind.ACCEPTANCE_NOTICE and accepted
               else today).isoformat(),
    }
    return document_generate(actor=actor, dispute=dispute, doc=doc_texts.notice(kind, context),
                             source=f"notice:{kind}:{now.isoformat()}")


def session_document(actor: User, session: Session,
                     correction: tuple[int, str] | None = None) -> Document:
    """The session's record (笔录) as a document, made when the record is and again when
    it is corrected (``correction``: the new version's number and why; the earlier
    document stays). Everyone who came is named: the parties and every staff member."""
    dispute = session.dispute
    came = [a for a in session.attendance.select_related("party_row__party", "user")
            .order_by("pk") if a.attended]
    parties = [a.party_row.party.name for a in came if a.party_row]
    present = parties + [str(a.user) for a in came if a.party_row is None]  # parties first
    team = [str(m.user) for m in selectors.team_of(dispute)]
    local = session.starts_at.astimezone(clock.TZ)
    at = f"{written(local.date())} {local:%H:%M}"
    context = {
        "number": f"{dispute.number} 第{session.seq}次", "at": at,
        "place": session.place or session.online_link or "—",
        "mode": session.get_mode_display(), "mediators": "、".join(team),
        "recorder": str(actor), "present": "、".join(present) or "—",
        "record": session.record, "signers": parties, "mediator_signers": team,
        "matter": dispute.get_dispute_type_display()}
    source = f"session:{session.pk}"
    if correction is not None:
        version, reason = correction
        context["correction"] = (f"本笔录为第{version}版，系对第{version - 1}版的更正。"
                                 f"更正理由：{reason}")
        source = f"session:{session.pk}:v{version}"
    return document_generate(actor=actor, dispute=dispute,
                             doc=doc_texts.session_record(context), source=source)
