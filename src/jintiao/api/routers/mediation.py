"""The mediation workbench over HTTP: triage, the mediator list and team, recusals,
sessions and caucus notes, plans and offers, approvals, blind bounds, budgets, consents and
neutral evaluations. Each handler parses, calls one selector or service, shapes the answer;
private notes, offers and bounds never reach anyone outside their side and the mediators.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Annotated, TypeVar

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StrictBool, StrictInt, StringConstraints

from jintiao import clock
from jintiao.api.explain import explain_out
from jintiao.api.routers.disputes import ERRORS, DisputeId, dispute_out
from jintiao.api.schemas import (
    ApprovalDecisionOut,
    ApprovalOut,
    ApprovalOutcomeOut,
    ApprovalWaitingOut,
    AttachmentOut,
    AttendanceOut,
    BlindRoundsOut,
    BudgetOut,
    CandidateOut,
    CaucusNoteOut,
    ConsentOut,
    DisputeOut,
    EvaluationOut,
    EvaluationPathsOut,
    ExcessOut,
    ExcludedCandidateOut,
    Id,
    MediatorCandidatesOut,
    Money,
    OfferOut,
    OrgRef,
    PlanFiguresDeskOut,
    PlanFiguresOut,
    PlanMenuItemOut,
    PlanMenuOut,
    PlanOptionsOut,
    PlanOut,
    RecordVersionOut,
    RecusalOut,
    SessionOut,
    TriageSuggestionOut,
    text,
)
from jintiao.disputes.access import Standing, dispute_get_for, standing_of
from jintiao.disputes.models import Dispute
from jintiao.domain import blind
from jintiao.domain.explain import explain_verdict
from jintiao.domain.plans import MenuItem as Menu
from jintiao.domain.plans import PlanOptions, Waiver
from jintiao.domain.policy import Track
from jintiao.domain.schedules import Method
from jintiao.domain.sessions import shown_link
from jintiao.mediation import convert, selectors, services
from jintiao.mediation.models import (
    Approval,
    Attachment,
    CaucusNote,
    Evaluation,
    MenuItem,
    Offer,
    Recusal,
    Session,
    Side,
)
from jintiao.orgs.models import Organization, User

router = Router(tags=["mediation"])
Rate = Annotated[str, StringConstraints(pattern=r"^(0(\.[0-9]{1,6})?|1(\.0{1,6})?)$")]
Months = Annotated[StrictInt, Field(ge=0, le=600)]
Version = Annotated[StrictInt, Field(ge=1, le=2**31)]
E = TypeVar("E", bound=Enum)


def _viewer(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _offer_for(viewer: User, offer: Offer) -> OfferOut:
    """One offer as ``viewer`` may read it (a list works out the viewer's part once)."""
    return offer_out(offer, standing_of(viewer, offer.dispute))


def _enum(value: str, kind: type[E], label: str) -> E:
    """A choice by its value, or a clear 400 naming what was wrong."""
    try:
        return kind(value)
    except ValueError:
        raise services.MediationInvalid(f"{label}无效：{value}", f"unknown {label}") from None


def _user(user_id: int) -> User:
    found = User.objects.filter(pk=user_id).first()
    if found is None:
        raise services.MediationInvalid("用户不存在", "user not found")
    return found


# --- triage and team ---

class TriageConfirmIn(Schema):
    expected_version: Version
    facts_disputed: StrictBool = False
    evaluation_requested: StrictBool = False
    track: text(20) | None = None  # type: ignore[valid-type]
    reason: text(2000) = ""  # type: ignore[valid-type]


@router.get("/disputes/{dispute_id}/triage", response={200: TriageSuggestionOut, **ERRORS},
            operation_id="triage_suggest")
def triage_suggest(request: HttpRequest, dispute_id: DisputeId, facts_disputed: bool = False,
                   evaluation_requested: bool = False) -> TriageSuggestionOut:
    """The track the policy suggests, with its reasons (no change is made)."""
    dispute = dispute_get_for(_viewer(request), dispute_id)
    s = selectors.triage_suggestion(dispute, facts_disputed=facts_disputed,
                                    evaluation_requested=evaluation_requested)
    return TriageSuggestionOut(track=s.track.value, label=s.track.label,
                               reasons=list(s.reasons))


@router.post("/disputes/{dispute_id}/triage", response={200: DisputeOut, **ERRORS},
             operation_id="triage_confirm")
def triage_confirm(request: HttpRequest, dispute_id: DisputeId,
                   payload: TriageConfirmIn) -> DisputeOut:
    viewer = _viewer(request)
    track = _enum(payload.track, Track, "程序") if payload.track else None
    services.dispute_triage(actor=viewer, dispute_id=dispute_id,
                            expected_version=payload.expected_version,
                            facts_disputed=payload.facts_disputed,
                            evaluation_requested=payload.evaluation_requested, track=track,
                            reason=payload.reason)
    return dispute_out(dispute_get_for(viewer, dispute_id), viewer)


@router.get("/disputes/{dispute_id}/mediator-candidates",
            response={200: MediatorCandidatesOut, **ERRORS}, operation_id="mediator_candidates")
def mediator_candidates(request: HttpRequest, dispute_id: DisputeId) -> MediatorCandidatesOut:
    """The director's ranked list; the conflicted and recused apart, with reasons."""
    viewer = _viewer(request)
    dispute = dispute_get_for(viewer, dispute_id)
    standing_of(viewer, dispute).require(Standing.may_direct, "查看调解员候选名单")
    found = selectors.mediator_candidates(dispute)
    return MediatorCandidatesOut(
        ranked=[CandidateOut(id=r.candidate.key, name=r.candidate.name, score=r.score,
                             open_load=r.candidate.open_load, reasons=list(r.reasons))
                for r in found.ranked],
        excluded=[ExcludedCandidateOut(id=e.candidate.key, name=e.candidate.name,
                                       reasons=list(e.reasons)) for e in found.excluded])


class TeamChangeIn(Schema):
    expected_version: Version
    lead_id: Id
    other_ids: list[Id] = Field(default_factory=list, max_length=50)  # the policy decides
    reason: text(2000) = ""  # type: ignore[valid-type]


@router.post("/disputes/{dispute_id}/team", response={200: DisputeOut, **ERRORS},
             operation_id="team_change")
def team_change(request: HttpRequest, dispute_id: DisputeId,
                payload: TeamChangeIn) -> DisputeOut:
    viewer = _viewer(request)
    services.mediators_change(actor=viewer, dispute_id=dispute_id,
                              expected_version=payload.expected_version,
                              lead=_user(payload.lead_id),
                              others=[_user(i) for i in payload.other_ids],
                              reason=payload.reason)
    return dispute_out(dispute_get_for(viewer, dispute_id), viewer)


class RecusalRequestIn(Schema):
    mediator_id: Id
    party_row_id: Id
    reason: text(2000, min_length=1)  # type: ignore[valid-type]


class RecusalDecideIn(Schema):
    grant: StrictBool
    reason: text(2000, min_length=1)  # type: ignore[valid-type]


def _recusal_out(r: Recusal) -> RecusalOut:
    return RecusalOut(id=r.pk, mediator_id=r.mediator_id, party_row_id=r.requested_by_id,
                      reason=r.reason, status=r.status, decision_reason=r.decision_reason)


@router.post("/disputes/{dispute_id}/recusals", response={201: RecusalOut, **ERRORS},
             operation_id="recusal_request")
def recusal_request(request: HttpRequest, dispute_id: DisputeId,
                    payload: RecusalRequestIn) -> Status[RecusalOut]:
    made = services.recusal_request(actor=_viewer(request), dispute_id=dispute_id,
                                    mediator_id=payload.mediator_id,
                                    party_row_id=payload.party_row_id, reason=payload.reason)
    return Status(201, _recusal_out(made))


@router.post("/recusals/{recusal_id}/decision", response={200: RecusalOut, **ERRORS},
             operation_id="recusal_decide")
def recusal_decide(request: HttpRequest, recusal_id: DisputeId,
                   payload: RecusalDecideIn) -> RecusalOut:
    return _recusal_out(services.recusal_decide(actor=_viewer(request), recusal_id=recusal_id,
                                                grant=payload.grant, reason=payload.reason))


# --- sessions ---

class SessionScheduleIn(Schema):
    mode: text(20)  # type: ignore[valid-type]
    starts_at: dt.datetime
    party_row_ids: list[Id] = Field(default_factory=list, max_length=20)
    place: text(200) = ""  # type: ignore[valid-type]
    online_link: text(500) = ""  # type: ignore[valid-type]


class SessionRecordIn(Schema):
    record: text(20000, min_length=1)  # type: ignore[valid-type]
    attended: dict[str, StrictBool] = Field(default_factory=dict, max_length=20)
    # the dispute's mediators by user id: who came (the one recording is present)
    staff_attended: dict[str, StrictBool] = Field(default_factory=dict, max_length=20)


class SessionCancelIn(Schema):
    reason: text(2000, min_length=1)  # type: ignore[valid-type]


class SessionRescheduleIn(Schema):
    starts_at: dt.datetime
    place: text(200) | None = None  # type: ignore[valid-type]  # None keeps the place
    online_link: text(500) | None = None  # type: ignore[valid-type]  # None keeps the link


class RecordCorrectIn(Schema):
    record: text(20000, min_length=1)  # type: ignore[valid-type]
    reason: text(2000, min_length=1)  # type: ignore[valid-type]


class CaucusNoteAddIn(Schema):
    side: Annotated[str, StringConstraints(pattern=r"^(creditor|debtor)$")]
    text: text(20000, min_length=1)  # type: ignore[valid-type]


def _note_out(n: CaucusNote) -> CaucusNoteOut:
    return CaucusNoteOut(id=n.pk, side=n.side, text=n.text, author=str(n.author),
                         at=n.created_at)


def _attachment_out(a: Attachment) -> AttachmentOut:
    return AttachmentOut(id=a.pk, kind=a.kind, name=a.name, size=a.size, sha256=a.sha256,
                         side=a.side)


def _one_session(viewer: User, session: Session) -> SessionOut:
    """A session just written, read back as the caller may read it."""
    me = standing_of(viewer, dispute_get_for(viewer, session.dispute_id))
    return _session_out(me, selectors.sessions_for(me).get(pk=session.pk))


def _session_out(me: Standing, s: Session) -> SessionOut:
    """A session from :func:`selectors.sessions_for`: what the viewer may read of it, from
    what was fetched with it."""
    versions = sorted(s.record_versions.all(), key=lambda v: v.version)
    return SessionOut(
        id=s.pk, seq=s.seq, mode=s.mode, mode_label=s.get_mode_display(),
        starts_at=s.starts_at, place=s.place, online_link=shown_link(s.online_link),
        status=s.status, status_label=s.get_status_display(), reschedules=s.reschedules,
        cancelled_at=s.cancelled_at, cancel_reason=s.cancel_reason, record=s.record,
        record_version=len(versions) + 1 if s.record else 0,
        recorded_by=str(s.recorded_by) if s.recorded_by else "", recorded_at=s.recorded_at,
        record_versions=[RecordVersionOut(
            version=v.version, text=v.text,
            written_by=str(v.written_by) if v.written_by else "", written_at=v.written_at,
            corrected_by=str(v.corrected_by), corrected_at=v.corrected_at, reason=v.reason)
            for v in versions],
        attendance=[AttendanceOut(
            party_row_id=a.party_row_id, user_id=a.user_id,
            name=a.party_row.party.name if a.party_row else str(a.user), attended=a.attended)
            for a in sorted(s.attendance.all(), key=lambda a: a.pk)],
        caucus_notes=[_note_out(n) for n in s.notes_seen],  # type: ignore[attr-defined]
        attachments=[_attachment_out(a) for a in s.files_seen],  # type: ignore[attr-defined]
    )


def _ids(marks: dict[str, bool], what: str) -> dict[int, bool]:
    try:
        return {int(k): v for k, v in marks.items()}
    except ValueError:
        raise services.MediationInvalid(f"{what}格式不正确", "attendance keys") from None


@router.get("/disputes/{dispute_id}/sessions", response={200: list[SessionOut], **ERRORS},
            operation_id="sessions_list")
def sessions_list(request: HttpRequest, dispute_id: DisputeId) -> list[SessionOut]:
    viewer = _viewer(request)
    me = standing_of(viewer, dispute_get_for(viewer, dispute_id))
    return [_session_out(me, s) for s in selectors.sessions_for(me)]


@router.post("/disputes/{dispute_id}/sessions", response={201: SessionOut, **ERRORS},
             operation_id="session_schedule")
def session_schedule(request: HttpRequest, dispute_id: DisputeId,
                     payload: SessionScheduleIn) -> Status[SessionOut]:
    """Schedule a session; a link that is not an http(s) address is refused
    (``meeting_link_invalid``)."""
    viewer = _viewer(request)
    made = services.session_schedule(actor=viewer, dispute_id=dispute_id,
                                     mode=_enum(payload.mode, Session.Mode, "调解方式"),
                                     starts_at=payload.starts_at,
                                     party_row_ids=payload.party_row_ids, place=payload.place,
                                     online_link=payload.online_link)
    return Status(201, _one_session(viewer, made))


@router.post("/sessions/{session_id}/record", response={200: SessionOut, **ERRORS},
             operation_id="session_record")
def session_record(request: HttpRequest, session_id: DisputeId,
                   payload: SessionRecordIn) -> SessionOut:
    viewer = _viewer(request)
    made = services.session_record(actor=viewer, session_id=session_id, record=payload.record,
                                   attended=_ids(payload.attended, "出席情况"),
                                   staff_attended=_ids(payload.staff_attended, "调解员出席情况"))
    return _one_session(viewer, made)


@router.post("/sessions/{session_id}/cancel", response={200: SessionOut, **ERRORS},
             operation_id="session_cancel")
def session_cancel(request: HttpRequest, session_id: DisputeId,
                   payload: SessionCancelIn) -> SessionOut:
    """Cancel a session not yet held, with the reason (a held one: 409
    ``session_change_refused``)."""
    viewer = _viewer(request)
    return _one_session(viewer, services.session_cancel(actor=viewer, session_id=session_id,
                                                        reason=payload.reason))


@router.post("/sessions/{session_id}/reschedule", response={200: SessionOut, **ERRORS},
             operation_id="session_reschedule")
def session_reschedule(request: HttpRequest, session_id: DisputeId,
                       payload: SessionRescheduleIn) -> SessionOut:
    """Move a session to come to a new time, place or link (omitted ones are kept)."""
    viewer = _viewer(request)
    return _one_session(viewer, services.session_reschedule(
        actor=viewer, session_id=session_id, starts_at=payload.starts_at, place=payload.place,
        online_link=payload.online_link))


@router.post("/sessions/{session_id}/record/corrections", response={201: SessionOut, **ERRORS},
             operation_id="session_record_correct")
def session_record_correct(request: HttpRequest, session_id: DisputeId,
                           payload: RecordCorrectIn) -> Status[SessionOut]:
    """Correct a saved record: the old text is kept as a prior version with who, when and
    why (a record never saved: 409 ``session_change_refused``)."""
    viewer = _viewer(request)
    kept = services.session_record_correct(actor=viewer, session_id=session_id,
                                           record=payload.record, reason=payload.reason)
    return Status(201, _one_session(viewer, kept.session))


@router.post("/sessions/{session_id}/caucus-notes", response={201: CaucusNoteOut, **ERRORS},
             operation_id="caucus_note_add")
def caucus_note_add(request: HttpRequest, session_id: DisputeId,
                    payload: CaucusNoteAddIn) -> Status[CaucusNoteOut]:
    note = services.caucus_note_add(actor=_viewer(request), session_id=session_id,
                                    side=Side(payload.side), text=payload.text)
    return Status(201, _note_out(note))


@router.post("/sessions/{session_id}/attachments", response={201: AttachmentOut, **ERRORS},
             operation_id="attachment_add")
def attachment_add(request: HttpRequest, session_id: DisputeId, file: File[UploadedFile],
                   kind: Form[str] = "evidence", side: Form[str] = "") -> Status[AttachmentOut]:
    made = services.attachment_add(actor=_viewer(request), session_id=session_id,
                                   kind=_enum(kind, Attachment.Kind, "附件类别"),
                                   name=file.name or "",
                                   content=file, side=side)
    return Status(201, _attachment_out(made))


# --- plans and offers ---

class WaiverIn(Schema):
    part: text(30)  # type: ignore[valid-type]
    amount: Money
    conditional: StrictBool = False


class PlanIn(Schema):
    method: text(30)  # type: ignore[valid-type]
    periods: Annotated[StrictInt, Field(ge=1, le=600)]
    first_due: dt.date
    annual_rate: Rate = "0"
    down_payment: Money = "0"
    down_payment_due: dt.date | None = None
    grace_periods: Months = 0
    deferral_months: Months = 0
    waive_deferral_interest: StrictBool = False
    waivers: list[WaiverIn] = Field(default_factory=list, max_length=7)
    due_day: Annotated[StrictInt, Field(ge=1, le=31)] | None = None
    label: text(100) = ""  # type: ignore[valid-type]


def plan_options(p: PlanIn) -> PlanOptions:
    return PlanOptions(
        method=_enum(p.method, Method, "还款方式"), periods=p.periods, first_due=p.first_due,
        annual_rate=Decimal(p.annual_rate), down_payment=Decimal(p.down_payment),
        down_payment_due=p.down_payment_due, grace_periods=p.grace_periods,
        deferral_months=p.deferral_months, waive_deferral_interest=p.waive_deferral_interest,
        waivers=tuple(Waiver(w.part, Decimal(w.amount), w.conditional) for w in p.waivers),
        due_day=p.due_day, label=p.label)


class PlansCompareIn(Schema):
    plans: list[PlanIn] = Field(min_length=1, max_length=3)
    discount_rate: Rate | None = None


def _discount(dispute: Dispute, rate: str | None) -> Decimal:
    return selectors.discount_rate(dispute, Decimal(rate) if rate is not None else None)


@router.post("/disputes/{dispute_id}/plans/compare", response={200: list[PlanOut], **ERRORS},
             operation_id="plans_compare")
def plans_compare(request: HttpRequest, dispute_id: DisputeId,
                  payload: PlansCompareIn) -> list[PlanOut]:
    """Up to three plans side by side on this dispute's claim; nothing is written."""
    viewer = _viewer(request)
    dispute = dispute_get_for(viewer, dispute_id)
    rate = _discount(dispute, payload.discount_rate)
    return [_plan_out(viewer, dispute, o, rate) for o in map(plan_options, payload.plans)]


def _figures_out(figures: dict[str, object], *, desk: bool) -> PlanFiguresOut:
    """The figures as the viewer may read them: the debtor's means for the desk only."""
    shown = convert.figures_for(figures, desk=desk)
    return (PlanFiguresDeskOut if desk else PlanFiguresOut).model_validate(shown)


def _plan_out(viewer: User, dispute: Dispute, options: PlanOptions, rate: Decimal) -> PlanOut:
    computed = selectors.figures_for(dispute, options, rate)
    desk = standing_of(viewer, dispute).desk
    explained = (explain_verdict(computed.affordability, selectors.policy_of(dispute),
                                 income_presumed=computed.income_presumed,
                                 sources=selectors.verdict_sources(dispute))
                 if desk and computed.affordability is not None else None)
    return PlanOut(options=PlanOptionsOut.model_validate(convert.options_to_json(options)),
                   figures=_figures_out(convert.figures_to_json(computed), desk=desk),
                   explain=explain_out(explained))


@router.get("/disputes/{dispute_id}/plan-menu", response={200: list[PlanOut], **ERRORS},
            operation_id="plan_menu")
def plan_menu(request: HttpRequest, dispute_id: DisputeId) -> list[PlanOut]:
    """The creditor institution's standard plans, as options on this dispute's claim."""
    viewer = _viewer(request)
    dispute = dispute_get_for(viewer, dispute_id)
    rate = selectors.discount_rate(dispute, None)
    return [_plan_out(viewer, dispute, options, rate)
            for options in selectors.menu_plans(dispute, selectors.due_day_default(
                clock.today()))]


class MenuItemIn(Schema):
    """One standard plan: ``charge_waiver_ratio`` of the parts ``waiver_parts`` names (all the
    charges, penalties first, when left out; ["penalty_interest"] with 0.5 for 罚息减半)."""

    label: text(100, min_length=1)  # type: ignore[valid-type]
    periods: Annotated[StrictInt, Field(ge=1, le=600)]
    method: text(30) = "flat"  # type: ignore[valid-type]
    annual_rate: Rate = "0"
    charge_waiver_ratio: Rate = "0"
    conditional: StrictBool = True
    waiver_parts: list[text(30)] | None = Field(  # type: ignore[valid-type]
        default=None, min_length=1, max_length=5)


class PlanMenuPublishIn(Schema):
    items: list[MenuItemIn] = Field(min_length=1, max_length=8)


@router.put("/institutions/{institution_id}/plan-menu",
            response={200: list[PlanMenuItemOut], **ERRORS}, operation_id="plan_menu_publish")
def plan_menu_publish(request: HttpRequest, institution_id: DisputeId,
                      payload: PlanMenuPublishIn) -> list[PlanMenuItemOut]:
    """Publish an institution's standard plan menu (an approver over it, each item within
    its own authority), replacing the last."""
    institution = Organization.objects.filter(pk=institution_id).first()
    if institution is None:
        raise services.MediationInvalid("金融机构不存在", "institution not found")
    made = services.menu_publish(actor=_viewer(request), institution=institution, items=[
        Menu(i.label, i.periods, _enum(i.method, Method, "还款方式"), Decimal(i.annual_rate),
             Decimal(i.charge_waiver_ratio), i.conditional,
             *([tuple(i.waiver_parts)] if i.waiver_parts is not None else []))
        for i in payload.items])
    return [_menu_item_out(m) for m in made]


def _fraction(value: Decimal) -> str:
    # as written ("0.5"), whether just published or read back with the column's places
    return f"{value.normalize():f}"


def _menu_item_out(m: MenuItem) -> PlanMenuItemOut:
    return PlanMenuItemOut(label=m.label, periods=m.periods, method=m.method,
                           annual_rate=_fraction(m.annual_rate),
                           charge_waiver_ratio=_fraction(m.charge_waiver_ratio),
                           conditional=m.conditional, waiver_parts=list(m.waiver_parts),
                           published_by=str(m.published_by) if m.published_by else None,
                           published_at=m.published_at)


def _org_ref(org: Organization) -> OrgRef:
    return OrgRef(id=org.pk, name=org.name, kind=org.kind)


@router.get("/institutions/{institution_id}/plan-menu",
            response={200: PlanMenuOut, **ERRORS}, operation_id="institution_plan_menu")
def institution_plan_menu(request: HttpRequest, institution_id: DisputeId) -> PlanMenuOut:
    """The institution's standard plan menu, as the designer offers it on its disputes and
    its branches': its own lines — or, when it published none, those of the nearest node
    above it that did (``published_for``, ``inherited`` true) — each with who published it
    and when. Rates and ``charge_waiver_ratio`` are fractions (0.5 is half of the parts
    ``waiver_parts`` names).

    For the institution's agents and approvers (or those of a node above it) and the
    platform's administrators; anyone else 403 ``permission_denied``, an id that is no
    institution 404 ``not_found`` — as the results file."""
    institution = selectors.menu_institution_for(_viewer(request), institution_id)
    menu = selectors.institution_menu(institution)
    return PlanMenuOut(institution=_org_ref(institution),
                       published_for=_org_ref(menu.source) if menu.source else None,
                       inherited=menu.inherited, items=[_menu_item_out(m) for m in menu.items])


class OfferProposeIn(Schema):
    plan: PlanIn
    discount_rate: Rate | None = None
    on_behalf_of: Annotated[str, StringConstraints(pattern=r"^(|creditor|debtor|mediator)$")] = ""
    side: Annotated[str, StringConstraints(pattern=r"^(|creditor|debtor)$")] = ""
    answers_id: Id | None = None


def _excesses(a: Approval) -> list[ExcessOut]:
    return [ExcessOut.model_validate(e) for e in a.excesses]


def _approval_out(a: Approval) -> ApprovalOut:
    return ApprovalOut(id=a.pk, status=a.status, approver=str(a.approver), reason=a.reason,
                       excesses=_excesses(a))


def offer_out(o: Offer, part: Standing) -> OfferOut:
    """An offer as the viewer may read it: the debtor's affordability details for the desk,
    the approvals (what the plan asked beyond authority, the approver's reasons) for the
    creditor's side, their outcome only for everyone else."""
    approvals = [_approval_out(a) if part.creditor else ApprovalOutcomeOut(id=a.pk,
                                                                          status=a.status)
                 for a in o.approvals.all()]
    return OfferOut(
        id=o.pk, seq=o.seq, by=o.by, side=o.side, label=o.label, method=o.method,
        status=o.status, answers=o.answers.seq if o.answers else None,
        options=PlanOptionsOut.model_validate(o.options),
        figures=_figures_out(o.figures, desk=part.desk),
        creditor_accepted=o.creditor_accepted_at is not None,
        debtor_accepted=o.debtor_accepted_at is not None, created_at=o.created_at,
        approvals=approvals)


@router.get("/disputes/{dispute_id}/offers", response={200: list[OfferOut], **ERRORS},
            operation_id="offers_list")
def offers_list(request: HttpRequest, dispute_id: DisputeId) -> list[OfferOut]:
    viewer = _viewer(request)
    me = standing_of(viewer, dispute_get_for(viewer, dispute_id))
    return [offer_out(o, me) for o in selectors.offers_for(me)]


@router.post("/disputes/{dispute_id}/offers", response={201: OfferOut, **ERRORS},
             operation_id="offer_propose")
def offer_propose(request: HttpRequest, dispute_id: DisputeId,
                  payload: OfferProposeIn) -> Status[OfferOut]:
    viewer = _viewer(request)
    dispute = dispute_get_for(viewer, dispute_id)
    made = services.offer_propose(actor=viewer, dispute_id=dispute_id,
                                  options=plan_options(payload.plan),
                                  discount_rate=_discount(dispute, payload.discount_rate),
                                  on_behalf_of=payload.on_behalf_of, side=payload.side,
                                  answers_id=payload.answers_id)
    return Status(201, _offer_for(viewer, made))


class OfferAnswerIn(Schema):
    side: Annotated[str, StringConstraints(pattern=r"^(creditor|debtor)$")]
    reason: text(2000) = ""  # type: ignore[valid-type]


@router.post("/offers/{offer_id}/accept", response={200: OfferOut, **ERRORS},
             operation_id="offer_accept")
def offer_accept(request: HttpRequest, offer_id: DisputeId, payload: OfferAnswerIn) -> OfferOut:
    viewer = _viewer(request)
    return _offer_for(viewer, services.offer_accept(actor=viewer, offer_id=offer_id,
                                                    side=payload.side))


@router.post("/offers/{offer_id}/reject", response={200: OfferOut, **ERRORS},
             operation_id="offer_reject")
def offer_reject(request: HttpRequest, offer_id: DisputeId, payload: OfferAnswerIn) -> OfferOut:
    viewer = _viewer(request)
    return _offer_for(viewer, services.offer_reject(actor=viewer, offer_id=offer_id,
                                                    side=payload.side, reason=payload.reason))


@router.post("/offers/{offer_id}/approvals", response={201: ApprovalOut, **ERRORS},
             operation_id="approval_request")
def approval_request(request: HttpRequest, offer_id: DisputeId) -> Status[ApprovalOut]:
    made = services.approval_request(actor=_viewer(request), offer_id=offer_id)
    return Status(201, _approval_out(made))


class ApprovalDecideIn(Schema):
    approve: StrictBool
    reason: text(2000, min_length=1)  # type: ignore[valid-type]


@router.get("/approvals", response={200: list[ApprovalWaitingOut], **ERRORS},
            operation_id="approvals_waiting")
def approvals_waiting(request: HttpRequest) -> list[ApprovalWaitingOut]:
    """What waits on the calling approver, oldest first."""
    viewer = _viewer(request)
    return [ApprovalWaitingOut(id=a.pk, dispute_id=a.offer.dispute_id,
                               number=a.offer.dispute.number, offer=_offer_for(viewer, a.offer),
                               requested_by=str(a.requested_by), excesses=_excesses(a),
                               requested_at=a.requested_at)
            for a in selectors.approvals_waiting_for(viewer)]


@router.post("/approvals/{approval_id}/decision", response={200: ApprovalDecisionOut, **ERRORS},
             operation_id="approval_decide")
def approval_decide(request: HttpRequest, approval_id: DisputeId,
                    payload: ApprovalDecideIn) -> ApprovalDecisionOut:
    viewer = _viewer(request)
    made = services.approval_decide(actor=viewer, approval_id=approval_id,
                                    approve=payload.approve, reason=payload.reason)
    return ApprovalDecisionOut(id=made.pk, status=made.status, reason=made.reason,
                               offer=_offer_for(viewer, made.offer))


class OfferWithdrawIn(Schema):
    reason: text(2000, min_length=1)  # type: ignore[valid-type]


@router.post("/offers/{offer_id}/withdraw", response={200: OfferOut, **ERRORS},
             operation_id="offer_withdraw")
def offer_withdraw(request: HttpRequest, offer_id: DisputeId,
                   payload: OfferWithdrawIn) -> OfferOut:
    """Take a plan off the table (the desk, or the creditor its own open offer)."""
    viewer = _viewer(request)
    return _offer_for(viewer, services.offer_withdraw(actor=viewer, offer_id=offer_id,
                                                      reason=payload.reason))


# --- blind offers, budget, consent, evaluation ---

# A bound's amount with its sign: below zero is outside the claim, which the domain says.
BoundMoney = Annotated[str, StringConstraints(pattern=r"^-?[0-9]{1,16}(\.[0-9]{1,2})?$")]


class BlindBoundEnterIn(Schema):
    side: Annotated[str, StringConstraints(pattern=r"^(creditor|debtor)$")]
    min_total: BoundMoney | None = None
    max_term_months: Annotated[StrictInt, Field(ge=1, le=600)] | None = None
    max_monthly: BoundMoney | None = None
    max_total: BoundMoney | None = None


def _rounds_out(dispute: Dispute) -> BlindRoundsOut:
    return BlindRoundsOut.model_validate(selectors.blind_rounds_for(dispute))


def _amount(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@router.post("/disputes/{dispute_id}/blind-bounds", response={200: BlindRoundsOut, **ERRORS},
             operation_id="blind_bound_enter")
def blind_bound_enter(request: HttpRequest, dispute_id: DisputeId,
                      payload: BlindBoundEnterIn) -> BlindRoundsOut:
    """Enter a private bound; the answer is the rounds' outcomes only, never a bound."""
    viewer = _viewer(request)
    bound = blind.bound_of(payload.side, min_total=_amount(payload.min_total),
                           max_term_months=payload.max_term_months,
                           max_monthly=_amount(payload.max_monthly),
                           max_total=_amount(payload.max_total))
    services.blind_bound_enter(actor=viewer, dispute_id=dispute_id, bound=bound)
    return _rounds_out(dispute_get_for(viewer, dispute_id))


@router.get("/disputes/{dispute_id}/blind-rounds", response={200: BlindRoundsOut, **ERRORS},
            operation_id="blind_rounds")
def blind_rounds(request: HttpRequest, dispute_id: DisputeId) -> BlindRoundsOut:
    return _rounds_out(dispute_get_for(_viewer(request), dispute_id))


class BudgetDeclareIn(Schema):
    """A person declares ``monthly_income`` and ``dependants``; an enterprise its
    ``monthly_cash_flow``, what it can pay a month from operations."""

    party_row_id: Id
    monthly_income: Money | None = None
    other_obligations: Money = "0"
    dependants: Annotated[StrictInt, Field(ge=0, le=20)] = 0
    monthly_cash_flow: Money | None = None


@router.put("/disputes/{dispute_id}/budget", response={200: BudgetOut, **ERRORS},
            operation_id="budget_declare")
def budget_declare(request: HttpRequest, dispute_id: DisputeId,
                   payload: BudgetDeclareIn) -> BudgetOut:
    made = services.budget_declare(
        actor=_viewer(request), dispute_id=dispute_id, party_row_id=payload.party_row_id,
        monthly_income=_amount(payload.monthly_income),
        other_obligations=Decimal(payload.other_obligations), dependants=payload.dependants,
        monthly_cash_flow=_amount(payload.monthly_cash_flow))
    return BudgetOut(
        party_row_id=made.party_row_id, declared_on=made.declared_on,
        monthly_income=None if made.monthly_income is None else str(made.monthly_income),
        other_obligations=str(made.other_obligations), dependants=made.dependants,
        monthly_cash_flow=None if made.monthly_cash_flow is None else str(made.monthly_cash_flow))


class ConsentRecordIn(Schema):
    party_row_id: Id
    how: text(100, min_length=1)  # type: ignore[valid-type]
    given_on: dt.date
    purpose: text(40) = "extension"  # type: ignore[valid-type]  # or remediate, waive_confirmation


@router.post("/disputes/{dispute_id}/consents", response={201: ConsentOut, **ERRORS},
             operation_id="consent_record")
def consent_record(request: HttpRequest, dispute_id: DisputeId,
                   payload: ConsentRecordIn) -> Status[ConsentOut]:
    made = services.consent_record(actor=_viewer(request), dispute_id=dispute_id,
                                   party_row_id=payload.party_row_id, how=payload.how,
                                   given_on=payload.given_on, purpose=payload.purpose)
    return Status(201, ConsentOut(id=made.pk, party_row_id=made.party_row_id, how=made.how,
                                  purpose=made.purpose))


class EvaluationRecordIn(Schema):
    assessment: text(20000, min_length=1)  # type: ignore[valid-type]
    contract_annual_rate: Rate
    discount_rate: Rate | None = None
    offer_id: Id | None = None


def _evaluation_out(e: Evaluation) -> EvaluationOut:
    return EvaluationOut(id=e.pk, expert=str(e.expert), assessment=e.assessment,
                         paths=EvaluationPathsOut.model_validate(e.paths),
                         offer=e.offer.seq if e.offer else None, created_at=e.created_at)


@router.post("/disputes/{dispute_id}/evaluations", response={201: EvaluationOut, **ERRORS},
             operation_id="evaluation_record")
def evaluation_record(request: HttpRequest, dispute_id: DisputeId,
                      payload: EvaluationRecordIn) -> Status[EvaluationOut]:
    viewer = _viewer(request)
    dispute = dispute_get_for(viewer, dispute_id)
    made = services.evaluation_record(
        actor=viewer, dispute_id=dispute_id, assessment=payload.assessment,
        contract_annual_rate=Decimal(payload.contract_annual_rate),
        discount_rate=_discount(dispute, payload.discount_rate), offer_id=payload.offer_id)
    return Status(201, _evaluation_out(made))


@router.get("/disputes/{dispute_id}/evaluations", response={200: list[EvaluationOut], **ERRORS},
            operation_id="evaluations_list")
def evaluations_list(request: HttpRequest, dispute_id: DisputeId) -> list[EvaluationOut]:
    dispute = dispute_get_for(_viewer(request), dispute_id)
    return [_evaluation_out(e) for e in dispute.evaluations.select_related("expert", "offer")
            .order_by("pk")]
