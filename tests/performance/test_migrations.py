"""The payments migration on old data: a reference booked twice under one bank (the fault
the new constraint ends) must not stop the upgrade."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jintiao import clock
from tests.performance.helpers import second_performing

BEFORE = [("performance", "0001_initial")]
AFTER = [("performance", "0002_payments_surplus_bank_reference_reversal_and_reminders")]


@pytest.mark.django_db(transaction=True)
def test_old_payments_get_their_bank_and_an_old_duplicate_does_not_fail_the_upgrade(
        desk, performing):

    other = second_performing(desk)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Payment = old.get_model("performance", "Payment")
    for dispute in (performing, other):  # the same bank transaction on two disputes
        Payment.objects.create(dispute_id=dispute.pk, agreement_id=dispute.agreements.get(
            status="effective").pk, reference="TX-1", paid_on=dt.date(2027, 1, 20),
            amount=Decimal("100.00"), source="desk", recorded_by_id=desk.agent.pk,
            recorded_at=clock.now())

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps.get_model("performance", "Payment")
    assert sorted((p.dispute_id, p.bank_id) for p in new.objects.all()) == [
        (performing.pk, desk.bank.pk), (other.pk, None)]
