"""The institution's queue of credit-repair letters waiting for its confirmation."""

from __future__ import annotations

import datetime as dt

from jintiao import clock
from jintiao.performance import selectors
from jintiao.performance.services import credit_repair_confirm, payment_record
from tests.performance.helpers import at, total

JAN = dt.date(2027, 1, 20)


def complete(w, dispute):
    with clock.pinned(at(JAN)):
        payment_record(actor=w.agent, dispute_id=dispute.pk, reference="ALL", paid_on=JAN,
                       amount=total(dispute))


class TestWaitingLetters:
    def test_the_creditors_agents_see_the_letter_waiting_with_the_day_it_is_due(
            self, desk, performing):
        complete(desk, performing)

        waiting = selectors.credit_repairs_waiting(desk.agent, JAN)

        assert [w.dispute.pk for w in waiting] == [performing.pk]
        # 征信业管理条例 Art. 25: twenty days to check and answer; the 20th is 2027-02-09
        assert waiting[0].due_on == dt.date(2027, 2, 9)
        assert not waiting[0].overdue
        assert [w.dispute.pk for w in selectors.credit_repairs_waiting(desk.hq_agent, JAN)] \
            == [performing.pk]
        assert selectors.credit_repairs_waiting(desk.other_agent, JAN) == []
        assert selectors.credit_repairs_waiting(desk.mediator, JAN) == []  # not theirs to do
        assert selectors.credit_repairs_waiting(desk.agent, dt.date(2027, 2, 10))[0].overdue

    def test_a_confirmed_letter_leaves_the_queue(self, desk, performing):
        complete(desk, performing)
        with clock.pinned(at(JAN)):
            credit_repair_confirm(actor=desk.agent, dispute_id=performing.pk, note="已更正")

        assert selectors.credit_repairs_waiting(desk.agent, JAN) == []
