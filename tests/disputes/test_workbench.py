"""The home page's lists: whose move it is, what is due soon, what is overdue."""

from __future__ import annotations

import datetime as dt

from jintiao import clock
from jintiao.disputes.access import filing_scope as intake_options
from jintiao.disputes.access import may_file, standing_of
from jintiao.disputes.selectors import (
    actions_open_to,
    dispute_list,
    due_soon_until,
    workbench_for,
)
from jintiao.domain.lifecycle import Action, State
from jintiao.domain.policy import Track
from jintiao.mediation.services import action_apply
from jintiao.policies.selectors import working_calendar
from tests.factories import intake


def _accepted_at(world, when: dt.datetime):
    with clock.pinned(when):
        dispute = intake(actor=world.clerk, committee=world.committee, institution=world.branch)
        return action_apply(actor=world.clerk, dispute_id=dispute.pk,
                                    action=Action.ACCEPT, expected_version=1,
                                    notice_served=True)


def _days_ago(n: int) -> dt.datetime:
    return clock.now() - dt.timedelta(days=n)


def test_each_desk_queues_only_what_waits_on_it(world):
    received = intake(actor=world.clerk, committee=world.committee, institution=world.branch)
    accepted = _accepted_at(world, clock.now())
    mediating = _accepted_at(world, clock.now())
    mediating = action_apply(actor=world.director, dispute_id=mediating.pk,
                                     action=Action.ASSIGN, expected_version=mediating.version,
                                     track=Track.SIMPLE, mediators=[world.mediator])
    today = clock.today()

    def queue(user):
        return set(workbench_for(user, today).queue.values_list("pk", flat=True))

    assert queue(world.clerk) == {received.pk}
    assert queue(world.director) == {received.pk, accepted.pk}
    assert queue(world.mediator) == {mediating.pk}
    assert queue(world.other_mediator) == set()
    assert queue(world.agent) == set()  # nothing agreed or defaulted yet
    assert queue(world.supervisor) == set()
    assert workbench_for(world.supervisor, today).queue_states == frozenset()


def test_overdue_and_due_soon_follow_the_working_day_calendar(world):
    late = _accepted_at(world, _days_ago(30))       # 3 working days to assign: long past
    fresh = _accepted_at(world, clock.now())        # due in 3 working days: due soon
    today = clock.today()
    bench = workbench_for(world.director, today)
    assert list(bench.overdue) == [late]
    assert fresh in bench.due_soon
    assert late not in bench.due_soon
    assert fresh.deadline <= bench.due_until
    assert bench.queue.first() == late  # soonest deadline first


def test_due_soon_reaches_three_working_days_by_default(world):
    today = dt.date(2026, 9, 30)  # 1–7 October are the National Day holiday
    until = due_soon_until(world.director, today)
    assert until == dt.date(2026, 10, 10)  # 8, 9 and the make-up Saturday the 10th
    assert working_calendar().is_working_day(until)


def test_the_state_counts_cover_only_what_the_viewer_sees(world):
    intake(actor=world.clerk, committee=world.committee)
    intake(actor=world.other_clerk, committee=world.other_committee)
    today = clock.today()
    assert workbench_for(world.clerk, today).by_state == [(State.RECEIVED, 1)]
    assert workbench_for(world.supervisor, today).by_state == [(State.RECEIVED, 2)]


def test_list_filters_mine_and_due_between(world):
    late = _accepted_at(world, _days_ago(30))
    received = intake(actor=world.clerk, committee=world.committee)
    today = clock.today()
    assert set(dispute_list(world.clerk, mine=True)) == {received}
    assert set(dispute_list(world.director, due_between=(late.deadline, late.deadline))) == {late}
    assert not dispute_list(world.director, due_between=(today, today + dt.timedelta(days=1)))


def test_actions_offered_follow_the_roles_and_state(world):
    dispute = intake(actor=world.clerk, committee=world.committee)
    offered = {a.value: a for a in actions_open_to(standing_of(world.clerk, dispute))}
    assert set(offered) == {"accept", "decline"}
    assert "已向当事人告知非诉讼纠纷解决方式" in offered["accept"].guards
    assert actions_open_to(standing_of(world.supervisor, dispute)) == []


def test_intake_options_agree_with_the_permission_the_service_checks(world):
    for user in (world.clerk, world.director, world.agent, world.hq_agent, world.judge,
                 world.supervisor, world.mediator, world.other_clerk):
        options = intake_options(user)
        for committee in options.committees:
            institutions = list(options.institutions) or [None]
            if options.institution_required:
                assert all(may_file(user, committee, i) for i in institutions), user
            else:
                assert may_file(user, committee, None), user
    assert list(intake_options(world.clerk).committees) == [world.committee]
    assert set(intake_options(world.agent).institutions) == {world.branch}
    assert set(intake_options(world.hq_agent).institutions) == {world.bank, world.branch}
    assert not intake_options(world.judge).may_file
    assert not intake_options(world.supervisor).may_file
