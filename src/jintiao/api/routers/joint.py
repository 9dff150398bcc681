"""Joint mediation over HTTP (联合调解, issue 21 §2): the desk joins one debtor's disputes
with different creditors, previews and puts forward the consolidated plan, calls the joint
meeting and files the one application for judicial confirmation — each through the same
service the joint page calls. Only the desk of every joined dispute reads or acts on a
joint mediation; a creditor answers its own part on its own dispute (``offer_accept``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field, StrictBool

from jintiao.api.routers.disputes import ERRORS
from jintiao.api.schemas import Id, Money, text
from jintiao.confirmation import joined
from jintiao.confirmation.models import ConfirmationBatch
from jintiao.domain.joint import JointInvalid
from jintiao.mediation import selectors, services
from jintiao.mediation.models import JointMediation
from jintiao.orgs.models import User

router = Router(tags=["mediation"])
JointId = Annotated[int, Field(ge=1, le=2**53)]
Share = Annotated[str, Field(pattern=r"^(0(\.[0-9]{1,6})?|1(\.0{1,6})?)$",
                             description="a fraction of the whole, 0 to 1")]
Rate = Annotated[str, Field(pattern=r"^[0-9]{1,2}(\.[0-9]{1,4})?$",
                            description="an annual rate as a fraction, e.g. 0.036")]


def _viewer(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class JointCreateIn(Schema):
    disputes: list[Id] = Field(min_length=2, max_length=8)
    sessions: text(16) = "joint"  # type: ignore[valid-type]
    agreement_form: text(16) = "per_creditor"  # type: ignore[valid-type]


class PartIn(Schema):
    dispute: Id
    secured: StrictBool = False
    agreed_share: Share | None = None
    method: text(20) = "flat"  # type: ignore[valid-type]
    annual_rate: Rate = "0"
    waive: list[text(30)] = Field(default_factory=list, max_length=5)  # type: ignore[valid-type]
    periods: Annotated[int, Field(ge=1, le=360)] | None = None


class JointPlanIn(Schema):
    first_due: dt.date
    rule: text(20) = ""  # type: ignore[valid-type]
    amount: Money | None = Field(default=None, description="a month in all; default: what "
                                 "the debtor's one budget affords")
    parts: list[PartIn] = Field(default_factory=list, max_length=8)
    dry_run: StrictBool = Field(default=False, description="compute only (the preview)")
    beyond_budget: StrictBool = Field(default=False, description="the debtor knows the plan "
                                      "is beyond the budget and insists")


class JointSessionIn(Schema):
    mode: text(20)  # type: ignore[valid-type]
    starts_at: dt.datetime
    place: text(200) = ""  # type: ignore[valid-type]
    online_link: text(500) = ""  # type: ignore[valid-type]


class JointConfirmationIn(Schema):
    court: Id


class PlanPartOut(Schema):
    key: str = Field(description="the dispute's number")
    name: str = Field(description="the creditor")
    share: Decimal = Field(description="what it is given a month")
    reason: str
    instalments: int
    monthly: Decimal
    total: Decimal
    waived: Decimal
    first_due: dt.date
    last_due: dt.date


class JointPlanOut(Schema):
    rule: str
    summary: str
    amount: Decimal = Field(description="what the debtor pays a month in all")
    combined_monthly: Decimal = Field(description="the largest month's total")
    combined_total: Decimal
    affordable: bool | None
    warnings: list[str]
    parts: list[PlanPartOut]
    proposed: bool = Field(description="false for a dry run")
    plan_version: int | None = None


class JointPartOut(Schema):
    dispute: int
    number: str
    creditor: str
    state: str
    offer: int | None = Field(description="the part on its table (offer id), if any")
    offer_status: str = ""
    creditor_accepted: bool
    debtor_accepted: bool


class JointFiledOut(Schema):
    application: int
    dispute: int
    number: str
    status: str
    case_number: str


class JointSessionsOut(Schema):
    sessions: list[int] = Field(description="the session put on each member's table")


class JointConfirmationOut(Schema):
    batch: int
    court: str
    filed_at: dt.datetime
    applications: list[JointFiledOut]


class JointOut(Schema):
    id: int
    debtor: str
    sessions: str
    agreement_form: str
    rule: str
    amount: Decimal | None
    first_due: dt.date | None
    plan_version: int
    plan: JointPlanOut | None = Field(description="the consolidated plan last put forward")
    parts: list[JointPartOut]
    confirmation: JointConfirmationOut | None = Field(description="the latest application")
    ready_for_confirmation: list[str] = Field(description="the members whose agreement the "
                                              "next application would carry")
    waiting_for_confirmation: list[str] = Field(description="the members still being "
                                                "mediated, in words")


def _confirmation_out(batch: ConfirmationBatch | None) -> JointConfirmationOut | None:
    if batch is None:
        return None
    return JointConfirmationOut(
        batch=batch.pk, court=batch.court.name, filed_at=batch.filed_at,
        applications=[JointFiledOut(application=a.pk, dispute=a.dispute_id,
                                          number=a.dispute.number, status=a.status,
                                          case_number=a.case_number)
                      for a in batch.applications.select_related("dispute").order_by("pk")])


def joint_out(joint: JointMediation) -> JointOut:
    parts = [JointPartOut(dispute=p.member.dispute_id, number=p.member.dispute.number,
                          creditor=selectors.creditor_name(p.member.dispute),
                          state=p.member.dispute.state,
                          offer=p.offer.pk if p.offer else None,
                          offer_status=p.offer.status if p.offer else "",
                          creditor_accepted=p.creditor_accepted,
                          debtor_accepted=p.debtor_accepted)
             for p in selectors.joint_parts(joint)]
    return JointOut(id=joint.pk, debtor=joint.debtor.name, sessions=joint.sessions,
                    agreement_form=joint.agreement_form, rule=joint.rule, amount=joint.amount,
                    first_due=joint.first_due, plan_version=joint.plan_version,
                    plan=JointPlanOut(**joint.plan, proposed=True,
                                      plan_version=joint.plan_version)
                    if joint.plan else None, parts=parts,
                    confirmation=_confirmation_out(joined.filed(joint)),
                    ready_for_confirmation=[d.number for d in joined.filable(joint)],
                    waiting_for_confirmation=joined.waiting(joint))


def _terms(parts: list[PartIn]) -> dict[int, selectors.PartTerms]:
    seen: dict[int, selectors.PartTerms] = {}
    for p in parts:
        if p.dispute in seen:
            raise JointInvalid("同一纠纷的条件只能列一次", "a dispute listed twice",
                               field="parts")
        seen[p.dispute] = selectors.PartTerms(
            secured=p.secured,
            agreed_share=Decimal(p.agreed_share) if p.agreed_share is not None else None,
            method=p.method, annual_rate=Decimal(p.annual_rate), waive=tuple(p.waive),
            periods=p.periods)
    return seen


@router.post("/joint", response={201: JointOut, **ERRORS}, operation_id="joint_create")
def joint_create(request: HttpRequest, payload: JointCreateIn) -> Status[JointOut]:
    """Join one debtor's disputes with different creditors, being mediated at the actor's
    committee (``joint_invalid`` names what stands in the way)."""
    made = services.joint_create(actor=_viewer(request), dispute_ids=payload.disputes,
                                 sessions=payload.sessions,
                                 agreement_form=payload.agreement_form)
    return Status(201, joint_out(made))


@router.get("/joint/{joint_id}", response={200: JointOut, **ERRORS}, operation_id="joint_get")
def joint_get(request: HttpRequest, joint_id: JointId) -> JointOut:
    """The joint mediation: its disputes, the plan last put forward, each part's answers and
    the one application — to the desk of every joined dispute."""
    return joint_out(selectors.joint_for(_viewer(request), joint_id))


@router.post("/joint/{joint_id}/plan", response={200: JointPlanOut, **ERRORS},
             operation_id="joint_plan")
def joint_plan(request: HttpRequest, joint_id: JointId, payload: JointPlanIn) -> JointPlanOut:
    """The consolidated plan: computed only (``dry_run``), or put forward — one part on each
    dispute's table, every earlier part withdrawn. A plan beyond the debtor's budget is put
    forward only with ``beyond_budget``."""
    viewer = _viewer(request)
    joint = selectors.joint_for(viewer, joint_id)
    terms = _terms(payload.parts)
    amount = Decimal(payload.amount) if payload.amount is not None else None
    choice: dict[str, Any] = {"rule": payload.rule or None, "amount": amount,
                              "first_due": payload.first_due}
    if payload.dry_run:
        plan, _members = services.joint_plan(joint, terms, **choice)
        return JointPlanOut(**selectors.plan_summary(plan), proposed=False)
    done = services.joint_plan_propose(actor=viewer, joint_id=joint.pk, parts=terms,
                                       beyond_budget=payload.beyond_budget, **choice)
    return JointPlanOut(**done.plan, proposed=True, plan_version=done.plan_version)


@router.post("/joint/{joint_id}/sessions", response={201: JointSessionsOut, **ERRORS},
             operation_id="joint_session_schedule")
def joint_session_schedule(request: HttpRequest, joint_id: JointId,
                           payload: JointSessionIn) -> Status[JointSessionsOut]:
    """Call the joint meeting: one session at the same time on every member's table, every
    party invited; the answer is the sessions' ids."""
    made = services.joint_session_schedule(
        actor=_viewer(request), joint_id=joint_id, mode=payload.mode,
        starts_at=payload.starts_at, place=payload.place, online_link=payload.online_link)
    return Status(201, JointSessionsOut(sessions=[s.pk for s in made]))


@router.post("/joint/{joint_id}/confirmation", response={201: JointOut, **ERRORS},
             operation_id="joint_confirmation_apply")
def joint_confirmation_apply(request: HttpRequest, joint_id: JointId,
                             payload: JointConfirmationIn) -> Status[JointOut]:
    """File the one application for judicial confirmation of every member's agreement —
    all or none (``confirmation_invalid`` names the dispute and what is missing)."""
    viewer = _viewer(request)
    joined.joined_apply(actor=viewer, joint_id=joint_id, court_id=payload.court)
    return Status(201, joint_out(selectors.joint_for(viewer, joint_id)))
