"""The batch assignment's rule (issue 20 §4): the top of the single assignment's ranking,
each load counting what the batch already proposed — so a batch spreads its disputes, never
proposes a conflicted or recused mediator, and prefers expertise in the dispute's type."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.assignment import Candidate, Needs, Ranked, propose_lead

BANK = 7  # the creditor's institution group


def mediator(key: int, *, load: int = 0, capacity: int = 15, expertise: frozenset[str] =
             frozenset(), ties: frozenset[int] = frozenset(), available: bool = True,
             full_time: bool = False) -> Candidate:
    return Candidate(key=key, name=f"调解员{key:03d}", expertise=expertise, open_load=load,
                     capacity=capacity, available=available, region_code="522601",
                     ties=ties, full_time=full_time)


NEEDS = Needs("credit_card", "522601", frozenset({BANK}))


def run(candidates: list[Candidate], needs: Needs, n: int) -> list[Ranked | tuple[str, ...]]:
    """Propose ``n`` disputes in a row, as the batch does, counting each proposal."""
    proposed: Counter[int] = Counter()
    picks = []
    for _ in range(n):
        pick = propose_lead(candidates, needs, proposed)
        if isinstance(pick, Ranked):
            proposed[pick.candidate.key] += 1
        picks.append(pick)
    return picks


class TestProposeLead:
    def test_the_least_loaded_of_equals_is_chosen(self):
        pick = propose_lead([mediator(1, load=3), mediator(2, load=1), mediator(3, load=2)],
                            NEEDS, {})

        assert isinstance(pick, Ranked)
        assert pick.candidate.key == 2

    def test_the_disputes_proposed_earlier_in_the_batch_count_in_the_load(self):
        pick = propose_lead([mediator(1, load=0), mediator(2, load=1)], NEEDS, {1: 2})

        assert isinstance(pick, Ranked)
        assert pick.candidate.key == 2

    def test_expertise_in_the_type_comes_before_a_lighter_load(self):
        expert = mediator(1, load=4, expertise=frozenset({"credit_card"}))

        pick = propose_lead([expert, mediator(2, load=0)], NEEDS, {})

        assert isinstance(pick, Ranked)
        assert pick.candidate.key == 1
        assert "擅长此类纠纷" in pick.reasons

    def test_a_mediator_tied_to_the_creditor_or_recused_is_never_proposed(self):
        tied = mediator(1, ties=frozenset({BANK}))
        recused = mediator(2)
        needs = Needs("credit_card", "522601", frozenset({BANK}), frozenset({2}))

        picks = run([tied, recused, mediator(3, load=14)], needs, 3)

        assert isinstance(picks[0], Ranked)
        assert picks[0].candidate.key == 3
        # the third mediator is full after one more: nobody is left, and the reason says why
        assert picks[1] == (
            "本调委会3名调解员均不能指派（与当事金融机构有关联1名、已回避1名、已满额1名）",)

    def test_a_committee_without_mediators_is_said_so(self):
        assert propose_lead([], NEEDS, {}) == ("本调委会没有在册调解员",)

    def test_unavailable_mediators_are_left_out(self):
        pick = propose_lead([mediator(1, available=False)], NEEDS, {})

        assert pick == ("本调委会1名调解员均不能指派（暂不可指派1名）",)


loads = st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=6)


@given(loads=loads, batch=st.integers(min_value=1, max_value=30),
       tied=st.sets(st.integers(min_value=0, max_value=5)),
       recused=st.sets(st.integers(min_value=0, max_value=5)))
def test_a_batch_never_proposes_a_conflict_and_keeps_equals_within_one(loads, batch, tied,
                                                                       recused):
    """Whatever the loads, no proposal names a tied or recused mediator or one beyond their
    capacity; and among the mediators it may propose, all alike but for their loads, the
    batch ends with the loads it raised no more than one apart from the lightest."""
    candidates = [mediator(k, load=load, capacity=20,
                           ties=frozenset({BANK}) if k in tied else frozenset())
                  for k, load in enumerate(loads)]
    needs = Needs("credit_card", "522601", frozenset({BANK}), frozenset(recused))
    eligible = {c.key for c in candidates if c.key not in tied and c.key not in recused}

    picks = run(candidates, needs, batch)

    chosen = Counter(p.candidate.key for p in picks if isinstance(p, Ranked))
    assert set(chosen) <= eligible
    final = {c.key: c.open_load + chosen[c.key] for c in candidates if c.key in eligible}
    assert all(load <= 20 for load in final.values())
    if eligible and chosen:
        lightest = min(final.values())
        assert all(final[k] <= lightest + 1 for k in chosen)
    if not eligible:
        assert not chosen
        assert all(isinstance(p, tuple) for p in picks)
