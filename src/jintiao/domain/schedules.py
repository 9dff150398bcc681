"""Repayment schedules (还款计划表): plan terms in, dated instalments out, always balancing.

Conventions, each the Chinese banks' own:

* the monthly rate is the annual rate ÷ 12, and each instalment's interest is the opening
  balance × annual rate ÷ 12, rounded half-up to the fen;
* 等额本息 pays the annuity amount rounded half-up to the fen; the last instalment takes
  whatever principal is left, so it absorbs every rounding difference;
* even splits (等额分期, 等额本金, arrears) round the regular part down to a step and put
  the remainder on the last instalment (``money.split_evenly``);
* instalment k is due k − 1 months after ``first_due`` on the due day, or on the month's
  last day when the month is shorter (due day 31 → 28/29 Feb, 30 Apr);
* a grace month is a month of the plan whether or not it carries interest: g months of
  grace put the first principal g months after ``first_due``; a deferral of d months puts
  ``first_due`` itself d months later (:func:`deferred_first_due`).

After building, the schedule checks itself: principal parts sum exactly to the financed
principal, the last balance is exactly 0.00, nothing is negative. A broken invariant is a
bug, raised as :class:`PlanDoesNotBalance` rather than handed to a party to sign.

The rows are worked out in whole fen (Python integers) and turned into ``Decimal`` yuan
once, at the end: a 60-row schedule costs less than numpy-financial's vectorised
pmt/ppmt/ipmt for the same loan (``make bench``). A month's interest in fen is the exact
fraction balance × rate ÷ 12 rounded half-up, which is the 40-digit ``Decimal`` result
whenever the balance in fen times the rate's coefficient stays below 10**38 — always, for
a rate as people write one; a rate of more digits is worked out in ``Decimal`` as before.
``tests/domain/schedule_reference.py`` keeps the plain ``Decimal`` algorithm, and the
tests hold every row to it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import operator
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, localcontext
from enum import StrEnum

from jintiao.domain.claims import PRECISION
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.money import (
    CENT,
    ZERO,
    format_amount,
    quantize,
    require_amount,
    require_rate,
    split_evenly,
)
from jintiao.domain.periods import require_date

MAX_PERIODS = 600  # fifty years of months: beyond any plan a court would confirm
MONTHS_PER_YEAR = 12
DAYS_PER_MONTH = 30  # for the part-month of a discounting period only

# Rates and annuities at 40 significant digits, intermediate results rounded half-even as
# in Python's default context; amounts are then rounded once, half-up, to the fen.
_CONTEXT = Context(prec=PRECISION)
# Below this, balance (fen) × rate coefficient is exact in 40 digits and the whole-fen
# interest equals the Decimal one (see _whole_fen_rate).
_EXACT_BELOW = 10**38
# Days of each month in a common year (index 0 unused).
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class PlanInvalid(DomainError):
    """The plan terms are incomplete, out of range or contradict each other."""

    code = ErrorCode.PLAN_INVALID


class PlanDoesNotBalance(DomainError):
    """A built schedule broke an invariant; a bug, never the user's fault."""

    code = ErrorCode.PLAN_DOES_NOT_BALANCE


class Method(StrEnum):
    """How the financed principal is repaid."""

    LUMP_SUM = "lump_sum"
    FLAT = "flat"
    EQUAL_INSTALLMENT = "equal_installment"
    EQUAL_PRINCIPAL = "equal_principal"
    INTEREST_ONLY = "interest_only"

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]


METHOD_LABELS: dict[Method, str] = {
    Method.LUMP_SUM: "一次性清偿",
    Method.FLAT: "等额分期",
    Method.EQUAL_INSTALLMENT: "等额本息",
    Method.EQUAL_PRINCIPAL: "等额本金",
    Method.INTEREST_ONLY: "先息后本",
}
# Methods whose regular principal may be rounded to a coarser step than the fen.
ROUNDABLE_METHODS = frozenset({Method.FLAT, Method.EQUAL_PRINCIPAL})


