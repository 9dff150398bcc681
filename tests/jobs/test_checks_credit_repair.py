"""The daily jobs: the institution reminded, once, of a credit-repair letter left waiting."""

from __future__ import annotations

import datetime as dt

from jintiao import clock
from jintiao.jobs import checks
from jintiao.performance.models import CreditRepair
from jintiao.performance.services import payment_record
from jintiao.timeline.models import Event
from tests.performance.helpers import at, total

JAN = dt.date(2027, 1, 20)


class TestCreditRepairReminders:
    def test_a_letter_left_past_its_day_is_reminded_once(self, desk, performing):
        """Regression: a letter could wait unconfirmed for ever, with nobody reminded."""
        with clock.pinned(at(JAN)):
            payment_record(actor=desk.agent, dispute_id=performing.pk, reference="ALL",
                           paid_on=JAN, amount=total(performing))
        with clock.pinned(at(dt.date(2027, 2, 9))):
            assert checks.run(["credit_repairs"]) == {"credit_repairs": 0}  # still in time
        with clock.pinned(at(dt.date(2027, 2, 10))):
            assert checks.run(["credit_repairs"]) == {"credit_repairs": 1}
            assert checks.run(["credit_repairs"]) == {"credit_repairs": 0}  # once

        repair = CreditRepair.objects.get(dispute=performing)
        assert repair.reminded_at is not None
        event = Event.objects.get(dispute=performing, type="credit_repair.reminded")
        assert event.params["due_on"] == "2027-02-09"
        assert event.actor.username == "jintiao-system"
