"""The mediation workbench over HTTP: triage, the mediator list and team, recusals,
sessions and caucus notes, plans and offers, approvals, blind bounds, budgets, consents and
neutral evaluations. Each handler parses, calls one selector or service, shapes the answer;
private notes, offers and bounds never reach anyone outside their side and the mediators.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, TypeVar

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StrictBool, StrictInt, StringConstraints

from jintiao import clock
from jintiao.api.routers.disputes import ERRORS, DisputeId, dispute_out
from jintiao.api.schemas import Id, Money, text
from jintiao.disputes.models import Dispute
from jintiao.disputes.selectors import dispute_get_for
from jintiao.disputes.services import PermissionDenied
from jintiao.domain import blind
from jintiao.domain.plans import MenuItem as Menu
from jintiao.domain.plans import PlanOptions, Waiver
from jintiao.domain.policy import Track
from jintiao.domain.schedules import Method
from jintiao.mediation import convert, selectors, services
from jintiao.mediation.models import Attachment, Offer, Session, Side
from jintiao.orgs.models import Organization, User

router = Router(tags=["mediation"])
Rate = Annotated[str, StringConstraints(pattern=r"^(0(\.[0-9]{1,6})?|1(\.0{1,6})?)$")]
Months = Annotated[StrictInt, Field(ge=0, le=600)]
Version = Annotated[StrictInt, Field(ge=1, le=2**31)]
Anything = dict[str, Any]
E = TypeVar("E", bound=Enum)


def _viewer(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _offer_for(viewer: User, offer: Offer) -> Anything:
    """One offer as ``viewer`` may read it (a list works out the viewer's part once)."""
    return offer_out(offer, selectors.part_of(viewer, offer.dispute))


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

class TriageIn(Schema):
    expected_version: Version
    facts_disputed: StrictBool = False
    evaluation_requested: StrictBool = False
    track: text(20) | None = None  # type: ignore[valid-type]
    reason: text(2000) = ""  # type: ignore[valid-type]


@router.get("/disputes/{dispute_id}/triage", response={200: Anything, **ERRORS},
            operation_id="triage_suggest")
def triage_suggest(request: HttpRequest, dispute_id: DisputeId, facts_disputed: bool = False,
                   evaluation_requested: bool = False) -> Anything:
    """The track the policy suggests, with its reasons (no change is made)."""
    dispute = dispute_get_for(_viewer(request), dispute_id)
    s = selectors.triage_suggestion(dispute, facts_disputed=facts_disputed,
                                    evaluation_requested=evaluation_requested)
    return {"track": s.track.value, "label": s.track.label, "reasons": list(s.reasons)}


@router.post("/disputes/{dispute_id}/triage", response={200: Anything, **ERRORS},
             operation_id="triage_confirm")
def triage_confirm(request: HttpRequest, dispute_id: DisputeId, payload: TriageIn) -> Anything:
    viewer = _viewer(request)
    track = _enum(payload.track, Track, "程序") if payload.track else None
    services.dispute_triage(actor=viewer, dispute_id=dispute_id,
                            expected_version=payload.expected_version,
                            facts_disputed=payload.facts_disputed,
                            evaluation_requested=payload.evaluation_requested, track=track,
                            reason=payload.reason)
    return dispute_out(dispute_get_for(viewer, dispute_id), viewer)


@router.get("/disputes/{dispute_id}/mediator-candidates", response={200: Anything, **ERRORS},
            operation_id="mediator_candidates")
def mediator_candidates(request: HttpRequest, dispute_id: DisputeId) -> Anything:
    """The director's ranked list; the conflicted and recused apart, with reasons."""
    viewer = _viewer(request)
    dispute = dispute_get_for(viewer, dispute_id)
    if not selectors.is_director_of(viewer, dispute):
        raise PermissionDenied("只有调委会主任可以查看调解员候选名单",
                               "only the director sees the candidates")
    found = selectors.mediator_candidates(dispute)
    return {
        "ranked": [{"id": r.candidate.key, "name": r.candidate.name, "score": r.score,
                    "open_load": r.candidate.open_load, "reasons": list(r.reasons)}
                   for r in found.ranked],
        "excluded": [{"id": e.candidate.key, "name": e.candidate.name,
                      "reasons": list(e.reasons)} for e in found.excluded],
    }


class TeamIn(Schema):
    expected_version: Version
    lead_id: Id
    other_ids: list[Id] = Field(default_factory=list, max_length=5)
    reason: text(2000) = ""  # type: ignore[valid-type]


@router.post("/disputes/{dispute_id}/team", response={200: Anything, **ERRORS},
             operation_id="team_change")
def team_change(request: HttpRequest, dispute_id: DisputeId, payload: TeamIn) -> Anything:
    viewer = _viewer(request)
    services.mediators_change(actor=viewer, dispute_id=dispute_id,
                              expected_version=payload.expected_version,
                              lead=_user(payload.lead_id),
                              others=[_user(i) for i in payload.other_ids],
                              reason=payload.reason)
    return dispute_out(dispute_get_for(viewer, dispute_id), viewer)


class RecusalIn(Schema):
    mediator_id: Id
    party_row_id: Id
    reason: text(2000, min_length=1)  # type: ignore[valid-type]


class DecisionIn(Schema):
    grant: StrictBool
    reason: text(2000, min_length=1)  # type: ignore[valid-type]


def _recusal_out(r: Any) -> Anything:
    return {"id": r.pk, "mediator_id": r.mediator_id, "party_row_id": r.requested_by_id,
            "reason": r.reason, "status": r.status, "decision_reason": r.decision_reason}


@router.post("/disputes/{dispute_id}/recusals", response={201: Anything, **ERRORS},
             operation_id="recusal_request")
def recusal_request(request: HttpRequest, dispute_id: DisputeId,
                    payload: RecusalIn) -> Status[Anything]:
    made = services.recusal_request(actor=_viewer(request), dispute_id=dispute_id,
                                    mediator_id=payload.mediator_id,
                                    party_row_id=payload.party_row_id, reason=payload.reason)
    return Status(201, _recusal_out(made))


@router.post("/recusals/{recusal_id}/decision", response={200: Anything, **ERRORS},
             operation_id="recusal_decide")
def recusal_decide(request: HttpRequest, recusal_id: DisputeId, payload: DecisionIn) -> Anything:
    return _recusal_out(services.recusal_decide(actor=_viewer(request), recusal_id=recusal_id,
                                                grant=payload.grant, reason=payload.reason))


# --- sessions ---

class SessionIn(Schema):
    mode: text(20)  # type: ignore[valid-type]
    starts_at: dt.datetime
    party_row_ids: list[Id] = Field(default_factory=list, max_length=20)
    place: text(200) = ""  # type: ignore[valid-type]
    online_link: text(500) = ""  # type: ignore[valid-type]


class RecordIn(Schema):
    record: text(20000, min_length=1)  # type: ignore[valid-type]
    attended: dict[str, StrictBool] = Field(default_factory=dict, max_length=20)


class NoteIn(Schema):
    side: Annotated[str, StringConstraints(pattern=r"^(creditor|debtor)$")]
    text: text(20000, min_length=1)  # type: ignore[valid-type]


def _session_out(viewer: User, s: Session) -> Anything:
    return {
        "id": s.pk, "seq": s.seq, "mode": s.mode, "mode_label": s.get_mode_display(),
        "starts_at": s.starts_at, "place": s.place, "online_link": s.online_link,
        "status": s.status, "record": s.record,
        "attendance": [{"party_row_id": a.party_row_id, "user_id": a.user_id,
                        "attended": a.attended} for a in s.attendance.all()],
        "caucus_notes": [{"side": n.side, "text": n.text, "author": str(n.author),
                          "at": n.created_at} for n in selectors.caucus_notes_for(viewer, s)],
        "attachments": [{"id": a.pk, "kind": a.kind, "name": a.name, "size": a.size,
                         "sha256": a.sha256, "side": a.side}
                        for a in selectors.attachments_for(viewer, s)],
    }


@router.get("/disputes/{dispute_id}/sessions", response={200: list[Anything], **ERRORS},
            operation_id="sessions_list")
def sessions_list(request: HttpRequest, dispute_id: DisputeId) -> list[Anything]:
    viewer = _viewer(request)
    dispute = dispute_get_for(viewer, dispute_id)
    return [_session_out(viewer, s) for s in selectors.sessions_of(dispute)]


@router.post("/disputes/{dispute_id}/sessions", response={201: Anything, **ERRORS},
             operation_id="session_schedule")
def session_schedule(request: HttpRequest, dispute_id: DisputeId,
                     payload: SessionIn) -> Status[Anything]:
    viewer = _viewer(request)
    made = services.session_schedule(actor=viewer, dispute_id=dispute_id,
                                     mode=_enum(payload.mode, Session.Mode, "调解方式"),
                                     starts_at=payload.starts_at,
                                     party_row_ids=payload.party_row_ids, place=payload.place,
                                     online_link=payload.online_link)
    return Status(201, _session_out(viewer, made))


@router.post("/sessions/{session_id}/record", response={200: Anything, **ERRORS},
             operation_id="session_record")
def session_record(request: HttpRequest, session_id: DisputeId, payload: RecordIn) -> Anything:
    viewer = _viewer(request)
    try:
        attended = {int(k): v for k, v in payload.attended.items()}
    except ValueError:
        raise services.MediationInvalid("出席情况格式不正确", "attendance keys") from None
    made = services.session_record(actor=viewer, session_id=session_id, record=payload.record,
                                   attended=attended)
    return _session_out(viewer, made)


@router.post("/sessions/{session_id}/caucus-notes", response={201: Anything, **ERRORS},
             operation_id="caucus_note_add")
def caucus_note_add(request: HttpRequest, session_id: DisputeId,
                    payload: NoteIn) -> Status[Anything]:
    note = services.caucus_note_add(actor=_viewer(request), session_id=session_id,
                                    side=Side(payload.side), text=payload.text)
    return Status(201, {"id": note.pk, "side": note.side})


@router.post("/sessions/{session_id}/attachments", response={201: Anything, **ERRORS},
             operation_id="attachment_add")
def attachment_add(request: HttpRequest, session_id: DisputeId, file: File[UploadedFile],
                   kind: Form[str] = "evidence", side: Form[str] = "") -> Status[Anything]:
    made = services.attachment_add(actor=_viewer(request), session_id=session_id,
                                   kind=_enum(kind, Attachment.Kind, "附件类别"),
                                   name=file.name or "",
                                   content=file, side=side)
    return Status(201, {"id": made.pk, "sha256": made.sha256, "size": made.size})


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


class CompareIn(Schema):
    plans: list[PlanIn] = Field(min_length=1, max_length=3)
    discount_rate: Rate | None = None


def _discount(dispute: Dispute, rate: str | None) -> Decimal:
    return selectors.discount_rate(dispute, Decimal(rate) if rate is not None else None)


@router.post("/disputes/{dispute_id}/plans/compare", response={200: list[Anything], **ERRORS},
             operation_id="plans_compare")
def plans_compare(request: HttpRequest, dispute_id: DisputeId,
                  payload: CompareIn) -> list[Anything]:
    """Up to three plans side by side on this dispute's claim; nothing is written."""
    viewer = _viewer(request)
    dispute = dispute_get_for(viewer, dispute_id)
    rate = _discount(dispute, payload.discount_rate)
    return [_plan_out(viewer, dispute, o, rate) for o in map(plan_options, payload.plans)]


def _plan_out(viewer: User, dispute: Dispute, options: PlanOptions, rate: Decimal) -> Anything:
    figures = convert.figures_to_json(selectors.figures_for(dispute, options, rate))
    return {"options": convert.options_to_json(options),
            "figures": convert.figures_for(figures, desk=selectors.sees_everything(viewer,
                                                                                  dispute))}


@router.get("/disputes/{dispute_id}/plan-menu", response={200: list[Anything], **ERRORS},
            operation_id="plan_menu")
def plan_menu(request: HttpRequest, dispute_id: DisputeId) -> list[Anything]:
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


class MenuIn(Schema):
    items: list[MenuItemIn] = Field(min_length=1, max_length=8)


class MenuItemPublishedOut(Schema):
    label: str
    periods: int
    method: str
    annual_rate: str
    charge_waiver_ratio: str
    conditional: bool
    waiver_parts: list[str]


@router.put("/institutions/{institution_id}/plan-menu",
            response={200: list[MenuItemPublishedOut], **ERRORS},
            operation_id="plan_menu_publish")
def plan_menu_publish(request: HttpRequest, institution_id: DisputeId,
                      payload: MenuIn) -> list[Anything]:
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
    return [{"label": m.label, "periods": m.periods, "method": m.method,
             "annual_rate": str(m.annual_rate), "charge_waiver_ratio": str(m.charge_waiver_ratio),
             "conditional": m.conditional, "waiver_parts": list(m.waiver_parts)} for m in made]


class OfferIn(Schema):
    plan: PlanIn
    discount_rate: Rate | None = None
    on_behalf_of: Annotated[str, StringConstraints(pattern=r"^(|creditor|debtor|mediator)$")] = ""
    side: Annotated[str, StringConstraints(pattern=r"^(|creditor|debtor)$")] = ""
    answers_id: Id | None = None


def offer_out(o: Offer, part: selectors.Part) -> Anything:
    """An offer as the viewer may read it: the debtor's affordability details for the desk,
    the approvals (what the plan asked beyond authority, the approver's reasons) for the
    creditor's side, their outcome only for everyone else."""
    approvals = [{"id": a.pk, "status": a.status, "approver": str(a.approver),
                  "reason": a.reason, "excesses": a.excesses} if part.creditor
                 else {"id": a.pk, "status": a.status}
                 for a in o.approvals.select_related("approver").order_by("pk")]
    return {"id": o.pk, "seq": o.seq, "by": o.by, "side": o.side, "label": o.label,
            "method": o.method, "status": o.status, "answers": o.answers.seq if o.answers else None,
            "options": o.options, "figures": convert.figures_for(o.figures, desk=part.desk),
            "creditor_accepted": o.creditor_accepted_at is not None,
            "debtor_accepted": o.debtor_accepted_at is not None, "created_at": o.created_at,
            "approvals": approvals}


@router.get("/disputes/{dispute_id}/offers", response={200: list[Anything], **ERRORS},
            operation_id="offers_list")
def offers_list(request: HttpRequest, dispute_id: DisputeId) -> list[Anything]:
    viewer = _viewer(request)
    dispute = dispute_get_for(viewer, dispute_id)
    part = selectors.part_of(viewer, dispute)
    return [offer_out(o, part) for o in selectors.offers_for(viewer, dispute)]


@router.post("/disputes/{dispute_id}/offers", response={201: Anything, **ERRORS},
             operation_id="offer_propose")
def offer_propose(request: HttpRequest, dispute_id: DisputeId,
                  payload: OfferIn) -> Status[Anything]:
    viewer = _viewer(request)
    dispute = dispute_get_for(viewer, dispute_id)
    made = services.offer_propose(actor=viewer, dispute_id=dispute_id,
                                  options=plan_options(payload.plan),
                                  discount_rate=_discount(dispute, payload.discount_rate),
                                  on_behalf_of=payload.on_behalf_of, side=payload.side,
                                  answers_id=payload.answers_id)
    return Status(201, _offer_for(viewer, made))


class AnswerIn(Schema):
    side: Annotated[str, StringConstraints(pattern=r"^(creditor|debtor)$")]
    reason: text(2000) = ""  # type: ignore[valid-type]


@router.post("/offers/{offer_id}/accept", response={200: Anything, **ERRORS},
             operation_id="offer_accept")
def offer_accept(request: HttpRequest, offer_id: DisputeId, payload: AnswerIn) -> Anything:
    viewer = _viewer(request)
    return _offer_for(viewer, services.offer_accept(actor=viewer, offer_id=offer_id,
                                                    side=payload.side))


@router.post("/offers/{offer_id}/reject", response={200: Anything, **ERRORS},
             operation_id="offer_reject")
def offer_reject(request: HttpRequest, offer_id: DisputeId, payload: AnswerIn) -> Anything:
    viewer = _viewer(request)
    return _offer_for(viewer, services.offer_reject(actor=viewer, offer_id=offer_id,
                                                    side=payload.side, reason=payload.reason))


@router.post("/offers/{offer_id}/approvals", response={201: Anything, **ERRORS},
             operation_id="approval_request")
def approval_request(request: HttpRequest, offer_id: DisputeId) -> Status[Anything]:
    made = services.approval_request(actor=_viewer(request), offer_id=offer_id)
    return Status(201, {"id": made.pk, "approver": str(made.approver), "status": made.status,
                        "excesses": made.excesses})


class ApprovalDecisionIn(Schema):
    approve: StrictBool
    reason: text(2000, min_length=1)  # type: ignore[valid-type]


@router.get("/approvals", response={200: list[Anything], **ERRORS},
            operation_id="approvals_waiting")
def approvals_waiting(request: HttpRequest) -> list[Anything]:
    """What waits on the calling approver, oldest first."""
    viewer = _viewer(request)
    return [{"id": a.pk, "dispute_id": a.offer.dispute_id, "number": a.offer.dispute.number,
             "offer": _offer_for(viewer, a.offer), "requested_by": str(a.requested_by),
             "excesses": a.excesses, "requested_at": a.requested_at}
            for a in selectors.approvals_waiting_for(viewer)]


@router.post("/approvals/{approval_id}/decision", response={200: Anything, **ERRORS},
             operation_id="approval_decide")
def approval_decide(request: HttpRequest, approval_id: DisputeId,
                    payload: ApprovalDecisionIn) -> Anything:
    viewer = _viewer(request)
    made = services.approval_decide(actor=viewer, approval_id=approval_id,
                                    approve=payload.approve, reason=payload.reason)
    return {"id": made.pk, "status": made.status, "reason": made.reason,
            "offer": _offer_for(viewer, made.offer)}


class WithdrawIn(Schema):
    reason: text(2000, min_length=1)  # type: ignore[valid-type]


@router.post("/offers/{offer_id}/withdraw", response={200: Anything, **ERRORS},
             operation_id="offer_withdraw")
def offer_withdraw(request: HttpRequest, offer_id: DisputeId, payload: WithdrawIn) -> Anything:
    """Take a plan off the table (the desk, or the creditor its own open offer)."""
    viewer = _viewer(request)
    return _offer_for(viewer, services.offer_withdraw(actor=viewer, offer_id=offer_id,
                                                      reason=payload.reason))


# --- blind offers, budget, consent, evaluation ---

# A bound's amount with its sign: below zero is outside the claim, which the domain says.
BoundMoney = Annotated[str, StringConstraints(pattern=r"^-?[0-9]{1,16}(\.[0-9]{1,2})?$")]


class BoundIn(Schema):
    side: Annotated[str, StringConstraints(pattern=r"^(creditor|debtor)$")]
    min_total: BoundMoney | None = None
    max_term_months: Annotated[StrictInt, Field(ge=1, le=600)] | None = None
    max_monthly: BoundMoney | None = None
    max_total: BoundMoney | None = None


class BlindRoundEnteredOut(Schema):
    number: int
    outcome: str
    creditor_entered: bool
    debtor_entered: bool
    offer: int | None


class BlindBoundEnteredOut(Schema):
    """The rounds after the bound went in: outcomes and who is in, never a bound."""

    rounds_allowed: int
    rounds: list[BlindRoundEnteredOut]


def _amount(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@router.post("/disputes/{dispute_id}/blind-bounds",
             response={200: BlindBoundEnteredOut, **ERRORS}, operation_id="blind_bound_enter")
def blind_bound_enter(request: HttpRequest, dispute_id: DisputeId, payload: BoundIn) -> Anything:
    """Enter a private bound; the answer is the rounds' outcomes only, never a bound."""
    viewer = _viewer(request)
    bound = blind.bound_of(payload.side, min_total=_amount(payload.min_total),
                           max_term_months=payload.max_term_months,
                           max_monthly=_amount(payload.max_monthly),
                           max_total=_amount(payload.max_total))
    services.blind_bound_enter(actor=viewer, dispute_id=dispute_id, bound=bound)
    return selectors.blind_rounds_for(dispute_get_for(viewer, dispute_id))


@router.get("/disputes/{dispute_id}/blind-rounds", response={200: Anything, **ERRORS},
            operation_id="blind_rounds")
def blind_rounds(request: HttpRequest, dispute_id: DisputeId) -> Anything:
    return selectors.blind_rounds_for(dispute_get_for(_viewer(request), dispute_id))


class BudgetIn(Schema):
    """A person declares ``monthly_income`` and ``dependants``; an enterprise its
    ``monthly_cash_flow``, what it can pay a month from operations."""

    party_row_id: Id
    monthly_income: Money | None = None
    other_obligations: Money = "0"
    dependants: Annotated[StrictInt, Field(ge=0, le=20)] = 0
    monthly_cash_flow: Money | None = None


class BudgetDeclaredOut(Schema):
    party_row_id: int
    declared_on: dt.date
    monthly_income: str | None
    other_obligations: str
    dependants: int
    monthly_cash_flow: str | None


@router.put("/disputes/{dispute_id}/budget", response={200: BudgetDeclaredOut, **ERRORS},
            operation_id="budget_declare")
def budget_declare(request: HttpRequest, dispute_id: DisputeId, payload: BudgetIn) -> Anything:
    made = services.budget_declare(
        actor=_viewer(request), dispute_id=dispute_id, party_row_id=payload.party_row_id,
        monthly_income=_amount(payload.monthly_income),
        other_obligations=Decimal(payload.other_obligations), dependants=payload.dependants,
        monthly_cash_flow=_amount(payload.monthly_cash_flow))
    return {"party_row_id": made.party_row_id, "declared_on": made.declared_on,
            "monthly_income": None if made.monthly_income is None else str(made.monthly_income),
            "other_obligations": str(made.other_obligations), "dependants": made.dependants,
            "monthly_cash_flow": None if made.monthly_cash_flow is None
            else str(made.monthly_cash_flow)}


class ConsentIn(Schema):
    party_row_id: Id
    how: text(100, min_length=1)  # type: ignore[valid-type]
    given_on: dt.date
    purpose: text(40) = "extension"  # type: ignore[valid-type]  # or remediate, waive_confirmation


@router.post("/disputes/{dispute_id}/consents", response={201: Anything, **ERRORS},
             operation_id="consent_record")
def consent_record(request: HttpRequest, dispute_id: DisputeId,
                   payload: ConsentIn) -> Status[Anything]:
    made = services.consent_record(actor=_viewer(request), dispute_id=dispute_id,
                                   party_row_id=payload.party_row_id, how=payload.how,
                                   given_on=payload.given_on, purpose=payload.purpose)
    return Status(201, {"id": made.pk, "party_row_id": made.party_row_id, "how": made.how,
                        "purpose": made.purpose})


class EvaluationIn(Schema):
    assessment: text(20000, min_length=1)  # type: ignore[valid-type]
    contract_annual_rate: Rate
    discount_rate: Rate | None = None
    offer_id: Id | None = None


def _evaluation_out(e: Any) -> Anything:
    return {"id": e.pk, "expert": str(e.expert), "assessment": e.assessment,
            "paths": e.paths, "offer": e.offer.seq if e.offer else None,
            "created_at": e.created_at}


@router.post("/disputes/{dispute_id}/evaluations", response={201: Anything, **ERRORS},
             operation_id="evaluation_record")
def evaluation_record(request: HttpRequest, dispute_id: DisputeId,
                      payload: EvaluationIn) -> Status[Anything]:
    viewer = _viewer(request)
    dispute = dispute_get_for(viewer, dispute_id)
    made = services.evaluation_record(
        actor=viewer, dispute_id=dispute_id, assessment=payload.assessment,
        contract_annual_rate=Decimal(payload.contract_annual_rate),
        discount_rate=_discount(dispute, payload.discount_rate), offer_id=payload.offer_id)
    return Status(201, _evaluation_out(made))


@router.get("/disputes/{dispute_id}/evaluations", response={200: list[Anything], **ERRORS},
            operation_id="evaluations_list")
def evaluations_list(request: HttpRequest, dispute_id: DisputeId) -> list[Anything]:
    dispute = dispute_get_for(_viewer(request), dispute_id)
    return [_evaluation_out(e) for e in dispute.evaluations.select_related("expert", "offer")
            .order_by("pk")]
