"""Allocation of payments, standings, acceleration and the amount to enforce."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.performance import (
    DEFAULT_ORDER,
    Due,
    Paid,
    Part,
    PaymentExceedsOutstanding,
    PerformanceInvalid,
    Status,
    Tally,
    acceleration_day,
    acceleration_met,
    account_on,
    outstanding,
    surplus_of,
)

DUES = [Due(n, dt.date(2027, n, 20), D("10.00"), D("5.00"), D("100.00")) for n in range(1, 7)]


def test_a_payment_settles_charges_then_interest_then_principal_oldest_first():
    account = account_on(DUES, [Paid("a", dt.date(2027, 1, 20), D("130.00"))],
                         dt.date(2027, 2, 21))
    first, second = account.standings[:2]
    assert first.status is Status.PAID
    assert not first.paid_late
    assert [(a.part, a.amount) for a in second.applied] == [(Part.ARREARS, D("10.00")),
                                                            (Part.INTEREST, D("5.00"))]
    assert second.status is Status.PARTIAL
    assert second.unpaid == D("100.00")
    assert account.next_due.due.number == 3


def test_two_missed_instalments_meet_a_two_instalment_clause():
    paid = [Paid(f"p{n}", d.due_on, D("115.00")) for n, d in enumerate(DUES[:2])]
    assert not acceleration_met(account_on(DUES, paid, dt.date(2027, 3, 21)), 2)
    late = account_on(DUES, paid, dt.date(2027, 6, 1))
    assert acceleration_met(late, 2)
    assert acceleration_day(late, 2) == dt.date(2027, 4, 21)  # not the day someone looked


def test_a_reference_counts_once_and_payments_are_positive():
    with pytest.raises(PerformanceInvalid, match="流水号重复"):
        account_on(DUES, [Paid("a", dt.date(2027, 1, 1), D("1")),
                          Paid("a", dt.date(2027, 1, 2), D("1"))], dt.date(2027, 2, 1))
    with pytest.raises(PerformanceInvalid, match="大于零"):
        account_on(DUES, [Paid("a", dt.date(2027, 1, 1), D("0"))], dt.date(2027, 2, 1))


def test_unconfirmed_agreements_carry_no_late_performance_interest():
    out = outstanding(DUES, [], as_of=dt.date(2027, 3, 1), accelerated_on=dt.date(2027, 3, 1),
                      revived=D("20.00"))
    assert out.late_interest == 0
    assert out.interest_not_accrued == D("20.00")  # instalments 3–6 had accrued none
    assert out.total == D("690.00") - D("20.00") + D("20.00")


def test_late_interest_counts_the_days_before_a_late_payment_and_principal_only():
    """Regression (review): paying a late instalment used to erase its late days, and the
    base included interest and charges."""
    paid = [Paid("late", dt.date(2027, 3, 1), D("230.00"))]  # instalments 1 and 2, late
    out = outstanding(DUES, paid, as_of=dt.date(2027, 3, 21),
                      accelerated_on=dt.date(2027, 3, 21), late_daily_rate=D("0.000175"))
    # 1: 100 principal late 1-20 → 3-1 (40 days); 2: 2-20 → 3-1 (9); 3: 3-20 → 3-21 (1)
    assert out.late_interest == ((D(100) * 40 + D(100) * 9 + D(100) * 1)
                                 * D("0.000175")).quantize(D("0.01"))


def test_after_acceleration_payments_go_to_what_is_owed_not_to_unaccrued_interest():
    """Regression (review): a payment after acceleration was spent on future interest that
    the acceleration had dropped, and the debtor lost it."""
    paid = [Paid("after", dt.date(2027, 3, 25), D("300.00"))]
    out = outstanding(DUES, paid, as_of=dt.date(2027, 3, 25),
                      accelerated_on=dt.date(2027, 3, 21))
    assert out.paid == D("300.00")
    assert out.interest_not_accrued == D("15.00")  # instalments 4–6
    assert out.total == D("690.00") - D("15.00") - D("300.00")


class TestSurplus:
    def test_money_beyond_the_accelerated_instalments_pays_revived_costs_then_late_interest(
            self):
        """After default the debtor owes more than the instalments: the concessions revived,
        the creditor's costs and, last, the doubled interest (SPC 2014 interpretation Art. 4);
        only money beyond all of it is a surplus to refund."""
        owed = outstanding(DUES, [], as_of=dt.date(2027, 3, 25),
                           accelerated_on=dt.date(2027, 3, 21), revived=D("50.00"),
                           costs=D("20.00"), late_daily_rate=D("0.000175"))
        assert owed.surplus == 0
        paid = [Paid("all", dt.date(2027, 3, 25), owed.total + D("7.00"))]

        out = outstanding(DUES, paid, as_of=dt.date(2027, 3, 25),
                          accelerated_on=dt.date(2027, 3, 21), revived=D("50.00"),
                          costs=D("20.00"), late_daily_rate=D("0.000175"))

        assert (out.revived, out.costs, out.late_interest, out.total) == (0, 0, 0, 0)
        assert out.surplus == D("7.00")
        assert out.paid == owed.total

    def test_part_of_the_late_interest_left_unpaid_leaves_no_surplus(self):
        owed = outstanding(DUES, [], as_of=dt.date(2027, 3, 25),
                           accelerated_on=dt.date(2027, 3, 21), late_daily_rate=D("0.000175"))
        paid = [Paid("most", dt.date(2027, 3, 25), owed.total - D("0.01"))]

        out = outstanding(DUES, paid, as_of=dt.date(2027, 3, 25),
                          accelerated_on=dt.date(2027, 3, 21), late_daily_rate=D("0.000175"))

        assert (out.late_interest, out.total, out.surplus) == (D("0.01"), D("0.01"), 0)

    def test_a_payment_beyond_what_is_owed_is_refused_unless_the_surplus_is_stated(self):
        with pytest.raises(PaymentExceedsOutstanding, match=r"多付30\.00元") as refused:
            surplus_of(D("100.00"), before=D("0.00"), after=D("30.00"), intended=False)
        assert refused.value.details["owed"] == D("70.00")

        assert surplus_of(D("100.00"), before=D("0.00"), after=D("30.00"),
                          intended=True) == D("30.00")
        assert surplus_of(D("100.00"), before=D("5.00"), after=D("5.00"),
                          intended=False) == 0  # an earlier surplus is not this payment's


payments = st.lists(st.tuples(st.integers(0, 200), st.decimals("0.01", "300", places=2)),
                    max_size=12)


@given(payments, st.integers(0, 220))
def test_every_fen_paid_is_applied_or_surplus(raw, day):
    paid = [Paid(f"r{i}", dt.date(2027, 1, 1) + dt.timedelta(days=d), a)
            for i, (d, a) in enumerate(raw)]
    on = dt.date(2027, 1, 1) + dt.timedelta(days=day)
    account = account_on(DUES, paid, on)
    counted = sum((p.amount for p in paid if p.paid_on <= on), D("0"))
    assert account.total_paid + account.surplus == counted
    assert account.outstanding + account.total_paid == sum(d.amount for d in DUES)
    for s in account.standings:
        assert 0 <= s.paid <= s.due.amount
        if s.status in (Status.PARTIAL, Status.LATE):
            assert on > s.due.due_on


@given(payments, st.integers(0, 220))
def test_the_missed_instalments_are_the_last_to_have_fallen_due(raw, day):
    """Paying the oldest first keeps the missed instalments consecutive, ending with the
    latest one due: what acceleration counts as "consecutive" instalments missed."""
    paid = [Paid(f"r{i}", dt.date(2027, 1, 1) + dt.timedelta(days=d), a)
            for i, (d, a) in enumerate(raw)]
    on = dt.date(2027, 1, 1) + dt.timedelta(days=day)
    account = account_on(DUES, paid, on)
    fallen_due = [d.number for d in DUES if d.due_on < on]
    missed = [s.due.number for s in account.missed]
    assert missed == fallen_due[len(fallen_due) - len(missed):]


@given(payments, st.integers(0, 220), st.sampled_from([(Part.PRINCIPAL, Part.INTEREST,
                                                        Part.ARREARS), DEFAULT_ORDER]))
def test_a_tally_of_payments_one_at_a_time_has_the_accounts_surplus_after_each(raw, day,
                                                                              order):
    """A bank's file checks each line against running totals: after every payment, the
    surplus they give is the one allocating all the payments again gives."""
    paid = [Paid(f"r{i}", dt.date(2027, 1, 1) + dt.timedelta(days=d), a)
            for i, (d, a) in enumerate(raw)]
    on = dt.date(2027, 1, 1) + dt.timedelta(days=day)
    half = len(paid) // 2
    tally = Tally(DUES, paid[:half], on, order)
    assert tally.surplus == account_on(DUES, paid[:half], on, order).surplus
    for n in range(half, len(paid)):
        after = account_on(DUES, paid[:n + 1], on, order).surplus
        assert tally.surplus_adding(paid[n]) == after
        tally.add(paid[n])
        assert tally.surplus == after


def test_a_tally_refuses_what_an_account_refuses():
    first = Paid("a", dt.date(2027, 1, 1), D("1"))
    tally = Tally(DUES, [first], dt.date(2027, 2, 1))
    for bad, message in [(Paid("a", dt.date(2027, 1, 2), D("1")), "流水号重复"),
                         (Paid("b", dt.date(2027, 1, 2), D("0")), "大于零")]:
        with pytest.raises(PerformanceInvalid, match=message):
            account_on(DUES, [first, bad], dt.date(2027, 2, 1))
        with pytest.raises(PerformanceInvalid, match=message):
            tally.surplus_adding(bad)
    with pytest.raises(PerformanceInvalid, match="冲抵顺序"):
        Tally(DUES, [], dt.date(2027, 2, 1), (Part.PRINCIPAL,))
    with pytest.raises(PerformanceInvalid, match="没有分期"):
        Tally([], [], dt.date(2027, 2, 1))


class TestAcceleration:
    def test_after_acceleration_no_instalment_is_still_to_come(self):
        """Regression: after default the instalments not yet due still read 待还."""
        paid = [Paid("p1", DUES[0].due_on, D("115.00"))]

        account = account_on(DUES, paid, dt.date(2027, 3, 25),
                             accelerated_on=dt.date(2027, 3, 21))

        assert [s.status for s in account.standings] == [Status.PAID] + [Status.LATE] * 5
        assert account.next_due is None
        fourth = account.standings[3]
        assert (fourth.due.due_on, fourth.scheduled_on) == (dt.date(2027, 3, 21),
                                                             dt.date(2027, 4, 20))
        assert fourth.due.interest == 0  # not accrued, dropped with the acceleration
        assert account.standings[2].scheduled_on is None  # fell due before: unchanged
