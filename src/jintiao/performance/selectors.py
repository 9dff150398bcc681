"""Reads of performance: the agreed instalments, their standing today, what is owed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.db.models import Q, QuerySet

from jintiao import clock
from jintiao.agreements import selectors as agreements
from jintiao.agreements.models import Agreement
from jintiao.confirmation.models import Application
from jintiao.disputes.access import holds
from jintiao.disputes.models import Dispute
from jintiao.domain import performance, periods
from jintiao.domain.lifecycle import Role, State
from jintiao.domain.performance import Account, Due, Outstanding, Paid, Part
from jintiao.mediation import selectors as mediation
from jintiao.orgs.models import INSTITUTION_KINDS, Organization, User
from jintiao.orgs.selectors import ancestors, subtree
from jintiao.performance.models import CreditRepair, Enforcement, Payment
from jintiao.policies.selectors import working_calendar


def dues_of(agreement: Agreement) -> list[Due]:
    return [Due(number=r["number"], due_on=dt.date.fromisoformat(r["due_on"]),
                arrears=Decimal(r["arrears"]), interest=Decimal(r["interest"]),
                principal=Decimal(r["principal"]))
            for r in agreement.content["terms"]["schedule"]]


def order_of(agreement: Agreement) -> tuple[Part, ...]:
    return tuple(Part(p) for p in agreement.content["terms"]["allocation_order"])


def payments_of(dispute: Dispute) -> QuerySet[Payment]:
    """The dispute's payments by date, reversed ones too (marked), for lists a page at a
    time."""
    return (Payment.objects.filter(dispute=dispute).select_related("reversed_by")
            .order_by("paid_on", "reference", "pk"))


def paid_of(dispute: Dispute) -> list[Paid]:
    """The payments in force (a reversed one counts no more)."""
    return [Paid(p.reference, p.paid_on, p.amount)
            for p in Payment.objects.filter(dispute=dispute, reversed_at__isnull=True)]


@dataclass(frozen=True)
class Ledger:
    """The effective agreement and the payments against it, read once: every figure of a
    review, a payment's checks and a page is computed from these two reads."""

    agreement: Agreement
    dues: tuple[Due, ...]
    order: tuple[Part, ...]
    paid: tuple[Paid, ...]

    def account(self, on: dt.date, accelerated: Acceleration | None = None) -> Account:
        """Every instalment's standing on ``on``: as agreed, or as ``accelerated``."""
        return performance.account_on(self.dues, self.paid, on, self.order,
                                      accelerated.on if accelerated else None)

    def adding(self, payment: Paid) -> Ledger:
        """The ledger with one more payment (the one just recorded)."""
        return Ledger(self.agreement, self.dues, self.order, (*self.paid, payment))

    def tally(self, on: dt.date) -> performance.Tally:
        """The unaccelerated surplus on ``on`` as running totals, for payments to come one
        at a time (:class:`~jintiao.domain.performance.Tally`)."""
        return performance.Tally(self.dues, self.paid, on, self.order)

    def surplus(self, on: dt.date, accelerated: Acceleration | None = None) -> Decimal:
        """What has been paid beyond everything owed on ``on``: beyond the instalments
        while performing; after default, beyond the instalments as accelerated, the
        concessions revived and the doubled interest as well."""
        if accelerated is None:
            return self.account(on).surplus
        return performance.outstanding(
            self.dues, self.paid, as_of=max(on, accelerated.on), accelerated_on=accelerated.on,
            order=self.order, revived=self.revived, late_daily_rate=accelerated.late_daily_rate
        ).surplus

    @property
    def acceleration_missed(self) -> int:
        return int(self.agreement.content["terms"]["acceleration_missed"])

    @property
    def revived(self) -> Decimal:
        """The conditional concessions the agreement revives on default."""
        return Decimal(self.agreement.content["terms"].get("conditional_waived", "0.00"))


@dataclass(frozen=True)
class Acceleration:
    """A default's acceleration: the day every instalment fell due, and the daily rate of
    the doubled interest (only under a confirmation ruling, an enforceable document)."""

    on: dt.date
    late_daily_rate: Decimal | None


