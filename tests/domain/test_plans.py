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
from jintiao.domain.schedules import Method, PlanInvalid, due_dates

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


# --- the largest payment, lump sums, grace and deferral, enterprises (issue 16) -----------

# Scenario S4: a tea grower's 3,200,000 loan.
S4 = ClaimBreakdown(as_of=AS_OF, principal=D("3200000"), interest=D("96000"))
WELL_OFF = DebtorBudget(monthly_income=D("100000"))  # may pay up to 50,000 a month


def test_the_largest_payment_of_an_interest_only_plan_is_its_final_lump():
    """先息后本 asks for interest every month and the whole principal at the end: the plan's
    largest payment is that last one, and affordability judges it, not the interest."""
    f = plan_figures(S4, PlanOptions(Method.INTEREST_ONLY, 12, FIRST, annual_rate=D("0.04")),
                     policy=DEFAULT_POLICY, discount_rate=D("0.04"), budget=WELL_OFF)
    last = f.schedule.instalments[-1]
    assert last.payment > D("3200000")
    assert f.peak_payment == last.payment
    assert f.affordable is False
    assert any("第12期" in w for w in f.warnings)  # the warning names the lump it judged


def test_a_lump_sum_is_checked_for_affordability():
    """One payment of the whole claim is a payment the debtor must find in one month."""
    f = figures(PlanOptions(Method.LUMP_SUM, 1, FIRST), WELL_OFF)
    assert f.affordability is not None
    assert f.affordability.payment == S1.total
    assert f.affordable is False
    small = ClaimBreakdown(as_of=AS_OF, principal=D("20000"))
    cheap = plan_figures(small, PlanOptions(Method.LUMP_SUM, 1, FIRST),
                         policy=DEFAULT_POLICY, discount_rate=D("0.04"), budget=WELL_OFF)
    assert cheap.affordable is True


def test_a_down_payment_counts_among_the_payments_the_debtor_must_find():
    f = figures(PlanOptions(Method.FLAT, 60, FIRST, down_payment=D("30000"),
                            down_payment_due=FIRST - dt.timedelta(days=10)), WELL_OFF)
    assert f.peak_payment == D("30000.00")
    assert f.affordability is not None
    assert f.affordability.payment == D("30000.00")


methods_with_rates = st.sampled_from([
    (Method.FLAT, D(0)), (Method.EQUAL_INSTALLMENT, D("0.0435")),
    (Method.EQUAL_PRINCIPAL, D("0.036")), (Method.INTEREST_ONLY, D("0.05")),
    (Method.LUMP_SUM, D(0)), (Method.LUMP_SUM, D("0.06"))])


@given(principal=st.decimals(min_value=D("1000"), max_value=D("5000000"), places=2),
       penalty=amounts, method_rate=methods_with_rates, periods=st.integers(1, 120),
       round_to=st.sampled_from([D("0.01"), D("1"), D("100")]))
def test_the_largest_payment_is_the_max_over_every_scheduled_payment(
        principal, penalty, method_rate, periods, round_to):
    """Whatever the method, the largest payment is the largest of every payment the schedule
    asks for, the last one included — and it is the payment affordability judges."""
    method, rate = method_rate
    claim = ClaimBreakdown(as_of=AS_OF, principal=principal, penalty_interest=penalty)
    lump = method is Method.LUMP_SUM
    options = PlanOptions(method, 1 if lump else periods, FIRST, annual_rate=rate,
                          round_to=round_to if method is Method.FLAT else D("0.01"))
    try:
        f = plan_figures(claim, options, policy=DEFAULT_POLICY, discount_rate=D("0.04"),
                         budget=WELL_OFF)
    except PlanInvalid:  # too little principal for the periods at this rounding step
        return
    assert f.peak_payment == max(i.payment for i in f.schedule.instalments)
    assert f.peak_payment == f.schedule.instalments[-1].payment or method in (
        Method.EQUAL_PRINCIPAL, Method.EQUAL_INSTALLMENT)
    assert f.affordability is not None
    assert f.affordability.payment == f.peak_payment


