"""Joint mediation: one debtor's monthly amount shared among creditors, the consolidated
plan judged once against the one budget, authority per creditor, default per creditor."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.errors import ErrorCode
from jintiao.domain.joint import (
    ConsolidatedPlan,
    CreditorLedger,
    CreditorTerms,
    JointCreditor,
    JointInvalid,
    ShareRule,
    affordable_amount,
    consolidated_plan,
    creditor_excesses,
    dues_of,
    monthly_need,
    share_monthly,
    standing_of,
    standings_on,
)
from jintiao.domain.performance import Paid
from jintiao.domain.plans import DebtorBudget, Waiver, plan_figures
from jintiao.domain.policy import DEFAULT_POLICY, SOURCES, Policy, PolicyInvalid
from jintiao.domain.schedules import MAX_PERIODS, Method

AS_OF = dt.date(2026, 10, 13)
FIRST = dt.date(2026, 11, 20)
# Scenario S1: the card (250,277.13 in all) and the 200,000-yuan loan overdue elsewhere.
CARD = ClaimBreakdown(as_of=AS_OF, principal=D("200311.62"), interest=D("31208.40"),
                      penalty_interest=D("12630.11"), fees=D("6127.00"))
LOAN = ClaimBreakdown(as_of=AS_OF, principal=D("200000.00"), interest=D("8400.00"),
                      penalty_interest=D("2100.00"))
S1_BUDGET = DebtorBudget(monthly_income=D("15000.00"), dependants=1)


def card(**kw) -> JointCreditor:
    return JointCreditor("card", "甲银行信用卡中心", CARD, **kw)


def loan(**kw) -> JointCreditor:
    return JointCreditor("loan", "乙银行", LOAN, **kw)


def claim_of(total_fen: int) -> ClaimBreakdown:
    """A claim of ``total_fen``, about four fifths of it principal."""
    principal = max(1, total_fen * 4 // 5)
    return ClaimBreakdown(as_of=AS_OF, principal=D(principal) / 100,
                          interest=D(total_fen - principal) / 100)


# --- strategies ---------------------------------------------------------------------------

amounts_fen = st.integers(min_value=0, max_value=5_000_000)


@st.composite
def creditor_lists(draw, *, low=1, high=8, largest=50_000_000):
    n = draw(st.integers(low, high))
    totals = draw(st.lists(st.integers(100, largest), min_size=n, max_size=n))
    secured = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    periods = draw(st.lists(st.one_of(st.none(), st.integers(1, 120)), min_size=n, max_size=n))
    # agreed fractions in basis points summing to 10,000: cut points on (0, 10000)
    cuts = sorted(draw(st.lists(st.integers(1, 9999), min_size=n - 1, max_size=n - 1,
                                unique=True)))
    bounds = [0, *cuts, 10000]
    fractions = [D(b - a) / 10000 for a, b in itertools.pairwise(bounds)]
    return [JointCreditor(f"c{i}", f"债权人{i}", claim_of(totals[i]), secured=secured[i],
                          agreed_share=fractions[i],
                          terms=CreditorTerms(periods=min(periods[i] or 1,
                                                          max(1, totals[i] * 4 // 5))
                                              if periods[i] else None))
            for i in range(n)]


# --- sharing ------------------------------------------------------------------------------


class TestSharing:
    @given(creditor_lists(), amounts_fen, st.sampled_from(list(ShareRule)))
    def test_shares_and_the_unused_rest_sum_exactly_to_the_amount(self, creditors, fen, rule):
        amount = D(fen) / 100
        sharing = share_monthly(amount, creditors, rule)
        assert sharing.shared + sharing.unused == amount
        assert [s.key for s in sharing.shares] == [c.key for c in creditors]
        for s in sharing.shares:
            assert D(0) <= s.amount <= s.need
            assert s.amount == s.amount.quantize(D("0.01"))
        # something is left to the debtor only when every creditor has all it can use
        if sharing.unused:
            assert all(s.capped for s in sharing.shares)

    @given(creditor_lists(), amounts_fen)
    def test_pro_rata_is_proportional_to_the_outstanding_within_a_fen(self, creditors, fen):
        amount = D(fen) / 100
        sharing = share_monthly(amount, creditors, ShareRule.PRO_RATA)
        outstanding = sum(c.claim.total for c in creditors)
        if not any(s.capped and s.amount for s in sharing.shares):
            for c, s in zip(creditors, sharing.shares, strict=True):
                assert abs(s.amount - amount * c.claim.total / outstanding) < D("0.01")

    @given(creditor_lists(), amounts_fen, st.sampled_from([ShareRule.PRO_RATA,
                                                            ShareRule.AGREED]))
    def test_what_a_capped_creditor_cannot_use_is_shared_by_the_same_rule(self, creditors,
                                                                         fen, rule):
        sharing = share_monthly(D(fen) / 100, creditors, rule)
        capped = [s for s in sharing.shares if s.capped]
        free = [s for s in sharing.shares if not s.capped]
        rest = sharing.amount - sum((s.amount for s in capped), D(0))
        weight = sum((s.weight for s in free), D(0))
        # the uncapped share the rest in proportion: within a fen of their exact share, and
        # a fen more when one of them was rounded up to exactly its need (then counted here
        # as capped, which moves the rest by less than a fen)
        for s in free:
            assert abs(s.amount - rest * s.weight / weight) < D("0.02")
        # and by the same proportion a capped one would have been given at least its need
        if free:
            for s in capped:
                assert rest * s.weight / weight >= s.need - D("0.02")

    @given(creditor_lists(low=2), amounts_fen)
    def test_secured_claims_are_served_before_any_unsecured_one(self, creditors, fen):
        sharing = share_monthly(D(fen) / 100, creditors, ShareRule.SECURED_FIRST)
        secured = [s for s in sharing.shares if s.secured]
        unsecured = [s for s in sharing.shares if not s.secured]
        if any(s.amount for s in unsecured):
            assert all(s.capped for s in secured)

    def test_secured_first_gives_the_secured_creditor_its_instalment_and_the_rest_pro_rata(self):
        # the loan is secured and asks its contractual 60 months at 0 %: 3,508.33 a month,
        # the last instalment 3,508.53 with the fen the even split left over
        secured = loan(secured=True, terms=CreditorTerms(periods=60))
        third = JointCreditor("shop", "丙小贷公司", claim_of(5_000_000))
        sharing = share_monthly(D("6000.00"), [card(), secured, third],
                                ShareRule.SECURED_FIRST)
        need = monthly_need(secured)
        assert need == D("3508.53")
        assert sharing.of("loan").amount == need
        rest = D("6000.00") - need
        assert sharing.of("card").amount + sharing.of("shop").amount == rest
        assert abs(sharing.of("card").amount
                   - rest * CARD.total / (CARD.total + D("50000.00"))) < D("0.01")
        assert "优先受偿" in sharing.of("loan").reason

    def test_secured_first_with_too_little_for_the_secured_claim_leaves_the_others_nothing(self):
        sharing = share_monthly(D("2000.00"), [card(), loan(secured=True,
                                                         terms=CreditorTerms(periods=60))],
                                ShareRule.SECURED_FIRST)
        assert sharing.of("loan").amount == D("2000.00")
        assert sharing.of("card").amount == 0
        with pytest.raises(JointInvalid) as caught:
            consolidated_plan([card(), loan(secured=True, terms=CreditorTerms(periods=60))],
                              budget=S1_BUDGET, first_due=FIRST, policy=DEFAULT_POLICY,
                              rule=ShareRule.SECURED_FIRST, amount=D("2000.00"))
        assert caught.value.code == ErrorCode.JOINT_INVALID
        assert caught.value.details["creditor"] == "card"
        assert "分得0元" in caught.value.message
        assert "约定还款期数" in caught.value.message

    def test_agreed_shares_are_kept_to_the_fen(self):
        sharing = share_monthly(D("5000.00"), [card(agreed_share=D("0.6")),
                                               loan(agreed_share=D("0.4"))], ShareRule.AGREED)
        assert sharing.of("card").amount == D("3000.00")
        assert sharing.of("loan").amount == D("2000.00")
        assert sharing.of("card").weight == D("0.6")
        assert "约定比例60.00%" in sharing.of("card").reason

    @pytest.mark.parametrize("shares", [("0.6", "0.3"), ("0.6", "0.5"), ("0.3333", "0.6666")])
    def test_agreed_shares_not_summing_to_a_hundred_percent_are_refused(self, shares):
        creditors = [card(agreed_share=D(shares[0])), loan(agreed_share=D(shares[1]))]
        with pytest.raises(JointInvalid) as caught:
            share_monthly(D("5000.00"), creditors, ShareRule.AGREED)
        assert caught.value.code == ErrorCode.JOINT_INVALID
        assert "合计须为100%" in caught.value.message

    def test_agreed_rule_without_a_share_for_every_creditor_is_refused(self):
        with pytest.raises(JointInvalid) as caught:
            share_monthly(D("5000.00"), [card(agreed_share=D("1")), loan()], ShareRule.AGREED)
        assert "乙银行" in caught.value.message
        assert caught.value.details["creditor"] == "loan"

    def test_agreed_shares_are_ignored_by_the_other_rules(self):
        told = share_monthly(D("5000.00"), [card(agreed_share=D("0.9")),
                                            loan(agreed_share=D("0.1"))], ShareRule.PRO_RATA)
        plain = share_monthly(D("5000.00"), [card(), loan()], ShareRule.PRO_RATA)
        assert [s.amount for s in told.shares] == [s.amount for s in plain.shares]

    @pytest.mark.parametrize("rule", list(ShareRule))
    def test_a_share_never_exceeds_the_need_and_the_surplus_goes_to_the_others(self, rule):
        # a claim of 10,000 yuan asking ten months needs 1,000 a month; by its weight it
        # would be given more (2,305.24 pro rata, 30,000 agreed) of a 60,000 budget
        small = JointCreditor("small", "丁消费金融", claim_of(1_000_000), agreed_share=D("0.5"),
                              terms=CreditorTerms(periods=10))
        sharing = share_monthly(D("60000.00"), [small, card(agreed_share=D("0.5"))], rule)
        assert sharing.of("small").amount == monthly_need(small) == D("1000.00")
        assert sharing.of("small").capped
        assert "多出部分分给其他债权人" in sharing.of("small").reason
        assert sharing.of("card").amount == D("59000.00")
        assert sharing.unused == 0

    def test_what_no_creditor_can_use_is_left_to_the_debtor(self):
        small = JointCreditor("small", "丁消费金融", claim_of(100_000))
        other = JointCreditor("other", "戊银行", claim_of(250_000))
        sharing = share_monthly(D("6000.00"), [small, other], ShareRule.PRO_RATA)
        assert [s.amount for s in sharing.shares] == [D("1000.00"), D("2500.00")]
        assert sharing.unused == D("2500.00")
        assert "余2,500.00元" in sharing.summary

    def test_the_odd_fen_go_to_the_largest_remainders_ties_to_the_first_listed(self):
        same = [JointCreditor(f"c{i}", f"债权人{i}", CARD) for i in range(3)]
        assert [s.amount for s in share_monthly(D("0.01"), same, ShareRule.PRO_RATA).shares] \
            == [D("0.01"), D("0"), D("0")]
        assert [s.amount for s in share_monthly(D("100.00"), same, ShareRule.PRO_RATA).shares] \
            == [D("33.34"), D("33.33"), D("33.33")]
        assert [s.amount for s in share_monthly(D("0.05"), same, ShareRule.PRO_RATA).shares] \
            == [D("0.02"), D("0.02"), D("0.01")]
        # a larger remainder wins over the order: 2/3 of a fen before 1/3
        two = [JointCreditor("a", "甲", claim_of(100_000)),
               JointCreditor("b", "乙", claim_of(200_000))]
        assert [s.amount for s in share_monthly(D("0.01"), two, ShareRule.PRO_RATA).shares] \
            == [D("0"), D("0.01")]

    def test_bad_input_is_refused_in_words(self):
        with pytest.raises(JointInvalid, match="列入两次"):
            share_monthly(D("100"), [card(), card()], ShareRule.PRO_RATA)
        with pytest.raises(JointInvalid, match="至少须有一家"):
            share_monthly(D("100"), [], ShareRule.PRO_RATA)
        with pytest.raises(JointInvalid, match="不支持的分配规则"):
            share_monthly(D("100"), [card()], "equal")
        with pytest.raises(JointInvalid) as caught:
            share_monthly(D("-1"), [card()], ShareRule.PRO_RATA)
        assert caught.value.details["field"] == "amount"
        with pytest.raises(JointInvalid, match="约定分配比例必须大于0"):
            card(agreed_share=D("0"))
        with pytest.raises(JointInvalid, match=r"减免.*超过所欠") as caught:
            share_monthly(D("100"), [card(terms=CreditorTerms(
                waivers=(Waiver("fees", D("99999.00")),)))], ShareRule.PRO_RATA)
        assert caught.value.details["creditor"] == "card"
        assert caught.value.details["reason"] == ErrorCode.PLAN_INVALID
        assert caught.value.message.startswith("甲银行信用卡中心：")

    def test_only_monthly_methods_are_joint_and_a_flat_plan_carries_no_rate(self):
        with pytest.raises(JointInvalid, match="还款方式只能是"):
            CreditorTerms(method=Method.LUMP_SUM)
        with pytest.raises(JointInvalid, match="还款方式只能是"):
            CreditorTerms(method=Method.INTEREST_ONLY)
        with pytest.raises(JointInvalid, match="等额分期不计利息"):
            CreditorTerms(method=Method.FLAT, annual_rate=D("0.036"))
        assert CreditorTerms(method="equal_principal").method is Method.EQUAL_PRINCIPAL

    @given(st.integers(1, 120), st.sampled_from(["0", "0.036", "0.12"]),
           st.sampled_from([Method.EQUAL_INSTALLMENT, Method.EQUAL_PRINCIPAL]))
    @settings(max_examples=30)
    def test_a_need_does_not_depend_on_the_plan_dates(self, periods, rate, method):
        creditor = loan(terms=CreditorTerms(method, D(rate), periods=periods))
        real = plan_figures(LOAN, dataclasses.replace(
            _options_for(creditor, periods), first_due=dt.date(2027, 2, 28), due_day=31),
            policy=DEFAULT_POLICY, discount_rate=D("0.035"))
        assert monthly_need(creditor) == real.peak_payment


def _options_for(creditor: JointCreditor, periods: int):
    from jintiao.domain.plans import PlanOptions
    t = creditor.terms
    return PlanOptions(t.method, periods, FIRST, annual_rate=t.annual_rate, waivers=t.waivers)


# --- the consolidated plan ------------------------------------------------------------------


def plan_or_refusal(creditors, **kw) -> ConsolidatedPlan | JointInvalid:
    """The plan, or the refusal it was met with (for properties over generated input)."""
    try:
        return consolidated_plan(creditors, **kw)
    except JointInvalid as refused:
        return refused


class TestConsolidatedPlan:
    def test_s1_card_and_loan_under_one_budget(self):
        creditors = [card(terms=CreditorTerms(waivers=(
                         Waiver("penalty_interest", D("12630.11"), conditional=True),))),
                     loan(terms=CreditorTerms(Method.EQUAL_INSTALLMENT, D("0.036")))]
        plan = consolidated_plan(creditors, budget=S1_BUDGET, first_due=FIRST,
                                 policy=DEFAULT_POLICY)
        affordable = affordable_amount(S1_BUDGET, policy=DEFAULT_POLICY)
        assert affordable == D("7500.00")  # 50 % of 15,000; the household keeps 1,580
        assert plan.sharing.amount == affordable
        assert plan.sharing.rule is ShareRule.PRO_RATA  # the policy's default rule
        assert plan.combined_monthly <= affordable
        assert plan.affordable is True
        assert plan.affordability.payment == plan.combined_monthly
        assert [p.key for p in plan.plans] == ["card", "loan"]
        for p in plan.plans:
            assert p.figures.peak_payment <= p.share.amount
            assert p.options.first_due == FIRST
            assert p.options.label == f"联合调解·{p.creditor.name}"
        card_plan, loan_plan = plan.plans
        # the card's plan repays the whole claim less its waiver, in 59 months
        assert card_plan.figures.settled_total == CARD.total - D("12630.11")
        assert card_plan.figures.total_paid == card_plan.figures.settled_total
        assert card_plan.options.periods == 59
        assert loan_plan.options.method is Method.EQUAL_INSTALLMENT
        # each plan is judged with the other's payment counted among the debtor's debts
        assert card_plan.figures.affordability.monthly_obligations \
            == loan_plan.figures.peak_payment
        assert plan.combined_total == card_plan.figures.total_paid + loan_plan.figures.total_paid
        assert plan.combined_waived == D("12630.11")
        # the months side by side: both pay from the first month, the loan runs longer
        assert plan.months[0].payments == (card_plan.figures.schedule.instalments[0].payment,
                                           loan_plan.figures.schedule.instalments[0].payment)
        assert plan.last_due_on == loan_plan.figures.schedule.last_due_on
        assert plan.months[-1].payments[0] == 0
        assert sum(m.total for m in plan.months) == plan.combined_total

    def test_each_term_is_the_smallest_whose_payments_fit_the_share(self):
        plan = consolidated_plan([card(), loan()], budget=S1_BUDGET, first_due=FIRST,
                                 policy=DEFAULT_POLICY, amount=D("6000.00"))
        for p in plan.plans:
            shorter = dataclasses.replace(p.options, periods=p.options.periods - 1)
            tighter = plan_figures(p.creditor.claim, shorter, policy=DEFAULT_POLICY,
                                   discount_rate=D("0.035"))
            assert tighter.peak_payment > p.share.amount

    @given(creditor_lists(high=5, largest=5_000_000), st.integers(50_000, 2_000_000),
           st.sampled_from(list(ShareRule)))
    @settings(max_examples=40)
    def test_the_combined_monthly_never_exceeds_what_is_shared(self, creditors, fen, rule):
        amount = D(fen) / 100
        plan = plan_or_refusal(creditors, budget=S1_BUDGET, first_due=FIRST,
                               policy=DEFAULT_POLICY, rule=rule, amount=amount)
        if isinstance(plan, JointInvalid):  # a share too small for its claim: said in words
            assert plan.details["creditor"] in {c.key for c in creditors}
            assert "分得" in plan.message
            return
        assert plan.combined_monthly <= plan.sharing.shared <= amount
        assert all(m.total <= amount for m in plan.months)
        for p in plan.plans:
            assert p.figures.peak_payment <= p.share.amount
            assert 1 <= p.options.periods <= MAX_PERIODS

    @given(st.integers(100_000, 3_000_000), st.integers(0, 4))
    @settings(max_examples=40)
    def test_by_default_the_combined_plan_fits_the_one_budget(self, income_fen, dependants):
        budget = DebtorBudget(monthly_income=D(income_fen) / 100, dependants=dependants)
        affordable = affordable_amount(budget, policy=DEFAULT_POLICY)
        plan = plan_or_refusal([card(), loan()], budget=budget, first_due=FIRST,
                               policy=DEFAULT_POLICY)
        if isinstance(plan, JointInvalid):  # nothing to share, or too little in 600 months
            assert "无法" in plan.message
            return
        assert plan.combined_monthly <= affordable
        assert plan.affordable is True

    def test_more_than_the_budget_is_judged_once_and_said(self):
        plan = consolidated_plan([card(), loan()], budget=S1_BUDGET, first_due=FIRST,
                                 policy=DEFAULT_POLICY, amount=D("9000.00"))
        assert plan.affordable is False
        assert any("超过上限" in w for w in plan.warnings)

    def test_a_share_too_small_for_the_longest_term_is_refused_in_words(self):
        with pytest.raises(JointInvalid) as caught:
            consolidated_plan([card(), loan()], budget=S1_BUDGET, first_due=FIRST,
                              policy=DEFAULT_POLICY, amount=D("500.00"))
        assert caught.value.code == ErrorCode.JOINT_INVALID
        assert f"{MAX_PERIODS}期内无法还清" in caught.value.message
        assert caught.value.details["creditor"] == "card"
        # the message says what the longest term would ask: the card over 600 months, whose
        # last instalment carries what the even split rounded off (335.47 + 86.78)
        floor = caught.value.details["needed"]
        assert floor == D("422.25")
        assert "每月至少需422.25元" in caught.value.message

    def test_nothing_to_share_is_refused(self):
        poor = DebtorBudget(monthly_income=D("1500.00"), dependants=1)
        assert affordable_amount(poor, policy=DEFAULT_POLICY) == 0
        with pytest.raises(JointInvalid, match="金额为零"):
            consolidated_plan([card(), loan()], budget=poor, first_due=FIRST,
                              policy=DEFAULT_POLICY)

    def test_an_enterprise_must_declare_its_cash_flow(self):
        with pytest.raises(JointInvalid, match="月经营现金流"):
            affordable_amount(DebtorBudget(entity=True), policy=DEFAULT_POLICY)
        firm = DebtorBudget(entity=True, monthly_cash_flow=D("20000.00"),
                            other_obligations=D("5000.00"))
        assert affordable_amount(firm, policy=DEFAULT_POLICY) == D("15000.00")

    def test_the_policy_rule_applies_unless_the_desk_names_another(self):
        policy = DEFAULT_POLICY.replace(joint_share_rule=ShareRule.AGREED)
        creditors = [card(agreed_share=D("0.5")), loan(agreed_share=D("0.5"))]
        plan = consolidated_plan(creditors, budget=S1_BUDGET, first_due=FIRST, policy=policy)
        assert plan.sharing.rule is ShareRule.AGREED
        assert plan.plans[0].share.amount == plan.plans[1].share.amount == D("3750.00")
        named = consolidated_plan(creditors, budget=S1_BUDGET, first_due=FIRST, policy=policy,
                                  rule=ShareRule.PRO_RATA)
        assert named.sharing.rule is ShareRule.PRO_RATA

    def test_other_debts_are_counted_and_the_desk_reminded_not_to_count_these(self):
        budget = DebtorBudget(monthly_income=D("15000.00"), other_obligations=D("1000.00"))
        plan = consolidated_plan([card(), loan()], budget=budget, first_due=FIRST,
                                 policy=DEFAULT_POLICY)
        assert plan.combined_monthly <= D("6500.00")
        assert any("不应包含本次联合调解的债务" in w for w in plan.warnings)

    def test_each_creditor_is_held_to_the_cost_cap_on_its_own(self):
        # the loan's charges ran for only 30 days: 10,500 yuan is far above 24 % a year
        plan = consolidated_plan([card(charges_since=dt.date(2024, 1, 1)),
                                  loan(charges_since=dt.date(2026, 9, 13))],
                                 budget=S1_BUDGET, first_due=FIRST, policy=DEFAULT_POLICY)
        assert plan.plan_of("card").cost_cap[0] is True
        assert plan.plan_of("loan").cost_cap[0] is False
        assert any(w.startswith("乙银行：利息、罚息和费用") for w in plan.warnings)
        assert consolidated_plan([card()], budget=S1_BUDGET, first_due=FIRST,
                                 policy=DEFAULT_POLICY).plans[0].cost_cap is None

    def test_bad_dates_and_rates_are_refused_before_anything_is_built(self):
        with pytest.raises(JointInvalid) as caught:
            consolidated_plan([card()], budget=S1_BUDGET, first_due="2026-11-20",
                              policy=DEFAULT_POLICY)
        assert caught.value.details["field"] == "first_due"
        with pytest.raises(JointInvalid) as caught:
            consolidated_plan([card()], budget=S1_BUDGET, first_due=FIRST,
                              policy=DEFAULT_POLICY, discount_rate=0.035)
        assert caught.value.details["field"] == "discount_rate"
        with pytest.raises(JointInvalid) as caught:
            consolidated_plan([card()], budget=S1_BUDGET, first_due=FIRST,
                              policy=DEFAULT_POLICY, due_day=32)
        assert caught.value.details["creditor"] == "card"

    def test_a_first_due_date_before_a_claim_date_names_the_creditor(self):
        with pytest.raises(JointInvalid) as caught:
            consolidated_plan([card(), loan()], budget=S1_BUDGET, first_due=AS_OF,
                              policy=DEFAULT_POLICY)
        assert caught.value.details["creditor"] == "card"
        assert "首期还款日" in caught.value.message


# --- authority, per creditor ------------------------------------------------------------------

STRICT = AuthorityLimits(max_charge_waiver_ratio=D("0.1"), max_term_months=36)
GENEROUS = AuthorityLimits(max_charge_waiver_ratio=D("1"), max_term_months=120,
                           max_principal_waiver_ratio=D("0.1"))


class TestAuthority:
    def plan(self, card_waiver: str = "12630.11"):
        return consolidated_plan(
            [card(terms=CreditorTerms(waivers=(Waiver("penalty_interest", D(card_waiver)),))),
             loan()], budget=S1_BUDGET, first_due=FIRST, policy=DEFAULT_POLICY)

    def test_each_creditor_is_measured_against_its_own_limits(self):
        found = creditor_excesses(self.plan(), {"card": STRICT, "loan": GENEROUS})
        assert list(found) == ["card", "loan"]
        assert {e.limit for e in found["card"]} == {"max_charge_waiver_ratio",
                                                    "max_term_months"}
        assert found["loan"] == ()

    def test_one_creditors_limits_and_concessions_leave_the_others_verdict_alone(self):
        base = creditor_excesses(self.plan(), {"card": STRICT, "loan": STRICT})
        looser = creditor_excesses(self.plan(), {"card": GENEROUS, "loan": STRICT})
        less_waived = creditor_excesses(self.plan("100.00"), {"card": STRICT, "loan": STRICT})
        assert base["loan"] == looser["loan"] == less_waived["loan"]
        assert base["card"] != looser["card"]
        assert looser["card"] == ()
        assert {e.limit for e in less_waived["card"]} == {"max_term_months"}

    def test_a_creditor_without_limits_is_refused(self):
        with pytest.raises(JointInvalid) as caught:
            creditor_excesses(self.plan(), {"card": STRICT})
        assert caught.value.details["creditor"] == "loan"
        assert "授权范围" in caught.value.message


# --- default, per creditor --------------------------------------------------------------------


def _ledgers(card_paid, loan_paid, missed=2):
    plan = consolidated_plan([card(), loan()], budget=S1_BUDGET, first_due=FIRST,
                             policy=DEFAULT_POLICY)
    card_dues = dues_of(plan.plan_of("card").figures.schedule)
    loan_dues = dues_of(plan.plan_of("loan").figures.schedule)
    return (CreditorLedger("card", card_dues, tuple(card_paid(card_dues)), missed),
            CreditorLedger("loan", loan_dues, tuple(loan_paid(loan_dues)), missed))


def on_time(months):
    return lambda dues: [Paid(f"p{d.number}", d.due_on, d.amount) for d in dues[:months]]


class TestDefaultIsolation:
    ON = dt.date(2027, 6, 30)  # eight instalments have fallen due

    def test_one_creditors_default_accelerates_its_claim_only(self):
        card_ledger, loan_ledger = _ledgers(on_time(2), on_time(8))
        joint = standings_on([card_ledger, loan_ledger], self.ON)
        assert joint.defaulted == ("card",)
        assert joint.performing == ("loan",)
        card_standing = joint.of("card")
        # the third and fourth card instalments missed: the clause was met the day after the
        # fourth fell due, and every later card instalment fell due that day
        assert card_standing.accelerated_on == card_ledger.dues[3].due_on + dt.timedelta(1)
        assert all(s.due.due_on <= card_standing.accelerated_on
                   for s in card_standing.account.standings)
        loan_standing = joint.of("loan")
        assert loan_standing.accelerated_on is None
        assert [s.due.due_on for s in loan_standing.account.standings] \
            == [d.due_on for d in loan_ledger.dues]
        assert loan_standing.account.overdue_amount == 0

    @given(st.lists(st.booleans(), min_size=8, max_size=8), st.integers(1, 3))
    @settings(max_examples=40)
    def test_the_others_standing_is_the_same_whatever_one_creditor_pays(self, pays, missed):
        def patchy(dues):
            return [Paid(f"p{d.number}", d.due_on, d.amount)
                    for d, paid in zip(dues, pays, strict=False) if paid]

        card_ledger, loan_ledger = _ledgers(patchy, on_time(8), missed)
        joint = standings_on([card_ledger, loan_ledger], self.ON)
        assert joint.of("loan") == standing_of(loan_ledger, self.ON)
        assert not joint.of("loan").defaulted
        alone = standing_of(card_ledger, self.ON)
        assert joint.of("card") == alone

    def test_a_cure_counts_only_the_misses_after_it(self):
        card_ledger, loan_ledger = _ledgers(on_time(2), on_time(8))
        cured = dataclasses.replace(card_ledger, cured_on=card_ledger.dues[6].due_on)
        assert not standings_on([cured, loan_ledger], dt.date(2027, 5, 25)).defaulted

    def test_bad_ledgers_are_refused_naming_the_creditor(self):
        card_ledger, loan_ledger = _ledgers(on_time(1), on_time(1))
        with pytest.raises(JointInvalid, match="列入两次"):
            standings_on([card_ledger, card_ledger], self.ON)
        with pytest.raises(JointInvalid, match="至少为一期"):
            CreditorLedger("card", card_ledger.dues, (), 0)
        twice = dataclasses.replace(card_ledger, payments=(Paid("x", FIRST, D("1")),
                                                           Paid("x", FIRST, D("2"))))
        with pytest.raises(JointInvalid) as caught:
            standings_on([twice, loan_ledger], self.ON)
        assert caught.value.details["creditor"] == "card"
        assert "流水号重复" in caught.value.message


# --- the policy's rule ------------------------------------------------------------------------


class TestPolicyRule:
    def test_the_default_rule_is_pro_rata_with_its_source(self):
        assert DEFAULT_POLICY.joint_share_rule is ShareRule.PRO_RATA
        assert "企业破产法第113条" in SOURCES["joint_share_rule"]
        for rule in ShareRule:
            assert rule.label
            assert "第" in rule.source

    @pytest.mark.parametrize("rule", list(ShareRule))
    def test_round_trip_through_storage(self, rule):
        policy = DEFAULT_POLICY.replace(joint_share_rule=rule)
        stored = json.loads(json.dumps(policy.to_dict()))
        assert stored["joint_share_rule"] == rule.value
        back = Policy.from_dict(stored)
        assert back == policy
        assert back.joint_share_rule is rule

    def test_a_version_stored_before_the_rule_existed_reads_with_the_default(self):
        stored = DEFAULT_POLICY.replace(joint_share_rule=ShareRule.AGREED).to_dict()
        del stored["joint_share_rule"]
        assert Policy.from_dict(stored).joint_share_rule is ShareRule.PRO_RATA

    @pytest.mark.parametrize("bad", ["equal", 1, None, ""])
    def test_an_unknown_rule_is_refused_naming_the_field(self, bad):
        with pytest.raises(PolicyInvalid) as caught:
            Policy.from_dict({"joint_share_rule": bad})
        assert caught.value.details["field"] == "joint_share_rule"