ACCELERATED_STATES = frozenset({State.DEFAULTED, State.ENFORCEMENT})


def acceleration_of(dispute: Dispute) -> Acceleration | None:
    """The acceleration in force: while the dispute is in default or enforcement (a cure
    ends it), or closed after an application to enforce. No query while performing."""
    state = State(dispute.state)
    if state not in ACCELERATED_STATES | {State.CLOSED}:
        return None
    found = Enforcement.objects.filter(dispute=dispute).first()
    if found is None or (state == State.CLOSED and found.status != Enforcement.Status.FILED):
        return None
    rate = (mediation.policy_of(dispute).late_performance_daily_rate
            if confirmation_of(dispute) else None)
    return Acceleration(found.accelerated_on, rate)


def to_refund(dispute: Dispute, on: dt.date | None = None) -> Decimal:
    """What the debtor paid beyond everything owed: the surplus to refund."""
    ledger = ledger_of(dispute)
    if ledger is None or State(dispute.state) not in PERFORMED_STATES:
        return Decimal("0.00")
    return ledger.surplus(on or clock.today(), acceleration_of(dispute))


def ledger_of(dispute: Dispute) -> Ledger | None:
    """The dispute's ledger (two queries), or None while no agreement is in effect."""
    agreement = agreements.effective(dispute)
    if agreement is None:
        return None
    return _ledger(agreement, paid_of(dispute))


def ledgers_of(dispute_ids: Sequence[int]) -> dict[int, Ledger | None]:
    """What :func:`ledger_of` reads for each dispute, for many at once: two queries a
    batch of disputes, whatever their number of payments (a bank's payments file)."""
    found: dict[int, Ledger | None] = {}
    for batch in batches(sorted(set(dispute_ids))):
        effective: dict[int, Agreement] = {}
        for a in (Agreement.objects.filter(dispute_id__in=batch,
                                           status=Agreement.Status.EFFECTIVE).order_by("pk")):
            effective.setdefault(a.dispute_id, a)  # the first, as agreements.effective
        paid: dict[int, list[Paid]] = {pk: [] for pk in batch}
        for dispute_id, reference, paid_on, amount in (
                Payment.objects.filter(dispute_id__in=batch, reversed_at__isnull=True)
                .values_list("dispute_id", "reference", "paid_on", "amount")):
            paid[dispute_id].append(Paid(reference, paid_on, amount))
        found.update({pk: _ledger(effective[pk], paid[pk]) if pk in effective else None
                      for pk in batch})
    return found


_T = TypeVar("_T")
IN_BATCH = 2000  # values named in one query: well below SQLite's limit of variables


