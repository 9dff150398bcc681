"""Portfolio offers (issue 20 §5): the standard plan menu sent to many disputes' debtors in
one request, and the batch's uptake. Each dispute goes through the single send in its own
transaction; the answer lists every dispute with its outcome. Thin: parse, call
:mod:`jintiao.portfolio.batch`, shape :mod:`jintiao.portfolio.selectors`' uptake."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field, StrictBool

from jintiao.api.routers.batch_actions import DisputeKey
from jintiao.api.schemas import ErrorOut
from jintiao.disputes.access import RecordNotFound
from jintiao.mediation import batch
from jintiao.mediation.models import BatchRun
from jintiao.orgs.models import User
from jintiao.portfolio import batch as menus
from jintiao.portfolio import selectors

router = Router(tags=["disputes"])
ERRORS: dict[int, type] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                           422: ErrorOut}
RunId = Annotated[int, Field(ge=1, le=2**53)]


class MenuBatchIn(Schema):
    """Send the creditor institution's standard plan menu to each dispute's debtor, to
    choose one plan on the portal by ``reply_by`` (after today, before the plans' first
    instalment and within the mediation's deadline). ``performance_manner`` — the
    collection account and how to pay — goes into the agreement the choice drafts.
    ``text``: text the debtor the plans (the platform's vetted words, under the contact
    caps and hours: a dispute whose text is refused is refused whole)."""

    ids: list[DisputeKey] = Field(min_length=1, max_length=batch.SYNC_MAX)
    reply_by: dt.date
    performance_manner: str = Field(min_length=1, max_length=1000)
    text: StrictBool = True

    model_config = {"json_schema_extra": {"examples": [{
        "ids": [101, 102], "reply_by": "2026-12-20",
        "performance_manner": "债务人每期将还款存入其在本行开立的还款账户，以银行入账为准。",
        "text": True}]}}


class MenuBatchItemOut(Schema):
    id: int
    number: str  # empty for a dispute you may not see
    status: Literal["pending", "ok", "refused"]
    code: str  # the refusal's stable code, as the single send would answer it
    message: str  # the refusal in Chinese, or what was sent


class UptakeLineOut(Schema):
    dispute_id: int
    number: str
    sent_at: dt.datetime
    texted: bool
    reply_by: dt.date
    opened_at: dt.datetime | None
    chosen: str  # the label of the plan chosen, empty until one is
    chosen_at: dt.datetime | None
    debtor_signed: bool
    signed: bool  # every signature on the agreement gathered
    expired: bool  # not chosen by reply_by
    stage: str


class PlanUptakeOut(Schema):
    label: str
    chosen: int


class UptakeOut(Schema):
    sent: int
    texted: int
    opened: int
    chosen: int
    debtor_signed: int
    signed: int
    expired: int
    by_plan: list[PlanUptakeOut]
    lines: list[UptakeLineOut]


class MenuBatchOut(Schema):
    id: int
    state: Literal["queued", "running", "done", "failed"]
    error: str
    done: int
    refused: int
    items: list[MenuBatchItemOut]
    uptake: UptakeOut


ITEM_STATUS: dict[str, Literal["pending", "ok", "refused"]] = {
    "pending": "pending", "done": "ok", "refused": "refused"}
RUN_STATE: dict[str, Literal["queued", "running", "done", "failed"]] = {
    "queued": "queued", "running": "running", "done": "done", "failed": "failed"}


def _out(run: BatchRun) -> MenuBatchOut:
    items = [MenuBatchItemOut(
        id=i.dispute_ref, number=i.number, status=ITEM_STATUS[i.status],
        code=i.code, message=i.message) for i in run.items.order_by("seq")]
    u = selectors.uptake_of(run)
    return MenuBatchOut(
        id=run.pk, state=RUN_STATE[run.state], error=run.error,
        done=sum(1 for i in items if i.status == "ok"),
        refused=sum(1 for i in items if i.status == "refused"), items=items,
        uptake=UptakeOut(
            sent=u.sent, texted=u.texted, opened=u.opened, chosen=u.chosen,
            debtor_signed=u.debtor_signed, signed=u.signed, expired=u.expired,
            by_plan=[PlanUptakeOut(label=label, chosen=n) for label, n in u.by_plan],
            lines=[UptakeLineOut(
                dispute_id=line.dispute_id, number=line.number, sent_at=line.sent_at,
                texted=line.texted, reply_by=line.reply_by, opened_at=line.opened_at,
                chosen=line.chosen, chosen_at=line.chosen_at,
                debtor_signed=line.debtor_signed, signed=line.signed, expired=line.expired,
                stage=line.stage) for line in u.lines]))


@router.post("/disputes/menu-offers", response={200: MenuBatchOut, **ERRORS},
             operation_id="disputes_menu_offers")
def disputes_menu_offers(request: HttpRequest, payload: MenuBatchIn) -> MenuBatchOut:
    """Send the standard plan menu to up to 200 disputes' debtors (a mediator or director;
    403 otherwise). Each plan goes on the table as the creditor's offer, accepted on the
    authority of the approver who published the menu, so the debtor's choice alone settles
    the plan and drafts the agreement — no approval round. A dispute refused (not yours,
    not under mediation, no menu, a menu still waiting, the text refused at this hour…) is
    listed with the code and message of the single send. Under a queue the batch may still
    be ``queued``: follow it at ``GET /menu-batches/{id}``."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    run = menus.menu_run_start(actor=viewer, dispute_ids=payload.ids,
                               reply_by=payload.reply_by,
                               performance_manner=payload.performance_manner,
                               text=payload.text)
    return _out(run)


@router.get("/menu-batches/{run_id}", response={200: MenuBatchOut, **ERRORS},
            operation_id="menu_batch")
def menu_batch(request: HttpRequest, run_id: RunId) -> MenuBatchOut:
    """A menu batch you sent: each dispute's outcome and the uptake — sent, texted, opened,
    chosen (which plan), the debtor signed, every signature gathered, expired unchosen —
    as it stands now. Another user's batch is not found."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    run = batch.batch_run_for(viewer, run_id)
    if run.action != BatchRun.Action.MENU:
        raise RecordNotFound("批量操作不存在或无权查看", "batch not found")
    return _out(run)

