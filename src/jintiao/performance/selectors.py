"""Reads of performance: the agreed instalments, their standing today, what is owed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jintiao import clock
from jintiao.agreements import selectors as agreements
from jintiao.agreements.models import Agreement
from jintiao.confirmation.models import Application
from jintiao.disputes.models import Dispute
from jintiao.domain import performance, periods
from jintiao.domain.lifecycle import State
from jintiao.domain.performance import Account, Due, Outstanding, Paid, Part
from jintiao.mediation import selectors as mediation
from jintiao.performance.models import Payment
from jintiao.policies.selectors import working_calendar


def dues_of(agreement: Agreement) -> list[Due]:
    return [Due(number=r["number"], due_on=dt.date.fromisoformat(r["due_on"]),
                arrears=Decimal(r["arrears"]), interest=Decimal(r["interest"]),
                principal=Decimal(r["principal"]))
            for r in agreement.content["terms"]["schedule"]]


def order_of(agreement: Agreement) -> tuple[Part, ...]:
    return tuple(Part(p) for p in agreement.content["terms"]["allocation_order"])


def paid_of(dispute: Dispute) -> list[Paid]:
    return [Paid(p.reference, p.paid_on, p.amount)
            for p in Payment.objects.filter(dispute=dispute)]


PERFORMED_STATES = frozenset({State.PERFORMING, State.PERFORMED, State.DEFAULTED,
                              State.ENFORCEMENT, State.CLOSED})


def account_of(dispute: Dispute, on: dt.date | None = None) -> Account | None:
    """Every instalment's standing on ``on`` (today by default); None before performance
    begins (and while a rejected agreement goes back to mediation)."""
    agreement = agreements.effective(dispute)
    if agreement is None or State(dispute.state) not in PERFORMED_STATES:
        return None
    return performance.account_on(dues_of(agreement), paid_of(dispute), on or clock.today(),
                                  order_of(agreement))


def confirmation_of(dispute: Dispute) -> Application | None:
    return Application.objects.filter(dispute=dispute,
                                      status=Application.Status.CONFIRMED).first()


def revived_of(agreement: Agreement) -> Decimal:
    return Decimal(agreement.content["terms"].get("conditional_waived", "0.00"))


def outstanding_of(dispute: Dispute, *, accelerated_on: dt.date, as_of: dt.date,
                   costs: Decimal = Decimal("0.00")) -> Outstanding:
    """The amount to enforce on ``as_of``: late-performance interest runs only under a
    confirmation ruling (an enforceable legal document)."""
    agreement = agreements.effective(dispute)
    if agreement is None:
        raise performance.PerformanceInvalid("协议尚未生效", "no effective agreement")
    rate = (mediation.policy_of(dispute).late_performance_daily_rate
            if confirmation_of(dispute) else None)
    return performance.outstanding(dues_of(agreement), paid_of(dispute), as_of=as_of,
                                   accelerated_on=accelerated_on, order=order_of(agreement),
                                   revived=revived_of(agreement), costs=costs,
                                   late_daily_rate=rate)


def enforcement_last_day(dispute: Dispute, agreement: Agreement) -> periods.Deadline:
    """Two years (by policy) from the last instalment's due date (CPL Art. 250)."""
    last_due = dues_of(agreement)[-1].due_on
    return periods.deadline(last_due, mediation.policy_of(dispute).enforcement_application_limit,
                            working_calendar())