def batches(items: Sequence[_T], size: int = IN_BATCH) -> Iterator[Sequence[_T]]:
    """``items`` a query's worth at a time."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def payments_under(references: Sequence[str], *, dispute_ids: Sequence[int],
                   bank_ids: Sequence[int]) -> list[Payment]:
    """The payments, reversed ones too, under any of ``references`` on one of the disputes
    or under one of the banks: what a payments file's references may already be booked as
    (a query a batch of references and disputes, by the two unique indexes)."""
    found: dict[int, Payment] = {}
    for ids in batches(dispute_ids) if dispute_ids else [()]:
        for refs in batches(references):
            found.update((p.pk, p) for p in Payment.objects.filter(
                Q(dispute_id__in=ids) | Q(bank_id__in=bank_ids), reference__in=refs))
    return list(found.values())


def _ledger(agreement: Agreement, paid: list[Paid]) -> Ledger:
    return Ledger(agreement, tuple(dues_of(agreement)), order_of(agreement), tuple(paid))


PERFORMED_STATES = frozenset({State.PERFORMING, State.PERFORMED, State.DEFAULTED,
                              State.ENFORCEMENT, State.CLOSED})


def account_of(dispute: Dispute, on: dt.date | None = None) -> Account | None:
    """Every instalment's standing on ``on`` (today by default) as it stands for the
    debtor: after default, every instalment fell due on the day of acceleration. None
    before performance begins (and while a rejected agreement goes back to mediation)."""
    if State(dispute.state) not in PERFORMED_STATES:
        return None
    ledger = ledger_of(dispute)
    if ledger is None:
        return None
    return ledger.account(on or clock.today(), acceleration_of(dispute))


def confirmation_of(dispute: Dispute) -> Application | None:
    return Application.objects.filter(dispute=dispute,
                                      status=Application.Status.CONFIRMED).first()


def outstanding_of(dispute: Dispute, *, accelerated_on: dt.date, as_of: dt.date,
                   costs: Decimal = Decimal("0.00"), ledger: Ledger | None = None
                   ) -> Outstanding:
    """The amount to enforce on ``as_of``: late-performance interest runs only under a
    confirmation ruling (an enforceable legal document)."""
    ledger = ledger or ledger_of(dispute)
    if ledger is None:
        raise performance.PerformanceInvalid("协议尚未生效", "no effective agreement")
    rate = (mediation.policy_of(dispute).late_performance_daily_rate
            if confirmation_of(dispute) else None)
    return performance.outstanding(ledger.dues, ledger.paid, as_of=as_of,
                                   accelerated_on=accelerated_on, order=ledger.order,
                                   revived=ledger.revived, costs=costs, late_daily_rate=rate)


def enforcement_last_day(dispute: Dispute, agreement: Agreement) -> periods.Deadline:
    """Two years (by policy) from the last instalment's due date (CPL Art. 250)."""
    last_due = dt.date.fromisoformat(agreement.content["terms"]["schedule"][-1]["due_on"])
    return periods.deadline(last_due, mediation.policy_of(dispute).enforcement_application_limit,
                            working_calendar())


def bank_of(institution: Organization | None) -> Organization | None:
    """The bank whose transaction references a payment carries: the top of the unbroken run
    of institution nodes above (and including) ``institution``, so a branch's references
    and its bank's are one series."""
    if institution is None or institution.kind not in INSTITUTION_KINDS:
        return None
    if institution.parent_id is None:
        return institution
    bank = institution
    for node in ancestors(institution)[1:]:
        if node.kind not in INSTITUTION_KINDS:
            break
        bank = node
    return bank


@dataclass(frozen=True)
class WaitingLetter:
    """A credit-repair letter waiting for the institution to confirm the correction."""

    repair: CreditRepair
    dispute: Dispute
    due_on: dt.date  # the policy's time to confirm, from the day the letter was sent
    overdue: bool

    @property
    def reminded_at(self) -> dt.datetime | None:
        return self.repair.reminded_at


def waiting_letters() -> QuerySet[CreditRepair]:
    """Every letter sent and neither confirmed nor withdrawn, oldest first."""
    return (CreditRepair.objects.filter(confirmed_at__isnull=True, withdrawn_at__isnull=True)
            .select_related("dispute__policy_version", "dispute__institution")
            .order_by("requested_at", "pk"))


def letter_due_on(repair: CreditRepair) -> periods.Deadline:
    """The day the institution should have confirmed the letter by (policy, from the day
    it was sent; 征信业管理条例 Art. 25 gives twenty days to check and answer)."""
    return periods.deadline(repair.requested_at.astimezone(clock.TZ).date(),
                            mediation.policy_of(repair.dispute).credit_repair_limit,
                            working_calendar())


def credit_repairs_waiting(viewer: User, today: dt.date) -> list[WaitingLetter]:
    """The letters waiting on ``viewer``'s institution: for its agents and approvers (and
    those of a node above), soonest due first."""
    node = viewer.organization
    if node is None or not holds(viewer, Role.AGENT, Role.APPROVER):
        return []
    rows = waiting_letters().filter(dispute__institution__in=subtree(node))
    found = [WaitingLetter(r, r.dispute, due.due_on, today > due.due_on)
             for r in rows for due in (letter_due_on(r),)]
    return sorted(found, key=lambda w: (w.due_on, w.dispute.pk))
