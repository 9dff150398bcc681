"""Where a user stands in a dispute: the roles that count there, the sides they read, and the
gates every service requires and every page reads."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest

from jintiao import clock
from jintiao.disputes.access import (
    WHO_MAY,
    PermissionDenied,
    Standing,
    standing_of,
)
from jintiao.domain.lifecycle import Action, Role, State, TransitionRefused
from jintiao.mediation.services import action_apply, session_schedule
from tests.factories import UserFactory


class TestStanding:
    def test_a_role_counts_only_where_its_node_reaches(self, world, cases):
        """The director of the committee directs; the creditor's agent is the creditor; the
        court's judge is the court; the supervisor above supervises — and nobody holds a
        role in this dispute that their node does not reach."""
        ours, _theirs = cases

        def roles(user):
            return standing_of(user, ours).roles

        assert roles(world.director) == {Role.DIRECTOR}
        assert roles(world.mediator) == {Role.MEDIATOR}
        assert roles(world.other_mediator) == frozenset()
        assert roles(world.agent) == {Role.AGENT}
        assert roles(world.hq_agent) == {Role.AGENT}
        assert roles(world.other_agent) == frozenset()
        assert roles(world.judge) == {Role.JUDGE}
        assert roles(world.other_judge) == frozenset()
        assert roles(world.supervisor) == {Role.SUPERVISOR}
        assert roles(world.county_supervisor) == frozenset()
        assert roles(world.clerk) == {Role.INTAKE_CLERK}

    def test_the_desk_is_the_team_and_the_director(self, world, cases):
        ours, _theirs = cases

        assert standing_of(world.mediator, ours).desk
        assert standing_of(world.director, ours).desk
        assert not standing_of(world.clerk, ours).desk
        assert standing_of(world.clerk, ours).committee_desk
        assert not standing_of(world.agent, ours).committee_desk

    def test_private_sides_are_the_teams_and_each_sides_own(self, world, cases):
        """README: back-to-back notes belong to one side and the mediators — not the director
        who does not mediate the dispute, not the court, not supervisors."""
        ours, _theirs = cases

        def sides(user):
            return standing_of(user, ours).private_sides

        assert sides(world.mediator) == {"", "creditor", "debtor"}
        assert sides(world.agent) == {"", "creditor"}
        assert sides(world.director) == {""}
        assert sides(world.judge) == {""}
        assert sides(world.supervisor) == {""}

    def test_every_gate_says_who_may_in_words(self):
        """A refusal names who may: every ``may_*`` gate has its words."""
        gates = {name for name, _member in inspect.getmembers(Standing, inspect.isfunction)
                 if name.startswith("may_")}
        named = {key.split(":")[0] for key in WHO_MAY}

        assert gates - {"may_take"} <= named
        assert named <= gates


class TestRequire:
    def test_a_refusal_names_who_may_and_what(self, world, cases):
        ours, _theirs = cases

        with pytest.raises(PermissionDenied) as refused:
            standing_of(world.agent, ours).require(Standing.may_mediate, "安排调解")

        assert refused.value.message == "只有本纠纷的调解员或调委会主任可以安排调解"

    def test_a_gate_with_a_side_names_that_sides_people(self, world, cases):
        ours, _theirs = cases

        with pytest.raises(PermissionDenied) as refused:
            standing_of(world.clerk, ours).require(Standing.may_answer_for, "接受方案",
                                                   "creditor")

        assert refused.value.message == "只有债权金融机构的经办人可以接受方案"


class TestRolesHeldElsewhere:
    def test_a_mediator_role_does_not_act_on_a_dispute_off_the_team(self, world, cases):
        """A clerk who is also a mediator somewhere sees the committee's disputes, but takes
        a mediator's lifecycle action only on disputes they mediate."""
        ours, _theirs = cases
        clerk_and_mediator = UserFactory(organization=world.committee,
                                         roles=[Role.INTAKE_CLERK, Role.MEDIATOR])

        with pytest.raises(TransitionRefused):
            action_apply(actor=clerk_and_mediator, dispute_id=ours.pk, action=Action.FAIL,
                         expected_version=ours.version, reason="双方分歧过大",
                         attested=["outcome_recorded"])

        ours.refresh_from_db()
        assert ours.state == State.MEDIATING

    def test_a_mediator_role_does_not_schedule_off_the_team(self, world, cases):
        ours, _theirs = cases
        clerk_and_mediator = UserFactory(organization=world.committee,
                                         roles=[Role.INTAKE_CLERK, Role.MEDIATOR])

        with pytest.raises(PermissionDenied):
            session_schedule(actor=clerk_and_mediator, dispute_id=ours.pk, mode="phone",
                             starts_at=clock.now() + dt.timedelta(days=1))
