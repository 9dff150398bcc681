"""The lifecycle table: reachability, terminal states, roles and guards."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain import lifecycle
from jintiao.domain.errors import ErrorCode
from jintiao.domain.lifecycle import (
    GUARD_LABELS,
    TERMINAL_STATES,
    TRANSITIONS,
    Action,
    Role,
    State,
    TransitionRefused,
    available_actions,
    decide,
)


class TestTable:
    def test_every_state_is_reachable_from_received(self):
        assert lifecycle.reachable_from(State.RECEIVED) == frozenset(State)

    def test_terminal_states_have_no_exits(self):
        for state in TERMINAL_STATES:
            for role in Role:
                assert available_actions(state, role) == ()

    def test_every_non_terminal_state_has_a_way_out(self):
        for state in set(State) - TERMINAL_STATES:
            assert any(
                state in t.sources and t.target_from(state) != state for t in TRANSITIONS
            ), state

    def test_closed_is_reachable_from_every_non_terminal_state(self):
        for state in set(State) - TERMINAL_STATES:
            reach = lifecycle.reachable_from(state)
            assert reach & TERMINAL_STATES, state

    def test_every_guard_and_name_has_a_chinese_label(self):
        for t in TRANSITIONS:
            for guard in t.guards:
                assert guard in GUARD_LABELS
        for member in [*State, *Action, *Role]:
            assert member.label

    def test_every_action_appears_in_the_table(self):
        assert {t.action for t in TRANSITIONS} == set(Action)


class TestAvailableActions:
    def test_intake_clerk_may_accept_or_decline_a_received_dispute(self):
        assert set(available_actions(State.RECEIVED, Role.INTAKE_CLERK)) == {
            Action.ACCEPT, Action.DECLINE,
        }

    def test_judge_decides_a_pending_confirmation(self):
        assert set(available_actions(State.CONFIRMATION_PENDING, Role.JUDGE)) == {
            Action.CONFIRM, Action.REJECT_CONFIRMATION,
        }

    def test_supervisor_never_changes_a_dispute(self):
        for state in State:
            assert available_actions(state, Role.SUPERVISOR) == ()

    def test_every_state_says_whose_move_it_is(self):
        assert set(lifecycle.WAITING_ON) == set(State)

    @pytest.mark.parametrize("state", list(State))
    def test_a_dispute_waits_only_on_roles_that_can_move_it(self, state):
        for role in lifecycle.WAITING_ON[state]:
            assert lifecycle.available_actions(state, role), (state, role)

    def test_terminal_states_wait_on_nobody(self):
        for state in lifecycle.TERMINAL_STATES:
            assert not lifecycle.WAITING_ON[state]

    def test_the_queue_states_of_each_desk(self):
        assert lifecycle.states_waiting_on([Role.INTAKE_CLERK]) == {State.RECEIVED}
        assert lifecycle.states_waiting_on([Role.JUDGE]) == {
            State.CONFIRMATION_PENDING, State.TRANSFERRED, State.ENFORCEMENT}
        assert lifecycle.states_waiting_on([Role.SUPERVISOR]) == frozenset()
        assert State.PERFORMING not in lifecycle.states_waiting_on(list(Role))

    def test_parties_may_perform_an_agreement_without_confirmation(self):
        assert Action.PERFORM_WITHOUT_CONFIRMATION in available_actions(
            State.AGREED, Role.MEDIATOR
        )


class TestDecide:
    def test_accept_moves_received_to_accepted_when_guards_hold(self):
        decision = decide(
            State.RECEIVED, Action.ACCEPT, Role.INTAKE_CLERK,
            {"within_scope", "non_litigation_notice_served"},
        )
        assert decision.target is State.ACCEPTED

    def test_triage_keeps_the_state(self):
        decision = decide(State.ACCEPTED, Action.TRIAGE, Role.DIRECTOR, {"track_chosen"})
        assert decision.target is State.ACCEPTED

    def test_missing_guard_is_named(self):
        with pytest.raises(TransitionRefused) as err:
            decide(State.RECEIVED, Action.ACCEPT, Role.INTAKE_CLERK, {"within_scope"})
        assert err.value.code == ErrorCode.TRANSITION_REFUSED
        assert err.value.details["missing"] == "non_litigation_notice_served"
        assert "告知" in err.value.message

    def test_wrong_role_is_refused(self):
        with pytest.raises(TransitionRefused) as err:
            decide(State.CONFIRMATION_PENDING, Action.CONFIRM, Role.MEDIATOR, {"ruling_issued"})
        assert "无权" in err.value.message

    def test_wrong_state_is_refused(self):
        with pytest.raises(TransitionRefused) as err:
            decide(State.CLOSED, Action.ACCEPT, Role.INTAKE_CLERK)
        assert "已结案" in err.value.message

    def test_the_system_fails_mediation_only_when_the_deadline_passed(self):
        with pytest.raises(TransitionRefused):
            decide(State.MEDIATING, Action.FAIL, Role.SYSTEM, {"reason_given"})
        assert decide(State.MEDIATING, Action.FAIL, Role.SYSTEM, {"deadline_passed"}).target \
            is State.FAILED

    @given(st.sampled_from(list(State)), st.sampled_from(list(Action)),
           st.sampled_from(list(Role)))
    def test_decide_agrees_with_available_actions(self, state, action, role):
        all_guards = set(GUARD_LABELS)
        if action in available_actions(state, role):
            assert decide(state, action, role, all_guards).source is state
        else:
            with pytest.raises(TransitionRefused):
                decide(state, action, role, all_guards)


class TestAttestableGuards:
    def test_accepting_takes_the_clerks_word_for_the_notice_and_nothing_else(self):
        from jintiao.domain.lifecycle import attestable_guards

        assert attestable_guards(Action.ACCEPT) == ("non_litigation_notice_served",)
        assert attestable_guards(Action.DECLINE) == ()
        assert attestable_guards(Action.WITHDRAW) == ("withdrawal_by_applicant",)

    def test_no_record_and_no_fact_of_the_data_is_anyones_word(self):
        from jintiao.domain.lifecycle import ATTESTABLE_GUARDS, RECORDED_GUARDS

        assert not ATTESTABLE_GUARDS & RECORDED_GUARDS
        assert not ATTESTABLE_GUARDS & {"within_scope", "reason_given", "track_chosen",
                                        "deadline_passed", "within_confirmation_window"}
