"""What waits on the court's desk: joint applications filed with the court and not yet
accepted (docketed), each with the day by which the court is to decide whether to accept it
(法释〔2011〕5号第4条: three days by default policy), soonest first."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.confirmation.selectors import applications_to_docket
from jintiao.confirmation.services import confirmation_accept, confirmation_apply
from jintiao.domain import periods
from jintiao.domain.lifecycle import Role
from jintiao.mediation.selectors import policy_of
from jintiao.policies.selectors import working_calendar
from tests.factories import UserFactory, flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, apply


@pytest.fixture
def filed(desk, mediating):
    """The branch's agreement sealed and its joint application filed with the Kaili court."""
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    mediating.refresh_from_db()
    desk.court_clerk = UserFactory(organization=desk.court, roles=[Role.COURT_CLERK])
    apply(desk, mediating)
    mediating.refresh_from_db()
    return confirmation_apply(actor=desk.mediator, dispute_id=mediating.pk,
                              expected_version=mediating.version, court_id=desk.court.pk)


def test_a_filed_application_waits_on_the_courts_clerk_and_judge_with_its_deadline(desk, filed):
    filed_on = filed.filed_at.astimezone(clock.TZ).date()
    limit = policy_of(filed.dispute).court_acceptance_limit
    due = periods.deadline(filed_on, limit, working_calendar()).due_on
    for who in (desk.court_clerk, desk.judge):
        [row] = applications_to_docket(who, filed_on)
        assert row.application == filed
        assert row.filed_on == filed_on
        assert row.accept_by == due
        assert not row.overdue
    [late] = applications_to_docket(desk.court_clerk, due + dt.timedelta(days=1))
    assert late.overdue


def test_nobody_else_has_it_in_their_queue_and_once_accepted_it_leaves(desk, filed):
    today = clock.today()
    for who in (desk.other_judge, desk.mediator, desk.director, desk.agent, desk.supervisor):
        assert applications_to_docket(who, today) == []
    confirmation_accept(actor=desk.court_clerk, application_id=filed.pk)
    assert applications_to_docket(desk.court_clerk, today) == []
    assert applications_to_docket(desk.judge, today) == []
