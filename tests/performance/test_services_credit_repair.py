"""The credit-repair letter after full performance, and the institution's confirmation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from jintiao import clock
from jintiao.domain.money import format_amount
from jintiao.performance.models import CreditRepair
from jintiao.performance.services import payment_record
from tests.performance.helpers import at, instalment, total

JAN = dt.date(2027, 1, 20)


def record(w, dispute, reference: str, amount: D, **more):
    with clock.pinned(at(JAN)):
        return payment_record(actor=w.agent, dispute_id=dispute.pk, reference=reference,
                              paid_on=JAN, amount=amount, **more)


class TestLetter:
    def test_the_letter_states_what_was_received_and_the_surplus_to_refund(self, desk,
                                                                          performing):
        """Regression: the letter stated the scheduled total, not what the debtor paid."""
        record(desk, performing, "FIRST", instalment(performing))
        record(desk, performing, "REST", total(performing) - instalment(performing) + 10,
               surplus_intended=True)

        letter = CreditRepair.objects.get(dispute=performing).letter.html

        assert f"共还款{format_amount(total(performing) + 10)}元" in letter
        assert "其中超出协议约定金额10.00元，应退还" in letter

    def test_without_a_surplus_the_letter_says_nothing_of_a_refund(self, desk, performing):
        record(desk, performing, "ALL", total(performing))

        letter = CreditRepair.objects.get(dispute=performing).letter.html

        assert f"共还款{format_amount(total(performing))}元" in letter
        assert "退还" not in letter
