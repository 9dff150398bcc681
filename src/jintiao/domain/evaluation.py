"""Neutral evaluation (中立评估): both paths in money, for both sides.

An expert's assessment of the likely court outcome is words; the money beside it is
computed here, so neither side has to take the other's arithmetic on trust.

Litigation, as modelled (every figure policy, each labelled on the page):

* judgment after ``expected_litigation_months``, money recovered after a further
  ``expected_enforcement_months``;
* interest keeps running on the principal at the contract rate, never above the annual
  cost cap (法发〔2017〕22号), from the claim date to recovery;
* the creditor advances the acceptance fee (ordinary procedure) and pays its own lawyer at
  the start; the judgment puts the acceptance fee on the debtor; the enforcement fee is
  the debtor's (诉讼费用交纳办法 Arts. 20, 29, 38);
* in enforcement the debtor also owes the doubled interest for late performance on the
  adjudged amount (最高法 2014 interpretation: 0.0175 % a day);
* the creditor recovers ``expected_recovery_rate`` of what is owed, at the end; its present
  value is discounted monthly at the stated rate, less what it laid out at the start;
* the debtor, if he pays everything in the end, pays all of it.

Settlement: the creditor's present value of the plan (no default risk assumed) and the
debtor's total payments.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from jintiao.domain.claims import PRECISION, ClaimBreakdown
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.fees import acceptance_fee, enforcement_fee
from jintiao.domain.money import ZERO, format_amount, quantize, require_rate
from jintiao.domain.plans import PlanFigures
from jintiao.domain.policy import Policy

DAYS_PER_MONTH = 30


class EvaluationInvalid(DomainError):
    code = ErrorCode.EVALUATION_INVALID


@dataclass(frozen=True)
class Paths:
    """Litigation against settlement, for the creditor and the debtor."""

    claim_total: Decimal
    accrual_rate: Decimal
    litigation_months: int
    enforcement_months: int
    recovery_rate: Decimal
    discount_rate: Decimal
    accrued_interest: Decimal
    acceptance_fee: Decimal
    enforcement_fee: Decimal
    late_performance_interest: Decimal
    lawyer_fee: Decimal
    owed_at_recovery: Decimal
    creditor_litigation_value: Decimal
    debtor_litigation_cost: Decimal
    creditor_settlement_value: Decimal | None
    debtor_settlement_cost: Decimal | None

    @property
    def creditor_gain(self) -> Decimal | None:
        """What the settlement is worth to the creditor over suing (negative: worth less)."""
        if self.creditor_settlement_value is None:
            return None
        return self.creditor_settlement_value - self.creditor_litigation_value

    @property
    def debtor_saving(self) -> Decimal | None:
        """What the debtor saves by settling rather than being sued to the end."""
        if self.debtor_settlement_cost is None:
            return None
        return self.debtor_litigation_cost - self.debtor_settlement_cost

    def summary(self) -> list[str]:
        """The comparison in plain Chinese, for the page and the printed evaluation."""
        months = self.litigation_months + self.enforcement_months
        lines = [
            f"诉讼：预计{self.litigation_months}个月判决、再经{self.enforcement_months}个月执行，"
            f"期间利息按年{self.accrual_rate * 100:.2f}%继续计算"
            f"{format_amount(self.accrued_interest)}元；案件受理费{format_amount(self.acceptance_fee)}元，申请执行费"
            f"{format_amount(self.enforcement_fee)}元，迟延履行期间加倍债务利息"
            f"{format_amount(self.late_performance_interest)}元，债权人律师费约"
            f"{format_amount(self.lawyer_fee)}元。",
            f"债权人：按预计回收率{self.recovery_rate * 100:.0f}%，{months}个月后收回的款项折现"
            f"（年{self.discount_rate * 100:.2f}%）并扣除预付的受理费和律师费，现值约"
            f"{format_amount(self.creditor_litigation_value)}元。",
            f"债务人：如最终全部履行，共需支付{format_amount(self.debtor_litigation_cost)}元，"
            f"且可能被纳入失信被执行人名单、限制高消费，征信记录受影响。",
        ]
        if self.creditor_settlement_value is not None and self.debtor_settlement_cost is not None:
            gain, saving = self.creditor_gain or ZERO, self.debtor_saving or ZERO
            lines.append(
                f"调解方案：债权人现值{format_amount(self.creditor_settlement_value)}元，"
                f"{'高于' if gain >= 0 else '低于'}诉讼{format_amount(abs(gain))}元；"
                f"债务人共付{format_amount(self.debtor_settlement_cost)}元，"
                f"{'少于' if saving >= 0 else '多于'}诉讼{format_amount(abs(saving))}元。")
        return lines


def _simple(amount: Decimal, annual: Decimal, months: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return quantize(amount * annual * months / 12)


def litigation_paths(
    claim: ClaimBreakdown,
    *,
    contract_annual_rate: Decimal,
    policy: Policy,
    discount_rate: Decimal,
    settlement: PlanFigures | None = None,
) -> Paths:
    """Compute both paths for both sides (see the module's notes for the model).

    :raises EvaluationInvalid: a rate outside [0, 1]
    """
    contract = require_rate(contract_annual_rate, field="contract_annual_rate",
                            label="合同年利率", error=EvaluationInvalid)
    discount = require_rate(discount_rate, field="discount_rate", label="折现率",
                            error=EvaluationInvalid)
    accrual_rate = min(contract, policy.annual_cost_cap)
    lit, enf = policy.expected_litigation_months, policy.expected_enforcement_months
    accrued = _simple(claim.principal, accrual_rate, lit + enf)
    acceptance = acceptance_fee(claim.total, quantum=policy.fee_quantum).fee
    adjudged = claim.total + _simple(claim.principal, accrual_rate, lit) + acceptance
    enforcement = enforcement_fee(adjudged, quantum=policy.fee_quantum).fee
    with localcontext() as ctx:
        ctx.prec = PRECISION
        late = quantize(adjudged * policy.late_performance_daily_rate * enf * DAYS_PER_MONTH)
        owed = claim.total + accrued + acceptance + late
        lawyer = max(quantize(claim.total * policy.lawyer_fee_rate), policy.lawyer_fee_minimum)
        recovered = owed * policy.expected_recovery_rate
        value = quantize(recovered / (1 + discount / 12) ** (lit + enf)) - acceptance - lawyer
    return Paths(
        claim_total=claim.total, accrual_rate=accrual_rate, litigation_months=lit,
        enforcement_months=enf, recovery_rate=policy.expected_recovery_rate,
        discount_rate=discount, accrued_interest=accrued, acceptance_fee=acceptance,
        enforcement_fee=enforcement, late_performance_interest=late, lawyer_fee=lawyer,
        owed_at_recovery=owed, creditor_litigation_value=value,
        debtor_litigation_cost=owed + enforcement,
        creditor_settlement_value=settlement.present_value if settlement else None,
        debtor_settlement_cost=settlement.total_paid if settlement else None,
    )
