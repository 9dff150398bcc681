"""Plans on the table: offers and counter-offers, answers and withdrawal, the approval of
a plan beyond an agent's authority, and an institution's standard plan menu."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import (
    PermissionDenied,
    RecordNotFound,
    Standing,
    may_publish_menu,
    standing_of,
)
from jintiao.disputes.changes import instant, lock_behind, record_event, require_state
from jintiao.disputes.models import Dispute
from jintiao.disputes.services import dispute_lock
from jintiao.domain import events
from jintiao.domain.authority import PlanAsks, excesses, first_able
from jintiao.domain.errors import ErrorCode
from jintiao.domain.lifecycle import State
from jintiao.domain.plans import MenuItem as PlanMenuItem
from jintiao.domain.plans import PlanFigures, PlanOptions, options_from_menu
from jintiao.mediation import convert, selectors
from jintiao.mediation.models import Approval, MenuItem, Offer, Side
from jintiao.mediation.services.common import (
    ApprovalRequired,
    MediationInvalid,
    next_seq,
    require_joint_part,
    require_no_settlement,
    require_outside_pause,
    require_time_left,
)
from jintiao.orgs.models import INSTITUTION_KINDS, Organization, User

# --- plans and offers ---

REASON_MAX = 500  # a rejection's reason, as the portal's box takes it

def _offer_by(standing: Standing, on_behalf_of: str) -> str:
    """Who puts the offer forward (:meth:`Standing.offers_as`)."""
    by = standing.offers_as(on_behalf_of)
    if by is not None:
        return by
    raise PermissionDenied("无权以该方名义提出方案（债权人的方案由其经办人提出）",
                           "may not make an offer for this side")


@transaction.atomic
def offer_propose(*, actor: User, dispute_id: int, options: PlanOptions,
                  discount_rate: Decimal, on_behalf_of: str = "", side: str = "",
                  answers_id: int | None = None,
                  joint_part: PlanFigures | None = None) -> Offer:
    """Put a plan forward, to everyone (``side`` empty) or in a back-to-back round to the
    mediators only (``side`` the proposer's own); a counter-offer names the one it answers.

    A side's own offer on the table binds that side: it counts as its acceptance — for the
    creditor only within the proposing officer's authority (beyond it, approval decides).
    On a joined dispute only the joint plan puts a plan on the table (``joint_part``: the
    part's figures as the consolidated plan judged them against the one budget, the other
    creditors' payments counted — passed by
    :func:`~jintiao.mediation.services.joint.joint_plan_propose` alone).
    """
    dispute = dispute_lock(actor, dispute_id)
    require_state(dispute, State.MEDIATING, doing="提出方案")
    now, today = instant()
    require_time_left(dispute, today)
    standing = standing_of(actor, dispute)
    by = _offer_by(standing, on_behalf_of)
    require_no_settlement(dispute)
    if not side and joint_part is None:
        require_joint_part(dispute)
    if side and (side not in Side.values or (by != Offer.By.MEDIATOR and side != by)):
        raise MediationInvalid("背对背方案只能对己方及调解员可见",
                               "a private offer is its own side's")
    if side and by != Offer.By.CREDITOR:  # the desk's private offer is the team's caucus
        standing.require(Standing.may_write_caucus, "提出背对背方案")
    answers = None
    if answers_id is not None:
        answers = Offer.objects.filter(pk=answers_id, dispute=dispute, side="").first()
        if answers is None or answers.status != Offer.Status.OPEN:
            raise MediationInvalid("所回应的方案不存在或已答复", "the answered offer is not open")
    require_outside_pause(dispute, options.first_due, options.down_payment_due)
    figures = joint_part or selectors.figures_for(dispute, options, discount_rate)
    creditor_bound = (by == Offer.By.CREDITOR and not side and not excesses(
        PlanAsks.of(figures, dispute.principal), selectors.limits_of(actor)))
    seq = next_seq(dispute.offers)
    made = Offer.objects.create(
        dispute=dispute, seq=seq, by=by, side=side, answers=answers,
        label=options.label[:100], method=options.method.value,
        options=convert.options_to_json(options), figures=convert.figures_to_json(figures),
        creditor_accepted_at=now if creditor_bound else None,
        debtor_accepted_at=now if by == Offer.By.DEBTOR and not side else None,
        proposed_by=actor, created_at=now)
    if answers is not None:
        answers.status = Offer.Status.COUNTERED
        answers.save(update_fields=["status"])
        _cancel_approvals([answers.pk])
    params: dict[str, Any] = {"offer": seq, "by": by, "side": side,
                              "answers": answers.seq if answers else None}
    if not side:  # a private offer's terms stay off the shared timeline
        params.update(total=str(figures.total_paid), periods=options.periods,
                      method=options.method.value)
    record_event(dispute, events.MEDIATION_OFFER_MADE, actor, now, params)
    return made


def _cancel_approvals(offer_ids: Sequence[int]) -> None:
    """An offer that left the table takes its pending approvals with it."""
    Approval.objects.filter(offer_id__in=offer_ids, status=Approval.Status.PENDING).update(
        status=Approval.Status.CANCELLED)


def _offer_for(actor: User, offer_id: int) -> tuple[Offer, Dispute, Standing]:
    missing = RecordNotFound("方案不存在", "offer not found")
    offer = Offer.objects.filter(pk=offer_id).first()
    if offer is None:
        raise missing
    dispute = lock_behind(actor, offer.dispute_id, missing)
    standing = standing_of(actor, dispute)
    if not standing.may_read_caucus(offer.side):
        raise missing  # another side's private offer: not found either
    return offer, dispute, standing


@transaction.atomic
def offer_accept(*, actor: User, offer_id: int, side: str) -> Offer:
    """Record one side's acceptance. The creditor's agent accepts within its authority,
    beyond it only through an approval; the desk records the debtor's acceptance (until the
    party portal) — the debtor accepts an offer only with its full terms shown to it."""
    offer, dispute, standing = _offer_for(actor, offer_id)
    require_state(dispute, State.MEDIATING, doing="接受方案")
    now, today = instant()
    require_time_left(dispute, today)
    if offer.status != Offer.Status.OPEN:
        raise MediationInvalid("该方案已答复或撤回", "the offer is not open")
    if offer.side:
        raise MediationInvalid("背对背方案须先由调解员向双方提出",
                               "a private offer is not on the table")
    if side not in Side.values:
        raise MediationInvalid("接受方无效", "unknown side")
    standing.require(Standing.may_answer_for, "代表该方接受方案", side)
    require_joint_part(dispute, offer)
    asked = convert.options_from_json(offer.options)
    require_outside_pause(dispute, asked.first_due, asked.down_payment_due)
    if side == Side.CREDITOR:
        found = selectors.creditor_excesses(actor, offer, dispute)
        if found and not offer.approvals.filter(status=Approval.Status.APPROVED).exists():
            raise ApprovalRequired(
                "超出您的授权，须报上级审批：" + "；".join(e.sentence for e in found),
                "beyond the agent's authority: approval required",
                excesses=",".join(e.limit for e in found))
        offer.creditor_accepted_at = now
    else:
        offer.debtor_accepted_at = now
    _finish_if_both(offer, dispute, actor, now, side)
    return offer


def _finish_if_both(offer: Offer, dispute: Dispute, actor: User, now: dt.datetime,
                    side: str) -> None:
    both = offer.creditor_accepted_at is not None and offer.debtor_accepted_at is not None
    if both:
        require_no_settlement(dispute)
        offer.status = Offer.Status.ACCEPTED
        others = list(dispute.offers.filter(status=Offer.Status.OPEN).exclude(pk=offer.pk)
                      .values_list("pk", flat=True))
        Offer.objects.filter(pk__in=others).update(status=Offer.Status.WITHDRAWN)
        _cancel_approvals([*others, offer.pk])
    offer.save(update_fields=["status", "creditor_accepted_at", "debtor_accepted_at"])
    record_event(dispute, events.MEDIATION_OFFER_ACCEPTED, actor, now,
                 {"offer": offer.seq, "side": side, "both": both})


@transaction.atomic
def offer_reject(*, actor: User, offer_id: int, side: str, reason: str = "") -> Offer:
    offer, dispute, standing = _offer_for(actor, offer_id)
    require_state(dispute, State.MEDIATING, doing="拒绝方案")
    if offer.status != Offer.Status.OPEN:
        raise MediationInvalid("该方案已答复或撤回", "the offer is not open")
    if offer.side:
        raise MediationInvalid("背对背方案尚未向双方提出，无需答复",
                               "a private offer is not on the table")
    if side not in Side.values:
        raise MediationInvalid("拒绝方无效", "unknown side")
    standing.require(Standing.may_answer_for, "代表该方拒绝方案", side)
    if not standing.desk and side == Side.DEBTOR and not reason.strip():
        # the debtor's own answer tells the desk and the creditor what to change
        raise MediationInvalid("请写明不接受该方案的理由（例如每月金额超出能力、期数太短）",
                               "a reason is required", field="reason")
    if len(reason.strip()) > REASON_MAX:
        raise MediationInvalid(f"理由不能超过{REASON_MAX}个字", "reason too long", field="reason")
    now, _today = instant()
    offer.status = Offer.Status.REJECTED
    offer.save(update_fields=["status"])
    _cancel_approvals([offer.pk])
    record_event(dispute, events.MEDIATION_OFFER_REJECTED, actor, now,
                 {"offer": offer.seq, "side": side, "reason": reason.strip()})
    return offer


@transaction.atomic
def offer_withdraw(*, actor: User, offer_id: int, reason: str) -> Offer:
    """Take a plan off the table: the desk any plan — one both sides had accepted included,
    when they reopen the talks — and the creditor's officers the creditor's own open offer.

    :raises PermissionDenied: not the desk, nor the creditor withdrawing its own open offer
    :raises MediationInvalid: no reason, or the offer already answered or withdrawn
    """
    offer, dispute, standing = _offer_for(actor, offer_id)
    require_state(dispute, State.MEDIATING, doing="撤回方案")
    if offer.status not in (Offer.Status.OPEN, Offer.Status.ACCEPTED):
        raise MediationInvalid("该方案已答复或撤回", "the offer is not open")
    standing.require(Standing.may_withdraw_offer, "撤回该方案", offer.by,
                     offer.status == Offer.Status.OPEN)
    if not reason.strip():
        raise MediationInvalid("撤回方案须写明理由", "a withdrawal needs a reason")
    now, _today = instant()
    was = offer.status
    offer.status = Offer.Status.WITHDRAWN
    offer.save(update_fields=["status"])
    _cancel_approvals([offer.pk])
    record_event(dispute, events.MEDIATION_OFFER_WITHDRAWN, actor, now,
                 {"offer": offer.seq, "was": was, "reason": "" if offer.side else reason.strip()})
    return offer


# --- authority ---

@transaction.atomic
def approval_request(*, actor: User, offer_id: int) -> Approval:
    """Ask the nearest approver whose limits cover the plan to approve accepting it."""
    offer, dispute, standing = _offer_for(actor, offer_id)
    standing.require(Standing.may_ask_approval, "报请审批")
    if offer.status != Offer.Status.OPEN or offer.side:
        raise MediationInvalid("只能对双方可见、待答复的方案报请审批", "the offer is not open")
    found = selectors.creditor_excesses(actor, offer, dispute)
    if not found:
        raise MediationInvalid("该方案在您的授权范围内，可直接接受", "within the agent's authority")
    if offer.approvals.filter(status=Approval.Status.PENDING).exists():
        raise MediationInvalid("该方案已在审批中", "already waiting for approval")
    approver = first_able(selectors.plan_asks(offer, dispute),
                          selectors.approval_ladder(actor, dispute))
    if approver is None:
        raise MediationInvalid("上级机构中没有授权足以批准该方案的审批人",
                               "no approver's authority covers this plan")
    now, _today = instant()
    made = Approval.objects.create(
        offer=offer, requested_by=actor, approver=approver, requested_at=now,
        excesses=[{"limit": e.limit, "text": e.sentence} for e in found])
    record_event(dispute, events.MEDIATION_APPROVAL_REQUESTED, actor, now,  # the excesses stay with
                 {"offer": offer.seq, "approval": made.pk, "approver": approver.pk})  # the bank
    return made


@transaction.atomic
def approval_decide(*, actor: User, approval_id: int, approve: bool, reason: str) -> Approval:
    """The approver approves (the creditor then has accepted the plan) or refuses, with a
    reason; both are on the timeline at once."""
    approval = Approval.objects.select_related("offer").filter(pk=approval_id).first()
    if approval is None or approval.approver_id != actor.pk:
        raise RecordNotFound("审批事项不存在", "approval not found")
    offer, dispute, _standing = _offer_for(actor, approval.offer_id)
    approval.offer = offer  # the locked, current row: the answer shows what it became
    if approval.status != Approval.Status.PENDING:
        raise MediationInvalid("该事项已经审批或已撤销", "already decided or cancelled")
    require_state(dispute, State.MEDIATING, doing="审批方案")
    if offer.status != Offer.Status.OPEN:
        raise MediationInvalid("该方案已不在待答复状态", "the offer is no longer open")
    now, today = instant()
    if approve:
        require_time_left(dispute, today)
    if not reason.strip():
        raise MediationInvalid("审批意见不能为空", "a decision needs a reason")
    approval.status = Approval.Status.APPROVED if approve else Approval.Status.REFUSED
    approval.reason, approval.decided_at = reason.strip(), now
    approval.save(update_fields=["status", "reason", "decided_at"])
    # the reason stays with the approval, the creditor's record: the shared timeline says
    # only the outcome, as it would not tell the debtor how far the bank's authority goes
    record_event(dispute, events.MEDIATION_APPROVAL_DECIDED, actor, now,
                 {"offer": offer.seq, "approval": approval.pk, "approved": approve})
    if approve:
        offer.creditor_accepted_at = now
        _finish_if_both(offer, dispute, actor, now, Side.CREDITOR)
    return approval


MAX_MENU_ITEMS = 8


class MenuBeyondAuthority(PermissionDenied):
    """A standard plan goes beyond what its publisher may grant on its own authority."""

    code = ErrorCode.MENU_BEYOND_AUTHORITY


@transaction.atomic
def menu_publish(*, actor: User, institution: Organization,
                 items: Sequence[PlanMenuItem]) -> list[MenuItem]:
    """Publish an institution's standard plan menu (e.g. 6/12/24/36 months), replacing the
    one before; the designer offers it first on the institution's and its branches'
    disputes. An approver of the institution or a node above it publishes, and only items
    within its own authority: a standard plan is a concession offered in its name.

    :raises PermissionDenied: not an approver (or administrator) over ``institution``
    :raises MenuBeyondAuthority: an item beyond the publisher's own limits (nothing changes)
    :raises MediationInvalid: not an institution, or no item or too many
    """
    if institution.kind not in INSTITUTION_KINDS:
        raise MediationInvalid(f"{institution}不是金融机构", "not a financial institution")
    if not may_publish_menu(actor, institution):
        raise PermissionDenied("只有本机构或上级机构的审批人可以发布标准还款方案",
                               "only an approver over the institution publishes its menu")
    if not 1 <= len(items) <= MAX_MENU_ITEMS:
        raise MediationInvalid(f"标准还款方案应为1至{MAX_MENU_ITEMS}项",
                               f"a menu has 1 to {MAX_MENU_ITEMS} items")
    limits = selectors.limits_of(actor)
    for item in items:
        found = excesses(PlanAsks.of_menu(item), limits)
        if found:
            raise MenuBeyondAuthority(
                f"标准还款方案“{item.label}”超出您的授权：" + "；".join(e.sentence for e in found),
                f"menu item {item.label!r} is beyond the publisher's authority",
                item=item.label, excesses=",".join(e.limit for e in found))
    now = clock.now()
    MenuItem.objects.filter(institution=institution).delete()
    return MenuItem.objects.bulk_create([
        MenuItem(institution=institution, position=i, label=item.label[:100],
                 periods=item.periods, method=item.method.value,
                 annual_rate=item.annual_rate, charge_waiver_ratio=item.charge_waiver_ratio,
                 conditional=item.conditional, waiver_parts=list(item.waiver_parts),
                 published_by=actor, published_at=now)
        for i, item in enumerate(items)])


class MenuStale(MediationInvalid):
    """A menu that no longer stands on its publisher's authority is not sent."""