def test_grace_moves_an_interest_free_plans_first_principal_due_date():
    """Three months' grace on an interest-free plan: nothing is due in them, so the first
    instalment falls three months later, the last one too, and the plan is worth less."""
    plain = figures(PlanOptions(Method.FLAT, 36, FIRST))
    graced = figures(PlanOptions(Method.FLAT, 36, FIRST, grace_periods=3))
    assert plain.schedule.first_due_on == FIRST
    assert graced.schedule.first_due_on == dt.date(2027, 2, 20)
    assert graced.schedule.last_due_on == dt.date(2030, 1, 20)
    assert graced.term_months == 39
    assert graced.present_value < plain.present_value


def test_a_deferral_moves_the_first_payment_and_lowers_the_present_value():
    """延期还本付息 of six months: the first instalment is due six months after the date the
    plan would otherwise start, and the creditor's present value is taken on those dates."""
    plain = figures(PlanOptions(Method.FLAT, 54, FIRST))
    deferred = figures(PlanOptions(Method.FLAT, 54, FIRST, deferral_months=6))
    assert deferred.schedule.first_due_on == dt.date(2027, 5, 20)
    assert deferred.schedule.last_due_on == dt.date(2031, 10, 20)
    assert deferred.term_months == 60
    assert deferred.total_paid == plain.total_paid  # interest-free: nothing accrues
    assert deferred.present_value < plain.present_value


def test_the_waived_total_counts_the_deferrals_waived_interest():
    """A deferral whose interest is waived gives that interest up: 减免合计 says so."""
    options = PlanOptions(Method.EQUAL_INSTALLMENT, 24, FIRST, annual_rate=D("0.04"),
                          deferral_months=6, waive_deferral_interest=True,
                          waivers=(Waiver("fees", D("6127.00")),))
    f = figures(options)
    deferral_interest = (S1.principal * D("0.04") * 6 / 12).quantize(D("0.01"))
    assert deferral_interest == D("4006.23")
    assert f.deferral_interest_waived == deferral_interest
    assert f.waived_total == D("6127.00") + deferral_interest
    kept = figures(PlanOptions(Method.EQUAL_INSTALLMENT, 24, FIRST, annual_rate=D("0.04"),
                               deferral_months=6, waivers=(Waiver("fees", D("6127.00")),)))
    assert kept.waived_total == D("6127.00")
    assert kept.deferral_interest_waived == 0


@given(principal=st.decimals(min_value=D("10000"), max_value=D("5000000"), places=2),
       fees=amounts, waive_fees=st.booleans(),
       periods=st.integers(1, 120), rate=st.sampled_from([D("0.036"), D("0.0435"), D("0.12")]),
       method=st.sampled_from([Method.EQUAL_INSTALLMENT, Method.EQUAL_PRINCIPAL]),
       grace=st.integers(0, 6), deferral=st.integers(0, 12), waive_deferral=st.booleans(),
       discount=st.sampled_from([D("0.01"), D("0.04"), D("0.08")]))
def test_waived_total_is_every_concession_and_later_dates_are_worth_less(
        principal, fees, waive_fees, periods, rate, method, grace, deferral, waive_deferral,
        discount):
    """减免合计 = every claim waiver + the deferral's interest when waived; grace of g periods
    moves the first principal due date g periods later, a deferral of d months d months
    later; and an interest-free plan whose payments move later is worth less today."""
    claim = ClaimBreakdown(as_of=AS_OF, principal=principal, fees=fees)
    waivers = (Waiver("fees", fees),) if waive_fees and fees else ()
    options = PlanOptions(method, periods, FIRST, annual_rate=rate, grace_periods=grace,
                          deferral_months=deferral, waive_deferral_interest=waive_deferral,
                          waivers=waivers)
    f = plan_figures(claim, options, policy=DEFAULT_POLICY, discount_rate=discount)
    deferral_interest = f.schedule.terms.deferral_interest
    assert f.waived_total == sum((w.amount for w in waivers), D(0)) + (
        deferral_interest if waive_deferral else 0)
    principal_rows = [i for i in f.schedule.instalments if i.principal > 0]
    first_principal = principal_rows[0].due_on
    assert first_principal == due_dates(FIRST, grace + deferral + 1)[-1]
    # the same interest-free payments, moved later, are worth less to the creditor
    flat = claim.total - sum((w.amount for w in waivers), D(0))
    base = plan_figures(claim, PlanOptions(Method.FLAT, periods, FIRST, waivers=waivers),
                        policy=DEFAULT_POLICY, discount_rate=discount)
    later = plan_figures(claim, PlanOptions(Method.FLAT, periods, FIRST, waivers=waivers,
                                            grace_periods=grace, deferral_months=deferral),
                         policy=DEFAULT_POLICY, discount_rate=discount)
    assert later.total_paid == base.total_paid == flat
    if grace + deferral:
        assert later.present_value < base.present_value
    else:
        assert later.present_value == base.present_value


