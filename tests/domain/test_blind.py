"""Blind offers: a proposal inside both bounds that does not give either bound away."""

from __future__ import annotations

import random
from decimal import Decimal as D

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from jintiao.domain.blind import (
    BoundIncomplete,
    BoundOutsideClaim,
    CreditorBound,
    DebtorBound,
    OfferInvalid,
    Outcome,
    bound_of,
    candidate_totals,
    grid_step,
    match,
    require_within_claim,
)
from jintiao.domain.errors import ErrorCode
from jintiao.domain.money import split_evenly

S1_TOTAL = D("250277.13")
STEP = grid_step(S1_TOTAL, D("0.01"))


def test_grid_step_is_about_one_percent_in_whole_hundreds():
    assert STEP == D("2600")
    assert grid_step(D("5000"), D("0.01")) == D("100")


def test_s1_pay_in_full_against_the_holders_bound():
    bank = CreditorBound(min_total=S1_TOTAL, max_term_months=1)  # "everything at once"
    holder = DebtorBound(max_monthly=D("4300"), max_total=S1_TOTAL)
    assert match(bank, holder, step=STEP, rng=random.Random(0)).outcome is Outcome.NO_OVERLAP
    # the bank moves to 60 months of the full amount: now there is a deal
    bank = CreditorBound(min_total=S1_TOTAL, max_term_months=60)
    found = match(bank, holder, step=STEP, rng=random.Random(0))
    assert found.outcome is Outcome.OVERLAP
    assert found.proposal is not None
    assert found.proposal.total == S1_TOTAL  # the overlap is one figure wide
    assert found.proposal.largest <= D("4300")
    assert found.proposal.periods <= 60


def test_beyond_the_agents_authority_says_needs_approval_not_the_bound():
    agent = CreditorBound(min_total=S1_TOTAL, max_term_months=36)
    approver = CreditorBound(min_total=S1_TOTAL, max_term_months=60)
    holder = DebtorBound(max_monthly=D("4300"), max_total=D("260000"))
    found = match(agent, holder, step=STEP, rng=random.Random(0), escalation=approver)
    assert found.outcome is Outcome.NEEDS_APPROVAL
    assert found.proposal is None
    poorer = DebtorBound(max_monthly=D("2000"), max_total=D("260000"))
    assert match(agent, poorer, step=STEP, rng=random.Random(0),
                 escalation=approver).outcome is Outcome.NO_OVERLAP


def test_bounds_are_validated():
    with pytest.raises(OfferInvalid):
        CreditorBound(D("0"), 12)
    with pytest.raises(OfferInvalid):
        CreditorBound(D("1000"), 0)
    with pytest.raises(OfferInvalid):
        DebtorBound(D("-1"), D("1000"))
    with pytest.raises(OfferInvalid):
        DebtorBound(D("1000.001"), D("1000"))


def test_a_debtor_cannot_pay_more_a_month_than_in_all():
    with pytest.raises(OfferInvalid) as refused:
        DebtorBound(D("5000"), D("4000"))
    assert refused.value.message == "每月最多还款5,000.00元超过最多还款总额4,000.00元"
    assert refused.value.details["field"] == "max_monthly"
    assert DebtorBound(D("4000"), D("4000")).max_monthly == D("4000")  # one payment



class TestBoundOf:
    """What makes a side's bound complete is decided here once, for the web form, the
    portal and the API alike."""

    def test_a_complete_bound_for_each_side(self):
        assert bound_of("creditor", min_total=D("200000"), max_term_months=36) == \
            CreditorBound(D("200000"), 36)
        assert bound_of("debtor", max_monthly=D("4300"), max_total=D("250000")) == \
            DebtorBound(D("4300"), D("250000"))

    def test_a_bound_missing_a_figure_names_what_is_missing(self):
        with pytest.raises(BoundIncomplete) as caught:
            bound_of("creditor", min_total=D("200000"), max_monthly=D("4300"))
        assert caught.value.code is ErrorCode.BLIND_BOUND_INCOMPLETE
        assert caught.value.message == "债权人底线须填写可接受的最低还款总额和最长期限"
        assert caught.value.details["field"] == "max_term_months"
        with pytest.raises(BoundIncomplete) as caught:
            bound_of("debtor", max_total=D("250000"))
        assert caught.value.message == "债务人底线须填写每月最多还款和最多还款总额"
        assert caught.value.details["field"] == "max_monthly"
        with pytest.raises(OfferInvalid):
            bound_of("mediator", min_total=D("1"), max_term_months=1)


