"""Rescheduling (重组): a new plan for an existing loan, and what the concessions are worth.

A bank in distress-relief mode grants some mix of waivers (减免), a deferral of principal
and interest (延期还本付息), an extension (展期) and a lower rate (降低利率) — scenarios S3
and S4. The approver needs two numbers beside the new schedule: how much is written off
outright, and what the whole package costs in today's money. The second is the present
value of the original plan minus that of the new plan, both discounted to the claim date.

The baseline is the loan as it stands: the original rate over the original remaining
periods from ``first_due``, every charge kept. A deferral pushes the new plan's first
instalment ``deferral_months`` later than ``first_due``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.money import ZERO, format_amount, require_amount, require_rate
from jintiao.domain.periods import require_date
from jintiao.domain.schedules import (
    MAX_PERIODS,
    Method,
    PlanTerms,
    Schedule,
    build_schedule,
    deferred_first_due,
    present_value,
)


class ReschedulingInvalid(DomainError):
    """The concessions or the loan facts do not make a rescheduling."""

    code = ErrorCode.RESCHEDULING_INVALID


def _months(value: object, *, field: str, label: str, low: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= MAX_PERIODS:
        raise ReschedulingInvalid(
            f"{label}必须是{low}到{MAX_PERIODS}之间的整数：{value!r}",
            f"{field} must be an integer from {low} to {MAX_PERIODS}: {value!r}",
            field=field, value=value,
        )
    return value


def _method(value: object, *, field: str) -> Method:
    try:
        return Method(value if isinstance(value, str) else "")
    except ValueError:
        raise ReschedulingInvalid(f"不支持的还款方式：{value!r}", f"unknown {field}: {value!r}",
                                  field=field, value=value) from None


def _pct(rate: Decimal) -> str:
    return f"{rate * 100:.2f}%"


# Waivable claim parts: concession flag → (claim field, Chinese label).
_WAIVABLE = (
    ("waive_penalty_interest", "penalty_interest", "罚息"),
    ("waive_compound_interest", "compound_interest", "复利"),
    ("waive_liquidated_damages", "liquidated_damages", "违约金"),
    ("waive_fees", "fees", "费用"),
)


@dataclass(frozen=True)
class Concessions:
    """What the creditor gives up. Defaults give nothing up."""

    waive_penalty_interest: bool = False
    waive_compound_interest: bool = False
    waive_liquidated_damages: bool = False
    waive_fees: bool = False
    interest_waiver: Decimal = ZERO  # an amount of the accrued contractual interest
    new_annual_rate: Decimal | None = None  # None keeps the original rate
    deferral_months: int = 0
    waive_deferral_interest: bool = False
    extension_months: int = 0  # 展期: added to the original remaining term

    def __post_init__(self) -> None:
        for flag in ("waive_penalty_interest", "waive_compound_interest",
                     "waive_liquidated_damages", "waive_fees", "waive_deferral_interest"):
            if not isinstance(getattr(self, flag), bool):
                raise ReschedulingInvalid(f"{flag} 必须是布尔值", f"{flag} must be a bool",
                                          field=flag)
        waiver = require_amount(self.interest_waiver, field="interest_waiver",
                                label="利息减免金额", error=ReschedulingInvalid)
        object.__setattr__(self, "interest_waiver", waiver)
        if self.new_annual_rate is not None:
            rate = require_rate(self.new_annual_rate, field="new_annual_rate",
                                label="调整后年利率", error=ReschedulingInvalid)
            object.__setattr__(self, "new_annual_rate", rate)
        _months(self.deferral_months, field="deferral_months", label="延期月数", low=0)
        _months(self.extension_months, field="extension_months", label="展期月数", low=0)


@dataclass(frozen=True)
class Rescheduling:
    """The new schedule beside the baseline, with what was waived and what it is worth.

    ``concession_value`` = PV(baseline) − PV(new) at ``discount_rate`` on ``claim.as_of``:
    positive when the creditor gives value away. ``waived`` lists amounts written off
    outright, including deferral interest when it is waived.
    """

    claim: ClaimBreakdown
    concessions: Concessions
    original_annual_rate: Decimal
    discount_rate: Decimal
    schedule: Schedule
    baseline_schedule: Schedule
    waived: tuple[tuple[str, Decimal], ...]
    waived_total: Decimal
    kept_charges: Decimal
    interest_difference: Decimal
    payment_difference: Decimal
    baseline_value: Decimal
    new_value: Decimal
    concession_value: Decimal

    def summary(self) -> list[str]:
        """Return the rescheduling in plain Chinese sentences, for the approver and the parties."""
        claim, c, new, base = self.claim, self.concessions, self.schedule, self.baseline_schedule
        terms = new.terms
        lines = [
            f"债权计算日{claim.as_of}：本金{format_amount(claim.principal)}元，"
            f"利息及其他费用{format_amount(claim.charges + claim.other)}元，"
            f"合计{format_amount(claim.total)}元。",
            f"新方案：{terms.method.label}，{terms.periods}期，年利率{_pct(terms.annual_rate)}，"
            f"首期还款日{new.first_due_on}，末期还款日{new.last_due_on}。",
        ]
        if c.deferral_months:
            how = "已免除" if c.waive_deferral_interest else "计入欠息，分期无息偿还"
            lines.append(f"延期还本付息{c.deferral_months}个月，延期期间利息"
                         f"{format_amount(terms.deferral_interest)}元{how}。")
        if c.extension_months:
            lines.append(f"展期{c.extension_months}个月：原剩余{base.terms.periods}期，"
                         f"现{terms.periods}期。")
        if terms.annual_rate != self.original_annual_rate:
            lines.append(f"年利率由{_pct(self.original_annual_rate)}调整为"
                         f"{_pct(terms.annual_rate)}。")
        for label, amount in self.waived:
            lines.append(f"减免{label}{format_amount(amount)}元。")
        if self.waived:
            lines.append(f"减免合计{format_amount(self.waived_total)}元。")
        if new.total_arrears:
            lines.append(f"欠息及费用{format_amount(new.total_arrears)}元分{terms.periods}期"
                         f"无息偿还。")
        lines.append(f"每期应还约{format_amount(new.regular_payment)}元；应还总额"
                     f"{format_amount(new.total_payment)}元，其中利息"
                     f"{format_amount(new.total_interest)}元。")
        lines.append(f"原方案（年利率{_pct(self.original_annual_rate)}，{base.terms.periods}期）"
                     f"应还总额{format_amount(base.total_payment)}元，其中利息"
                     f"{format_amount(base.total_interest)}元。")
        change = "减少" if self.interest_difference >= 0 else "增加"
        lines.append(f"利息{change}{format_amount(abs(self.interest_difference))}元。")
        worth = "让利" if self.concession_value >= 0 else "增加收益"
        lines.append(
            f"按年利率{_pct(self.discount_rate)}折现至{claim.as_of}：原方案现值"
            f"{format_amount(self.baseline_value)}元，新方案现值{format_amount(self.new_value)}"
            f"元，债权人{worth}{format_amount(abs(self.concession_value))}元。"
        )
        return lines


def reschedule(
    claim: ClaimBreakdown,
    *,
    original_annual_rate: Decimal,
    remaining_periods: int,
    concessions: Concessions,
    method: Method,
    first_due: dt.date,
    due_day: int | None = None,
    discount_rate: Decimal | None = None,
    baseline_method: Method | None = None,
) -> Rescheduling:
    """Build the rescheduled plan and the baseline it is measured against.

    ``first_due`` is when the next instalment falls due without any concession; the new
    plan starts ``concessions.deferral_months`` later and runs ``remaining_periods +
    extension_months`` periods. Kept charges (claim charges and other, less waivers)
    become arrears repaid evenly without interest. The baseline uses ``baseline_method``
    (default: ``method``, or 等额本息 when ``method`` is 等额分期 and the original rate is
    positive, since a flat plan cannot carry interest). A lump sum bears interest from
    ``claim.as_of``.

    :raises ReschedulingInvalid: bad loan facts, or a waiver above the interest owed
    :raises PlanInvalid: the resulting plan terms are not valid (e.g. a flat plan with a rate)
    """
    if not isinstance(claim, ClaimBreakdown):
        raise ReschedulingInvalid("缺少债权明细", "claim must be a ClaimBreakdown")
    if claim.principal == 0:
        raise ReschedulingInvalid("本金为零，无需重组还款计划",
                                  "principal is zero: nothing to reschedule", field="principal")
    if not isinstance(concessions, Concessions):
        raise ReschedulingInvalid("缺少让步条件", "concessions must be a Concessions")
    original = require_rate(original_annual_rate, field="original_annual_rate",
                            label="原年利率", error=ReschedulingInvalid)
    discount = original if discount_rate is None else require_rate(
        discount_rate, field="discount_rate", label="折现率", error=ReschedulingInvalid)
    _months(remaining_periods, field="remaining_periods", label="原剩余期数", low=1)
    require_date(first_due, field="first_due", label="首期还款日", error=ReschedulingInvalid)
    if first_due < claim.as_of:
        raise ReschedulingInvalid(
            f"首期还款日 {first_due} 早于债权计算日 {claim.as_of}",
            f"first_due {first_due} is before the claim date {claim.as_of}",
            field="first_due",
        )
    if concessions.interest_waiver > claim.interest:
        raise ReschedulingInvalid(
            f"利息减免金额 {format_amount(concessions.interest_waiver)} 元超过所欠利息 "
            f"{format_amount(claim.interest)} 元",
            "interest_waiver exceeds the interest owed",
            interest_waiver=concessions.interest_waiver, interest=claim.interest,
        )
    method = _method(method, field="method")
    if baseline_method is None:
        baseline_method = (Method.EQUAL_INSTALLMENT
                           if method is Method.FLAT and original > 0 else method)
    baseline_method = _method(baseline_method, field="baseline_method")
    day = first_due.day if due_day is None else due_day
    new_rate = original if concessions.new_annual_rate is None else concessions.new_annual_rate

    waived: list[tuple[str, Decimal]] = []
    if concessions.interest_waiver:
        waived.append(("利息", concessions.interest_waiver))
    for flag, part, label in _WAIVABLE:
        amount = getattr(claim, part)
        if getattr(concessions, flag) and amount:
            waived.append((label, amount))
    kept = claim.charges + claim.other - sum((a for _, a in waived), ZERO)

    terms = PlanTerms(
        method=method,
        principal=claim.principal,
        periods=remaining_periods + concessions.extension_months,
        first_due=deferred_first_due(first_due, concessions.deferral_months, day),
        annual_rate=new_rate,
        due_day=day,
        deferred_periods=concessions.deferral_months,
        waive_deferral_interest=concessions.waive_deferral_interest,
        arrears=kept,
        interest_from=claim.as_of if method is Method.LUMP_SUM else None,
    )
    if terms.waived_deferral_interest:
        waived.append(("延期期间利息", terms.waived_deferral_interest))
    baseline_terms = PlanTerms(
        method=baseline_method,
        principal=claim.principal,
        periods=remaining_periods,
        first_due=first_due,
        annual_rate=original,
        due_day=day,
        arrears=claim.charges + claim.other,
        interest_from=claim.as_of if baseline_method is Method.LUMP_SUM else None,
    )
    schedule = build_schedule(terms)
    baseline = build_schedule(baseline_terms)
    baseline_value = present_value(baseline, annual_discount_rate=discount, as_of=claim.as_of)
    new_value = present_value(schedule, annual_discount_rate=discount, as_of=claim.as_of)
    return Rescheduling(
        claim=claim,
        concessions=concessions,
        original_annual_rate=original,
        discount_rate=discount,
        schedule=schedule,
        baseline_schedule=baseline,
        waived=tuple(waived),
        waived_total=sum((a for _, a in waived), ZERO),
        kept_charges=kept,
        interest_difference=baseline.total_interest - schedule.total_interest,
        payment_difference=baseline.total_payment - schedule.total_payment,
        baseline_value=baseline_value,
        new_value=new_value,
        concession_value=baseline_value - new_value,
    )