def _count(value: object, *, field: str, label: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise PlanInvalid(
            f"{label}必须是{low}到{high}之间的整数：{value!r}",
            f"{field} must be an integer from {low} to {high}: {value!r}",
            field=field, value=value,
        )
    return value


def _on_day(year: int, month: int, day: int) -> dt.date:
    """Return ``day`` of the month, or the month's last day if the month is shorter."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _add_months(start: dt.date, months: int, day: int) -> dt.date:
    year, month0 = divmod(start.year * 12 + start.month - 1 + months, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise PlanInvalid(
            "还款日期超出可表示的范围", "due date out of range", start=start, months=months
        )
    return _on_day(year, month0 + 1, day)


def _month_dates(start: dt.date, count: int, day: int) -> list[dt.date]:
    """``day`` (month-end clamped) of ``count`` months from ``start``'s: ``_add_months``
    for k = 0 … count − 1, without a calendar look-up for a day the month always has."""
    first = start.year * 12 + start.month - 1
    stop = first + count
    if count and (stop - 1) // 12 > dt.MAXYEAR:
        _add_months(start, (dt.MAXYEAR + 1) * 12 - first, day)  # raises PlanInvalid
    date = dt.date
    if day <= 28:
        return [date(i // 12, i % 12 + 1, day) for i in range(first, stop)]
    dates = []
    for i in range(first, stop):
        year, month = i // 12, i % 12 + 1
        if day > _MONTH_DAYS[month]:
            last = 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month]
            dates.append(date(year, month, min(day, last)))
        else:
            dates.append(date(year, month, day))
    return dates


def due_dates(first_due: dt.date, count: int, due_day: int | None = None) -> list[dt.date]:
    """Return ``count`` monthly due dates from ``first_due`` on ``due_day`` (month-end clamped).

    ``due_day`` defaults to ``first_due.day``; a 31 gives 28/29 Feb and 30 Apr, then 31 again
    in a long month — the day is never permanently lost to one short month.

    :raises PlanInvalid: a bad count or day, or ``first_due`` not on the due day
    """
    require_date(first_due, field="first_due", label="首期还款日", error=PlanInvalid)
    _count(count, field="count", label="期数", low=0, high=MAX_PERIODS)
    day = first_due.day if due_day is None else due_day
    _count(day, field="due_day", label="每月还款日", low=1, high=31)
    if _on_day(first_due.year, first_due.month, day) != first_due:
        raise PlanInvalid(
            f"首期还款日 {first_due} 不是每月{day}日（或该月最后一天）",
            f"first_due {first_due} is not on due day {day} (or the month's last day)",
            first_due=first_due, due_day=day,
        )
    return _month_dates(first_due, count, day)


def _monthly_interest(balance: Decimal, annual_rate: Decimal, months: int = 1) -> Decimal:
    """Balance × annual rate × months ÷ 12, rounded half-up to the fen once."""
    c = _CONTEXT
    exact = c.divide(c.multiply(c.multiply(balance, annual_rate), months), MONTHS_PER_YEAR)
    return exact.quantize(CENT, rounding=ROUND_HALF_UP, context=c)


def _whole_fen_rate(annual_rate: Decimal, largest_fen: int) -> tuple[int, int, int] | None:
    """Return (a, h, d) with a month's interest on b ≤ ``largest_fen`` fen = (b·a + h) // d
    fen, exactly :func:`_monthly_interest`; None when that is not certain.

    With the rate num/den, the interest is b·num / (12·den) fen rounded half-up, that is
    ⌊(2·b·num + 12·den) / (24·den)⌋. With the rate m·10**−q as Decimal holds it and
    b·m < 10**38, Decimal's product b·m·10**−(q+2) is exact, and its quotient by 12 is
    either exact (a half fen among them) or within 0.5·10**−39 of it relatively, less than
    1/(240·10**q) fen — a tenth of the least distance 1/(24·10**q) between b·m/(12·10**q)
    fen and a half fen it is not on: both round to the same fen.
    """
    if largest_fen * 10 ** len(annual_rate.as_tuple().digits) > _EXACT_BELOW:
        return None
    num, den = annual_rate.as_integer_ratio()
    return 2 * num, 12 * den, 24 * den


def _fen(amount: Decimal) -> int:
    """An amount exact to the fen as whole fen."""
    return int(amount * 100)


def annuity_payment(
    principal: Decimal, annual_rate: Decimal, periods: int, rounding: str = ROUND_HALF_UP
) -> Decimal:
    """Return the 等额本息 payment P·r(1+r)^n / ((1+r)^n − 1), r = annual ÷ 12, to the fen.

    Computed at 40 significant digits and rounded once, half-up unless ``rounding`` says
    otherwise. At a zero rate it is the
    regular part of an even split (P ÷ n rounded down), so the last instalment is the
    largest, as with every other even split here.

    :raises PlanInvalid: a bad principal, rate or number of periods
    """
    amount = require_amount(principal, field="principal", label="本金", error=PlanInvalid)
    rate = require_rate(annual_rate, error=PlanInvalid)
    n = _count(periods, field="periods", label="期数", low=1, high=MAX_PERIODS)
    return _annuity(amount, rate, n, rounding)


def _annuity(amount: Decimal, rate: Decimal, n: int, rounding: str) -> Decimal:
    """:func:`annuity_payment` of checked arguments."""
    if rate == 0:
        return split_evenly(amount, n)[0]
    c = _CONTEXT
    r = c.divide(rate, MONTHS_PER_YEAR)
    growth = c.power(c.add(1, r), n)
    payment = c.divide(c.multiply(c.multiply(amount, r), growth), c.subtract(growth, 1))
    return payment.quantize(CENT, rounding=rounding, context=c)


@dataclass(frozen=True)
class PlanTerms:
    """What the parties agree: method, amounts, dates, and the concessions inside the plan.

    ``principal`` is the amount the plan repays (for FLAT and LUMP_SUM the agreed total);
    ``first_due`` is the first due date after any deferral (see :func:`deferred_first_due`),
    the first grace month's when there is grace; ``periods`` counts the amortising
    instalments only (not the down payment, not grace instalments).
    """

    method: Method
    principal: Decimal
    periods: int
    first_due: dt.date
    annual_rate: Decimal = Decimal(0)
    due_day: int | None = None
    down_payment: Decimal = ZERO
    down_payment_due: dt.date | None = None
    grace_periods: int = 0
    deferred_periods: int = 0
    waive_deferral_interest: bool = False
    arrears: Decimal = ZERO
    round_to: Decimal = CENT
    interest_from: dt.date | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "method", Method(self.method))
        except ValueError:
            raise PlanInvalid(
                f"不支持的还款方式：{self.method!r}", f"unknown method: {self.method!r}",
                field="method", value=self.method,
            ) from None
        self._check_amounts()
        self._check_counts()
        require_date(self.first_due, field="first_due", label="首期还款日", error=PlanInvalid)
        due_dates(self.first_due, 1, self.due_day)  # validates due_day against first_due
        self._check_down_payment()
        self._check_method_rules()

    def _check_amounts(self) -> None:
        principal = require_amount(self.principal, field="principal", label="本金",
                                   error=PlanInvalid)
        if principal == 0:
            raise PlanInvalid("本金必须大于零", "principal must be positive", field="principal")
        object.__setattr__(self, "principal", principal)
        object.__setattr__(self, "annual_rate", require_rate(self.annual_rate, error=PlanInvalid))
        for name, label in (("down_payment", "首付款"), ("arrears", "欠息及费用")):
            amount = require_amount(getattr(self, name), field=name, label=label,
                                    error=PlanInvalid)
            object.__setattr__(self, name, amount)
        step = self.round_to
        if (
            not isinstance(step, Decimal) or not step.is_finite() or step <= 0
            or step % CENT != 0
        ):
            raise PlanInvalid(
                f"取整单位必须是分的正整数倍（如0.01、1、100）：{step!r}",
                f"round_to must be a positive multiple of 0.01: {step!r}",
                field="round_to", value=step,
            )

    def _check_counts(self) -> None:
        _count(self.periods, field="periods", label="期数", low=1, high=MAX_PERIODS)
        _count(self.grace_periods, field="grace_periods", label="宽限期数", low=0,
               high=MAX_PERIODS)
        _count(self.deferred_periods, field="deferred_periods", label="延期月数", low=0,
               high=MAX_PERIODS)
        total = self.periods + self.grace_periods + self.deferred_periods
        if total > MAX_PERIODS:
            raise PlanInvalid(
                f"期数、宽限期与延期合计不能超过{MAX_PERIODS}个月：{total}",
                f"periods + grace + deferral must not exceed {MAX_PERIODS} months: {total}",
                field="periods", value=total,
            )
        if not isinstance(self.waive_deferral_interest, bool):
            raise PlanInvalid("是否免除延期利息必须是布尔值", "waive_deferral_interest must be "
                              "a bool", field="waive_deferral_interest")

    def _check_down_payment(self) -> None:
        due = self.down_payment_due
        if self.down_payment == 0:
            if due is not None:
                raise PlanInvalid("未约定首付款，不应填写首付日期",
                                  "down_payment_due given without a down payment",
                                  field="down_payment_due")
            return
        if self.down_payment >= self.principal:
            raise PlanInvalid(
                "首付款必须少于本金（全额支付请选一次性清偿）",
                "down payment must be less than the principal (use lump_sum to pay all)",
                field="down_payment", down_payment=self.down_payment, principal=self.principal,
            )
        if due is None:
            raise PlanInvalid("约定首付款时必须给出首付日期",
                              "down_payment_due is required with a down payment",
                              field="down_payment_due")
        require_date(due, field="down_payment_due", label="首付日期", error=PlanInvalid)
        if due > self.first_due:
            raise PlanInvalid(
                f"首付日期 {due} 不能晚于首期还款日 {self.first_due}",
                f"down_payment_due {due} is after first_due {self.first_due}",
                field="down_payment_due",
            )

    def _check_method_rules(self) -> None:
        method = self.method
        step = self.round_to if method in ROUNDABLE_METHODS else CENT
        if method is not Method.LUMP_SUM and self.financed_principal < step * self.periods:
            raise PlanInvalid(
                f"每期本金至少应为{format_amount(step)}元：{format_amount(self.financed_principal)}"
                f"元不足以分成{self.periods}期，请减少期数或取整单位",
                f"each instalment needs at least {step} of principal: "
                f"{self.financed_principal} cannot be split into {self.periods} periods",
                field="periods", value=self.periods,
            )
        if (
            method is Method.INTEREST_ONLY
            and _monthly_interest(self.financed_principal, self.annual_rate) == 0
        ):
            raise PlanInvalid("先息后本每期须有利息（不足一分）；不计息时请选择一次性清偿",
                              "interest_only needs a monthly interest of at least a fen; "
                              "without one use lump_sum", field="annual_rate")
        if method is Method.FLAT and self.annual_rate != 0:
            raise PlanInvalid("等额分期不计利息，年利率必须为0",
                              "a flat plan carries no interest: annual_rate must be 0",
                              field="annual_rate")
        if self.round_to != CENT and method not in ROUNDABLE_METHODS:
            raise PlanInvalid(
                f"取整单位只适用于等额分期和等额本金，{method.label}按分计算",
                f"round_to applies to flat and equal_principal only, not {method}",
                field="round_to",
            )
        if method is Method.LUMP_SUM:
            if self.periods != 1 or self.grace_periods or self.deferred_periods:
                raise PlanInvalid(
                    "一次性清偿只有一期，不设宽限期或延期",
                    "lump_sum has exactly one period and no grace or deferral",
                    field="periods",
                )
            if self.annual_rate != 0 and self.interest_from is None:
                raise PlanInvalid("一次性清偿计息时必须给出起息日",
                                  "lump_sum with a rate needs interest_from",
                                  field="interest_from")
        if self.interest_from is not None:
            if method is not Method.LUMP_SUM:
                raise PlanInvalid("起息日只适用于一次性清偿",
                                  "interest_from applies to lump_sum only",
                                  field="interest_from")
            require_date(self.interest_from, field="interest_from", label="起息日",
                         error=PlanInvalid)
            if self.interest_from > self.first_due:
                raise PlanInvalid(
                    f"起息日 {self.interest_from} 不能晚于还款日 {self.first_due}",
                    f"interest_from {self.interest_from} is after first_due {self.first_due}",
                    field="interest_from",
                )

    @property
    def financed_principal(self) -> Decimal:
        return self.principal - self.down_payment

    @property
    def effective_due_day(self) -> int:
        return self.first_due.day if self.due_day is None else self.due_day

    @property
    def listed_grace_periods(self) -> int:
        """Grace instalments that carry interest; when it rounds to nothing they are dropped."""
        carries = _monthly_interest(self.financed_principal, self.annual_rate) > 0
        return self.grace_periods if carries else 0

    @property
    def deferral_interest(self) -> Decimal:
        """Interest the financed principal accrues over the deferral, waived or not."""
        return _monthly_interest(self.financed_principal, self.annual_rate,
                                 self.deferred_periods)

    @property
    def waived_deferral_interest(self) -> Decimal:
        """The deferral interest the creditor gives up (0.00 when it is carried as arrears):
        a concession like any waiver, counted in the plan's waived total."""
        return self.deferral_interest if self.waive_deferral_interest else ZERO

    @property
    def carried_arrears(self) -> Decimal:
        """Arrears the amortising instalments repay: those brought in plus deferral interest."""
        deferral = ZERO if self.waive_deferral_interest else self.deferral_interest
        return self.arrears + deferral


@dataclass(frozen=True)
class Instalment:
    """One dated payment; ``number`` 0 is the down payment.

    ``arrears`` is interest or charges accrued before the plan, repaid without further
    interest; ``remaining`` is the principal still owed after this payment.
    """

    number: int
    due_on: dt.date
    principal: Decimal
    interest: Decimal
    arrears: Decimal
    payment: Decimal
    remaining: Decimal

    @property
    def label(self) -> str:
        return "首付" if self.number == 0 else f"第{self.number}期"


# Keys of :meth:`Schedule.as_rows` with their Chinese column headers.
ROW_LABELS: dict[str, str] = {
    "number": "期次",
    "due_on": "还款日",
    "principal": "本金",
    "interest": "利息",
    "arrears": "欠息及费用",
    "payment": "应还金额",
    "remaining": "剩余本金",
}


@dataclass(frozen=True)
class Schedule:
    """The dated instalments of one plan, with the totals people ask about."""

    terms: PlanTerms
    instalments: tuple[Instalment, ...]

    @property
    def financed_principal(self) -> Decimal:
        return self.terms.financed_principal

    @property
    def down_payment(self) -> Instalment | None:
        first = self.instalments[0]
        return first if first.number == 0 else None

    @property
    def grace_instalments(self) -> tuple[Instalment, ...]:
        start = 1 if self.down_payment else 0
        return self.instalments[start:start + self.terms.listed_grace_periods]

    @property
    def amortising(self) -> tuple[Instalment, ...]:
        """The instalments that repay principal and arrears (not down payment, not grace)."""
        start = (1 if self.down_payment else 0) + self.terms.listed_grace_periods
        return self.instalments[start:]

    @property
    def total_payment(self) -> Decimal:
        return sum((i.payment for i in self.instalments), ZERO)

    @property
    def total_interest(self) -> Decimal:
        return sum((i.interest for i in self.instalments), ZERO)

    @property
    def total_arrears(self) -> Decimal:
        return sum((i.arrears for i in self.instalments), ZERO)

    @property
    def regular_payment(self) -> Decimal:
        """The most common amortising payment; the first one when no amount repeats."""
        return Counter(i.payment for i in self.amortising).most_common(1)[0][0]

    @property
    def first_due_on(self) -> dt.date:
        return self.instalments[0].due_on

    @property
    def largest(self) -> Instalment:
        """The largest payment the schedule asks for, whichever it is — a down payment, the
        last instalment of an even split, or the principal falling due at the end of an
        interest-only plan; the earliest of equal ones."""
        return max(self.instalments, key=lambda i: (i.payment, -i.due_on.toordinal()))

    @property
    def last_due_on(self) -> dt.date:
        """The last due date: the enforcement limit of CPL Art. 250 runs from it."""
        return self.instalments[-1].due_on

    def as_rows(self) -> list[dict[str, str]]:
        """Return the instalments as display strings keyed like :data:`ROW_LABELS`."""
        return [
            {
                "number": i.label,
                "due_on": i.due_on.isoformat(),
                "principal": format_amount(i.principal),
                "interest": format_amount(i.interest),
                "arrears": format_amount(i.arrears),
                "payment": format_amount(i.payment),
                "remaining": format_amount(i.remaining),
            }
            for i in self.instalments
        ]


def _lump_sum_interest(terms: PlanTerms) -> Decimal:
    """Simple interest (actual/365) from ``interest_from`` to ``first_due``, rounded once.

    The whole principal bears interest until the down payment is due, the financed
    principal after it.
    """
    start = terms.interest_from
    if start is None or terms.annual_rate == 0:
        return ZERO
    paid_down_on = terms.down_payment_due or start
    full_days = max(0, (paid_down_on - start).days)
    financed_days = (terms.first_due - max(start, paid_down_on)).days
    weighted = terms.principal * full_days + terms.financed_principal * financed_days
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return quantize(weighted * terms.annual_rate / 365)


def _principal_and_interest(terms: PlanTerms, financed: Decimal) -> tuple[list[int], list[int]]:
    """The principal and the interest of each amortising instalment in fen, by method."""
    rate, n = terms.annual_rate, terms.periods
    if terms.method is Method.LUMP_SUM:
        return [_fen(financed)], [_fen(_lump_sum_interest(terms))]
    financed_fen = _fen(financed)
    if terms.method is Method.EQUAL_INSTALLMENT and rate > 0:
        # A payment rounded up can repay a small loan before its last period when each
        # month's interest rounds to nothing; the payment rounded down cannot overshoot
        # that way, and the last instalment takes the few fen left.
        for rounding in (ROUND_HALF_UP, ROUND_DOWN):
            payment = _fen(_annuity(financed, rate, n, rounding))
            principal, interest = _annuity_columns(financed_fen, rate, n, payment)
            if principal[-1] > 0:  # the balance lasted to the last period
                return principal, interest
        raise PlanInvalid(
            f"按此利率，本金{format_amount(financed)}元不足{n}期即可还清，请减少期数",
            f"the principal is repaid in fewer than {n} periods at this rate: fewer periods",
            field="periods", value=n,
        )
    if terms.method is Method.INTEREST_ONLY:
        return [0] * (n - 1) + [financed_fen], _interest_column([financed_fen], rate) * n
    # FLAT, EQUAL_PRINCIPAL, and EQUAL_INSTALLMENT at a zero rate: an even split
    parts = split_evenly(financed, n, terms.round_to)
    regular = _fen(parts[0])
    principal = [regular] * (n - 1) + [_fen(parts[-1])]
    return principal, _interest_column([financed_fen - k * regular for k in range(n)], rate)


def _interest_column(balances: list[int], rate: Decimal) -> list[int]:
    """A month's interest in fen on each of ``balances`` (fen), as :func:`_monthly_interest`."""
    if rate == 0:
        return [0] * len(balances)
    whole = _whole_fen_rate(rate, max(balances))
    if whole is None:
        return [_fen(_monthly_interest(CENT * b, rate)) for b in balances]
    a, h, d = whole
    return [(b * a + h) // d for b in balances]


def _annuity_columns(
    financed: int, rate: Decimal, n: int, payment: int
) -> tuple[list[int], list[int]]:
    """Principal and interest in fen of ``n`` payments of ``payment`` fen, the last taking
    whatever principal is left."""
    whole = _whole_fen_rate(rate, financed)
    principal: list[int] = []
    interest: list[int] = []
    add_principal, add_interest = principal.append, interest.append
    balance = financed
    if whole is None:  # a rate of many digits: each month's interest in Decimal
        for _ in range(n - 1):
            owed = _fen(_monthly_interest(CENT * balance, rate))
            part = min(max(payment - owed, 0), balance)
            add_principal(part)
            add_interest(owed)
            balance -= part
    else:
        a, h, d = whole
        for _ in range(n - 1):
            owed = (balance * a + h) // d
            # a principal part stays within [0, balance]: when the interest nearly equals
            # the payment its rounding could otherwise ask for a fen of negative principal
            part = payment - owed
            if part > balance:
                part = balance
            elif part < 0:
                part = 0
            add_principal(part)
            add_interest(owed)
            balance -= part
    principal.append(balance)
    interest.extend(_interest_column([balance], rate))
    return principal, interest


def build_schedule(terms: PlanTerms) -> Schedule:
    """Turn plan terms into dated instalments that balance to the fen.

    Order: the down payment (number 0), then grace instalments (interest only), then the
    amortising instalments, which also repay the carried arrears (brought-in charges plus
    deferral interest unless waived) in an even split without interest. Grace months that
    would carry no interest are not listed, but they still pass: the first amortising
    instalment always falls ``grace_periods`` months after ``first_due``.

    :raises PlanDoesNotBalance: an invariant broke (a bug; nothing is returned)
    """
    n = terms.periods
    financed = terms.financed_principal
    grace_interest = _fen(_monthly_interest(financed, terms.annual_rate))
    grace = terms.grace_periods if grace_interest > 0 else 0  # terms.listed_grace_periods
    dates = _month_dates(terms.first_due, terms.grace_periods + n, terms.effective_due_day)
    arrears_step = terms.round_to if terms.method in ROUNDABLE_METHODS else CENT
    carried = terms.carried_arrears
    owed = split_evenly(carried, n, arrears_step)
    principal, interest = _principal_and_interest(terms, financed)
    arrears = [_fen(owed[0])] * (n - 1) + [_fen(owed[-1])]
    numbers = list(range(1, grace + n + 1))
    due = dates[:grace] + dates[terms.grace_periods:]
    if grace:
        principal = [0] * grace + principal
        interest = [grace_interest] * grace + interest
        arrears = [0] * grace + arrears
    if terms.down_payment > 0 and terms.down_payment_due is not None:  # PlanTerms: both or none
        numbers.insert(0, 0)
        due.insert(0, terms.down_payment_due)
        principal.insert(0, _fen(terms.down_payment))
        interest.insert(0, 0)
        arrears.insert(0, 0)
    total = _fen(terms.principal)
    payment = list(map(operator.add, map(operator.add, principal, interest), arrears))
    remaining = list(itertools.accumulate(principal, operator.sub, initial=total))[1:]
    _check_balances(numbers, due, principal, interest, arrears, remaining,
                    total=total, financed=_fen(financed), carried=_fen(carried))
    return Schedule(terms, _instalments(numbers, due, principal, interest, arrears, payment,
                                        remaining))


def _instalments(
    numbers: list[int], due: list[dt.date], principal: list[int], interest: list[int],
    arrears: list[int], payment: list[int], remaining: list[int],
) -> tuple[Instalment, ...]:
    """The rows as :class:`Instalment` objects, amounts turned from fen into yuan.

    ``CENT * fen`` is exact, with two places; an amount equal to the row before's (the
    payment of equal instalments, the principal of equal principal, the arrears) is that
    same immutable ``Decimal``. Each row is given its attribute dict at once rather than
    through the frozen dataclass's ``__init__`` and its seven ``object.__setattr__`` (1.1 µs
    a row, more than all its arithmetic); the objects are the same.
    """
    cent = CENT
    new, give = object.__new__, object.__setattr__
    rows: list[Instalment] = []
    add = rows.append
    last_p = last_a = last_pay = -1  # never an amount: the check refused negative ones
    yuan_p = yuan_a = yuan_pay = ZERO
    for values in zip(numbers, due, principal, interest, arrears, payment, remaining,
                      strict=True):
        number, due_on, p, i, a, pay, rest = values
        if p != last_p:
            last_p, yuan_p = p, cent * p
        if a != last_a:
            last_a, yuan_a = a, cent * a
        if pay != last_pay:
            last_pay, yuan_pay = pay, cent * pay
        row = new(Instalment)
        give(row, "__dict__", {
            "number": number, "due_on": due_on, "principal": yuan_p, "interest": cent * i,
            "arrears": yuan_a, "payment": yuan_pay, "remaining": cent * rest,
        })
        add(row)
    return tuple(rows)


def _check_balances(
    numbers: list[int], due: list[dt.date], principal: list[int], interest: list[int],
    arrears: list[int], remaining: list[int], *, total: int, financed: int, carried: int,
) -> None:
    """Check the rows in fen before they are issued.

    Amounts exact to the fen, each payment the sum of its parts and each remaining balance
    the one before less the principal hold by construction in :func:`build_schedule`;
    what an algorithm could get wrong is checked here, in a few passes over the columns.
    """
    problems: list[str] = []
    numbered = principal[1:] if numbers[0] == 0 else principal
    if sum(numbered) != financed:
        problems.append("principal parts do not sum to the financed principal")
    if sum(principal) != total:
        problems.append("principal parts do not sum to the principal")
    if sum(arrears) != carried:
        problems.append("arrears parts do not sum to the carried arrears")
    if remaining[-1] != 0:
        problems.append("the last remaining balance is not zero")
    columns = (principal, interest, arrears, remaining)
    if min(map(min, columns)) < 0:
        problems.extend(f"instalment {number} has a negative amount"
                        for number, *amounts in zip(numbers, *columns, strict=True)
                        if min(amounts) < 0)
    dates = due[1:] if numbers[0] == 0 else due
    if not all(map(operator.lt, dates, dates[1:])) or due[0] > dates[0]:
        problems.append("due dates are not in order")
    if problems:
        raise PlanDoesNotBalance(
            "还款计划校验失败，请联系管理员：" + "；".join(problems),
            "schedule failed its invariants: " + "; ".join(problems),
            problems=problems,
        )


def deferred_first_due(first_due: dt.date, months: int, due_day: int | None = None) -> dt.date:
    """The first due date after a deferral (延期还本付息) of ``months``: ``months`` due dates
    after ``first_due``, on the same due day (month-end clamped).

    :raises PlanInvalid: a bad date, count or due day
    """
    _count(months, field="deferred_periods", label="延期月数", low=0, high=MAX_PERIODS)
    return due_dates(first_due, months + 1, due_day)[-1]


def months_between(start: dt.date, end: dt.date) -> Decimal:
    """Return the time from ``start`` to ``end`` in months: whole calendar months + days/30.

    Whole months step on ``start``'s day (month-end clamped); the days left over count as
    thirtieths of a month. Negative when ``end`` is before ``start``.
    """
    months = (end.year - start.year) * 12 + end.month - start.month
    anchor = _add_months(start, months, start.day)
    if anchor > end:
        months -= 1
        anchor = _add_months(start, months, start.day)
    return Decimal(months) + Decimal((end - anchor).days) / DAYS_PER_MONTH


def present_value(
    schedule: Schedule, *, annual_discount_rate: Decimal, as_of: dt.date
) -> Decimal:
    """Return what the schedule's payments are worth on ``as_of``, to the fen.

    Each payment is discounted by (1 + annual ÷ 12) ^ t, t = :func:`months_between` —
    monthly compounding at the nominal rate, the same convention the schedules use, so a
    plan discounted at its own rate from one period before its first due date is worth its
    principal. Payments due before ``as_of`` are carried forward at the same rate.

    :raises PlanInvalid: a bad discount rate or date
    """
    rate = require_rate(annual_discount_rate, field="annual_discount_rate", label="折现率",
                        error=PlanInvalid)
    require_date(as_of, field="as_of", label="折现基准日", error=PlanInvalid)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        base = 1 + rate / MONTHS_PER_YEAR
        total = sum(
            (i.payment / base ** months_between(as_of, i.due_on) for i in schedule.instalments),
            Decimal(0),
        )
        return quantize(total)
