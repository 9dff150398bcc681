"""The ``explain`` field: a dispute's deadline, what is owed and the amount to enforce, and
the desk's affordability verdict say how they were computed — and no one reads a figure
through it that they could not read before."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from jintiao import clock
from jintiao.domain.policy import SOURCES
from jintiao.performance.models import Enforcement
from jintiao.performance.services import payment_record, performance_review
from tests.api.client import Api
from tests.performance.helpers import at, instalment


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


class TestDeadline:
    def test_the_dispute_says_how_its_deadline_was_computed(self, desk, mediating):
        shown = ok(Api(desk.mediator).get(f"/disputes/{mediating.pk}"))

        explained = shown["explain"]["deadline"]
        assert explained["kind"] == "deadline"
        facts = explained["facts"]
        assert facts["due_on"] == shown["deadline"]
        assert facts["basis"]["rule"] == "mediation_simple_limit"
        assert facts["basis"]["source"].startswith(SOURCES["mediation_simple_limit"])
        assert facts["basis"]["policy_version"] >= 1
        assert (facts["amount"], facts["unit"]) == (7, "working_days")
        assert [s["label"] for s in explained["steps"]][:3] == ["起算日", "期限", "计算方法"]
        assert explained["provisional"] is shown["deadline_provisional"]

    def test_the_creditors_agent_reads_the_same_and_an_outsider_nothing(self, desk, mediating):
        mine = ok(Api(desk.mediator).get(f"/disputes/{mediating.pk}"))
        agent = ok(Api(desk.agent).get(f"/disputes/{mediating.pk}"))

        assert agent["explain"] == mine["explain"]
        assert Api(desk.other_agent).get(f"/disputes/{mediating.pk}").status_code == 404
        assert Api(desk.other_clerk).get(f"/disputes/{mediating.pk}").status_code == 404

    def test_lists_leave_it_out(self, desk, mediating):
        listed = ok(Api(desk.mediator).get("/disputes"))

        assert listed["items"]
        assert all(item.get("explain") is None for item in listed["items"])


class TestPerformance:
    def test_what_is_owed_shows_each_payments_allocation(self, desk, performing):
        with clock.pinned(at(dt.date(2027, 1, 20))):
            payment_record(actor=desk.agent, dispute_id=performing.pk, reference="B-1",
                           paid_on=clock.today(), amount=instalment(performing))
        with clock.pinned(at(dt.date(2027, 2, 1))):
            shown = ok(Api(desk.mediator).get(f"/disputes/{performing.pk}/performance"))

        explained = shown["explain"]
        assert explained["kind"] == "account"
        assert explained["facts"]["outstanding"] == shown["outstanding"]
        (payment,) = explained["facts"]["allocations"]
        assert payment["reference"] == "B-1"
        assert sum(D(p["amount"]) for p in payment["parts"]) == instalment(performing)
        assert {p["number"] for p in payment["parts"]} == {1}

    def test_the_amount_to_enforce_is_explained_to_the_creditor(self, desk, performing):
        with clock.pinned(at(dt.date(2027, 3, 25))):
            assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"
            shown = ok(Api(desk.agent).get(f"/disputes/{performing.pk}/performance"))

        enforcement = shown["enforcement"]
        explained = enforcement["explain"]
        assert explained["kind"] == "enforcement"
        assert explained["facts"]["total"] == enforcement["total"]
        assert explained["facts"]["late_interest"] == enforcement["breakdown"]["late_interest"]
        stretches = explained["facts"]["late_stretches"]
        assert [(s["from"], s["to"], s["days"]) for s in stretches] == [
            (x["from"], x["to"], x["days"]) for x in enforcement["breakdown"]["late_days"]]
        assert explained["facts"]["accelerated_on"] == enforcement["accelerated_on"]
        assert shown["explain"]["facts"]["accelerated_on"] == enforcement["accelerated_on"]
        assert Enforcement.objects.get(dispute=performing).total == D(enforcement["total"])

    def test_an_outsider_reads_no_performance(self, desk, performing):
        assert Api(desk.other_agent).get(
            f"/disputes/{performing.pk}/performance").status_code == 404


class TestAffordability:
    PLANS = {"plans": [{"method": "flat", "periods": 12, "first_due": "2027-01-20"},
                       {"method": "flat", "periods": 60, "first_due": "2027-01-20"}]}

    def _declare(self, desk, dispute):
        debtor = dispute.party_rows.get(role="debtor")
        ok(Api(desk.mediator).put(f"/disputes/{dispute.pk}/budget", {
            "party_row_id": debtor.pk, "monthly_income": "12000", "other_obligations": "2000",
            "dependants": 1}))

    def test_the_desk_reads_how_each_verdict_was_reached(self, desk, mediating):
        self._declare(desk, mediating)

        plans = ok(Api(desk.mediator).post(f"/disputes/{mediating.pk}/plans/compare",
                                           self.PLANS))

        for plan in plans:
            explained = plan["explain"]
            facts = explained["facts"]
            assert explained["kind"] == "affordability"
            assert facts["affordable"] is plan["figures"]["affordable"]
            assert facts["max_payment"] == plan["figures"]["max_affordable_payment"]
            assert facts["monthly_income"] == "12000.00"
            assert facts["household_size"] == 2
            assert SOURCES["living_minimum_monthly"] in facts["living_minimum_source"]
        assert plans[0]["explain"]["facts"]["affordable"] is False  # 19,267.36 a month
        assert plans[1]["explain"]["facts"]["affordable"] is True

    def test_the_creditors_side_reads_no_debtors_means_through_it(self, desk, mediating):
        self._declare(desk, mediating)

        plans = ok(Api(desk.agent).post(f"/disputes/{mediating.pk}/plans/compare",
                                        self.PLANS))

        assert all(plan["explain"] is None for plan in plans)
        assert all("max_affordable_payment" not in plan["figures"] for plan in plans)
        assert Api(desk.other_agent).post(f"/disputes/{mediating.pk}/plans/compare",
                                          self.PLANS).status_code == 404
