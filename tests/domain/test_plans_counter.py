"""The debtor's own plan on the portal (issue 21 §1): only charges the claim holds may be
asked off, in full and reviving on default; the figures are the designer's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.plans import (
    DEBTOR_WAIVABLE,
    PlanDesignInvalid,
    debtor_counter,
    plan_figures,
)
from jintiao.domain.policy import DEFAULT_POLICY

CLAIM = ClaimBreakdown(as_of=dt.date(2026, 6, 30), principal=D("50000.00"),
                       interest=D("3000.00"), penalty_interest=D("1200.50"),
                       compound_interest=D("300.25"), fees=D("80.00"))
FIRST = dt.date(2027, 1, 20)


@given(periods=st.integers(1, 120),
       waive=st.lists(st.sampled_from(["penalty_interest", "compound_interest", "fees"]),
                      unique=True))
def test_the_charges_asked_off_are_given_up_whole_and_revive(periods, waive):
    options = debtor_counter(CLAIM, periods=periods, first_due=FIRST, waive=waive)
    figures = plan_figures(CLAIM, options, policy=DEFAULT_POLICY, discount_rate=D("0.035"))
    given_up = sum((getattr(CLAIM, p) for p in waive), D(0))
    assert {w.part for w in options.waivers} == set(waive)
    assert all(w.conditional and w.amount == getattr(CLAIM, w.part) for w in options.waivers)
    assert figures.total_paid == CLAIM.total - given_up  # no interest over the term
    assert figures.term_months == periods


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"periods": 0}, "periods", "期数必须是1到600之间的整数"),
    ({"periods": 601}, "periods", "期数必须是1到600之间的整数"),
    ({"periods": 12, "waive": ["principal"]}, "waive", "只能请求减免"),
    ({"periods": 12, "waive": ["interest"]}, "waive", "只能请求减免"),
    ({"periods": 12, "waive": ["liquidated_damages"]}, "waive", "对方未主张违约金"),
    ({"periods": 12, "down_payment": D("1000")}, "down_payment_due", "有首付款时须填写支付日"),
    ({"periods": 12, "down_payment": D("-1")}, "down_payment", "首付款"),
])
def test_what_cannot_be_asked_is_refused_by_name(kwargs, field, words):
    with pytest.raises(PlanDesignInvalid) as refused:
        debtor_counter(CLAIM, first_due=FIRST, **kwargs)
    assert refused.value.details.get("field") == field
    assert words in refused.value.message


def test_only_charges_are_offered():
    assert set(DEBTOR_WAIVABLE) == {"penalty_interest", "compound_interest",
                                    "liquidated_damages", "fees"}
