"""The results file through the API (结果回传, issue 20 §7): who may read an institution's,
what each row says of a dispute under mediation and of one performing a confirmed
agreement, ``changed_since``, paging by cursor, and a page's cost whatever its length."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jintiao import clock
from jintiao.domain.lifecycle import Action, Role
from jintiao.mediation.services import action_apply
from jintiao.orgs.services import system_actor
from jintiao.performance.services import payment_record, performance_review
from jintiao.supervision.services import figures_refresh
from tests.api.client import Api
from tests.factories import UserFactory, intake, resident_id
from tests.performance.helpers import at, instalment

# the module (its package re-exports a function of the same name)
results_selectors = importlib.import_module("jintiao.supervision.selectors.results")


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def results(api: Api, institution, **query):
    return api.get(f"/institutions/{institution.pk}/results", **query)


def by_ref(body) -> dict:
    return {item["external_ref"] or item["number"]: item for item in body["items"]}


class TestWhoMayRead:
    def test_the_banks_agents_read_their_own_and_their_branches(self, world, cases):
        ours, _theirs = cases
        branch = ok(results(Api(world.agent), world.branch))
        bank = ok(results(Api(world.hq_agent), world.bank))

        assert [i["dispute_id"] for i in branch["items"]] == [ours.pk]
        assert [i["dispute_id"] for i in bank["items"]] == [ours.pk]
        assert bank["institution"] == {"id": world.bank.pk, "name": world.bank.name,
                                       "kind": "institution"}
        assert bank["items"][0]["institution"]["id"] == world.branch.pk

    def test_an_approver_above_and_an_administrator_read_it_too(self, desk, cases):
        admin = UserFactory(roles=[Role.ADMINISTRATOR])
        for user in (desk.approver, admin):
            assert ok(results(Api(user), desk.branch))["count"] == 1

    @pytest.mark.parametrize("who", ["other_agent", "clerk", "director", "judge", "supervisor",
                                     "mediator"])
    def test_anyone_else_is_refused_in_words(self, world, cases, who):
        response = results(Api(getattr(world, who)), world.branch)

        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "permission_denied"
        assert "经办人" in body["message"]

    def test_a_branch_agent_may_not_read_the_bank_above_it(self, world, cases):
        assert results(Api(world.agent), world.bank).status_code == 403

    @pytest.mark.parametrize("node", ["committee", "court"])
    def test_a_node_that_is_no_institution_is_not_found(self, world, node):
        response = results(Api(world.agent), getattr(world, node))

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert "金融机构不存在" in response.json()["message"]

    def test_an_unknown_institution_is_not_found(self, world):
        response = Api(world.agent).get("/institutions/999999/results")

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_without_a_token_it_is_unauthorized(self, world):
        response = Client().get(f"/api/v1/institutions/{world.branch.pk}/results")

        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"


class TestWhatARowSays:
    def test_a_dispute_under_mediation(self, world):
        d = intake(actor=world.clerk, committee=world.committee, institution=world.branch,
                   external_ref="KL-0001")
        action_apply(actor=world.clerk, dispute_id=d.pk, action=Action.ACCEPT,
                     expected_version=1, notice_served=True)

        body = ok(results(Api(world.agent), world.branch))

        row = by_ref(body)["KL-0001"]
        assert row["number"] == d.number
        assert (row["state"], row["state_label"]) == ("accepted", "已受理")
        assert (row["outcome"], row["outcome_label"]) == ("pending", "未办结")
        assert row["agreement"] is None
        assert row["confirmation"] is None
        assert row["payments"] == {"count": 0, "total": "0.00", "last_paid_on": None}
        assert row["in_default"] is False
        assert row["enforcement"] is None
        assert row["changed_at"] is not None
        assert row["changed_at"].endswith("+08:00")
        [debtor] = row["debtors"]
        assert debtor["name"].endswith("*")
        assert "*" in debtor["id_masked"]

    def test_a_confirmed_agreement_with_a_payment(self, desk, performing):
        system_actor()
        amount = instalment(performing)
        with clock.pinned(at(dt.date(2027, 1, 20))):
            payment_record(actor=desk.agent, dispute_id=performing.pk, reference="P-1",
                           paid_on=dt.date(2027, 1, 20), amount=amount)
            body = ok(results(Api(desk.agent), desk.branch))

        row = by_ref(body)[performing.number]
        assert (row["state"], row["outcome"]) == ("performing", "settled")
        assert row["outcome_label"] == "调解成功"
        assert row["agreement"] == {
            "version": 1, "effective_on": row["agreement"]["effective_on"],
            "total": "231208.40", "instalments": 12, "down_payment": None,
            "first_due_on": "2027-01-20", "last_due_on": "2027-12-20",
            "monthly_amount": f"{amount:.2f}"}
        confirmation = row["confirmation"]
        assert confirmation["status"] == "confirmed"
        assert confirmation["court"] == desk.court.name
        assert confirmation["case_number"]  # the court's 民特 number
        assert confirmation["ruled_on"] is not None
        assert row["payments"] == {"count": 1, "total": f"{amount:.2f}",
                                   "last_paid_on": "2027-01-20"}
        assert row["changed_at"].startswith("2027-01-20T10:00")

    def test_a_default_shows_the_acceleration_and_the_enforcement_to_apply_for(
            self, desk, performing):
        with clock.pinned(at(dt.date(2027, 2, 21))):
            assert performance_review(actor=desk.agent,
                                      dispute_id=performing.pk) == "defaulted"
            body = ok(results(Api(desk.agent), desk.branch))

        row = by_ref(body)[performing.number]
        assert row["in_default"] is True
        assert row["state"] == "defaulted"
        assert row["defaulted_on"] == "2027-02-21"
        assert row["accelerated_on"] is not None
        enforcement = row["enforcement"]
        assert enforcement["status"] == "prepared"
        assert enforcement["last_day"] == "2029-12-20"
        assert Decimal(enforcement["amount"]) > 0


@pytest.fixture
def timed(world):
    """Two disputes of the branch, received on 2030-01-10 and 2030-01-12 at ten."""
    made = []
    for day in (10, 12):
        with clock.pinned(at(dt.date(2030, 1, day))):
            made.append(intake(actor=world.clerk, committee=world.committee,
                               institution=world.branch, external_ref=f"T-{day}"))
    return made


class TestChangedSince:
    def ids(self, world, **query):
        with clock.pinned(at(dt.date(2030, 1, 13))):
            return [i["dispute_id"] for i in ok(results(Api(world.agent), world.branch,
                                                        **query))["items"]]

    def test_a_date_keeps_what_changed_from_that_days_first_moment(self, world, timed):
        early, late = timed

        assert self.ids(world, changed_since="2030-01-10") == [late.pk, early.pk]
        assert self.ids(world, changed_since="2030-01-11") == [late.pk]
        assert self.ids(world, changed_since="2030-01-13") == []

    def test_a_moment_counts_to_the_second_in_shanghai_or_its_own_offset(self, world, timed):
        _early, late = timed

        assert self.ids(world, changed_since="2030-01-12T10:00:00") == [late.pk]
        assert self.ids(world, changed_since="2030-01-12T10:00:01") == []
        assert self.ids(world, changed_since="2030-01-12T02:00:00Z") == [late.pk]
        assert self.ids(world, changed_since="2030-01-12T02:00:01+00:00") == []

    def test_a_later_change_brings_a_dispute_back(self, world, timed):
        early, late = timed
        with clock.pinned(at(dt.date(2030, 1, 12), hour=11)):
            action_apply(actor=world.clerk, dispute_id=early.pk, action=Action.ACCEPT,
                         expected_version=1, notice_served=True)

        assert self.ids(world, changed_since="2030-01-11") == [late.pk, early.pk]

    def test_a_window_of_many_events_finds_the_same_disputes(self, world, timed,
                                                              monkeypatch):
        """Past CHANGED_EVENTS_READ events the disputes are found by their own events."""
        early, late = timed
        monkeypatch.setattr(results_selectors, "CHANGED_EVENTS_READ", 1)

        assert self.ids(world, changed_since="2030-01-10") == [late.pk, early.pk]
        assert self.ids(world, changed_since="2030-01-11") == [late.pk]

    def test_the_answer_says_from_when_and_as_of_when(self, world, timed):
        with clock.pinned(at(dt.date(2030, 1, 13))):
            body = ok(results(Api(world.agent), world.branch, changed_since="2030-01-11"))

        assert body["changed_since"] == "2030-01-11T00:00:00+08:00"
        # ten minutes back: a bank's file commits after its events' time (issue 20 review)
        assert body["as_of"] == "2030-01-13T09:50:00+08:00"

    @pytest.mark.parametrize(("given", "code"), [
        ("yesterday", "date_invalid"), ("2030-02-30", "date_invalid"),
        ("0001-01-01", "date_invalid"), ("0001-01-01T00:00:00+14:00", "date_invalid"),
        ("2030-01-14", "date_in_future"), ("2030-01-13T10:00:01+08:00", "date_in_future")])
    def test_a_bad_or_future_moment_is_refused_in_chinese(self, world, given, code):
        with clock.pinned(at(dt.date(2030, 1, 13))):
            response = results(Api(world.agent), world.branch, changed_since=given)

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == code
        assert body["details"]["field"] == "changed_since"
        assert "changed_since" in body["message"]


class TestPaging:
    def test_the_cursor_walks_every_row_once_newest_received_first(self, world):
        made = [intake(actor=world.clerk, committee=world.committee, institution=world.branch,
                       external_ref=f"R-{n}").pk for n in range(5)]
        api, seen, cursor = Api(world.agent), [], None
        while True:
            body = ok(results(api, world.branch, limit=2, **({"cursor": cursor} if cursor
                                                              else {})))
            assert body["count"] == 5
            seen += [i["dispute_id"] for i in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break

        assert seen == sorted(made, reverse=True)  # received the same day: newest id first

    def test_a_cursor_from_another_list_is_refused(self, world):
        response = results(Api(world.agent), world.branch, cursor="nonsense")

        assert response.status_code == 400
        assert response.json()["code"] == "cursor_invalid"


def test_a_page_costs_the_same_queries_whatever_its_length(desk, performing):
    """The rows' agreements, applications, payments, enforcements, events and debtors are
    read once for the page, not once a row."""
    api = Api(desk.agent)
    api.get("/me")  # the token's last use is written once a minute

    def cost() -> int:
        figures_refresh()  # what the new disputes' events left to fold (a batch at a time)
        with CaptureQueriesContext(connection) as queries:
            ok(results(api, desk.branch))
        return len(queries)

    few = cost()
    for _ in range(4):
        intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch)

    assert cost() == few


def test_no_full_identity_number_in_the_answer(world):
    d = intake(actor=world.clerk, committee=world.committee, institution=world.branch,
               serial=4242)

    text = results(Api(world.agent), world.branch).content.decode()

    assert resident_id(4242) not in text
    assert "13812345678" not in text
    assert str(d.pk) in text


def test_the_operation_is_documented_with_an_example():
    from jintiao.api import api

    op = api.get_openapi_schema()["paths"]["/api/v1/institutions/{institution_id}/results"]["get"]
    example = op["responses"][200]["content"]["application/json"]["example"]
    assert example["items"][0]["external_ref"]
    assert {p["name"] for p in op["parameters"]} >= {"institution_id", "changed_since",
                                                     "cursor", "limit"}
    assert op["x-scope"] == "read"
