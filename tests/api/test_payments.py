"""Payments through the API: what one costs in queries, the surplus the caller must state,
a bank's reference used once, reversal by the desk and the payments list by pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jintiao import clock
from jintiao.orgs.services import system_actor
from tests.api.client import Api
from tests.factories import flat
from tests.loop.helpers import accept_plan, agree, confirm
from tests.performance.conftest import CHARGES_SINCE, at

# token, savepoint, roles, the locked dispute, the reference, the agreement, the payments,
# the insert, the version, the event (last link, insert, figures backlog), release
BUDGET = 13


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def performing_on(w, dispute, periods: int):
    accept_plan(w, dispute, flat(periods))
    agree(w, dispute, CHARGES_SINCE)
    confirm(w, dispute)
    system_actor()  # exists in any running system: the first job run makes it
    dispute.refresh_from_db()
    return dispute


def pay(api: Api, dispute, reference: str, amount: str = "100.00"):
    return api.post(f"/disputes/{dispute.pk}/payments",
                    {"reference": reference, "paid_on": "2027-01-20", "amount": amount})


class TestQueryBudget:
    @pytest.mark.parametrize("periods", [12, 36])
    def test_a_payment_costs_a_fixed_number_of_queries_whatever_the_plan_and_history(
            self, desk, mediating, django_assert_max_num_queries, periods):
        """Regression: one payment cost 27 queries and read the agreement four times."""
        d = performing_on(desk, mediating, periods)
        api = Api(desk.agent)
        counts = []
        with clock.pinned(at(dt.date(2027, 1, 20))):
            for n in range(12):
                with CaptureQueriesContext(connection) as queries:
                    ok(pay(api, d, f"Q-{n}", "10.00"), 201)
                counts.append(len(queries))
            with django_assert_max_num_queries(BUDGET):
                ok(pay(api, d, "Q-last", "10.00"), 201)

        assert set(counts) == {counts[0]}, counts  # the tenth payment costs what the first did
        assert counts[0] <= BUDGET
        agreement_reads = [q for q in queries.captured_queries
                           if 'FROM "agreements_agreement"' in q["sql"]]
        assert len(agreement_reads) == 1
