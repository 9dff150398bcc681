"""Affordability: can the debtor keep paying this instalment and still live?

A plan the debtor cannot keep is a future default and a second dispute. Mediators check two
things before proposing a payment to a person: the debt-service ratio (all monthly debt
payments ÷ monthly income) against a policy limit, and that what is left covers the local
minimum living standard for the household. Both limits are policy, passed in.

An enterprise has no household to keep: it pays from its operations, so a payment is
measured against the monthly cash flow it declares it can spare (:func:`assess_cash_flow`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from jintiao.domain.claims import RATIO_PLACES
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.money import CENT, ZERO, format_amount, quantize, require_amount, require_rate

MAX_HOUSEHOLD = 50


class AffordabilityInvalid(DomainError):
    """An input to the affordability check is missing or out of range."""

    code = ErrorCode.AFFORDABILITY_INVALID


@dataclass(frozen=True)
class Affordability:
    """The result of the check, with the reasons a payment fails it, in Chinese.

    ``debt_service_ratio`` is None when there is no income to divide by. ``max_payment``
    is the largest payment that would pass both tests (0.00 if none would). ``enterprise``:
    judged against a declared cash flow (``monthly_income``), not a person's income.
    """

    payment: Decimal
    monthly_income: Decimal
    monthly_obligations: Decimal
    living_minimum: Decimal
    household_size: int
    disposable: Decimal
    debt_service_ratio: Decimal | None
    max_ratio: Decimal
    affordable: bool
    reasons: tuple[str, ...]
    max_payment: Decimal
    enterprise: bool = False


def _pct(ratio: Decimal) -> str:
    return f"{ratio * 100:.2f}%"


def assess_affordability(
    payment: Decimal,
    *,
    monthly_income: Decimal,
    monthly_obligations: Decimal = ZERO,
    max_ratio: Decimal,
    living_minimum: Decimal = ZERO,
    household_size: int = 1,
) -> Affordability:
    """Check a monthly ``payment`` against the income, other debts and the living minimum.

    ``disposable`` = income − other obligations − living minimum × household size; the
    payment must not exceed it. The ratio test compares exact amounts (payment +
    obligations ≤ max_ratio × income); the ratio shown is rounded to 4 places.

    :raises AffordabilityInvalid: a negative or inexact amount, a ratio outside (0, 1], or a
        household size outside 1–50
    """
    amounts = {
        name: require_amount(value, field=name, label=label, error=AffordabilityInvalid)
        for name, label, value in (
            ("payment", "月还款额", payment),
            ("monthly_income", "月收入", monthly_income),
            ("monthly_obligations", "其他月债务支出", monthly_obligations),
            ("living_minimum", "人均最低生活费", living_minimum),
        )
    }
    limit = require_rate(max_ratio, field="max_ratio", label="债务收入比上限",
                         error=AffordabilityInvalid, allow_zero=False)
    if (
        not isinstance(household_size, int) or isinstance(household_size, bool)
        or not 1 <= household_size <= MAX_HOUSEHOLD
    ):
        raise AffordabilityInvalid(
            f"家庭人数必须是1到{MAX_HOUSEHOLD}之间的整数：{household_size!r}",
            f"household_size must be an integer from 1 to {MAX_HOUSEHOLD}: {household_size!r}",
            field="household_size", value=household_size,
        )
    pay, income = amounts["payment"], amounts["monthly_income"]
    obligations, minimum = amounts["monthly_obligations"], amounts["living_minimum"]
    needed = minimum * household_size
    disposable = income - obligations - needed
    reasons: list[str] = []
    ratio: Decimal | None = None
    if income == 0:
        reasons.append("月收入为零，无法负担分期还款。")
        max_payment = ZERO
    else:
        ratio = quantize((pay + obligations) / income, RATIO_PLACES)
        ratio_room = quantize(limit * income, CENT, ROUND_DOWN) - obligations
        if pay + obligations > limit * income:
            reasons.append(f"月还款与其他债务合计占月收入{_pct(ratio)}，超过上限{_pct(limit)}。")
        if pay > disposable:
            left = income - obligations - pay
            reasons.append(
                f"还款后月剩余收入{format_amount(left)}元，低于{household_size}人最低生活费"
                f"{format_amount(needed)}元。"
            )
        max_payment = max(ZERO, min(ratio_room, disposable))
    return Affordability(
        payment=pay,
        monthly_income=income,
        monthly_obligations=obligations,
        living_minimum=minimum,
        household_size=household_size,
        disposable=disposable,
        debt_service_ratio=ratio,
        max_ratio=limit,
        affordable=not reasons,
        reasons=tuple(reasons),
        max_payment=max_payment,
    )


def assess_cash_flow(
    payment: Decimal,
    *,
    monthly_cash_flow: Decimal,
    monthly_obligations: Decimal = ZERO,
) -> Affordability:
    """Check an enterprise's monthly ``payment`` against the cash flow it declares it can pay
    a month from its operations, less its other monthly debt payments.

    No living minimum and no household apply to an enterprise; the whole declared cash flow
    may go to its debts, and no more.

    :raises AffordabilityInvalid: a negative or inexact amount
    """
    amounts = {
        name: require_amount(value, field=name, label=label, error=AffordabilityInvalid)
        for name, label, value in (
            ("payment", "月还款额", payment),
            ("monthly_cash_flow", "月经营现金流", monthly_cash_flow),
            ("monthly_obligations", "其他月债务支出", monthly_obligations),
        )
    }
    pay, flow = amounts["payment"], amounts["monthly_cash_flow"]
    obligations = amounts["monthly_obligations"]
    room = flow - obligations
    reasons: list[str] = []
    ratio: Decimal | None = None
    if flow == 0:
        reasons.append("企业申报的月经营现金流为零，无法负担分期还款。")
    else:
        ratio = quantize((pay + obligations) / flow, RATIO_PLACES)
        if pay + obligations > flow:
            reasons.append(f"月还款与其他债务月还款合计{format_amount(pay + obligations)}元，"
                           f"超过企业申报的月经营现金流{format_amount(flow)}元。")
    return Affordability(
        payment=pay,
        monthly_income=flow,
        monthly_obligations=obligations,
        living_minimum=ZERO,
        household_size=1,
        disposable=room,
        debt_service_ratio=ratio,
        max_ratio=Decimal(1),
        affordable=not reasons,
        reasons=tuple(reasons),
        max_payment=max(ZERO, room) if flow else ZERO,
        enterprise=True,
    )
