"""What the desk records for the mediation: the debtor's budget, consents to extend, and
the expert's neutral evaluation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from jintiao.disputes.access import RecordNotFound, Standing, standing_of
from jintiao.disputes.changes import instant, record_event, require_state
from jintiao.disputes.models import DisputeParty, PartyRole
from jintiao.disputes.services import dispute_lock
from jintiao.domain import events, periods
from jintiao.domain.evaluation import litigation_paths
from jintiao.domain.lifecycle import State
from jintiao.domain.plans import DebtorBudget as Budget
from jintiao.mediation import convert, selectors
from jintiao.mediation.models import Consent, DebtorBudget, Evaluation, Offer
from jintiao.mediation.services.common import MediationInvalid, require_time_left
from jintiao.orgs.models import User
from jintiao.parties.models import PartyKind

# --- budget, consent, evaluation ---

@transaction.atomic
def budget_declare(*, actor: User, dispute_id: int, party_row_id: int,
                   monthly_income: Decimal | None, other_obligations: Decimal,
                   dependants: int, monthly_cash_flow: Decimal | None = None) -> DebtorBudget:
    """Record what the debtor declares about money each month, for the affordability check:
    at the desk, or by the debtor (or their representative) on the portal's budget sheet.
    An enterprise declares its monthly cash flow, what it can pay a month from operations.

    :raises PlanDesignInvalid: a negative or inexact amount, or a cash flow for a person
    :raises MediationInvalid: the row is not a debtor of this dispute
    """
    dispute = dispute_lock(actor, dispute_id)
    standing_of(actor, dispute).require(Standing.may_declare_budget, "登记债务人收支",
                                        party_row_id)
    row = DisputeParty.objects.filter(pk=party_row_id, dispute=dispute,
                                      role=PartyRole.DEBTOR).select_related("party").first()
    if row is None:
        raise MediationInvalid("所选当事人不是本纠纷的债务人", "not a debtor of this dispute")
    Budget(monthly_income, other_obligations, dependants,  # validates
           entity=row.party.kind == PartyKind.ENTITY, monthly_cash_flow=monthly_cash_flow)
    now, today = instant()
    made, _created = DebtorBudget.objects.update_or_create(
        party_row=row, defaults={"monthly_income": monthly_income,
                                 "other_obligations": other_obligations,
                                 "dependants": dependants,
                                 "monthly_cash_flow": monthly_cash_flow, "declared_on": today})
    record_event(dispute, events.MEDIATION_BUDGET_DECLARED, actor, now, {"party_row": row.pk})
    return made


@transaction.atomic
def consent_record(*, actor: User, dispute_id: int, party_row_id: int, how: str,
                   given_on: dt.date, purpose: str = "extension") -> Consent:
    """Record a party's consent (how it was given) to extend the mediation deadline, to
    resume mediation after a rejected confirmation, or to perform without confirmation.

    :raises MediationInvalid: an unknown purpose, a party not of this dispute, a date to come
        (``date_in_future``) or before the dispute was received (``date_too_early``)
    :raises TransitionRefused: the dispute is not where that consent is asked for
    """
    if purpose not in selectors.CONSENT_PURPOSES:
        raise MediationInvalid("未知的同意事项", "unknown purpose", purpose=purpose)
    state, what = selectors.CONSENT_PURPOSES[purpose]
    dispute = dispute_lock(actor, dispute_id)
    standing_of(actor, dispute).require(Standing.may_mediate, "登记当事人同意")
    require_state(dispute, state, doing=f"登记同意{what}")
    row = DisputeParty.objects.filter(pk=party_row_id, dispute=dispute).first()
    if row is None:
        raise MediationInvalid("所选当事人不属于该纠纷", "not a party of this dispute")
    now, today = instant()
    periods.require_past(given_on, on=today, earliest=dispute.received_on, field="given_on",
                         label="同意日期", error=MediationInvalid, earliest_is="收案日期")
    if not how.strip():
        raise MediationInvalid("须写明同意的方式（书面、电话录音等）", "how was consent given")
    made = Consent.objects.create(dispute=dispute, party_row=row, how=how.strip()[:100],
                                  given_on=given_on, recorded_by=actor, purpose=purpose)
    record_event(dispute, events.MEDIATION_CONSENT_RECORDED, actor, now,
                 {"party_row": row.pk, "purpose": purpose, "how": made.how,
                  "given_on": given_on.isoformat()})
    return made


@transaction.atomic
def evaluation_record(*, actor: User, dispute_id: int, assessment: str,
                      contract_annual_rate: Decimal, discount_rate: Decimal,
                      offer_id: int | None = None) -> Evaluation:
    """An expert's non-binding assessment, with both paths computed for both sides."""
    dispute = dispute_lock(actor, dispute_id)
    standing_of(actor, dispute).require(Standing.may_evaluate, "出具中立评估")
    if not selectors.on_evaluation_track(dispute):
        raise MediationInvalid("只有中立评估程序的纠纷出具评估意见", "not on the evaluation track")
    require_state(dispute, State.MEDIATING, doing="出具评估")
    now, today = instant()
    require_time_left(dispute, today)
    if not assessment.strip():
        raise MediationInvalid("评估意见不能为空", "the assessment is empty")
    offer = None
    settlement = None
    if offer_id is not None:
        offer = Offer.objects.filter(pk=offer_id, dispute=dispute, side="").first()
        if offer is None:
            raise RecordNotFound("所选方案不存在", "offer not found")
        settlement = selectors.figures_for(dispute, convert.options_from_json(offer.options),
                                           discount_rate)
    paths = litigation_paths(selectors.claim_of(dispute),
                             contract_annual_rate=contract_annual_rate,
                             policy=selectors.policy_of(dispute), discount_rate=discount_rate,
                             settlement=settlement)
    made = Evaluation.objects.create(dispute=dispute, expert=actor,
                                     assessment=assessment.strip(),
                                     contract_annual_rate=contract_annual_rate,
                                     discount_rate=discount_rate, offer=offer,
                                     paths=convert.paths_to_json(paths), created_at=now)
    record_event(dispute, events.MEDIATION_EVALUATION_RECORDED, actor, now,
                 {"evaluation": made.pk, "offer": offer.seq if offer else None})
    return made
