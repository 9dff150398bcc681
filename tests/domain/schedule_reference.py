"""The repayment schedule worked out the plain way, one ``Decimal`` operation at a time.

This is the algorithm ``jintiao.domain.schedules`` used before it computed in whole fen
(issue 19 §5), kept as the reference the fast one must match row for row: each month's
interest is the balance × annual rate ÷ 12 at 40 digits, quantized half-up; dates step
month by month through ``calendar.monthrange``. Nothing here is used by the application.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from jintiao.domain.money import CENT, ZERO, split_evenly
from jintiao.domain.schedules import ROUNDABLE_METHODS, Method, PlanInvalid, PlanTerms

PRECISION = 40

Row = tuple[int, dt.date, Decimal, Decimal, Decimal, Decimal, Decimal]


def monthly_interest(balance: Decimal, annual_rate: Decimal, months: int = 1) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return (balance * annual_rate * months / 12).quantize(CENT, rounding=ROUND_HALF_UP)


def annuity_payment(principal: Decimal, rate: Decimal, n: int, rounding: str) -> Decimal:
    if rate == 0:
        return split_evenly(principal, n)[0]
    with localcontext() as ctx:
        ctx.prec = PRECISION
        r = rate / 12
        growth = (1 + r) ** n
        return (principal * r * growth / (growth - 1)).quantize(CENT, rounding=rounding)


def due_dates(first_due: dt.date, count: int, day: int) -> list[dt.date]:
    dates = []
    for k in range(count):
        year, month0 = divmod(first_due.year * 12 + first_due.month - 1 + k, 12)
        if year > dt.MAXYEAR:
            raise PlanInvalid("还款日期超出可表示的范围", "due date out of range")
        month = month0 + 1
        dates.append(dt.date(year, month, min(day, calendar.monthrange(year, month)[1])))
    return dates


def _lump_sum_interest(terms: PlanTerms, financed: Decimal) -> Decimal:
    start = terms.interest_from
    if start is None or terms.annual_rate == 0:
        return ZERO
    paid_down_on = terms.down_payment_due or start
    full_days = max(0, (paid_down_on - start).days)
    financed_days = (terms.first_due - max(start, paid_down_on)).days
    weighted = terms.principal * full_days + financed * financed_days
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return (weighted * terms.annual_rate / 365).quantize(CENT, rounding=ROUND_HALF_UP)


def _annuity_pairs(financed: Decimal, rate: Decimal, n: int,
                   payment: Decimal) -> list[tuple[Decimal, Decimal]]:
    pairs = []
    balance = financed
    for k in range(n):
        interest = monthly_interest(balance, rate)
        principal = balance if k == n - 1 else max(ZERO, min(payment - interest, balance))
        pairs.append((principal, interest))
        balance -= principal
    return pairs


def _principal_and_interest(terms: PlanTerms,
                            financed: Decimal) -> list[tuple[Decimal, Decimal]]:
    rate, n = terms.annual_rate, terms.periods
    if terms.method is Method.LUMP_SUM:
        return [(financed, _lump_sum_interest(terms, financed))]
    if terms.method is Method.EQUAL_INSTALLMENT and rate > 0:
        for rounding in (ROUND_HALF_UP, ROUND_DOWN):
            pairs = _annuity_pairs(financed, rate, n,
                                   annuity_payment(financed, rate, n, rounding))
            if pairs[-1][0] > 0:
                return pairs
        raise PlanInvalid("本金不足期数即可还清", "repaid in fewer periods", field="periods")
    if terms.method is Method.INTEREST_ONLY:
        parts = [ZERO] * (n - 1) + [financed]
    else:
        parts = split_evenly(financed, n, terms.round_to)
    pairs = []
    balance = financed
    for part in parts:
        pairs.append((part, monthly_interest(balance, rate)))
        balance -= part
    return pairs


def build_rows(terms: PlanTerms) -> list[Row]:
    """The schedule's rows as (number, due_on, principal, interest, arrears, payment,
    remaining), built as ``build_schedule`` built them before issue 19 §5."""
    rows: list[Row] = []
    financed = terms.principal - terms.down_payment
    rate = terms.annual_rate
    if terms.down_payment > 0 and terms.down_payment_due is not None:
        rows.append((0, terms.down_payment_due, terms.down_payment, ZERO, ZERO,
                     terms.down_payment, financed))
    grace_interest = monthly_interest(financed, rate)
    grace = terms.grace_periods if grace_interest > 0 else 0
    day = terms.first_due.day if terms.due_day is None else terms.due_day
    dates = due_dates(terms.first_due, terms.grace_periods + terms.periods, day)
    for k in range(grace):
        rows.append((k + 1, dates[k], ZERO, grace_interest, ZERO, grace_interest, financed))
    deferral = monthly_interest(financed, rate, terms.deferred_periods)
    carried = terms.arrears + (ZERO if terms.waive_deferral_interest else deferral)
    step = terms.round_to if terms.method in ROUNDABLE_METHODS else CENT
    arrears = split_evenly(carried, terms.periods, step)
    balance = financed
    pairs = _principal_and_interest(terms, financed)
    for k, ((principal, interest), owed) in enumerate(zip(pairs, arrears, strict=True)):
        balance -= principal
        rows.append((grace + k + 1, dates[terms.grace_periods + k], principal, interest, owed,
                     principal + interest + owed, balance))
    return rows
