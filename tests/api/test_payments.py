"""Payments through the API: what one costs in queries, the surplus the caller must state,
a bank's reference used once, reversal by the desk and the payments list by pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jintiao import clock
from jintiao.orgs.services import system_actor
from tests.api.client import TOKEN_CHECK_QUERIES, Api
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, confirm
from tests.performance.helpers import at, second_performing

# token, savepoint, roles, the locked dispute, the bank above the branch, the reference,
# the agreement, the payments, the insert (in a savepoint: two more), the version, the event
# (last link, insert, figures backlog), release; and the token's check
BUDGET = 16 + TOKEN_CHECK_QUERIES


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
            api.get("/me")  # the token's use is written once a minute, not in each payment
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


@pytest.fixture
def performing(desk, mediating):
    return performing_on(desk, mediating, 12)


def owed(dispute) -> Decimal:
    return Decimal(dispute.agreements.get(status="effective").content["terms"]["total"])


class TestSurplus:
    def test_more_than_is_owed_is_refused_with_its_own_code_then_taken_when_stated(
            self, desk, performing):
        api = Api(desk.agent)
        body = {"reference": "OVER", "paid_on": "2027-01-20",
                "amount": f"{owed(performing) + 10:.2f}"}
        with clock.pinned(at(dt.date(2027, 1, 20))):
            refused = ok(api.post(f"/disputes/{performing.pk}/payments", body), 400)
            taken = ok(api.post(f"/disputes/{performing.pk}/payments",
                                {**body, "surplus_intended": True}), 201)
            state = ok(api.get(f"/disputes/{performing.pk}/performance"))

        assert refused["code"] == "payment_exceeds_outstanding"
        assert refused["details"]["surplus"] == "10.00"
        assert (taken["surplus"], taken["surplus_intended"]) == ("10.00", True)
        assert state["to_refund"] == "10.00"
        assert state["payments"][0]["surplus_intended"] is True

    def test_a_file_answers_every_line(self, desk, performing):
        csv = ("dispute,reference,paid_on,amount,surplus_intended\n"
               f"{performing.number},F-1,2027-01-20,100.00,\n"
               f"{performing.number},F-2,2027-01-20,{owed(performing):.2f},\n")
        with clock.pinned(at(dt.date(2027, 1, 20))):
            done = ok(Api(desk.agent).upload(
                f"/institutions/{desk.branch.pk}/payments.csv",
                {"file": SimpleUploadedFile("p.csv", csv.encode(), "text/csv")}, {}))

        assert [(r["line"], r["status"], r["code"]) for r in done["rows"]] == [
            (2, "not_recorded", ""), (3, "refused", "payment_exceeds_outstanding")]
        assert done["errors"] == [{"line": 3, "message": done["rows"][1]["message"]}]


class TestPaymentsList:
    def test_the_payments_come_a_page_at_a_time(self, desk, performing):
        api = Api(desk.agent)
        with clock.pinned(at(dt.date(2027, 1, 20))):
            for n in range(5):
                ok(pay(api, performing, f"P-{n}", "1.00"), 201)
            first = ok(api.get(f"/disputes/{performing.pk}/payments", limit=2))
            last = ok(api.get(f"/disputes/{performing.pk}/payments", limit=2, offset=4))
            state = ok(api.get(f"/disputes/{performing.pk}/performance"))

        assert first["count"] == 5
        assert [p["reference"] for p in first["items"]] == ["P-0", "P-1"]
        assert [p["reference"] for p in last["items"]] == ["P-4"]
        assert state["payments_count"] == 5
        assert Api(desk.other_agent).get(f"/disputes/{performing.pk}/payments").status_code \
            == 404


class TestReference:
    def test_a_banks_reference_booked_on_one_dispute_is_refused_on_another(self, desk,
                                                                           performing):
        other = second_performing(desk)
        api = Api(desk.agent)
        with clock.pinned(at(dt.date(2027, 1, 20))):
            ok(pay(api, performing, "TX-1"), 201)
            refused = ok(pay(api, other, "TX-1"), 400)
            csv = ("dispute,reference,paid_on,amount\n"
                   f"{other.number},TX-2,2027-01-20,100.00\n"
                   f"{performing.number},TX-2,2027-01-20,100.00\n")
            done = ok(api.upload(f"/institutions/{desk.branch.pk}/payments.csv",
                                 {"file": SimpleUploadedFile("p.csv", csv.encode())}, {}))

        assert refused["code"] == "performance_invalid"
        assert "另一纠纷" in refused["message"]
        assert [(r["line"], r["status"]) for r in done["rows"]] == [
            (2, "not_recorded"), (3, "refused")]
        assert "另一纠纷" in done["rows"][1]["message"]


class TestReversal:
    def test_the_desk_reverses_with_a_reason_the_bank_may_not_an_outsider_sees_nothing(
            self, desk, performing):
        bank, mediator = Api(desk.agent), Api(desk.mediator)
        with clock.pinned(at(dt.date(2027, 1, 20))):
            paid = ok(pay(bank, performing, "TX-1"), 201)
            path = f"/payments/{paid['id']}/reversal"
            assert ok(bank.post(path, {"reason": "录错"}), 403)["code"] == "permission_denied"
            assert ok(mediator.post(path, {"reason": ""}), 422)["code"] == "validation_error"
            assert Api(desk.other_agent).post(path, {"reason": "x"}).status_code == 404
            done = ok(mediator.post(path, {"reason": "银行退回"}))
            again = ok(mediator.post(path, {"reason": "银行退回"}), 400)
            state = ok(bank.get(f"/disputes/{performing.pk}/performance"))

        assert (done["reversal_reason"], done["reversed_by"]) == ("银行退回", str(desk.mediator))
        assert done["reversed_at"] is not None
        assert again["code"] == "performance_invalid"
        assert state["total_paid"] == "0.00"
        assert state["payments"][0]["reversal_reason"] == "银行退回"
