"""Policy inheritance down the tree, versions over time, and the calendar overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao.domain.periods import TimeLimit, Unit
from jintiao.domain.policy import DEFAULT_POLICY
from jintiao.policies.models import CalendarDay, CalendarYear
from jintiao.policies.selectors import PolicyMissing, policy_for, working_calendar
from jintiao.policies.services import policy_publish


def test_a_node_inherits_its_ancestors_policy(world):
    version, policy = policy_for(world.committee, on=dt.date(2026, 11, 1))
    assert version.organization == world.prefecture
    assert policy.mediation_ordinary_limit == TimeLimit(15, Unit.WORKING_DAYS)


def test_a_nearer_version_wins_from_its_date(world):
    local = DEFAULT_POLICY.replace(mediation_ordinary_limit=TimeLimit(10, Unit.WORKING_DAYS))
    policy_publish(organization=world.county, policy=local, valid_from=dt.date(2026, 12, 1))
    _, before = policy_for(world.committee, on=dt.date(2026, 11, 30))
    _, after = policy_for(world.committee, on=dt.date(2026, 12, 1))
    assert before.mediation_ordinary_limit.amount == 15
    assert after.mediation_ordinary_limit.amount == 10
    _, other = policy_for(world.other_committee, on=dt.date(2026, 12, 1))
    assert other.mediation_ordinary_limit.amount == 15


def test_a_new_version_closes_the_previous_one(world):
    v2 = policy_publish(organization=world.prefecture, policy=DEFAULT_POLICY,
                        valid_from=dt.date(2027, 1, 1))
    assert v2.version == 2
    first = world.prefecture.policies.get(version=1)
    assert first.valid_to == dt.date(2027, 1, 1)


def test_no_policy_anywhere_is_a_clear_error(world):
    with pytest.raises(PolicyMissing):
        policy_for(world.bank, on=dt.date(2026, 11, 1))


def test_administrators_overrides_reach_the_calendar(db):
    assert not working_calendar().is_covered(dt.date(2027, 10, 4))
    CalendarDay.objects.create(day=dt.date(2027, 10, 4), working=False, note="国庆节")
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕")
    cal = working_calendar()
    assert cal.is_rest_day(dt.date(2027, 10, 4))
    assert cal.is_covered(dt.date(2027, 10, 4))
