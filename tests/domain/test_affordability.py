"""Affordability: a payment against income, other debts and the living minimum."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.affordability import (
    AffordabilityInvalid,
    assess_affordability,
    assess_cash_flow,
)

D = Decimal


class TestAffordability:
    def test_s1_holder_with_a_second_overdue_loan(self):
        result = assess_affordability(
            D("4171.28"), monthly_income=D("9000"), monthly_obligations=D("3000"),
            max_ratio=D("0.5"), living_minimum=D("800"), household_size=3,
        )
        assert result.debt_service_ratio == D("0.7968")
        assert not result.affordable
        assert result.max_payment == D("1500.00")
        assert any("超过上限" in r for r in result.reasons)

    def test_an_affordable_payment(self):
        result = assess_affordability(D("2000"), monthly_income=D("9000"), max_ratio=D("0.5"),
                                      living_minimum=D("800"), household_size=2)
        assert result.affordable
        assert result.reasons == ()

    def test_payment_that_leaves_less_than_the_living_minimum(self):
        result = assess_affordability(D("2400"), monthly_income=D("5000"), max_ratio=D("0.5"),
                                      living_minimum=D("1000"), household_size=3)
        assert not result.affordable
        assert any("最低生活费" in r for r in result.reasons)

    def test_no_income(self):
        result = assess_affordability(D("100"), monthly_income=D("0"), max_ratio=D("0.5"))
        assert not result.affordable
        assert result.debt_service_ratio is None

    @pytest.mark.parametrize(
        "kwargs",
        [{"max_ratio": D("0")}, {"max_ratio": D("1.5")}, {"household_size": 0},
         {"monthly_obligations": D("-1")}],
    )
    def test_bad_input_is_refused(self, kwargs):
        with pytest.raises(AffordabilityInvalid):
            assess_affordability(D("100"), **{"monthly_income": D("1000"),
                                              "max_ratio": D("0.5"), **kwargs})

    @given(st.integers(0, 10**7), st.integers(0, 10**7), st.integers(0, 10**6),
           st.integers(1, 100), st.integers(0, 200000), st.integers(1, 8))
    def test_max_payment_is_the_boundary_of_affordability(self, income, obligations,
                                                          payment, pct, minimum, size):
        kwargs = {"monthly_income": D(income) / 100, "monthly_obligations": D(obligations) / 100,
                  "max_ratio": D(pct) / 100, "living_minimum": D(minimum) / 100,
                  "household_size": size}
        result = assess_affordability(D(payment) / 100, **kwargs)
        if result.max_payment > 0:
            assert assess_affordability(result.max_payment, **kwargs).affordable
        assert assess_affordability(result.max_payment + D("0.01"), **kwargs).affordable is False


class TestEnterpriseCashFlow:
    """An enterprise pays from its operations: its declared monthly cash flow is the measure,
    with no living minimum and no household."""

    def test_a_payment_within_the_cash_flow_left_after_other_debts(self):
        result = assess_cash_flow(D("4000"), monthly_cash_flow=D("6000"),
                                  monthly_obligations=D("1500"))
        assert result.affordable
        assert result.enterprise
        assert result.living_minimum == 0
        assert result.max_payment == D("4500.00")
        assert result.debt_service_ratio == D("0.9167")

    def test_a_payment_beyond_it_says_why(self):
        result = assess_cash_flow(D("5000"), monthly_cash_flow=D("6000"),
                                  monthly_obligations=D("1500"))
        assert not result.affordable
        assert result.reasons == ("月还款与其他债务月还款合计6,500.00元，超过企业申报的"
                                  "月经营现金流6,000.00元。",)

    def test_no_cash_flow(self):
        result = assess_cash_flow(D("100"), monthly_cash_flow=D("0"))
        assert not result.affordable
        assert result.max_payment == 0
        assert result.debt_service_ratio is None

    def test_bad_input_is_refused(self):
        with pytest.raises(AffordabilityInvalid):
            assess_cash_flow(D("100"), monthly_cash_flow=D("-1"))

    @given(st.decimals(min_value=D("0"), max_value=D("1000000"), places=2),
           st.decimals(min_value=D("0"), max_value=D("1000000"), places=2),
           st.decimals(min_value=D("0"), max_value=D("1000000"), places=2))
    def test_affordable_exactly_up_to_the_max_payment(self, payment, cash_flow, obligations):
        result = assess_cash_flow(payment, monthly_cash_flow=cash_flow,
                                  monthly_obligations=obligations)
        assert result.affordable == (cash_flow > 0 and payment + obligations <= cash_flow)
        assert not result.affordable or payment <= result.max_payment
