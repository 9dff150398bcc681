"""The mediation API on plans: standard menus within the publisher's authority and the
parts their waivers name, and an enterprise debtor's cash flow."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from jintiao.mediation import selectors
from jintiao.mediation.services import menu_publish
from tests.api.client import Api
from tests.factories.mediation import company_debt


class TestPlanMenu:
    def test_an_item_beyond_the_approvers_own_authority_is_403_and_nothing_changes(self, desk):
        """The approver may grant 60 months; a 72-month item is refused with its code and
        the service's message, and the menu published before stays."""
        from jintiao.domain.plans import MenuItem

        menu_publish(actor=desk.approver, institution=desk.bank,
                     items=[MenuItem("12期免息", 12)])

        response = Api(desk.approver).put(f"/institutions/{desk.bank.pk}/plan-menu", {
            "items": [{"label": "24期免息", "periods": 24},
                      {"label": "72期免息", "periods": 72}]})

        assert response.status_code == 403
        assert response.json()["code"] == "menu_beyond_authority"
        assert response.json()["message"] == ("标准还款方案“72期免息”超出您的授权："
                                              "还款期限：方案为72个月，授权为60个月")
        assert list(desk.bank.plan_menu.values_list("label", flat=True)) == ["12期免息"]

    def test_an_item_names_the_parts_its_waiver_applies_to(self, desk, mediating):
        published = Api(desk.approver).put(f"/institutions/{desk.bank.pk}/plan-menu", {
            "items": [{"label": "24期免息，罚息减半", "periods": 24, "charge_waiver_ratio": "0.5",
                       "waiver_parts": ["penalty_interest"]},
                      {"label": "24期免息，费息减半", "periods": 24,
                       "charge_waiver_ratio": "0.5"}]})

        assert published.status_code == 200
        assert [m["waiver_parts"] for m in published.json()] == [
            ["penalty_interest"],
            ["penalty_interest", "compound_interest", "liquidated_damages", "fees", "interest"]]
        menu = Api(desk.mediator).get(f"/disputes/{mediating.pk}/plan-menu").json()
        assert menu[0]["options"]["waivers"] == []  # the claim has no penalty interest
        assert [w["amount"] for w in menu[1]["options"]["waivers"]] == ["15604.00"]

    def test_a_part_that_is_not_a_charge_is_refused(self, desk):
        response = Api(desk.approver).put(f"/institutions/{desk.bank.pk}/plan-menu", {
            "items": [{"label": "x", "periods": 12, "charge_waiver_ratio": "0.1",
                       "waiver_parts": ["principal"]}]})
        assert response.status_code == 400
        assert response.json()["code"] == "plan_invalid"
        assert not desk.bank.plan_menu.exists()


class TestBudget:
    @pytest.fixture
    def company(self, desk):
        return company_debt(desk)

    def test_an_enterprise_declares_its_monthly_cash_flow(self, desk, company):
        debtor = company.party_rows.get(role="debtor")

        response = Api(desk.mediator).put(f"/disputes/{company.pk}/budget", {
            "party_row_id": debtor.pk, "monthly_cash_flow": "12000.00",
            "other_obligations": "1000"})

        assert response.status_code == 200
        assert response.json()["monthly_cash_flow"] == "12000.00"
        assert selectors.budget_of(company).monthly_cash_flow == D("12000")
        offers = Api(desk.mediator).post(f"/disputes/{company.pk}/plans/compare", {
            "plans": [{"method": "flat", "periods": 24, "first_due": "2027-01-20"}]}).json()
        assert offers[0]["figures"]["affordable"] is True
        assert offers[0]["figures"]["max_affordable_payment"] == "11000.00"

    def test_a_persons_cash_flow_is_refused_as_on_the_page(self, desk, mediating):
        debtor = mediating.party_rows.get(role="debtor")

        response = Api(desk.mediator).put(f"/disputes/{mediating.pk}/budget", {
            "party_row_id": debtor.pk, "monthly_income": "8000", "monthly_cash_flow": "6000"})

        assert response.status_code == 400
        assert response.json()["code"] == "plan_invalid"
        assert response.json()["message"] == "月经营现金流只适用于企业债务人；自然人请填写月收入"
        assert selectors.budget_of(mediating) is None
