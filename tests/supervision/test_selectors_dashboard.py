"""The supervisors' dashboard: what it counts as overdue."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.disputes.models import Dispute
from jintiao.supervision import selectors

pytestmark = pytest.mark.django_db


def test_overdue_counts_only_mediation_running_late(world, cases):
    ours, _theirs = cases
    past = clock.today() - dt.timedelta(days=3)
    Dispute.objects.filter(pk=ours.pk).update(state="performing", deadline=past)
    assert selectors.dashboard(world.prefecture, clock.today()).overdue == ()
    Dispute.objects.filter(pk=ours.pk).update(state="mediating")
    late = selectors.dashboard(world.prefecture, clock.today()).overdue
    assert [(o.committee, o.count) for o in late] == [(world.committee.name, 1)]
