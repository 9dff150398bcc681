"""Recording payments: a surplus only when stated, then shown as money to refund."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from jintiao import clock
from jintiao.domain.lifecycle import State
from jintiao.domain.performance import PaymentExceedsOutstanding, PerformanceInvalid
from jintiao.performance import selectors
from jintiao.performance.models import Payment
from jintiao.performance.services import (
    RowStatus,
    payment_record,
    payments_import,
    performance_review,
)
from jintiao.timeline.models import Event
from tests.performance.helpers import at, instalment, second_performing, total

JAN = dt.date(2027, 1, 20)


def record(w, dispute, reference: str, amount: D, day: dt.date = JAN, **more):
    with clock.pinned(at(day)):
        return payment_record(actor=w.agent, dispute_id=dispute.pk, reference=reference,
                              paid_on=day, amount=amount, **more)


class TestSurplus:
    def test_a_payment_above_what_is_owed_is_refused_and_nothing_is_written(self, desk,
                                                                           performing):
        """Regression: any amount was taken, the excess silently kept as a surplus."""
        events = Event.objects.filter(dispute=performing).count()

        with pytest.raises(PaymentExceedsOutstanding, match=r"多付10\.00元") as refused:
            record(desk, performing, "OVER", total(performing) + 10)

        assert refused.value.details["owed"] == total(performing)
        assert not Payment.objects.filter(dispute=performing).exists()
        assert Event.objects.filter(dispute=performing).count() == events
        performing.refresh_from_db()
        assert performing.state == State.PERFORMING

    def test_a_stated_surplus_is_recorded_and_is_money_to_refund(self, desk, performing):
        done = record(desk, performing, "OVER", total(performing) + 10, surplus_intended=True)

        assert done.payment.surplus_intended
        performing.refresh_from_db()
        assert performing.state == State.PERFORMED
        assert selectors.to_refund(performing, JAN) == D("10.00")
        event = Event.objects.get(dispute=performing, type="payment.recorded")
        assert event.params["surplus"] == "10.00"

    def test_the_statement_on_a_payment_within_what_is_owed_is_not_kept(self, desk,
                                                                         performing, client):
        """Regression: the box ticked on an ordinary instalment put "含多付，应退还" on its row
        of the payments table, though nothing was paid beyond what was owed."""
        done = record(desk, performing, "FIRST", instalment(performing), surplus_intended=True)

        assert done.surplus == 0
        assert not done.payment.surplus_intended
        client.force_login(desk.agent)
        with clock.pinned(at(JAN)):
            page = client.get(f"/disputes/{performing.pk}/performance/").content.decode()
        assert "FIRST" in page
        assert "含多付" not in page

    def test_only_the_payment_that_goes_beyond_needs_the_statement(self, desk, performing):
        record(desk, performing, "FIRST", instalment(performing))
        record(desk, performing, "SECOND", instalment(performing))
        left = total(performing) - 2 * instalment(performing)

        with pytest.raises(PaymentExceedsOutstanding):
            record(desk, performing, "REST", left + D("0.01"))
        record(desk, performing, "REST", left)

        performing.refresh_from_db()
        assert performing.state == State.PERFORMED
        assert selectors.to_refund(performing, JAN) == 0

    def test_in_default_the_revived_and_doubled_interest_are_owed_before_any_surplus(
            self, desk, performing):
        with clock.pinned(at(dt.date(2027, 2, 21))):
            assert performance_review(actor=desk.agent, dispute_id=performing.pk) == \
                "defaulted"
        performing.refresh_from_db()
        day = dt.date(2027, 3, 1)
        owed = selectors.outstanding_of(performing, accelerated_on=dt.date(2027, 2, 21),
                                        as_of=day)
        assert owed.late_interest > 0
        schedule_left = owed.principal + owed.interest + owed.arrears

        record(desk, performing, "ALL", owed.total, day)  # more than the instalments: no surplus

        assert owed.total > schedule_left
        assert selectors.to_refund(performing, day) == 0
        with pytest.raises(PaymentExceedsOutstanding):
            record(desk, performing, "MORE", D("1.00"), day)


class TestPaymentsFile:
    def test_each_line_is_answered_and_a_surplus_must_be_stated_on_its_line(self, desk,
                                                                           performing):
        """Regression: a file's line beyond what was owed was taken without a word."""
        over = total(performing) + 10
        csv = ("dispute,reference,paid_on,amount\n"
               f"{performing.number},F-1,2027-01-20,{instalment(performing)}\n"
               f"{performing.number},F-2,2027-01-20,{over}\n")
        with clock.pinned(at(JAN)):
            refused = payments_import(actor=desk.agent, institution=desk.branch, text=csv)

        assert refused.created == 0
        assert [(a.line, a.status, a.code) for a in refused.rows] == [
            (2, RowStatus.NOT_RECORDED, ""), (3, RowStatus.REFUSED, "payment_exceeds_outstanding")]
        assert "多付" in refused.rows[1].message
        assert not Payment.objects.filter(dispute=performing).exists()

        stated = ("dispute,reference,paid_on,amount,surplus_intended\n"
                  f"{performing.number},F-1,2027-01-20,{instalment(performing)},否\n"
                  f"{performing.number},F-2,2027-01-20,"
                  f"{total(performing) - instalment(performing) + 10},是\n")
        with clock.pinned(at(JAN)):
            done = payments_import(actor=desk.agent, institution=desk.branch, text=stated)

        assert [(a.status, a.surplus) for a in done.rows] == [
            (RowStatus.CREATED, 0), (RowStatus.CREATED, D("10.00"))]
        performing.refresh_from_db()
        assert performing.state == State.PERFORMED
        assert selectors.to_refund(performing, JAN) == D("10.00")

    def test_a_surplus_column_says_yes_or_no(self, desk, performing):
        csv = ("dispute,reference,paid_on,amount,surplus_intended\n"
               f"{performing.number},F-1,2027-01-20,1.00,也许\n")
        with clock.pinned(at(JAN)):
            done = payments_import(actor=desk.agent, institution=desk.branch, text=csv)

        assert done.errors == [(2, "surplus_intended列只能填“是”或“否”（或留空）")]


class TestReference:
    def test_a_banks_reference_is_one_payment_and_is_refused_on_a_second_dispute(
            self, desk, performing):
        """Regression: the same bank transaction could be booked against two disputes."""
        other = second_performing(desk)
        record(desk, performing, "TX-1", D("100.00"))
        events = Event.objects.filter(dispute=other).count()

        with pytest.raises(PerformanceInvalid, match="另一纠纷") as refused:
            record(desk, other, "TX-1", D("100.00"))

        assert refused.value.details["reference"] == "TX-1"
        assert performing.number not in refused.value.message  # maybe not the agent's to see
        assert not Payment.objects.filter(dispute=other).exists()
        assert Event.objects.filter(dispute=other).count() == events

    def test_a_repeat_on_the_same_dispute_is_still_the_payment_already_recorded(
            self, desk, performing):
        first = record(desk, performing, "TX-1", D("100.00"))
        again = record(desk, performing, "TX-1", D("100.00"))

        assert (first.created, again.created) == (True, False)
        assert again.payment.pk == first.payment.pk

    def test_a_payments_bank_is_the_top_of_the_creditors_tree(self, desk):
        assert selectors.bank_of(desk.branch) == desk.bank
        assert selectors.bank_of(desk.bank) == desk.bank
        assert selectors.bank_of(desk.other_bank) == desk.other_bank
        assert selectors.bank_of(None) is None
