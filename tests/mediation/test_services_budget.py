"""The debtor's budget: a person's income, an enterprise's cash flow, and the plans judged
against them."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from jintiao.domain.plans import PlanDesignInvalid
from jintiao.mediation.models import DebtorBudget
from jintiao.mediation.services import budget_declare, offer_propose
from tests.factories import flat
from tests.factories.mediation import company_debt as make_company_debt

RATE = D("0.035")


@pytest.fixture
def company_debt(desk):
    return make_company_debt(desk)


def propose(desk, dispute, periods):
    return offer_propose(actor=desk.mediator, dispute_id=dispute.pk, options=flat(periods),
                         discount_rate=RATE)


def debtor_row(dispute):
    return dispute.party_rows.get(role="debtor")


class TestEnterpriseCashFlow:
    def test_an_enterprises_plans_are_judged_against_its_declared_cash_flow(
            self, desk, company_debt):
        """6,000 a month from operations, 1,000 of it owed elsewhere: 60 months at 3,853.47
        fit, 24 months at 9,633.68 do not — with no living minimum or household involved."""
        made = budget_declare(actor=desk.mediator, dispute_id=company_debt.pk,
                              party_row_id=debtor_row(company_debt).pk, monthly_income=None,
                              other_obligations=D("1000"), dependants=0,
                              monthly_cash_flow=D("6000"))

        assert made.monthly_cash_flow == D("6000")
        long, short = propose(desk, company_debt, 60), propose(desk, company_debt, 24)
        assert long.figures["affordable"] is True
        assert long.figures["max_affordable_payment"] == "5000.00"
        assert long.figures["income_presumed"] is False
        assert short.figures["affordable"] is False
        assert "超过企业申报的月经营现金流6,000.00元" in short.figures["affordability_reasons"][0]

    def test_an_enterprise_that_declared_no_cash_flow_is_said_so(self, desk, company_debt):
        """No budget at all, or one without a cash flow: nothing is presumed, and the plan
        says it cannot be judged — never a person's minimum wage and living minimum."""
        before = propose(desk, company_debt, 60)
        budget_declare(actor=desk.mediator, dispute_id=company_debt.pk,
                       party_row_id=debtor_row(company_debt).pk, monthly_income=None,
                       other_obligations=D("1000"), dependants=0)
        after = propose(desk, company_debt, 60)

        for offer in (before, after):
            assert offer.figures["affordable"] is None
            assert offer.figures["cash_flow_missing"] is True
            assert offer.figures["income_presumed"] is False
            assert any("未申报月经营现金流" in w for w in offer.figures["warnings"])

    def test_a_person_declares_income_not_a_cash_flow(self, desk, mediating):
        events = mediating.events.count()

        with pytest.raises(PlanDesignInvalid, match="只适用于企业债务人"):
            budget_declare(actor=desk.mediator, dispute_id=mediating.pk,
                           party_row_id=debtor_row(mediating).pk, monthly_income=D("8000"),
                           other_obligations=D("0"), dependants=0,
                           monthly_cash_flow=D("6000"))

        assert not DebtorBudget.objects.filter(party_row__dispute=mediating).exists()
        assert mediating.events.count() == events

    def test_an_enterprise_declares_no_household_and_nothing_is_written(self, desk,
                                                                        company_debt):
        events = company_debt.events.count()

        with pytest.raises(PlanDesignInvalid, match="不填月收入和需抚养人数"):
            budget_declare(actor=desk.mediator, dispute_id=company_debt.pk,
                           party_row_id=debtor_row(company_debt).pk, monthly_income=D("8000"),
                           other_obligations=D("0"), dependants=3,
                           monthly_cash_flow=D("6000"))

        assert not DebtorBudget.objects.filter(party_row__dispute=company_debt).exists()
        assert company_debt.events.count() == events

    def test_an_income_left_on_an_enterprises_sheet_counts_for_nothing(self, desk,
                                                                       company_debt):
        """A sheet written before the rule (or by hand) with a person's income and
        dependants: the plans read the cash flow alone."""
        from jintiao.mediation import selectors

        DebtorBudget.objects.create(party_row=debtor_row(company_debt), monthly_income=D("50000"),
                                    dependants=4, other_obligations=D("1000"),
                                    monthly_cash_flow=D("6000"), declared_on="2026-12-01")

        read = selectors.debtor_budget(company_debt)
        assert (read.monthly_income, read.dependants, read.monthly_cash_flow) == (
            None, 0, D("6000"))
        assert propose(desk, company_debt, 60).figures["max_affordable_payment"] == "5000.00"
