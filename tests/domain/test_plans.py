"""The plan designer: waivers, conditional concessions, figures, affordability, menus."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.plans import (
    DebtorBudget,
    MenuItem,
    PlanDesignInvalid,
    PlanOptions,
    Waiver,
    compare_plans,
    options_from_menu,
    plan_figures,
)
from jintiao.domain.policy import DEFAULT_POLICY
from jintiao.domain.schedules import Method, PlanInvalid

AS_OF = dt.date(2026, 10, 13)
FIRST = dt.date(2026, 11, 20)
# Scenario S1: 250,277.13 in all.
S1 = ClaimBreakdown(as_of=AS_OF, principal=D("200311.62"), interest=D("31208.40"),
                    penalty_interest=D("12630.11"), fees=D("6127.00"))


def figures(options: PlanOptions, budget: DebtorBudget | None = None, rate: str = "0.04"):
    return plan_figures(S1, options, policy=DEFAULT_POLICY, discount_rate=D(rate), budget=budget)


def test_s1_sixty_flat_instalments_repay_the_whole_claim():
    f = figures(PlanOptions(Method.FLAT, 60, FIRST))
    assert f.total_paid == f.settled_total == D("250277.13")
    assert len(f.schedule.instalments) == 60
    assert f.regular_payment == D("4171.27")
    assert f.total_interest == 0
    assert f.waived_total == 0
    # old charges are carried as arrears, apart from the principal
    assert f.schedule.total_arrears == S1.charges
    assert f.term_months == 60  # sixty monthly instalments: a 60-month term
    assert f.present_value < f.total_paid  # money later is worth less


def test_affordability_flags_a_plan_the_debtor_cannot_live_on():
    # S1: the holder also repays another overdue loan; 8,000 a month, one dependant
    budget = DebtorBudget(monthly_income=D("8000"), other_obligations=D("2000"), dependants=1)
    sixty = figures(PlanOptions(Method.FLAT, 60, FIRST), budget)
    twelve = figures(PlanOptions(Method.FLAT, 12, FIRST), budget)
    assert sixty.affordable is False  # 4,171.27 + 2,000 > 50 % of 8,000
    assert any("超过上限" in w for w in sixty.warnings)
    assert twelve.affordable is False
    roomy = figures(PlanOptions(Method.FLAT, 60, FIRST),
                    DebtorBudget(monthly_income=D("12000"), other_obligations=D("1500")))
    assert roomy.affordable is True
    assert not roomy.warnings


def test_undeclared_income_presumes_the_local_minimum_wage():
    f = figures(PlanOptions(Method.FLAT, 60, FIRST))
    assert f.income_presumed
    assert f.affordability is not None
    assert f.affordability.monthly_income == DEFAULT_POLICY.minimum_wage_monthly
    assert f.affordability.living_minimum == DEFAULT_POLICY.living_minimum_monthly


def test_a_lump_sum_is_not_checked_against_monthly_income():
    f = figures(PlanOptions(Method.LUMP_SUM, 1, FIRST))
    assert f.affordability is None
    assert f.affordable is None
    assert f.total_paid == S1.total


def test_conditional_waiver_states_the_revived_amount_up_front():
    options = PlanOptions(Method.FLAT, 36, FIRST, waivers=(
        Waiver("penalty_interest", D("12630.11"), conditional=True),
        Waiver("fees", D("6127.00")),
    ))
    f = figures(options)
    assert f.waived_total == D("18757.11")
    assert f.conditional_waived == D("12630.11")
    assert f.total_paid == S1.total - D("18757.11")
    clause = f.revival_clause()
    assert "罚息12,630.11元" in clause
    assert "恢复" in clause
    assert "费用" not in clause
    assert figures(PlanOptions(Method.FLAT, 36, FIRST)).revival_clause() == ""


def test_waivers_are_checked_against_what_is_owed():
    with pytest.raises(PlanDesignInvalid, match="超过所欠"):
        figures(PlanOptions(Method.FLAT, 12, FIRST, waivers=(Waiver("fees", D("6127.01")),)))
    with pytest.raises(PlanDesignInvalid, match="全部本金"):
        figures(PlanOptions(Method.FLAT, 12, FIRST,
                            waivers=(Waiver("principal", D("200311.62")),)))
    with pytest.raises(PlanDesignInvalid, match="只能减免一次"):
        PlanOptions(Method.FLAT, 12, FIRST, waivers=(Waiver("fees", D(1)), Waiver("fees", D(2))))
    with pytest.raises(PlanDesignInvalid):
        Waiver("salary", D(1))
    with pytest.raises(PlanDesignInvalid, match="应晚于"):
        figures(PlanOptions(Method.FLAT, 12, AS_OF))
    with pytest.raises(PlanInvalid):  # a flat plan cannot carry interest
        figures(PlanOptions(Method.FLAT, 12, FIRST, annual_rate=D("0.05")))


def test_rate_above_the_cap_is_flagged():
    f = figures(PlanOptions(Method.EQUAL_INSTALLMENT, 24, FIRST, annual_rate=D("0.25")))
    assert any("综合成本上限" in w for w in f.warnings)


def test_compare_up_to_three():
    plans = [PlanOptions(Method.FLAT, n, FIRST, label=f"{n}期") for n in (12, 36, 60)]
    rows = compare_plans(S1, plans, policy=DEFAULT_POLICY, discount_rate=D("0.04"))
    assert [r.options.label for r in rows] == ["12期", "36期", "60期"]
    # the longer the plan, the less it is worth to the creditor today
    assert rows[0].present_value > rows[1].present_value > rows[2].present_value
    with pytest.raises(PlanDesignInvalid):
        compare_plans(S1, [*plans, plans[0]], policy=DEFAULT_POLICY, discount_rate=D("0.04"))
    with pytest.raises(PlanDesignInvalid):
        compare_plans(S1, [], policy=DEFAULT_POLICY, discount_rate=D("0.04"))


def test_menu_waives_penalties_before_interest():
    item = MenuItem("36期 减免一半费息", 36, charge_waiver_ratio=D("0.5"))
    options = options_from_menu(S1, item, FIRST)
    parts = [(w.part, w.amount) for w in options.waivers]
    assert parts[0] == ("penalty_interest", D("12630.11"))
    assert parts[1] == ("fees", D("6127.00"))
    assert parts[2][0] == "interest"
    waived = sum(a for _p, a in parts)
    assert waived == (S1.charges * D("0.5")).quantize(D("1"), "ROUND_DOWN")
    assert all(w.conditional for w in options.waivers)
    assert figures(options).charge_waiver_ratio == D("0.5000")
    with pytest.raises(PlanDesignInvalid):
        MenuItem("bad", 0)
    with pytest.raises(PlanDesignInvalid):
        MenuItem("bad", 12, method="weekly")


amounts = st.decimals(min_value=D("0"), max_value=D("100000"), places=2)


@given(principal=st.decimals(min_value=D("1000"), max_value=D("5000000"), places=2),
       interest=amounts, penalty=amounts, fees=amounts,
       share=st.decimals(min_value=D("0"), max_value=D("1"), places=2),
       periods=st.integers(1, 120), rate=st.sampled_from(["0", "0.036", "0.0435", "0.12"]),
       method=st.sampled_from([Method.FLAT, Method.EQUAL_INSTALLMENT, Method.EQUAL_PRINCIPAL]),
       conditional=st.booleans())
def test_totals_always_reconcile(principal, interest, penalty, fees, share, periods, rate,
                                 method, conditional):
    claim = ClaimBreakdown(as_of=AS_OF, principal=principal, interest=interest,
                           penalty_interest=penalty, fees=fees)
    rate_d = D(rate) if method is not Method.FLAT else D(0)
    options = options_from_menu(claim, MenuItem("x", periods, method, rate_d, share, conditional),
                                FIRST)
    f = plan_figures(claim, options, policy=DEFAULT_POLICY, discount_rate=D("0.05"))
    # what is paid is what was left after the waivers, plus the plan's own interest
    assert f.total_paid == claim.total - f.waived_total + f.total_interest
    assert f.waived_total <= claim.charges
    assert f.conditional_waived == (f.waived_total if conditional else 0)
    assert 0 <= f.charge_waiver_ratio <= share
    assert f.schedule.instalments[-1].remaining == 0
    assert f.peak_payment >= f.regular_payment


def test_the_term_counts_grace_and_deferral_but_not_a_down_payment():
    """Authority limits speak of the repayment term: the months the plan runs."""
    deferred = figures(PlanOptions(Method.FLAT, 54, FIRST, deferral_months=6))
    assert deferred.term_months == 60
    graced = figures(PlanOptions(Method.EQUAL_INSTALLMENT, 57, FIRST, grace_periods=3,
                                 annual_rate=D("0.04")))
    assert graced.term_months == 60
    down = figures(PlanOptions(Method.FLAT, 60, FIRST, down_payment=D("10000"),
                               down_payment_due=FIRST - dt.timedelta(days=40)))
    assert down.term_months == 60


def test_waivers_give_up_an_amount_part_by_part_in_order():
    from jintiao.domain.plans import WAIVER_ORDER, waivers_of

    waivers = waivers_of(S1, D("20000"))  # penalties first, then contractual interest
    assert [(w.part, w.amount) for w in waivers] == [
        ("penalty_interest", D("12630.11")), ("fees", D("6127.00")), ("interest", D("1242.89"))]
    assert sum(w.amount for w in waivers) == D("20000")
    everything = waivers_of(S1, S1.total, parts=(*WAIVER_ORDER, "other", "principal"),
                            conditional=True)
    assert sum(w.amount for w in everything) == S1.total
    assert all(w.conditional for w in everything)
