"""Triage, mediator ranking, institution authority and neutral evaluation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.assignment import Candidate, Needs, rank_mediators
from jintiao.domain.authority import (
    AuthorityInvalid,
    AuthorityLimits,
    PlanAsks,
    excesses,
    first_able,
)
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.evaluation import EvaluationInvalid, litigation_paths
from jintiao.domain.plans import PlanOptions, plan_figures
from jintiao.domain.policy import DEFAULT_POLICY, Track
from jintiao.domain.schedules import Method
from jintiao.domain.triage import TriageFacts, suggest_track

S1 = ClaimBreakdown(as_of=dt.date(2026, 10, 13), principal=D("200311.62"),
                    interest=D("31208.40"), penalty_interest=D("12630.11"), fees=D("6127.00"))


# --- triage -------------------------------------------------------------------------------

@pytest.mark.parametrize(("total", "disputed", "asked", "track"), [
    ("30000", False, False, Track.FAST),
    ("50000", False, False, Track.FAST),          # at the threshold: still small
    ("50000.01", False, False, Track.SIMPLE),
    ("250277.13", False, False, Track.SIMPLE),    # S1: facts not disputed, how to pay is
    ("250277.13", True, False, Track.ORDINARY),
    ("2496500", True, False, Track.EVALUATION),   # S3-sized, contested
    ("30000", False, True, Track.EVALUATION),     # a party asked for it
])
def test_suggested_track(total, disputed, asked, track):
    s = suggest_track(TriageFacts(D(total), disputed, asked), DEFAULT_POLICY)
    assert s.track is track
    assert s.reasons
    assert all(r.endswith("。") for r in s.reasons)


def test_thresholds_come_from_policy():
    lower = DEFAULT_POLICY.replace(small_claim_threshold=D("10000"))
    assert suggest_track(TriageFacts(D("30000")), lower).track is Track.SIMPLE


# --- ranking ------------------------------------------------------------------------------

BANK, OTHER_BANK = 7, 8


def cand(key, name, *, expertise=(), load=0, capacity=10, available=True, region="522601",
         ties=(), full_time=False):
    return Candidate(key, name, frozenset(expertise), load, capacity, available, region,
                     frozenset(ties), full_time)


NEEDS = Needs("credit_card", "522601", frozenset({BANK}))


def test_a_mediator_from_the_creditor_bank_is_never_offered():
    banker = cand(1, "甲", expertise=["credit_card"], ties=[BANK], full_time=True)
    other = cand(2, "乙", ties=[OTHER_BANK])
    ranked, excluded = rank_mediators([banker, other], NEEDS)
    assert [r.candidate.key for r in ranked] == [2]
    assert excluded[0].candidate.key == 1
    assert "回避" in excluded[0].reasons[0]


def test_ranking_by_expertise_place_and_load():
    expert_far = cand(1, "甲", expertise=["credit_card"], region="522622")
    near_busy = cand(2, "乙", load=9)
    near_free = cand(3, "丙")
    expert_near = cand(4, "丁", expertise=["credit_card"], load=5)
    away = cand(5, "戊", region="510101")
    ranked, _ = rank_mediators([expert_far, near_busy, near_free, expert_near, away], NEEDS)
    # 40+10+30, 40+20+15, 20+30, 0+30, 20+3: a free expert next door before a half-busy
    # one here; anyone idle before a nearly full neighbour
    assert [(r.candidate.key, r.score) for r in ranked] == [(1, 80), (4, 75), (3, 50),
                                                            (5, 30), (2, 23)]
    assert "擅长此类纠纷" in ranked[0].reasons


def test_recused_unavailable_and_full_are_excluded_with_reasons():
    needs = Needs("credit_card", "522601", frozenset(), recused=frozenset({1}))
    _, excluded = rank_mediators([cand(1, "甲"), cand(2, "乙", available=False),
                                  cand(3, "丙", load=10)], needs)
    reasons = {e.candidate.key: e.reasons for e in excluded}
    assert "已决定回避本纠纷" in reasons[1]
    assert "暂不可指派" in reasons[2][0]
    assert "已达上限" in reasons[3][0]


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(1, 12), st.booleans(),
                          st.sets(st.integers(1, 9), max_size=2)), max_size=20))
def test_no_conflicted_mediator_is_ever_ranked(rows):
    people = [cand(i, f"m{i}", load=load, capacity=cap, available=ok, ties=ties)
              for i, (load, cap, ok, ties) in enumerate(rows)]
    ranked, excluded = rank_mediators(people, NEEDS)
    assert len(ranked) + len(excluded) == len(people)
    for r in ranked:
        assert BANK not in r.candidate.ties
        assert r.candidate.open_load < r.candidate.capacity
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)


# --- authority ----------------------------------------------------------------------------

AGENT = AuthorityLimits(max_charge_waiver_ratio=D("0.30"), max_term_months=36,
                        max_deferral_months=3)
APPROVER = AuthorityLimits(max_charge_waiver_ratio=D("0.60"), max_term_months=60,
                           max_deferral_months=12)


def asks_for(periods, **kw):
    f = plan_figures(S1, PlanOptions(Method.FLAT, periods, dt.date(2026, 11, 20), **kw),
                     policy=DEFAULT_POLICY, discount_rate=D("0.04"))
    return PlanAsks.of(f, S1.principal)


def test_sixty_instalments_need_approval_above_the_agent():
    asks = asks_for(60)
    found = excesses(asks, AGENT)
    assert [e.limit for e in found] == ["max_term_months"]
    assert found[0].sentence == "还款期限：方案为60个月，授权为36个月"
    assert excesses(asks, APPROVER) == []
    assert first_able(asks, [("agent", AGENT), ("approver", APPROVER)]) == "approver"
    assert first_able(asks_for(24), [("agent", AGENT), ("approver", APPROVER)]) == "agent"
    too_much = AuthorityLimits(max_term_months=600)
    assert first_able(asks_for(600 - 1), [("agent", AGENT)]) is None
    assert APPROVER.covers(AGENT)
    assert not AGENT.covers(APPROVER)
    assert too_much.max_term_months == 600


def test_limits_are_validated():
    with pytest.raises(AuthorityInvalid):
        AuthorityLimits(max_term_months=0)
    with pytest.raises(AuthorityInvalid):
        AuthorityLimits(max_charge_waiver_ratio=D("1.5"))


# --- neutral evaluation -------------------------------------------------------------------

def test_both_paths_for_both_sides_s1():
    plan = plan_figures(S1, PlanOptions(Method.FLAT, 60, dt.date(2026, 11, 20)),
                        policy=DEFAULT_POLICY, discount_rate=D("0.04"))
    paths = litigation_paths(S1, contract_annual_rate=D("0.18"), policy=DEFAULT_POLICY,
                             discount_rate=D("0.04"), settlement=plan)
    # interest runs 18 months at 18 % on the principal
    assert paths.accrued_interest == (S1.principal * D("0.18") * 18 / 12).quantize(D("0.01"))
    assert paths.acceptance_fee == D("5054.16")  # 诉讼费用交纳办法 on 250,277.13
    assert paths.enforcement_fee > 0
    assert paths.lawyer_fee == D("7508.31")
    assert paths.debtor_litigation_cost > S1.total + paths.accrued_interest
    assert paths.creditor_litigation_value < S1.total * DEFAULT_POLICY.expected_recovery_rate * 2
    # for S1 the plan is worth more to the bank and costs the holder less than a lawsuit
    assert paths.creditor_gain is not None
    assert paths.creditor_gain > 0
    assert paths.debtor_saving is not None
    assert paths.debtor_saving > 0
    text = "".join(paths.summary())
    assert "诉讼" in text
    assert "调解方案" in text


def test_accrual_never_runs_above_the_cap():
    paths = litigation_paths(S1, contract_annual_rate=D("0.36"), policy=DEFAULT_POLICY,
                             discount_rate=D("0.04"))
    assert paths.accrual_rate == DEFAULT_POLICY.annual_cost_cap
    assert paths.creditor_settlement_value is None
    assert paths.creditor_gain is None
    with pytest.raises(EvaluationInvalid):
        litigation_paths(S1, contract_annual_rate=D("2"), policy=DEFAULT_POLICY,
                         discount_rate=D("0.04"))
