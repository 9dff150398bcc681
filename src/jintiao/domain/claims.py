"""Claims: what a creditor asks for, broken down, and the interest and cost-cap arithmetic.

A claim is a snapshot on a date (``as_of``) of principal and each kind of charge, because
the law treats them differently: the 24 % line of 法发〔2017〕22号 Art. 2 polices interest,
penalty interest, compound interest, liquidated damages and fees together, never the
principal (``shared/domain/legal-reference.md`` §5). The cap rate itself is policy and is
passed in. Interest is simple interest on actual days, rounded half-up to the fen once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal, localcontext
from enum import StrEnum

from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.money import ZERO, money, quantize, require_amount, require_rate
from jintiao.domain.periods import PeriodInvalid, require_date, require_past, years_before

# Working precision for intermediate products; results are rounded to the fen once.
PRECISION = 40
RATIO_PLACES = Decimal("0.0001")


class ClaimInvalid(DomainError):
    """A claim breakdown has a missing, negative or inexact part."""

    code = ErrorCode.CLAIM_INVALID


class ClaimNotPositive(ClaimInvalid):
    """A claim that asks for nothing."""

    code = ErrorCode.CLAIM_NOT_POSITIVE


class DayCountInvalid(DomainError):
    """The day-count convention is not one we know."""

    code = ErrorCode.DAY_COUNT_INVALID


class DayCount(StrEnum):
    """How a year of interest is counted: actual days over 360 or over 365."""

    ACT_360 = "actual/360"
    ACT_365 = "actual/365"

    @property
    def basis(self) -> int:
        return 360 if self is DayCount.ACT_360 else 365

    @property
    def label(self) -> str:
        return f"实际天数/{self.basis}"


def _day_count(value: object) -> DayCount:
    try:
        return DayCount(value if isinstance(value, str) else "")
    except ValueError:
        raise DayCountInvalid(
            f"不支持的计息天数规则：{value!r}（可选 actual/360、actual/365）",
            f"unknown day count: {value!r} (actual/360 or actual/365)",
            value=value,
        ) from None


# name → Chinese label, in the order claims are displayed and read out.
CLAIM_PART_LABELS: dict[str, str] = {
    "principal": "本金",
    "interest": "利息",
    "penalty_interest": "罚息",
    "compound_interest": "复利",
    "liquidated_damages": "违约金",
    "fees": "费用",
    "other": "其他",
}
# The parts the cost cap polices (法发〔2017〕22号 Art. 2): everything but principal and other.
CHARGE_PARTS = ("interest", "penalty_interest", "compound_interest", "liquidated_damages",
                "fees")


@dataclass(frozen=True)
class ClaimBreakdown:
    """What is owed on ``as_of``, part by part, each in yuan with two places."""

    as_of: dt.date
    principal: Decimal
    interest: Decimal = ZERO
    penalty_interest: Decimal = ZERO
    compound_interest: Decimal = ZERO
    liquidated_damages: Decimal = ZERO
    fees: Decimal = ZERO
    other: Decimal = ZERO

    def __post_init__(self) -> None:
        require_date(self.as_of, field="as_of", label="债权计算日", error=ClaimInvalid)
        for f in fields(self):
            if f.name == "as_of":
                continue
            amount = require_amount(
                getattr(self, f.name), field=f.name, label=CLAIM_PART_LABELS[f.name],
                error=ClaimInvalid,
            )
            object.__setattr__(self, f.name, amount)

    @property
    def charges(self) -> Decimal:
        """Interest, penalty and compound interest, damages and fees: what the cap polices."""
        return sum((getattr(self, name) for name in CHARGE_PARTS), ZERO)

    @property
    def total(self) -> Decimal:
        return self.principal + self.charges + self.other

    def parts(self) -> tuple[tuple[str, str, Decimal], ...]:
        """Return every part as ``(name, 中文, amount)`` in display order, zeros included."""
        return tuple(
            (name, label, getattr(self, name)) for name, label in CLAIM_PART_LABELS.items()
        )


# How far back a claim's computation date may lie: charges often stop at the write-off date,
# so figures a few years old are real; ten years back is a mistyped year. A plausibility
# bound, not a rule of law (limitation is for the court to weigh, not for intake).
CLAIM_LOOKBACK_YEARS = 10


def require_claimable(claim: ClaimBreakdown, *, on: dt.date) -> ClaimBreakdown:
    """Return ``claim`` if a creditor can bring it on ``on`` (the caller's today): it asks
    for something, and it was computed on a day that has come and not decades ago.

    :raises ClaimNotPositive: the parts sum to zero
    :raises ClaimInvalid: the computation date is to come (``date_in_future``) or more than
        :data:`CLAIM_LOOKBACK_YEARS` back (``date_too_early``)
    """
    if claim.total <= 0:
        raise ClaimNotPositive("债权合计应大于零", "the claim's total must be above zero",
                               field="principal")
    require_past(claim.as_of, on=on, earliest=years_before(on, CLAIM_LOOKBACK_YEARS),
                 field="claim_as_of", label="债权计算日", error=ClaimInvalid)
    return claim


def accrue_interest(
    balance: Decimal,
    annual_rate: Decimal,
    start: dt.date,
    end: dt.date,
    day_count: DayCount = DayCount.ACT_365,
) -> Decimal:
    """Return simple interest on ``balance`` for the days in (start, end], rounded once.

    The start day is excluded and the end day included, the usual way courts count
    interest days; rounding happens only on the result, half-up to the fen.

    :raises PeriodInvalid: ``end`` is before ``start`` or either is not a date
    :raises RateInvalid: the rate is not a fraction in [0, 1]
    """
    amount = money(balance)
    rate = require_rate(annual_rate)
    basis = _day_count(day_count).basis
    require_date(start, field="start", label="起息日", error=PeriodInvalid)
    require_date(end, field="end", label="止息日", error=PeriodInvalid)
    days = (end - start).days
    if days < 0:
        raise PeriodInvalid(
            f"止息日 {end} 早于起息日 {start}", f"end {end} is before start {start}",
            start=start, end=end,
        )
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return quantize(amount * rate * days / basis)


@dataclass(frozen=True)
class CapCheck:
    """The claim's charges measured against an annual cost cap over the claim's period."""

    period_start: dt.date
    period_end: dt.date
    days: int
    cap_rate: Decimal
    principal: Decimal
    charges: Decimal
    allowed: Decimal
    excess: Decimal
    annualised_rate: Decimal

    @property
    def within_cap(self) -> bool:
        return self.excess == 0


def check_cost_cap(
    claim: ClaimBreakdown,
    *,
    cap_rate: Decimal,
    period_start: dt.date,
    day_count: DayCount = DayCount.ACT_365,
) -> CapCheck:
    """Measure the claim's charges against ``cap_rate`` a year on the principal.

    ``allowed`` = principal × cap × days / basis (fen, half-up) for the days from
    ``period_start`` (excluded) to ``claim.as_of``; ``excess`` is what a court would cut
    (法发〔2017〕22号 Art. 2). ``annualised_rate`` is the charges as a yearly rate on the
    principal (4 places), which credit-card rules want shown prominently.

    :raises ClaimInvalid: the principal is zero (no base for a rate)
    :raises PeriodInvalid: the period has no days
    :raises RateInvalid: the cap rate is not in (0, 1]
    """
    rate = require_rate(cap_rate, field="cap_rate", label="综合成本上限", allow_zero=False)
    basis = _day_count(day_count).basis
    require_date(period_start, field="period_start", label="计算起始日", error=PeriodInvalid)
    days = (claim.as_of - period_start).days
    if days < 1:
        raise PeriodInvalid(
            f"计算期间无天数：{period_start} 至 {claim.as_of}",
            f"the period {period_start} to {claim.as_of} has no days",
            period_start=period_start, period_end=claim.as_of,
        )
    if claim.principal == 0:
        raise ClaimInvalid(
            "本金为零，无法计算年化成本", "principal is zero: no base for an annual rate",
            field="principal",
        )
    charges = claim.charges
    with localcontext() as ctx:
        ctx.prec = PRECISION
        allowed = quantize(claim.principal * rate * days / basis)
        annualised = quantize(charges * basis / (claim.principal * days), RATIO_PLACES)
    return CapCheck(
        period_start=period_start,
        period_end=claim.as_of,
        days=days,
        cap_rate=rate,
        principal=claim.principal,
        charges=charges,
        allowed=allowed,
        excess=max(ZERO, charges - allowed),
        annualised_rate=annualised,
    )