def test_an_enterprise_is_judged_against_its_declared_cash_flow():
    """A company has no living minimum and no household: what it can pay a month from its
    operations is the measure (S1's 4,171.28 against 6,000 a month, 1,000 already owed)."""
    company = DebtorBudget(entity=True, monthly_cash_flow=D("6000"),
                           other_obligations=D("1000"))
    f = figures(PlanOptions(Method.FLAT, 60, FIRST), company)
    assert f.affordable is True
    assert f.affordability is not None
    assert f.affordability.living_minimum == 0
    assert f.affordability.max_payment == D("5000.00")
    assert not f.income_presumed
    tight = figures(PlanOptions(Method.FLAT, 36, FIRST), company)
    assert tight.affordable is False
    assert any("经营现金流" in w for w in tight.warnings)


def test_an_enterprise_without_a_declared_cash_flow_is_not_presumed_a_wage_earner():
    f = figures(PlanOptions(Method.FLAT, 60, FIRST), DebtorBudget(entity=True))
    assert f.affordability is None
    assert f.affordable is None
    assert not f.income_presumed
    assert f.cash_flow_missing
    assert any("未申报" in w and "经营现金流" in w for w in f.warnings)


def test_only_an_enterprise_declares_a_cash_flow():
    with pytest.raises(PlanDesignInvalid, match="企业"):
        DebtorBudget(monthly_cash_flow=D("5000"))
    with pytest.raises(PlanDesignInvalid):
        DebtorBudget(entity=True, monthly_cash_flow=D("-1"))


@pytest.mark.parametrize("household", [{"monthly_income": D("8000")}, {"dependants": 2}])
def test_an_enterprise_declares_no_income_and_no_dependants(household):
    with pytest.raises(PlanDesignInvalid, match="不填月收入和需抚养人数") as refused:
        DebtorBudget(entity=True, monthly_cash_flow=D("6000"), **household)
    assert refused.value.details["field"] == next(iter(household))


def test_a_menu_item_waives_its_ratio_of_the_parts_it_names():
    """“罚息减半”: half of the penalty interest, and nothing else."""
    item = MenuItem("24期免息，罚息减半", 24, charge_waiver_ratio=D("0.5"),
                    waiver_parts=("penalty_interest",))
    options = options_from_menu(S1, item, FIRST)
    assert [(w.part, w.amount) for w in options.waivers] == [("penalty_interest", D("6315"))]
    assert all(w.conditional for w in options.waivers)
    with pytest.raises(PlanDesignInvalid):
        MenuItem("x", 12, waiver_parts=("principal",))
    with pytest.raises(PlanDesignInvalid):
        MenuItem("x", 12, waiver_parts=())
    with pytest.raises(PlanDesignInvalid):
        MenuItem("x", 12, waiver_parts=("fees", "fees"))


@given(penalty=amounts, interest=amounts, fees=amounts,
       ratio=st.decimals(min_value=D("0"), max_value=D("1"), places=2),
       parts=st.lists(st.sampled_from(["penalty_interest", "compound_interest",
                                       "liquidated_damages", "fees", "interest"]),
                      min_size=1, max_size=5, unique=True))
def test_a_menu_waiver_never_exceeds_its_ratio_of_the_named_parts(penalty, interest, fees,
                                                                  ratio, parts):
    claim = ClaimBreakdown(as_of=AS_OF, principal=D("100000"), interest=interest,
                           penalty_interest=penalty, fees=fees)
    options = options_from_menu(claim, MenuItem("x", 12, charge_waiver_ratio=ratio,
                                                waiver_parts=tuple(parts)), FIRST)
    named = sum((getattr(claim, p) for p in parts), D(0))
    waived = sum((w.amount for w in options.waivers), D(0))
    assert {w.part for w in options.waivers} <= set(parts)
    assert named * ratio - 1 < waived <= named * ratio
    if ratio == 1:  # a ratio of one gives up everything named, to the fen
        assert waived == named
