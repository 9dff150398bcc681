"""Notices and forms the desk makes from the dispute's record — the non-litigation options
(告知书), rights and duties, acceptance and non-acceptance, the application, the intake
register, the inquiry record, the notice that mediation has ended, the power of attorney to
fill in and the receipt of service — each generated when the desk makes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import RecordNotFound, Standing, standing_of
from jintiao.disputes.changes import instant, lock_behind
from jintiao.disputes.models import Channel, Dispute, DisputeParty
from jintiao.documents import desk_texts
from jintiao.documents import texts as doc_texts
from jintiao.documents.blocks import Doc
from jintiao.documents.models import Document, Kind
from jintiao.documents.parties import party_as_written
from jintiao.documents.services import document_generate
from jintiao.domain import events
from jintiao.domain.dates import written
from jintiao.domain.lifecycle import TERMINAL_STATES, State
from jintiao.mediation import selectors
from jintiao.mediation.models import Session, UndisputedFacts
from jintiao.mediation.services.common import MediationInvalid
from jintiao.orgs.models import User

NOTICES = (Kind.OPTIONS_NOTICE, Kind.RIGHTS_NOTICE, Kind.ACCEPTANCE_NOTICE,
           Kind.NON_ACCEPTANCE_NOTICE, Kind.MEDIATION_APPLICATION, Kind.INTAKE_REGISTER,
           Kind.INQUIRY_RECORD, Kind.TERMINATION_NOTICE, Kind.POWER_OF_ATTORNEY,
           Kind.SERVICE_RECEIPT)
# How a court sent the dispute, and what the court does with it once mediation has failed
# (委派: before filing, so it dockets the case; 委托: after, so it resumes the trial).
_SENT = {Channel.COURT_DELEGATED: ("委派", "登记立案"),
         Channel.COURT_ENTRUSTED: ("委托", "恢复审理"),
         Channel.COURT_INVITED: ("邀请", "继续审理")}
# Mediation ended without an agreement: the states after it, and the event that ended it.
_ENDED = {State.FAILED: (events.DISPUTE_FAIL,),
          State.TRANSFERRED: (events.DISPUTE_FAIL, events.DISPUTE_REJECT_CONFIRMATION),
          State.WITHDRAWN: (events.DISPUTE_WITHDRAW,)}
_MEDIATING = (State.ACCEPTED, State.MEDIATING)


def party_particulars(row: DisputeParty) -> dict[str, Any]:
    """A party as the committee's forms print it (documents.parties)."""
    return party_as_written(row)


def _rows(dispute: Dispute) -> list[DisputeParty]:
    order = {"creditor": 0, "debtor": 1, "guarantor": 2}
    rows = (dispute.party_rows.select_related("party")
            .prefetch_related("representatives__person"))
    return sorted(rows, key=lambda r: (order.get(r.role, 9), r.pk))


def _names(rows: list[DisputeParty], *roles: str) -> str:
    return "、".join(r.party.name for r in rows if r.role in roles)


def _day(at: dt.datetime) -> str:
    return at.astimezone(clock.TZ).date().isoformat()


