"""Blind offers: private bounds entered round by round, decided without showing either."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import Standing, standing_of
from jintiao.disputes.changes import instant, record_event, require_state
from jintiao.disputes.models import Dispute
from jintiao.disputes.services import dispute_lock
from jintiao.domain import blind, events
from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.lifecycle import State
from jintiao.domain.plans import WAIVER_ORDER, PlanOptions, waivers_of
from jintiao.domain.schedules import Method
from jintiao.mediation import convert, selectors
from jintiao.mediation.models import BlindRound, Offer, Side
from jintiao.mediation.services.common import (
    ApprovalRequired,
    MediationInvalid,
    next_seq,
    require_joint_part,
    require_no_settlement,
    require_time_left,
)
from jintiao.orgs.models import User
from jintiao.parties import crypto

# --- blind offers ---

def _authority_bound(limits: AuthorityLimits, dispute: Dispute) -> blind.CreditorBound:
    """The most a holder of ``limits`` may concede, as a creditor bound."""
    least = (dispute.principal * (1 - limits.max_principal_waiver_ratio)
             + selectors.claim_of(dispute).charges * (1 - limits.max_charge_waiver_ratio)
             + dispute.other).quantize(Decimal("0.01"))
    return blind.CreditorBound(max(least, Decimal("0.01")), limits.max_term_months)


def _seal(bound: blind.CreditorBound | blind.DebtorBound) -> str:
    return crypto.encrypt(json.dumps({k: str(v) for k, v in vars(bound).items()}))


def _open_creditor(token: str) -> blind.CreditorBound:
    data = json.loads(crypto.decrypt(token))
    return blind.CreditorBound(Decimal(data["min_total"]), int(data["max_term_months"]))


def _open_debtor(token: str) -> blind.DebtorBound:
    """A sealed debtor bound; one sealed before a month's figure above the whole was refused
    is read as the whole (what it can mean), never refused: the refusal would stop the
    round for good and tell the other side the debtor's sealed figures."""
    data = json.loads(crypto.decrypt(token))
    most = Decimal(data["max_total"])
    return blind.DebtorBound(min(Decimal(data["max_monthly"]), most), most)


@transaction.atomic
def blind_bound_enter(*, actor: User, dispute_id: int,
                      bound: blind.CreditorBound | blind.DebtorBound) -> BlindRound:
    """Enter one side's private bound for the current round; when both are in, the round is
    decided and only its outcome (and a proposal on overlap) is ever shown.

    :raises BoundOutsideClaim: a figure of the bound above the claim's total
    :raises MediationInvalid: rounds used up, a deal already found, the side already in
    :raises ApprovalRequired: a creditor bound beyond the agent's own authority
    """
    dispute = dispute_lock(actor, dispute_id)
    require_state(dispute, State.MEDIATING, doing="背靠背报价")
    require_joint_part(dispute)  # a joined dispute settles on the joint plan alone
    now, today = instant()
    require_time_left(dispute, today)
    policy = selectors.policy_of(dispute)
    claim_total = selectors.claim_of(dispute).total
    creditor = isinstance(bound, blind.CreditorBound)
    standing_of(actor, dispute).require(Standing.may_enter_bound, "报该方底线",
                                        Side.CREDITOR if creditor else Side.DEBTOR)
    blind.require_within_claim(bound, claim_total)
    if isinstance(bound, blind.CreditorBound):
        own = _authority_bound(selectors.limits_of(actor), dispute)
        if bound.min_total < own.min_total or bound.max_term_months > own.max_term_months:
            raise ApprovalRequired("该底线超出您的授权，须由上级审批人报价或授权",
                                   "the bound goes beyond the agent's authority")
    require_no_settlement(dispute)
    rounds = dispute.blind_rounds.order_by("-number")
    current = rounds.first()
    if current is not None and current.outcome == BlindRound.Outcome.OVERLAP:
        raise MediationInvalid("已找到双方可接受的建议方案，背靠背报价结束", "a deal was found")
    if current is None or current.outcome != BlindRound.Outcome.WAITING:
        number = (current.number if current else 0) + 1
        if number > policy.blind_offer_rounds:
            raise MediationInvalid(f"背靠背报价最多{policy.blind_offer_rounds}轮，已用完",
                                   "no rounds left", rounds=policy.blind_offer_rounds)
        current = BlindRound.objects.create(dispute=dispute, number=number,
                                            seed=secrets.token_hex(16))
    if (creditor and current.creditor_bound) or (not creditor and current.debtor_bound):
        raise MediationInvalid("本轮已报过底线，请等待对方", "this side already entered this round")
    if creditor:
        current.creditor_bound, current.creditor_by = _seal(bound), actor
    else:
        current.debtor_bound, current.debtor_by = _seal(bound), actor
    record_event(dispute, events.MEDIATION_BLIND_BOUND_ENTERED, actor, now,
                 {"round": current.number, "side": "creditor" if creditor else "debtor"})
    if current.creditor_bound and current.debtor_bound:
        _decide_round(current, dispute, actor, now, claim_total)
    current.save(update_fields=["creditor_bound", "creditor_by", "debtor_bound", "debtor_by",
                                "outcome", "offer"])
    return current


def _decide_round(current: BlindRound, dispute: Dispute, actor: User, now: dt.datetime,
                  claim_total: Decimal) -> None:
    policy = selectors.policy_of(dispute)
    creditor = _open_creditor(current.creditor_bound)
    debtor = _open_debtor(current.debtor_bound)
    # an interest-free plan never asks more than the claim (bounds sealed before bounds
    # above the claim were refused may still say more)
    debtor = blind.DebtorBound(min(debtor.max_monthly, claim_total),
                               min(debtor.max_total, claim_total))
    agent = current.creditor_by
    step = blind.grid_step(claim_total, policy.blind_offer_step_ratio)
    ladder = selectors.approval_ladder(agent, dispute) if agent else []
    # "needs approval" when any approver above could close the gap, not only the last one
    escalation = next((bound for bound in (_authority_bound(limits, dispute)
                                           for _holder, limits in ladder)
                       if blind.candidate_totals(bound, debtor, step)), None)
    found = blind.match(creditor, debtor, step=step,
                        rng=random.Random(current.seed), escalation=escalation)  # noqa: S311
    current.outcome = found.outcome.value
    params: dict[str, Any] = {"round": current.number, "outcome": found.outcome.value}
    if found.proposal is not None:
        claim = selectors.claim_of(dispute)
        waivers = waivers_of(claim, claim.total - found.proposal.total,
                             parts=(*WAIVER_ORDER, "other", "principal"))
        first_due = selectors.due_day_default(now.astimezone(clock.TZ).date())
        options = PlanOptions(Method.FLAT, found.proposal.periods, first_due,
                              waivers=waivers, label="背靠背报价建议方案")
        figures = selectors.figures_for(dispute, options, policy.plan_discount_rate)
        seq = next_seq(dispute.offers)
        current.offer = Offer.objects.create(
            dispute=dispute, seq=seq, by=Offer.By.MEDIATOR, label=options.label,
            method=Method.FLAT.value, options=convert.options_to_json(options),
            figures=convert.figures_to_json(figures), proposed_by=actor, created_at=now)
        params.update(offer=seq, total=str(found.proposal.total),
                      periods=found.proposal.periods)
    record_event(dispute, events.MEDIATION_BLIND_ROUND_DECIDED, actor, now, params)