class TestBoundsInsideTheClaim:
    """A bound is a figure between nothing and the whole claim; outside it, it is refused
    with one code, whichever side enters it."""

    @pytest.mark.parametrize("make", [
        lambda: CreditorBound(D("-1"), 12),
        lambda: DebtorBound(D("-0.01"), D("1000")),
        lambda: DebtorBound(D("100"), D("-5")),
    ])
    def test_a_negative_bound_is_outside_the_claim(self, make):
        with pytest.raises(BoundOutsideClaim) as caught:
            make()
        assert caught.value.code is ErrorCode.BLIND_BOUND_OUTSIDE_CLAIM
        assert "不能为负数" in caught.value.message

    @pytest.mark.parametrize(("bound", "field", "label"), [
        (CreditorBound(D("250277.14"), 12), "min_total", "可接受的最低还款总额"),
        (DebtorBound(D("4300"), D("300000")), "max_total", "最多还款总额"),
    ])
    def test_a_bound_above_the_claims_total_is_refused(self, bound, field, label):
        with pytest.raises(BoundOutsideClaim) as caught:
            require_within_claim(bound, S1_TOTAL)
        assert caught.value.code is ErrorCode.BLIND_BOUND_OUTSIDE_CLAIM
        assert caught.value.details["field"] == field
        assert caught.value.message.startswith(label)
        assert "超过债权总额250,277.13元" in caught.value.message

    def test_the_whole_claim_is_inside(self):
        for bound in (CreditorBound(S1_TOTAL, 60), DebtorBound(S1_TOTAL, S1_TOTAL)):
            assert require_within_claim(bound, S1_TOTAL) is None


bounds = st.tuples(
    st.decimals(min_value=D("1000"), max_value=D("500000"), places=2),  # creditor min total
    st.integers(1, 120),                                                # creditor max term
    st.decimals(min_value=D("50"), max_value=D("50000"), places=2),     # debtor monthly
    st.decimals(min_value=D("1000"), max_value=D("600000"), places=2),  # debtor total
)


@given(bounds, st.integers(0, 2**32))
def test_a_proposal_always_lies_inside_both_bounds(b, seed):
    c_min, c_term, d_month, d_total = b
    d_month = min(d_month, d_total)  # a month never holds more than the whole
    creditor, debtor = CreditorBound(c_min, c_term), DebtorBound(d_month, d_total)
    found = match(creditor, debtor, step=grid_step(c_min, D("0.01")), rng=random.Random(seed))
    if found.outcome is Outcome.OVERLAP:
        p = found.proposal
        assert p is not None
        assert c_min <= p.total <= d_total
        assert 1 <= p.periods <= c_term
        assert max(split_evenly(p.total, p.periods)) <= d_month
    else:
        # no overlap means none exists: not even the creditor's own minimum over its
        # longest term fits the debtor
        assert (c_min > d_total
                or max(split_evenly(c_min, c_term)) > d_month)


@given(st.decimals(min_value=D("10000"), max_value=D("400000"), places=2),
       st.integers(12, 72), st.integers(0, 2**32))
def test_the_debtor_cannot_work_out_the_creditors_minimum(c_min, c_term, seed):
    """Two creditor minimums several steps apart can produce the same proposal, so seeing
    the proposal and his own bound does not tell the debtor which it was."""
    step = grid_step(D("400000"), D("0.01"))
    debtor = DebtorBound(max_monthly=D("50000"), max_total=D("900000"))
    other = c_min + 2 * step
    low = set(candidate_totals(CreditorBound(c_min, c_term), debtor, step))
    high = set(candidate_totals(CreditorBound(other, c_term), debtor, step))
    assume(low and high)
    assert low & high  # a shared proposal: either minimum could be behind it
    chosen = match(CreditorBound(c_min, c_term), debtor, step=step,
                   rng=random.Random(seed)).proposal
    assert chosen is not None
    assert chosen.total % step == 0  # on the coarse grid, never an exact midpoint


@given(bounds)
def test_the_creditor_cannot_work_out_the_debtors_maximum(b):
    c_min, c_term, _d_month, d_total = b
    step = grid_step(c_min, D("0.01"))
    creditor = CreditorBound(c_min, c_term)
    # the monthly figure never binds: as much a month as in all
    first = set(candidate_totals(creditor, DebtorBound(d_total, d_total), step))
    wider = d_total + 2 * step
    second = set(candidate_totals(creditor, DebtorBound(wider, wider), step))
    # a wide overlap (a narrow one gives both bounds away whatever is proposed: documented)
    assume(len(first) >= 2 and all(t % step == 0 for t in first))
    assert first & second
