"""Reversing a payment: the desk, with a reason; the row stays, marked, and every figure and
state that followed from the payment follows from its absence — a performed dispute performs
again, a reversal may leave a default, and after default what is enforced grows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from jintiao import clock
from jintiao.disputes.access import PermissionDenied
from jintiao.domain.lifecycle import Action, State, TransitionRefused
from jintiao.domain.performance import PerformanceInvalid
from jintiao.mediation.services import action_apply
from jintiao.performance import selectors
from jintiao.performance.models import CreditRepair, Enforcement, Payment
from jintiao.performance.services import (
    enforcement_apply,
    payment_record,
    payment_reverse,
    performance_review,
)
from jintiao.timeline.models import Event
from tests.performance.helpers import at, instalment, total

JAN, FEB, MAR = dt.date(2027, 1, 20), dt.date(2027, 2, 20), dt.date(2027, 3, 20)
REASON = "银行退回：该笔扣款因账户冻结未实际入账"


def record(w, dispute, reference: str, amount: D, day: dt.date = JAN, **more):
    with clock.pinned(at(day)):
        return payment_record(actor=w.agent, dispute_id=dispute.pk, reference=reference,
                              paid_on=day, amount=amount, **more).payment


def reverse(w, payment, day: dt.date, reason: str = REASON, actor=None):
    with clock.pinned(at(day)):
        return payment_reverse(actor=actor or w.mediator, payment_id=payment.pk, reason=reason)


def state_of(dispute) -> State:
    dispute.refresh_from_db()
    return State(dispute.state)


class TestReversal:
    def test_the_row_stays_marked_with_its_reason_and_counts_no_more(self, desk, performing):
        paid = record(desk, performing, "TX-1", instalment(performing))
        version = Payment.objects.get(pk=paid.pk).dispute.version

        reverse(desk, paid, dt.date(2027, 1, 25))

        kept = Payment.objects.get(pk=paid.pk)
        assert (kept.reversal_reason, kept.reversed_by) == (REASON, desk.mediator)
        assert kept.reversed_at is not None
        assert selectors.account_of(performing, dt.date(2027, 1, 25)).total_paid == 0
        event = Event.objects.get(dispute=performing, type="payment.reversed")
        assert event.params["reason"] == REASON
        assert event.params["reference"] == "TX-1"
        assert event.actor == desk.mediator
        performing.refresh_from_db()
        assert performing.version == version + 1

    def test_only_the_desk_reverses_once_and_with_a_reason(self, desk, performing):
        paid = record(desk, performing, "TX-1", instalment(performing))
        events = Event.objects.filter(dispute=performing).count()

        with pytest.raises(PermissionDenied):
            reverse(desk, paid, JAN, actor=desk.agent)
        with pytest.raises(PerformanceInvalid, match="原因"):
            reverse(desk, paid, JAN, reason="  ")
        assert Payment.objects.get(pk=paid.pk).reversed_at is None
        assert Event.objects.filter(dispute=performing).count() == events

        reverse(desk, paid, JAN)
        with pytest.raises(PerformanceInvalid, match="冲正"):
            reverse(desk, paid, JAN)

    def test_a_reversed_reference_is_booked_again_corrected_but_not_revived_by_a_resend(
            self, desk, performing):
        wrong = record(desk, performing, "TX-1", D("100.00"))
        reverse(desk, wrong, JAN, reason="金额录错，应为120元")

        with clock.pinned(at(JAN)):
            resent = payment_record(actor=desk.agent, dispute_id=performing.pk,
                                    reference="TX-1", paid_on=JAN, amount=D("100.00"))
            right = payment_record(actor=desk.agent, dispute_id=performing.pk,
                                   reference="TX-1", paid_on=JAN, amount=D("120.00"))

        assert (resent.created, resent.payment.pk) == (False, wrong.pk)
        assert right.created
        assert selectors.account_of(performing, JAN).total_paid == D("120.00")

    def test_reversing_the_payment_that_completed_the_plan_makes_the_dispute_perform_again(
            self, desk, performing):
        paid = record(desk, performing, "ALL", total(performing))
        assert state_of(performing) == State.PERFORMED

        reverse(desk, paid, dt.date(2027, 1, 25))

        assert state_of(performing) == State.PERFORMING
        repair = CreditRepair.objects.get(dispute=performing)
        assert repair.withdrawn_at is not None
        event = Event.objects.get(dispute=performing, type="dispute.reverse_completion")
        assert (event.state_before, event.state_after) == ("performed", "performing")

        # paid again, it completes again with a new letter
        record(desk, performing, "ALL-2", total(performing), dt.date(2027, 1, 28))
        assert state_of(performing) == State.PERFORMED
        again = CreditRepair.objects.get(dispute=performing)
        assert again.withdrawn_at is None
        assert again.letter_id != repair.letter_id

    def test_a_reversal_that_leaves_the_clause_met_is_a_default(self, desk, performing):
        first = record(desk, performing, "JAN", instalment(performing), JAN)
        record(desk, performing, "FEB", instalment(performing), FEB)

        reverse(desk, first, dt.date(2027, 3, 21))

        # February's payment now settles January, late: February and March are missed
        assert state_of(performing) == State.DEFAULTED
        assert Enforcement.objects.get(dispute=performing).accelerated_on == \
            dt.date(2027, 3, 21)

    def test_after_default_a_reversal_raises_what_is_enforced(self, desk, performing):
        paid = record(desk, performing, "JAN", instalment(performing), JAN)
        with clock.pinned(at(dt.date(2027, 3, 21))):
            assert performance_review(actor=desk.agent, dispute_id=performing.pk) == \
                "defaulted"
        before = Enforcement.objects.get(dispute=performing)
        assert before.accelerated_on == dt.date(2027, 3, 21)

        reverse(desk, paid, dt.date(2027, 3, 21))

        after = Enforcement.objects.get(dispute=performing)
        assert after.accelerated_on == dt.date(2027, 2, 21)  # January and February missed
        assert after.total > before.total + instalment(performing) - D("0.01")
        assert after.document_id != before.document_id
        assert state_of(performing) == State.DEFAULTED

    def test_after_the_application_is_filed_it_stands_and_the_event_says_what_is_owed(
            self, desk, performing):
        paid = record(desk, performing, "JAN", instalment(performing), JAN)
        with clock.pinned(at(dt.date(2027, 3, 21))):
            performance_review(actor=desk.agent, dispute_id=performing.pk)
            performing.refresh_from_db()
            filed = enforcement_apply(actor=desk.agent, dispute_id=performing.pk,
                                      expected_version=performing.version)

        reverse(desk, paid, dt.date(2027, 3, 22))

        assert Enforcement.objects.get(dispute=performing).total == filed.total
        event = Event.objects.get(dispute=performing, type="payment.reversed")
        assert D(event.params["outstanding"]) > filed.total

    def test_a_closed_dispute_is_not_reopened_by_a_reversal(self, desk, performing):
        paid = record(desk, performing, "ALL", total(performing))
        performing.refresh_from_db()
        action_apply(actor=desk.director, dispute_id=performing.pk, action=Action.CLOSE,
                     expected_version=performing.version, attested=["outcome_recorded"])

        with pytest.raises(TransitionRefused, match="已结案"):
            reverse(desk, paid, dt.date(2027, 1, 25))
        assert Payment.objects.get(pk=paid.pk).reversed_at is None
