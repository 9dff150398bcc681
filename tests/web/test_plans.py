"""The plan designer page shows the figures the domain computes: the largest payment with a
final lump, the waived total with a deferral's waived interest, dates moved by grace and
deferral, and the present value taken on those dates."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.test import Client

from jintiao.mediation.services import budget_declare
from tests.factories import FIRST_DUE
from tests.factories.mediation import company_debt


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def column(**fields: str) -> dict[str, str]:
    """The designer's first column with ``fields`` (``first_due`` defaults to 2027-01-20)."""
    return {f"p0-{k}": v for k, v in {"first_due": FIRST_DUE.isoformat(), **fields}.items()}


def row(page: str, label: str) -> str:
    """The text of the comparison row headed ``label``, tags stripped."""
    found = re.search(rf"<tr[^>]*><th>{re.escape(label)}</th>(.*?)</tr>", page, re.S)
    assert found is not None, label
    return re.sub(r"<[^>]+>", " ", found.group(1))


def compare(user, dispute, query: dict[str, str]) -> str:
    response = client_for(user).get(f"/disputes/{dispute.pk}/plans/", query)
    assert response.status_code == 200
    return response.content.decode()


def amount(text: str) -> D:
    return D(re.search(r"[0-9][0-9,]*\.[0-9]{2}", text).group(0).replace(",", ""))


class TestFigures:
    def test_the_largest_payment_of_an_interest_only_plan_is_its_final_lump(self, desk,
                                                                           mediating):
        """12 months' interest at 4 % on 200,000, the old interest spread evenly, and the
        whole principal with the last instalment: 203,267.37."""
        page = compare(desk.mediator, mediating, column(method="interest_only", periods="12",
                                                        annual_rate="4"))
        assert "203,267.37" in row(page, "最大一笔还款")
        assert "✗" in row(page, "债务人可负担")

    def test_a_deferral_moves_the_dates_and_lowers_the_present_value(self, desk, mediating):
        plain = compare(desk.mediator, mediating, column(method="flat", periods="24"))
        deferred = compare(desk.mediator, mediating, column(method="flat", periods="24",
                                                            deferral_months="6"))
        assert "2027-07-20 – 2029-06-20" in row(deferred, "首期 – 末期")
        assert "2027-01-20 – 2028-12-20" in row(plain, "首期 – 末期")
        assert amount(row(deferred, "债权人现值（年3.50%）")) < amount(
            row(plain, "债权人现值（年3.50%）"))

    def test_grace_on_an_interest_free_plan_moves_its_first_instalment(self, desk, mediating):
        page = compare(desk.mediator, mediating, column(method="flat", periods="24",
                                                        grace_periods="3"))
        assert "2027-04-20 – 2029-03-20" in row(page, "首期 – 末期")
        assert "24 / 27" in row(page, "期数 / 期限（月）")

    def test_the_waived_total_counts_the_deferrals_waived_interest(self, desk, mediating):
        """Six months' interest at 4 % on 200,000 is 4,000.00, given up with the deferral."""
        page = compare(desk.mediator, mediating, column(
            method="equal_installment", periods="24", annual_rate="4", deferral_months="6",
            free_deferral_interest="on"))
        assert "4,000.00" in row(page, "减免合计（其中附条件）")
        assert "含免收延期利息4,000.00" in row(page, "减免合计（其中附条件）")


class TestEnterpriseBudget:
    @pytest.fixture
    def company(self, desk):
        return company_debt(desk)

    def test_an_enterprise_without_a_cash_flow_is_said_so_on_the_page(self, desk, company):
        page = compare(desk.mediator, company, column(method="flat", periods="24"))
        assert "债务人为企业，未申报月经营现金流" in page
        assert "按当地最低工资标准估算" not in page
        assert "—" in row(page, "债务人可负担")

    def test_an_enterprises_declared_cash_flow_is_shown_and_judges_the_plans(self, desk,
                                                                            company):
        budget_declare(actor=desk.mediator, dispute_id=company.pk,
                       party_row_id=company.party_rows.get(role="debtor").pk,
                       monthly_income=None, other_obligations=D("1000"), dependants=0,
                       monthly_cash_flow=D("12000"))
        page = compare(desk.mediator, company, column(method="flat", periods="24"))
        assert "月经营现金流 12,000.00" in page
        assert "✓" in row(page, "债务人可负担")
        assert "每月最多可还 11,000.00" in row(page, "债务人可负担")


class TestOfferRows:
    """An offer on the table shows the same corrected figures as the designer."""

    def test_an_offer_names_its_final_lump_and_the_waived_deferral_interest(self, desk,
                                                                           mediating):
        from jintiao.domain.plans import PlanOptions
        from jintiao.domain.schedules import Method
        from jintiao.mediation.services import offer_propose

        for options in (PlanOptions(Method.INTEREST_ONLY, 12, FIRST_DUE, annual_rate=D("0.04"),
                                    label="先息后本"),
                        PlanOptions(Method.EQUAL_INSTALLMENT, 24, FIRST_DUE,
                                    annual_rate=D("0.04"), deferral_months=6,
                                    waive_deferral_interest=True, label="延期半年")):
            offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=options,
                          discount_rate=D("0.035"))

        page = client_for(desk.mediator).get(
            f"/disputes/{mediating.pk}/mediation/").content.decode()
        lump, deferred = (re.search(rf'<tr class="offer[^"]*" id="offer-{n}">(.*?)</tr>', page,
                                    re.S).group(1) for n in (1, 2))
        assert "第12期需还 203,267.37" in lump
        assert "含免收延期利息 4,000.00" in deferred
        assert "2027-07-20" in deferred  # the first instalment after six months' deferral
