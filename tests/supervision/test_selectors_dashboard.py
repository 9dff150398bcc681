"""The supervisor's dashboard: a month in progress against the same days of the last."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.disputes.models import Dispute
from jintiao.disputes.selectors import workbench_for
from jintiao.domain.figures import DEFINITIONS, MEDIATION_STAGES
from jintiao.domain.lifecycle import STATE_DEADLINES, State
from jintiao.supervision import selectors, services
from tests.factories import intake

pytestmark = pytest.mark.django_db

D = dt.date


def received_on(world, *days: dt.date) -> None:
    for day in days:
        with clock.pinned(dt.datetime.combine(day, dt.time(10), clock.TZ)):
            intake(actor=world.clerk, committee=world.committee)
    services.figures_refresh()


class TestThisMonth:
    def test_a_month_in_progress_is_compared_with_the_same_days_of_the_month_before(
            self, world):
        received_on(world, D(2026, 10, 5), D(2026, 10, 10), D(2026, 10, 20), D(2026, 11, 3),
                    D(2026, 11, 9))

        board = selectors.dashboard(world.prefecture, D(2026, 11, 10))

        assert (board.so_far.start, board.so_far.end) == (D(2026, 11, 1), D(2026, 11, 10))
        assert (board.same_days.start, board.same_days.end) == (D(2026, 10, 1),
                                                                 D(2026, 10, 10))
        assert board.this_month["received"] == 2
        assert board.last_month_same_days["received"] == 2  # the 5th and the 10th
        assert board.last_month["received"] == 3            # the whole of October

    def test_the_last_day_of_a_month_compares_whole_months(self, world):
        received_on(world, D(2026, 10, 31), D(2026, 11, 30))

        board = selectors.dashboard(world.prefecture, D(2026, 11, 30))

        assert board.this_month["received"] == board.last_month_same_days["received"] == 1
        assert board.last_month_same_days.values == board.last_month.values


class TestOverdue:
    def test_the_dashboard_reconciles_its_overdue_with_the_workbench_s(self, world, cases):
        """The committee's overdue mediation by committee, and every stage past its
        deadline as the supervisor's workbench counts it: the difference is named."""
        ours, _theirs = cases
        today = clock.today()
        waiting = intake(actor=world.clerk, committee=world.committee)
        Dispute.objects.filter(pk=ours.pk).update(deadline=today - dt.timedelta(days=3))
        Dispute.objects.filter(pk=waiting.pk).update(  # the window to apply has passed
            state=State.AGREED.value, deadline=today - dt.timedelta(days=1))

        board = selectors.dashboard(world.prefecture, today)

        assert [(o.committee, o.count) for o in board.overdue] == [(world.committee.name, 1)]
        assert board.overdue_mediation == 1
        assert board.overdue_all == 2
        assert board.overdue_later == ((State.AGREED, 1),)
        assert workbench_for(world.supervisor, today).overdue.count() == board.overdue_all

    def test_each_overdue_count_names_the_stages_it_counts_and_leaves_out(self):
        counted, left_out = DEFINITIONS["overdue_mediation"].split("；")
        for state in STATE_DEADLINES:
            assert state.label in DEFINITIONS["overdue"], state
            mediation = state in MEDIATION_STAGES
            assert (state.label in counted, state.label in left_out) == (mediation,
                                                                         not mediation), state


def test_overdue_counts_only_mediation_running_late(world, cases):
    ours, _theirs = cases
    past = clock.today() - dt.timedelta(days=3)
    Dispute.objects.filter(pk=ours.pk).update(state="performing", deadline=past)
    assert selectors.dashboard(world.prefecture, clock.today()).overdue == ()
    Dispute.objects.filter(pk=ours.pk).update(state="mediating")
    late = selectors.dashboard(world.prefecture, clock.today()).overdue
    assert [(o.committee, o.count) for o in late] == [(world.committee.name, 1)]
