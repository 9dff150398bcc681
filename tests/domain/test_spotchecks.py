"""The spot-check draw is reproducible and fair; the checklist must be answered whole."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.errors import DomainError
from jintiao.domain.spotchecks import CHECKLIST, answers_problems, draw

pools = st.dictionaries(st.integers(1, 50), st.lists(st.integers(1, 10_000), max_size=40),
                        max_size=8)


@given(pools, st.integers(1, 50), st.text(min_size=1, max_size=12).filter(str.strip))
def test_the_same_seed_draws_the_same_sample_of_the_stated_size(pools, size, seed):
    first = draw(pools, size, seed)
    assert first == draw({k: list(reversed(v)) for k, v in pools.items()}, size, seed)
    for committee, ids in first.items():
        assert set(ids) <= set(pools[committee])
        assert len(ids) == min(size, len(set(pools[committee])))
        assert ids == sorted(ids)


def test_another_seed_draws_another_sample():
    pool = {1: list(range(1, 200))}
    assert draw(pool, 5, "2026-Q3") != draw(pool, 5, "2026-Q4")


@pytest.mark.parametrize(("size", "seed"), [(0, "x"), (51, "x"), (True, "x"), (5, "  ")])
def test_a_size_or_seed_that_cannot_be_used_is_refused(size, seed):
    with pytest.raises(DomainError) as caught:
        draw({1: [1, 2]}, size, seed)
    assert caught.value.code == "spot_check_invalid"


def test_the_checklist_is_answered_yes_or_no_item_by_item():
    whole = dict.fromkeys(CHECKLIST, True)
    assert answers_problems(whole) == []
    assert answers_problems({**whole, "deadlines_kept": "yes"})
    assert answers_problems({**whole, "extra": True})
    assert len(answers_problems({})) == len(CHECKLIST)
