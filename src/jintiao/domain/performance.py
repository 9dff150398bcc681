"""Performance of an agreement: payments allocated to instalments, their standing on a day,
default by the acceleration clause, and what is owed when the creditor applies to enforce.

Allocation follows the order the agreement states; the default is the Civil Code's
(Art. 561: costs, then interest, then principal), oldest instalment first. Nothing here is
stored: standings are recomputed from the agreed instalments and the payments, so a late
correction of a payment changes every figure consistently.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from enum import StrEnum

from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.money import ZERO, format_amount, quantize

PRECISION = 40


class PerformanceInvalid(DomainError):
    code = ErrorCode.PERFORMANCE_INVALID


class PaymentExceedsOutstanding(PerformanceInvalid):
    """A payment beyond what the debtor still owes, without the caller saying so."""

    code = ErrorCode.PAYMENT_EXCEEDS_OUTSTANDING


class Part(StrEnum):
    """The parts of an instalment a payment can settle."""

    ARREARS = "arrears"  # the interest and charges owed before the plan (欠息及费用)
    INTEREST = "interest"
    PRINCIPAL = "principal"

    @property
    def label(self) -> str:
        return PART_LABELS[self]


PART_LABELS = {Part.ARREARS: "欠息及费用", Part.INTEREST: "利息", Part.PRINCIPAL: "本金"}

# Civil Code Art. 561: unless agreed otherwise, costs, then interest, then principal.
DEFAULT_ORDER: tuple[Part, ...] = (Part.ARREARS, Part.INTEREST, Part.PRINCIPAL)


class Status(StrEnum):
    """An instalment on a given day."""

    DUE = "due"          # not yet past its due date (part may already be paid)
    PAID = "paid"        # fully paid
    PARTIAL = "partial"  # past its due date, part paid
    LATE = "late"        # past its due date, nothing paid

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {Status.DUE: "待还", Status.PAID: "已还清", Status.PARTIAL: "部分还款",
                 Status.LATE: "逾期未还"}
MISSED = frozenset({Status.PARTIAL, Status.LATE})


@dataclass(frozen=True)
class Due:
    """One agreed instalment, split into its parts."""

    number: int
    due_on: dt.date
    arrears: Decimal
    interest: Decimal
    principal: Decimal

    @property
    def amount(self) -> Decimal:
        return self.arrears + self.interest + self.principal

    def part(self, part: Part) -> Decimal:
        return {Part.ARREARS: self.arrears, Part.INTEREST: self.interest,
                Part.PRINCIPAL: self.principal}[part]


@dataclass(frozen=True)
class Paid:
    """A payment as the institution reported it."""

    reference: str
    paid_on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class Applied:
    """Part of one payment applied to one instalment."""

    reference: str
    paid_on: dt.date
    part: Part
    amount: Decimal


@dataclass(frozen=True)
class Standing:
    """An instalment on a day: what was applied to it, and its status."""

    due: Due
    applied: tuple[Applied, ...]
    status: Status
    settled_on: dt.date | None  # the day it was paid in full
    scheduled_on: dt.date | None = None  # the agreed due date, when acceleration moved it

    @property
    def paid(self) -> Decimal:
        return sum((a.amount for a in self.applied), ZERO)

    @property
    def unpaid(self) -> Decimal:
        return self.due.amount - self.paid

    def unpaid_part(self, part: Part) -> Decimal:
        return self.due.part(part) - sum((a.amount for a in self.applied if a.part is part),
                                         ZERO)

    @property
    def paid_late(self) -> bool:
        return self.settled_on is not None and self.settled_on > self.due.due_on


@dataclass(frozen=True)
class Account:
    """Every instalment on a day, and any money paid beyond the whole schedule."""

    on: dt.date
    standings: tuple[Standing, ...]
    surplus: Decimal

    @property
    def total_due(self) -> Decimal:
        return sum((s.due.amount for s in self.standings), ZERO)

    @property
    def total_paid(self) -> Decimal:
        return sum((s.paid for s in self.standings), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return self.total_due - self.total_paid

    @property
    def paid_in_full(self) -> bool:
        return all(s.status is Status.PAID for s in self.standings)

    @property
    def missed(self) -> tuple[Standing, ...]:
        """Instalments past their due date and not paid in full. Paying the oldest first
        keeps them consecutive: they are the last ones to have fallen due."""
        return tuple(s for s in self.standings if s.status in MISSED)

    @property
    def overdue_amount(self) -> Decimal:
        return sum((s.unpaid for s in self.missed), ZERO)

    @property
    def next_due(self) -> Standing | None:
        return next((s for s in self.standings if s.status is Status.DUE), None)


def _check(dues: Sequence[Due], payments: Iterable[Paid]) -> list[Paid]:
    if not dues:
        raise PerformanceInvalid("协议没有分期", "no instalments")
    numbers = [d.number for d in dues]
    if numbers != sorted(set(numbers)):
        raise PerformanceInvalid("期次重复或顺序错误", "instalment numbers must increase")
    if any(b.due_on < a.due_on for a, b in itertools.pairwise(dues)):
        raise PerformanceInvalid("还款日顺序错误", "due dates must not go backwards")
    if any(min(d.arrears, d.interest, d.principal) < 0 for d in dues):
        raise PerformanceInvalid("分期金额不能为负", "negative instalment part")
    paid = list(payments)
    if any(p.amount <= 0 for p in paid):
        raise _not_positive()
    if len({p.reference for p in paid}) != len(paid):
        raise _twice()
    return sorted(paid, key=lambda p: (p.paid_on, p.reference))


def _not_positive() -> PerformanceInvalid:
    return PerformanceInvalid("还款金额必须大于零", "payments must be positive")


def _twice() -> PerformanceInvalid:
    return PerformanceInvalid("还款流水号重复", "duplicate payment reference")


def _check_order(order: Sequence[Part]) -> None:
    if sorted(order) != sorted(Part):
        raise PerformanceInvalid("冲抵顺序须包含欠息及费用、利息、本金各一次",
                                 "order must list each part once")


def account_on(dues: Sequence[Due], payments: Iterable[Paid], on: dt.date,
               order: Sequence[Part] = DEFAULT_ORDER,
               accelerated_on: dt.date | None = None) -> Account:
    """Apply the payments made by ``on`` to the instalments, oldest first and within each
    by ``order``, and give every instalment its standing on ``on``. After acceleration on
    ``accelerated_on`` every instalment not yet due then falls due that day, without its
    interest (:func:`accelerate`), and says what day it was agreed for.

    :raises PerformanceInvalid: no instalments, numbers or dates out of order, a negative
        part, a payment not above zero, a reference used twice, or an order that is not a
        permutation of the three parts
    """
    _check_order(order)
    agreed = {d.number: d.due_on for d in dues}
    if accelerated_on is not None:
        dues, _dropped = accelerate(dues, accelerated_on)
    paid = [p for p in _check(dues, payments) if p.paid_on <= on]
    left = {(d.number, part): d.part(part) for d in dues for part in order}
    applied: dict[int, list[Applied]] = {d.number: [] for d in dues}
    settled: dict[int, dt.date] = {}
    surplus = ZERO
    for payment in paid:
        rest = payment.amount
        for due in dues:
            for part in order:
                take = min(rest, left[due.number, part])
                if take > 0:
                    left[due.number, part] -= take
                    rest -= take
                    applied[due.number].append(Applied(payment.reference, payment.paid_on,
                                                       part, take))
            if due.number not in settled and all(left[due.number, p] == 0 for p in order):
                settled[due.number] = payment.paid_on
            if rest == 0:
                break
        surplus += rest
    standings = []
    for due in dues:
        mine = tuple(applied[due.number])
        if all(left[due.number, p] == 0 for p in order):
            status = Status.PAID
        elif on <= due.due_on:
            status = Status.DUE
        elif mine:
            status = Status.PARTIAL
        else:
            status = Status.LATE
        standings.append(Standing(due, mine, status,
                                  settled.get(due.number) if status is Status.PAID else None,
                                  agreed[due.number] if agreed[due.number] != due.due_on
                                  else None))
    return Account(on=on, standings=tuple(standings), surplus=surplus)


class Tally:
    """An account's surplus kept as payments come one at a time (the lines of a bank's
    file): allocation fills every instalment before anything is left over
    (:func:`account_on`), so what was paid by a day beyond the whole schedule is what was
    paid by then less the schedule's total — the account's own figure, without allocating
    every payment again for each new one. Not for an accelerated account (its late
    interest depends on when each payment came: :func:`outstanding`).

    :raises PerformanceInvalid: what :func:`account_on` refuses of the same instalments,
        order and payments
    """

    def __init__(self, dues: Sequence[Due], payments: Iterable[Paid], on: dt.date,
                 order: Sequence[Part] = DEFAULT_ORDER) -> None:
        _check_order(order)
        paid = _check(dues, payments)
        self.on = on
        self._owed = sum((d.amount for d in dues), ZERO)
        self._paid = sum((p.amount for p in paid if p.paid_on <= on), ZERO)
        self._references = {p.reference for p in paid}

    @property
    def surplus(self) -> Decimal:
        return max(self._paid - self._owed, ZERO)

    def surplus_adding(self, payment: Paid) -> Decimal:
        """The surplus with ``payment`` as well; nothing is kept (:meth:`add` keeps it).

        :raises PerformanceInvalid: a payment not above zero, or a reference counted already
        """
        return max(self._paid + self._counted(payment) - self._owed, ZERO)

    def add(self, payment: Paid) -> None:
        """Count ``payment`` from now on.

        :raises PerformanceInvalid: as :meth:`surplus_adding`
        """
        self._paid += self._counted(payment)
        self._references.add(payment.reference)

    def _counted(self, payment: Paid) -> Decimal:
        if payment.amount <= 0:
            raise _not_positive()
        if payment.reference in self._references:
            raise _twice()
        return payment.amount if payment.paid_on <= self.on else ZERO


def _counted(account: Account, since: dt.date | None) -> tuple[Standing, ...]:
    """The missed instalments that count: after a cure (the creditor forgave the earlier
    default), only those falling due from the cure on."""
    return tuple(s for s in account.missed if since is None or s.due.due_on >= since)


def acceleration_met(account: Account, missed_instalments: int,
                     since: dt.date | None = None) -> bool:
    """Whether the agreement's acceleration clause is met: ``missed_instalments``
    consecutive instalments past due and not paid in full (falling due on or after
    ``since``, the day of a cure, when there was one)."""
    if missed_instalments < 1:
        raise PerformanceInvalid("加速到期条件至少为一期", "acceleration needs at least one")
    return len(_counted(account, since)) >= missed_instalments


def acceleration_day(account: Account, missed_instalments: int,
                     since: dt.date | None = None) -> dt.date:
    """The day the clause was met: the day after the due date of the ``missed_instalments``-th
    of the missed run (paying oldest first, those instalments were unpaid then too), not the
    day someone happened to look.

    :raises PerformanceInvalid: the clause is not met on the account's day
    """
    if not acceleration_met(account, missed_instalments, since):
        raise PerformanceInvalid("未达到加速到期条件", "the acceleration clause is not met")
    return _counted(account, since)[missed_instalments - 1].due.due_on + dt.timedelta(days=1)


def accelerate(dues: Sequence[Due], on: dt.date) -> tuple[list[Due], Decimal]:
    """The instalments as they stand after acceleration on ``on``: every one not yet due
    falls due that day without its interest, which had not accrued. Returns them and the
    interest dropped."""
    out, dropped = [], ZERO
    for d in dues:
        if d.due_on < on:
            out.append(d)
        else:
            dropped += d.interest
            out.append(Due(d.number, on, d.arrears, ZERO, d.principal))
    return out, dropped


@dataclass(frozen=True)
class LateDays:
    """One stretch on which late-performance interest runs: ``base`` unpaid for ``days``."""

    number: int
    start: dt.date  # the first day counted is the day after ``start``
    end: dt.date
    base: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days


# The parts of the amount to enforce, in the order an application lists them.
OUTSTANDING_LABELS = {"principal": "未还本金", "interest": "约定利息", "arrears": "欠息及费用",
                      "revived": "恢复计收的减免款",
                      "late_interest": "迟延履行期间的加倍部分债务利息",
                      "costs": "实现债权的费用"}


@dataclass(frozen=True)
class Outstanding:
    """What the creditor may ask the court to enforce, on ``as_of``.

    On acceleration every unpaid instalment falls due on ``accelerated_on`` without the
    interest that had not accrued (``interest_not_accrued``); ``revived`` are the
    conditional concessions the agreement revives on default; ``late_interest`` is the
    doubled interest of CPL Art. 264 under an enforceable ruling: unpaid principal (ordinary
    interest, penalties and charges excluded, SPC 2014 interpretation Art. 1) × the daily
    rate × the days from each due date to payment or ``as_of``, rounded once to the fen;
    ``costs`` what the creditor proves it spent. Money paid beyond the accelerated
    instalments goes to the revived concessions, then the costs, then the doubled interest
    (paid last: SPC 2014 interpretation Art. 4), each figure here being what is still owed;
    ``surplus`` is what is left beyond all of them.
    """

    as_of: dt.date
    accelerated_on: dt.date
    principal: Decimal
    interest: Decimal
    arrears: Decimal
    revived: Decimal
    late_interest: Decimal
    costs: Decimal
    late_days: tuple[LateDays, ...] = field(default=())
    interest_not_accrued: Decimal = ZERO
    paid: Decimal = ZERO
    surplus: Decimal = ZERO  # paid beyond everything owed: to be refunded

    @property
    def total(self) -> Decimal:
        return (self.principal + self.interest + self.arrears + self.revived
                + self.late_interest + self.costs)

    def rows(self) -> list[tuple[str, Decimal]]:
        return [(label, getattr(self, name)) for name, label in OUTSTANDING_LABELS.items()]


def _principal_late(standing: Standing, as_of: dt.date) -> list[LateDays]:
    """The stretches after the instalment's due date during which part of its principal
    stayed unpaid, ending at each payment of principal and at ``as_of``."""
    start = standing.due.due_on
    principal = [a for a in standing.applied if a.part is Part.PRINCIPAL]
    unpaid = standing.due.principal - sum((a.amount for a in principal if a.paid_on <= start),
                                          ZERO)
    out: list[LateDays] = []
    cursor = start
    for a in sorted((a for a in principal if a.paid_on > start), key=lambda a: a.paid_on):
        if a.paid_on > cursor and unpaid > 0:
            out.append(LateDays(standing.due.number, cursor, a.paid_on, unpaid))
        cursor = max(cursor, a.paid_on)
        unpaid -= a.amount
    if as_of > cursor and unpaid > 0:
        out.append(LateDays(standing.due.number, cursor, as_of, unpaid))
    return out


def outstanding(dues: Sequence[Due], payments: Iterable[Paid], *, as_of: dt.date,
                accelerated_on: dt.date, order: Sequence[Part] = DEFAULT_ORDER,
                revived: Decimal = ZERO, costs: Decimal = ZERO,
                late_daily_rate: Decimal | None = None) -> Outstanding:
    """The amount to enforce on ``as_of`` after acceleration on ``accelerated_on``; payments
    after the acceleration go to what is then owed (no interest that never accrued).

    ``late_daily_rate`` is given only when the agreement is enforceable as a ruling (a
    judicially confirmed agreement); late interest also counts the days an instalment was
    late before it was finally paid.

    :raises PerformanceInvalid: acceleration after ``as_of``, or negative amounts
    """
    if accelerated_on > as_of:
        raise PerformanceInvalid(f"加速到期日{accelerated_on}晚于计算日{as_of}",
                                 "acceleration after the computation day")
    if revived < 0 or costs < 0:
        raise PerformanceInvalid("金额不能为负", "negative revived amount or costs")
    owed, dropped = accelerate(dues, accelerated_on)
    account = account_on(owed, payments, as_of, order)
    principal = sum((s.unpaid_part(Part.PRINCIPAL) for s in account.standings), ZERO)
    interest = sum((s.unpaid_part(Part.INTEREST) for s in account.standings), ZERO)
    arrears = sum((s.unpaid_part(Part.ARREARS) for s in account.standings), ZERO)
    stretches: list[LateDays] = []
    late = ZERO
    if late_daily_rate is not None:
        for s in account.standings:
            stretches += _principal_late(s, as_of)
        with localcontext() as ctx:
            ctx.prec = PRECISION
            late = quantize(sum((x.base * x.days for x in stretches), Decimal(0))
                            * late_daily_rate)
    beyond = account.surplus
    revived, beyond = _settle(revived, beyond)
    costs, beyond = _settle(costs, beyond)
    late, beyond = _settle(late, beyond)
    return Outstanding(as_of=as_of, accelerated_on=accelerated_on, principal=principal,
                       interest=interest, arrears=arrears, revived=revived,
                       late_interest=late, costs=costs, late_days=tuple(stretches),
                       interest_not_accrued=dropped,
                       paid=account.total_paid + account.surplus - beyond, surplus=beyond)


def _settle(owed: Decimal, money: Decimal) -> tuple[Decimal, Decimal]:
    """What stays owed and what money is left after ``money`` goes to ``owed``."""
    take = min(owed, money)
    return owed - take, money - take


def surplus_of(amount: Decimal, *, before: Decimal, after: Decimal, intended: bool) -> Decimal:
    """The part of a payment of ``amount`` that goes beyond everything owed, from the
    surplus on the dispute ``before`` and ``after`` it; it is refused unless the caller
    states that the debtor meant to pay more (the surplus is then the debtor's, to refund).

    :raises PaymentExceedsOutstanding: a surplus the caller did not state
    """
    surplus = max(after - before, ZERO)
    if surplus > 0 and not intended:
        owed = amount - surplus
        raise PaymentExceedsOutstanding(
            f"还款金额{format_amount(amount)}元超过尚欠的{format_amount(owed)}元，"
            f"多付{format_amount(surplus)}元；如确系多付、应予退还，请注明“多付应退”后再登记",
            "the payment exceeds what is owed; state that the surplus is intended",
            owed=owed, surplus=surplus)
    return surplus