def _who(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


@transaction.atomic
def notice_generate(*, actor: User, dispute_id: int, kind: str,
                    document_id: int | None = None) -> Document:
    """Generate a notice to serve or a form of the committee's; ``document_id``: for a
    receipt of service (送达回证), the document served.

    :raises PermissionDenied: not the committee's desk
    :raises MediationInvalid: an unknown kind, or one the dispute's state or source does not
        call for (acceptance before acceptance, non-acceptance of an accepted dispute, an
        end of mediation before it has ended, an application nobody made, a receipt of no
        document of the dispute)
    """
    now, today = instant()
    dispute = lock_behind(actor, dispute_id, RecordNotFound("纠纷不存在", "no such dispute"))
    standing_of(actor, dispute).require(Standing.may_serve, "制作文书")
    if kind not in NOTICES:
        raise MediationInvalid("未知的文书类别", "unknown notice", kind=kind)
    kind = Kind(kind)
    rows = _rows(dispute)
    if kind in (Kind.OPTIONS_NOTICE, Kind.RIGHTS_NOTICE, Kind.ACCEPTANCE_NOTICE,
                Kind.NON_ACCEPTANCE_NOTICE):
        doc = _notice(dispute, kind, rows, today)
    elif kind == Kind.SERVICE_RECEIPT:
        doc = _service_receipt(dispute, rows, actor, document_id, today)
    else:
        doc = {Kind.MEDIATION_APPLICATION: _application, Kind.INTAKE_REGISTER: _register,
               Kind.INQUIRY_RECORD: _inquiry, Kind.TERMINATION_NOTICE: _termination,
               Kind.POWER_OF_ATTORNEY: _power_of_attorney}[kind](dispute, rows, today)
    suffix = f":{document_id}" if kind == Kind.SERVICE_RECEIPT else ""
    return document_generate(actor=actor, dispute=dispute, doc=doc,
                             source=f"notice:{kind.value}{suffix}:{now.isoformat()}")


def _notice(dispute: Dispute, kind: Kind, rows: list[DisputeParty], today: dt.date) -> Doc:
    state = State(dispute.state)
    if kind == Kind.ACCEPTANCE_NOTICE and state in (State.RECEIVED, State.DECLINED):
        raise MediationInvalid("纠纷尚未受理，不能制作受理通知书", "not accepted")
    if kind == Kind.RIGHTS_NOTICE and state == State.DECLINED:
        raise MediationInvalid("纠纷已不予受理，不再告知调解中的权利义务", "declined")
    if kind == Kind.NON_ACCEPTANCE_NOTICE and state != State.DECLINED:
        raise MediationInvalid("纠纷未被不予受理，不能制作不予受理通知书", "not declined")
    declined = dispute.events.filter(type=events.DISPUTE_DECLINE.type).order_by("-seq").first()
    accepted = dispute.events.filter(type=events.DISPUTE_ACCEPT.type).order_by("-seq").first()
    reason = declined.params.get("reason", "") if declined else ""
    return doc_texts.notice(kind.value, {
        "to": "、".join(r.party.name for r in rows), "committee": dispute.committee.name,
        "names": [r.party.name for r in rows if r.role in ("creditor", "debtor")],
        "number": dispute.number,
        "other": _names(rows, "creditor"), "debtors": _names(rows, "debtor"),
        "reason": reason, "elsewhere": desk_texts.elsewhere(reason),
        "on": (accepted.at.astimezone(clock.TZ).date()
               if kind == Kind.ACCEPTANCE_NOTICE and accepted
               else today).isoformat(),
    })


def _application(dispute: Dispute, rows: list[DisputeParty], today: dt.date) -> Doc:
    """The application as the applicant made it: the institution for an institution's
    application, the other side (the debtor) for a party's."""
    channel = Channel(dispute.channel)
    if channel not in (Channel.INSTITUTION_APPLICATION, Channel.PARTY_APPLICATION):
        raise MediationInvalid(f"该纠纷来源为“{channel.label}”，不是当事人申请调解的纠纷",
                               "no party applied for this dispute", channel=channel.value)
    applying = ("creditor",) if channel == Channel.INSTITUTION_APPLICATION else ("debtor",)
    claim = selectors.claim_of(dispute)
    return desk_texts.mediation_application({
        "applicants": [party_particulars(r) for r in rows if r.role in applying],
        "respondents": [party_particulars(r) for r in rows if r.role not in applying],
        "summary": dispute.summary.strip().rstrip("。"),
        "matter": dispute.get_dispute_type_display(), "committee": dispute.committee.name,
        "total": str(claim.total), "as_of": claim.as_of.isoformat(),
        "applied_on": dispute.received_on.isoformat(), "number": dispute.number})


def _register(dispute: Dispute, rows: list[DisputeParty], today: dt.date) -> Doc:
    if dispute.state == State.DECLINED:
        raise MediationInvalid("纠纷已不予受理，请制作不予受理通知书", "declined")
    received = dispute.events.filter(type=events.DISPUTE_RECEIVED.type).order_by("seq").first()
    accepted = (dispute.events.filter(type=events.DISPUTE_ACCEPT.type).select_related("actor")
                .order_by("-seq").first())
    claim = selectors.claim_of(dispute)
    source = str(Channel(dispute.channel).label)
    if dispute.channel in _SENT and dispute.court is not None:
        source = f"{source}（{dispute.court.name}）"
    return desk_texts.intake_register({
        "number": dispute.number, "received_on": dispute.received_on.isoformat(),
        "source": source, "matter": dispute.get_dispute_type_display(),
        "total": str(claim.total), "as_of": claim.as_of.isoformat(),
        "accepted_on": _day(accepted.at) if accepted else "",
        "parties": [party_particulars(r) for r in rows], "summary": dispute.summary.strip(),
        "committee": dispute.committee.name, "told": dispute.non_litigation_notice_served,
        "registrar": _who(received.actor) if received else "",
        "acceptor": _who(accepted.actor) if accepted else ""})


def _inquiry(dispute: Dispute, rows: list[DisputeParty], today: dt.date) -> Doc:
    if dispute.state not in _MEDIATING:
        raise MediationInvalid("纠纷不在调解中，不再制作调查记录", "not under mediation")
    return desk_texts.inquiry_record({
        "number": dispute.number, "matter": dispute.get_dispute_type_display(),
        "mediators": "、".join(_who(m.user) for m in selectors.team_of(dispute)),
        "names": [r.party.name for r in rows]})


def _termination(dispute: Dispute, rows: list[DisputeParty], today: dt.date) -> Doc:
    """Why and when mediation ended (the event that ended it), and where the dispute goes:
    back to the court that sent it, to the court it was transferred to, or to the parties'
    own choice of court or arbitration."""
    state = State(dispute.state)
    accepted = dispute.events.filter(type=events.DISPUTE_ACCEPT.type).order_by("seq").first()
    if state not in _ENDED or accepted is None:
        raise MediationInvalid("调解尚未终止（调解不成或者撤回后才制作调解终结告知书）",
                               "mediation has not ended")
    ended = (dispute.events.filter(type__in=[t.type for t in _ENDED[state]])
             .order_by("-seq").first())
    reason = (ended.params.get("reason", "") if ended else "").strip().rstrip("。")
    articles = "第二十六条"
    if state == State.WITHDRAWN:  # a party's right to end it (Art. 23)
        reason, articles = reason or "当事人撤回调解申请", "第二十三条、第二十六条"
    elif ended is not None and ended.type == events.DISPUTE_REJECT_CONFIRMATION.type:
        reason = "人民法院裁定驳回司法确认申请，当事人未能重新达成调解协议，调解不成"
    elif ended is not None and ended.params.get("ground") == "unreachable":
        reason = f"{reason or '无法联系当事人'}，调解不成"
    else:
        reason = reason or "调解期限届满，当事人未能达成调解协议"
        reason += "" if "不成" in reason else "，调解不成"
    sent, procedure = _SENT.get(Channel(dispute.channel), ("", "登记立案"))
    court = dispute.court.name if dispute.court is not None and (
        sent or state == State.TRANSFERRED) else ""
    return desk_texts.termination_notice({
        "to": "、".join(r.party.name for r in rows), "committee": dispute.committee.name,
        "creditors": _names(rows, "creditor"), "debtors": _names(rows, "debtor"),
        "matter": dispute.get_dispute_type_display(), "number": dispute.number,
        "accepted_on": _day(accepted.at),
        "mediators": "、".join(_who(m.user) for m in selectors.team_of(dispute)),
        "reason": reason, "articles": articles,
        "ended_on": _day(ended.at) if ended else today.isoformat(),
        "court": court, "sent": sent, "procedure": procedure,
        "facts": UndisputedFacts.objects.filter(dispute=dispute).exists(),
        "on": today.isoformat()})


def _power_of_attorney(dispute: Dispute, rows: list[DisputeParty], today: dt.date) -> Doc:
    if State(dispute.state) in TERMINAL_STATES:
        raise MediationInvalid("纠纷已办结，不再委托代理人", "the dispute is over")
    return desk_texts.power_of_attorney({
        "parties": [party_particulars(r) for r in rows], "number": dispute.number,
        "creditors": _names(rows, "creditor"), "debtors": _names(rows, "debtor"),
        "matter": dispute.get_dispute_type_display(), "committee": dispute.committee.name})


def _service_receipt(dispute: Dispute, rows: list[DisputeParty], actor: User,
                     document_id: int | None, today: dt.date) -> Doc:
    served = (Document.objects.filter(pk=document_id, dispute=dispute)
              .exclude(kind__in=[Kind.SERVICE_RECEIPT, Kind.ENFORCEMENT_APPLICATION])
              .first() if document_id is not None else None)
    if served is None:
        raise MediationInvalid("请选择本纠纷中要送达的文书", "no document of the dispute to serve",
                               document=document_id or "")
    return desk_texts.service_receipt({
        "title": served.title, "matter": dispute.get_dispute_type_display(),
        "number": dispute.number, "committee": dispute.committee.name,
        "issuer": _who(actor), "on": today.isoformat(),
        "addressees": [{"name": r.party.name, "address": r.party.address} for r in rows]})


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
