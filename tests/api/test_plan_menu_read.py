"""An institution's standard plan menu read through the API (issue 20 §5): the lines with who
published them and when, a branch's taken from the bank above it, and who may read it — the
institution's own staff and administrators, as the results file."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client

from jintiao import clock
from jintiao.domain.lifecycle import Role
from jintiao.domain.plans import MenuItem
from jintiao.mediation.services import menu_publish
from tests.api.client import Api
from tests.factories import UserFactory


def menu(api: Api, institution):
    return api.get(f"/institutions/{institution.pk}/plan-menu")


@pytest.fixture
def published(desk):
    menu_publish(actor=desk.approver, institution=desk.bank, items=[
        MenuItem("12期免息", 12),
        MenuItem("24期免息，罚息减半（违约恢复）", 24, charge_waiver_ratio=D("0.5"),
                 waiver_parts=("penalty_interest",))])
    return desk


class TestTheMenu:
    def test_each_line_says_who_published_it_and_when(self, published):
        response = menu(Api(published.approver), published.bank)

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["institution"] == {"id": published.bank.pk, "name": published.bank.name,
                                       "kind": published.bank.kind}
        assert body["published_for"]["id"] == published.bank.pk
        assert body["inherited"] is False
        plain, halved = body["items"]
        assert (plain["label"], plain["periods"], plain["method"]) == ("12期免息", 12, "flat")
        assert halved["charge_waiver_ratio"] == "0.5"
        assert plain["annual_rate"] == plain["charge_waiver_ratio"] == "0"
        assert halved["waiver_parts"] == ["penalty_interest"]
        assert halved["conditional"] is True
        assert halved["published_by"] == str(published.approver)
        assert halved["published_at"].endswith("+08:00")
        assert halved["published_at"][:10] == clock.today().isoformat()

    def test_a_branch_without_its_own_reads_the_banks_and_says_so(self, published):
        body = menu(Api(published.agent), published.branch).json()

        assert body["institution"]["id"] == published.branch.pk
        assert body["published_for"]["id"] == published.bank.pk
        assert body["inherited"] is True
        assert [i["label"] for i in body["items"]] == ["12期免息", "24期免息，罚息减半（违约恢复）"]

    def test_a_menu_never_published_is_empty(self, desk):
        body = menu(Api(desk.hq_agent), desk.bank).json()

        assert body["items"] == []
        assert body["published_for"] is None
        assert body["inherited"] is False

    def test_what_the_put_answers_the_get_reads_back(self, desk):
        approver = Api(desk.approver)
        put = approver.put(f"/institutions/{desk.bank.pk}/plan-menu",
                           {"items": [{"label": "6期", "periods": 6, "annual_rate": "0.0365"}]})

        assert put.status_code == 200, put.content
        assert put.json()[0]["published_by"] == str(desk.approver)
        assert menu(approver, desk.bank).json()["items"] == put.json()


class TestWhoMayRead:
    @pytest.mark.parametrize("who", ["approver", "hq_agent", "administrator"])
    def test_the_institutions_staff_and_administrators(self, published, who):
        user = (UserFactory(roles=[Role.ADMINISTRATOR]) if who == "administrator"
                else getattr(published, who))

        assert menu(Api(user), published.bank).status_code == 200

    @pytest.mark.parametrize("who", ["other_agent", "other_approver", "mediator", "clerk",
                                     "director", "judge", "supervisor"])
    def test_anyone_else_is_refused_in_words(self, published, who):
        user = (UserFactory(organization=published.other_bank, roles=[Role.APPROVER])
                if who == "other_approver" else getattr(published, who))

        response = menu(Api(user), published.bank)

        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert "标准还款方案" in response.json()["message"]
        assert "12期免息" not in response.content.decode()

    def test_a_branchs_agent_may_not_read_the_bank_above_it(self, published):
        assert menu(Api(published.agent), published.bank).status_code == 403

    @pytest.mark.parametrize("node", ["committee", "court"])
    def test_a_node_that_is_no_institution_is_not_found(self, published, node):
        response = menu(Api(published.approver), getattr(published, node))

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_an_unknown_institution_is_not_found(self, published):
        response = Api(published.approver).get("/institutions/999999/plan-menu")

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_without_a_token_it_is_unauthorized(self, published):
        response = Client().get(f"/api/v1/institutions/{published.bank.pk}/plan-menu")

        assert response.status_code == 401