def _require_menu_authority(items: Sequence[MenuItem]) -> None:
    """The menu still stands on its publisher's authority: published by someone on record,
    still active, whose limits today cover every plan."""
    publisher = items[0].published_by
    if publisher is None or not publisher.is_active:
        raise MenuStale("标准还款方案的发布人已无审批权限，请审批人重新发布后再发送",
                        "the menu's publisher is not an active approver")
    limits = selectors.limits_of(publisher)
    for item in items:
        found = excesses(PlanAsks.of_menu(selectors.menu_line(item)), limits)
        if found:
            raise MenuStale(
                f"标准还款方案“{item.label}”已超出发布人现有授权，请审批人重新发布："
                + "；".join(e.sentence for e in found),
                "a menu item is beyond its publisher's present authority", item=item.label)


def menu_offers_put(*, actor: User, dispute: Dispute, first_due: dt.date
                    ) -> list[tuple[Offer, PlanFigures]]:
    """Put the creditor institution's standard plan menu on the table of ``dispute``, each
    plan from ``first_due`` as the creditor's offer already accepted for the creditor: the
    menu's publisher approved it within their authority, checked again here, so the debtor's
    acceptance alone settles it (no approval round). The caller holds the dispute's lock and
    its transaction and has decided the actor may send it (the desk).

    :raises TransitionRefused: not under mediation
    :raises MediationDeadlinePassed: the mediation's time is up
    :raises MediationInvalid: a plan already accepted by both sides, or no menu published
    :raises MenuStale: the publisher is gone or their limits no longer cover the menu
    """
    require_state(dispute, State.MEDIATING, doing="发送标准还款方案")
    now, today = instant()
    require_time_left(dispute, today)
    require_no_settlement(dispute)
    require_joint_part(dispute)
    items = selectors.menu_for(dispute)
    if not items:
        raise MediationInvalid("债权人机构尚未发布标准还款方案", "the institution has no menu")
    _require_menu_authority(items)
    claim = selectors.claim_of(dispute)
    rate = selectors.discount_rate(dispute, None)
    budget = selectors.debtor_budget(dispute)
    seq = next_seq(dispute.offers)
    out = []
    for n, item in enumerate(items):
        options = options_from_menu(claim, selectors.menu_line(item), first_due)
        require_outside_pause(dispute, options.first_due, options.down_payment_due)
        figures = selectors.figures_for(dispute, options, rate, budget)
        offer = Offer.objects.create(
            dispute=dispute, seq=seq + n, by=Offer.By.CREDITOR, label=item.label[:100],
            method=options.method.value, options=convert.options_to_json(options),
            figures=convert.figures_to_json(figures), creditor_accepted_at=now,
            proposed_by=actor, created_at=now)
        record_event(dispute, events.MEDIATION_OFFER_MADE, actor, now, {
            "offer": offer.seq, "by": Offer.By.CREDITOR.value, "side": "", "answers": None,
            "total": str(figures.total_paid), "periods": options.periods,
            "method": options.method.value, "menu": True,
            "publisher": item.published_by_id})
        out.append((offer, figures))
    return out
