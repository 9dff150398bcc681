"""The dispute lifecycle as data: states, actions, and one table of transitions.

DESIGN.md §2 draws the closed loop; this module is that drawing in a form the services,
the UI and the tests all read. A transition names who may take it and the guards that
must hold; the guards themselves are evaluated by the caller (a service knows whether the
notice was served), so the table stays pure and testable.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from jintiao.domain.errors import DomainError, ErrorCode


class State(StrEnum):
    """Where a dispute stands."""

    RECEIVED = "received"
    DECLINED = "declined"
    ACCEPTED = "accepted"
    MEDIATING = "mediating"
    AGREED = "agreed"
    FAILED = "failed"
    TRANSFERRED = "transferred"
    WITHDRAWN = "withdrawn"
    CONFIRMATION_PENDING = "confirmation_pending"
    CONFIRMATION_REJECTED = "confirmation_rejected"
    PERFORMING = "performing"
    PERFORMED = "performed"
    DEFAULTED = "defaulted"
    ENFORCEMENT = "enforcement"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: Mapping[State, str] = {
    State.RECEIVED: "已登记",
    State.DECLINED: "不予受理",
    State.ACCEPTED: "已受理",
    State.MEDIATING: "调解中",
    State.AGREED: "已达成协议",
    State.FAILED: "调解不成",
    State.TRANSFERRED: "已转诉讼",
    State.WITHDRAWN: "已撤回",
    State.CONFIRMATION_PENDING: "司法确认中",
    State.CONFIRMATION_REJECTED: "确认申请被驳回",
    State.PERFORMING: "履行中",
    State.PERFORMED: "已履行完毕",
    State.DEFAULTED: "已违约",
    State.ENFORCEMENT: "强制执行中",
    State.CLOSED: "已结案",
}

TERMINAL_STATES: frozenset[State] = frozenset({State.DECLINED, State.WITHDRAWN, State.CLOSED})


class Role(StrEnum):
    """The roles of DESIGN.md §1."""

    INTAKE_CLERK = "intake_clerk"
    DIRECTOR = "director"
    MEDIATOR = "mediator"
    EXPERT = "expert"
    AGENT = "agent"
    APPROVER = "approver"
    PARTY = "party"
    JUDGE = "judge"
    COURT_CLERK = "court_clerk"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"
    SYSTEM = "system"  # scheduled jobs: deadline expiry, default detection

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: Mapping[Role, str] = {
    Role.INTAKE_CLERK: "窗口受理员",
    Role.DIRECTOR: "调委会主任",
    Role.MEDIATOR: "调解员",
    Role.EXPERT: "调解专家",
    Role.AGENT: "金融机构经办人",
    Role.APPROVER: "金融机构审批人",
    Role.PARTY: "当事人",
    Role.JUDGE: "法官",
    Role.COURT_CLERK: "书记员",
    Role.SUPERVISOR: "督导人员",
    Role.ADMINISTRATOR: "管理员",
    Role.SYSTEM: "系统",
}


class Action(StrEnum):
    """Everything that moves a dispute, named as the verb a user clicks."""

    ACCEPT = "accept"
    DECLINE = "decline"
    TRIAGE = "triage"
    ASSIGN = "assign"
    EXTEND = "extend"
    AGREE = "agree"
    FAIL = "fail"
    WITHDRAW = "withdraw"
    TRANSFER = "transfer"
    APPLY_CONFIRMATION = "apply_confirmation"
    CONFIRM = "confirm"
    REJECT_CONFIRMATION = "reject_confirmation"
    REMEDIATE = "remediate"
    PERFORM_WITHOUT_CONFIRMATION = "perform_without_confirmation"
    COMPLETE = "complete"
    DEFAULT = "default"
    CURE = "cure"
    APPLY_ENFORCEMENT = "apply_enforcement"
    CLOSE = "close"
    REVERSE_COMPLETION = "reverse_completion"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: Mapping[Action, str] = {
    Action.ACCEPT: "受理",
    Action.DECLINE: "不予受理",
    Action.TRIAGE: "确定程序",
    Action.ASSIGN: "指派调解员",
    Action.EXTEND: "延长调解期限",
    Action.AGREE: "达成调解协议",
    Action.FAIL: "终止调解（调解不成）",
    Action.WITHDRAW: "撤回",
    Action.TRANSFER: "转入诉讼",
    Action.APPLY_CONFIRMATION: "申请司法确认",
    Action.CONFIRM: "裁定确认协议有效",
    Action.REJECT_CONFIRMATION: "裁定驳回确认申请",
    Action.REMEDIATE: "重新调解",
    Action.PERFORM_WITHOUT_CONFIRMATION: "不经确认直接履行",
    Action.COMPLETE: "履行完毕",
    Action.DEFAULT: "认定违约",
    Action.CURE: "违约补正、恢复履行",
    Action.APPLY_ENFORCEMENT: "申请强制执行",
    Action.CLOSE: "结案",
    Action.REVERSE_COMPLETION: "撤销履行完毕（还款冲正）",
}


@dataclass(frozen=True)
class Transition:
    """One arrow of the loop: from which states, to which, by whom, under which guards.

    ``target`` is ``None`` for actions that act within a state (triage, extension) and so
    leave it unchanged.
    """

    action: Action
    sources: frozenset[State]
    target: State | None
    roles: frozenset[Role]
    guards: tuple[str, ...] = ()

    def target_from(self, state: State) -> State:
        return state if self.target is None else self.target


def _t(
    action: Action,
    sources: Iterable[State],
    target: State | None,
    roles: Iterable[Role],
    guards: Iterable[str] = (),
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), tuple(guards))


_MEDIATION_DESK = (Role.DIRECTOR, Role.MEDIATOR)
_COURT = (Role.JUDGE, Role.COURT_CLERK)

# Guard names are stable identifiers; the service that applies an action evaluates each
# one and passes the ones that hold. GUARD_LABELS says what each requires, in Chinese.
TRANSITIONS: tuple[Transition, ...] = (
    _t(Action.ACCEPT, [State.RECEIVED], State.ACCEPTED, [Role.INTAKE_CLERK, Role.DIRECTOR],
       ["within_scope", "non_litigation_notice_served"]),
    _t(Action.DECLINE, [State.RECEIVED], State.DECLINED, [Role.INTAKE_CLERK, Role.DIRECTOR],
       ["reason_given"]),
    _t(Action.TRIAGE, [State.ACCEPTED], None, [Role.DIRECTOR], ["track_chosen"]),
    _t(Action.ASSIGN, [State.ACCEPTED], State.MEDIATING, [Role.DIRECTOR],
       ["track_chosen", "mediator_without_conflict"]),
    _t(Action.EXTEND, [State.MEDIATING], None, [Role.DIRECTOR],
       ["parties_consent", "within_extension_limit"]),
    _t(Action.AGREE, [State.MEDIATING], State.AGREED, _MEDIATION_DESK,
       ["agreement_signed_by_all", "committee_seal_applied"]),
    _t(Action.FAIL, [State.MEDIATING], State.FAILED, _MEDIATION_DESK,
       ["reason_given"]),
    _t(Action.FAIL, [State.MEDIATING], State.FAILED, [Role.SYSTEM],
       ["deadline_passed"]),
    _t(Action.WITHDRAW, [State.RECEIVED, State.ACCEPTED, State.MEDIATING], State.WITHDRAWN,
       [Role.PARTY, Role.AGENT, *_MEDIATION_DESK], ["withdrawal_by_applicant"]),
    _t(Action.TRANSFER, [State.FAILED, State.CONFIRMATION_REJECTED], State.TRANSFERRED,
       [*_MEDIATION_DESK, *_COURT], ["undisputed_facts_recorded"]),
    _t(Action.APPLY_CONFIRMATION, [State.AGREED], State.CONFIRMATION_PENDING,
       [Role.PARTY, Role.AGENT, *_MEDIATION_DESK],
       ["joint_application", "within_confirmation_window"]),
    _t(Action.CONFIRM, [State.CONFIRMATION_PENDING], State.PERFORMING, [Role.JUDGE],
       ["ruling_issued"]),
    _t(Action.REJECT_CONFIRMATION, [State.CONFIRMATION_PENDING], State.CONFIRMATION_REJECTED,
       [Role.JUDGE], ["ruling_issued", "reason_given"]),
    _t(Action.REMEDIATE, [State.CONFIRMATION_REJECTED], State.MEDIATING, _MEDIATION_DESK,
       ["parties_consent"]),
    _t(Action.PERFORM_WITHOUT_CONFIRMATION, [State.AGREED], State.PERFORMING,
       [*_MEDIATION_DESK, Role.AGENT], ["parties_waive_confirmation"]),
    _t(Action.COMPLETE, [State.PERFORMING], State.PERFORMED,
       [Role.AGENT, *_MEDIATION_DESK, Role.SYSTEM], ["schedule_fully_paid"]),
    _t(Action.DEFAULT, [State.PERFORMING], State.DEFAULTED,
       [Role.AGENT, *_MEDIATION_DESK, Role.SYSTEM], ["acceleration_condition_met"]),
    _t(Action.CURE, [State.DEFAULTED], State.PERFORMING, [Role.AGENT, *_MEDIATION_DESK],
       ["creditor_consents"]),
    _t(Action.APPLY_ENFORCEMENT, [State.DEFAULTED], State.ENFORCEMENT,
       [Role.AGENT, Role.PARTY], ["confirmed_by_court", "within_enforcement_period"]),
    _t(Action.CLOSE, [State.PERFORMED, State.ENFORCEMENT, State.TRANSFERRED], State.CLOSED,
       [*_MEDIATION_DESK, *_COURT, Role.SYSTEM], ["outcome_recorded"]),
    # a payment reversed after completion: the plan is no longer paid in full
    _t(Action.REVERSE_COMPLETION, [State.PERFORMED], State.PERFORMING, _MEDIATION_DESK,
       ["payment_reversed"]),
)

GUARD_LABELS: Mapping[str, str] = {
    "within_scope": "纠纷属于本调委会受理范围（纠纷类型与来源渠道）",
    "non_litigation_notice_served": "已向当事人告知非诉讼纠纷解决方式",
    "reason_given": "已写明理由",
    "track_chosen": "已确定程序（小额速调/简易/普通/中立评估）",
    "mediator_without_conflict": "调解员与当事人无利害关系，未被申请回避",
    "parties_consent": "双方当事人同意",
    "within_extension_limit": "延长次数不超过规则允许的次数",
    "agreement_signed_by_all": "各方当事人和调解员均已签署调解协议",
    "committee_seal_applied": "调委会已加盖印章（人民调解法第二十九条）",
    "deadline_passed": "调解期限已届满且未延长",
    "withdrawal_by_applicant": "申请人撤回申请",
    "undisputed_facts_recorded": "已记载无争议事实",
    "joint_application": "双方共同申请（民事诉讼法第二百零五条）",
    "within_confirmation_window": "自调解协议生效之日起三十日内提出",
    "ruling_issued": "已作出民事裁定",
    "parties_waive_confirmation": "双方同意不申请司法确认而直接履行",
    "schedule_fully_paid": "还款计划已全部履行",
    "acceleration_condition_met": "达到协议约定的加速到期条件",
    "creditor_consents": "债权人同意恢复履行",
    "confirmed_by_court": "调解协议已经司法确认（或有其他执行依据）",
    "within_enforcement_period": "在申请执行期限（最后一期履行期限届满后二年）内",
    "outcome_recorded": "已登记结果",
    "payment_reversed": "一笔还款已冲正，协议尚未全部履行",
}

# Guards whose facts are records kept by the agreement, the court and performance: the
# service that keeps them establishes them; nobody attests them.
RECORDED_GUARDS: frozenset[str] = frozenset({
    "agreement_signed_by_all", "committee_seal_applied", "joint_application", "ruling_issued",
    "schedule_fully_paid", "acceleration_condition_met", "confirmed_by_court",
    "within_enforcement_period", "undisputed_facts_recorded", "payment_reversed"})


# Guards the acting user's own confirmation (本人确认) may supply, recorded on the timeline as
# theirs: the applicant withdrew, the creditor consents to a cure, the outcome at closing,
# and that the parties were told of the non-litigation ways to resolve the dispute (告知) —
# by the clerk who accepts it, when intake did not record it. Every other guard is answered
# by the dispute's data or established from records: nobody's word makes it hold.
ATTESTABLE_GUARDS: frozenset[str] = frozenset({
    "withdrawal_by_applicant", "creditor_consents", "outcome_recorded",
    "non_litigation_notice_served"})


def attestable_guards(action: Action) -> tuple[str, ...]:
    """The guards of ``action`` the acting user may confirm, in table order, once each."""
    found: list[str] = []
    for t in transitions_for(action):
        found.extend(g for g in t.guards if g in ATTESTABLE_GUARDS and g not in found)
    return tuple(found)


@functools.cache  # the table is fixed: asked for every action of every row of a list
def taken_through_records(action: Action) -> bool:
    """Whether ``action`` happens only as the result of its records (signing and sealing,
    filing, a ruling, payments) and so has no form of its own."""
    return all(set(t.guards) & RECORDED_GUARDS for t in transitions_for(action))


# The policy limit that runs while a dispute waits in a state (names of Policy fields).
STATE_DEADLINES: Mapping[State, str] = {
    State.ACCEPTED: "assignment_limit",
    State.MEDIATING: "mediation_limit",
    State.AGREED: "confirmation_application_limit",
    State.CONFIRMATION_PENDING: "court_decision_limit",
    State.TRANSFERRED: "fast_track_limit",
    State.DEFAULTED: "enforcement_application_limit",
}

# Whose move it is in each state: the roles whose work queue lists a dispute standing there.
# Other roles may still act (a director can also withdraw a dispute under mediation), but
# the dispute is not waiting on them. A performing dispute waits on the debtor's payments,
# not on anyone at a desk; a terminal one on nobody.
WAITING_ON: Mapping[State, frozenset[Role]] = {
    State.RECEIVED: frozenset({Role.INTAKE_CLERK, Role.DIRECTOR}),
    State.ACCEPTED: frozenset({Role.DIRECTOR}),
    State.MEDIATING: frozenset({Role.MEDIATOR}),
    State.AGREED: frozenset({Role.MEDIATOR, Role.AGENT, Role.PARTY}),
    State.FAILED: frozenset({Role.DIRECTOR, Role.MEDIATOR}),
    State.CONFIRMATION_PENDING: frozenset({Role.JUDGE}),
    State.CONFIRMATION_REJECTED: frozenset({Role.DIRECTOR, Role.MEDIATOR}),
    State.TRANSFERRED: frozenset({Role.JUDGE, Role.COURT_CLERK}),
    State.PERFORMING: frozenset(),
    State.PERFORMED: frozenset({Role.DIRECTOR}),
    State.DEFAULTED: frozenset({Role.AGENT}),
    State.ENFORCEMENT: frozenset({Role.JUDGE, Role.COURT_CLERK}),
    State.DECLINED: frozenset(),
    State.WITHDRAWN: frozenset(),
    State.CLOSED: frozenset(),
}


def states_waiting_on(roles: Iterable[Role]) -> frozenset[State]:
    """Return the states in which a dispute waits on one of ``roles``."""
    wanted = frozenset(roles)
    return frozenset(s for s, whose in WAITING_ON.items() if whose & wanted)


class TransitionRefused(DomainError):
    """The lifecycle does not allow this action now, for this role, or a guard fails."""

    code = ErrorCode.TRANSITION_REFUSED


@dataclass(frozen=True)
class Decision:
    """What applying an action will do: the transition taken and the state it leads to."""

    transition: Transition
    source: State
    target: State


def transitions_for(action: Action) -> tuple[Transition, ...]:
    """Return every table row for ``action`` (an action may have rows per role group)."""
    return tuple(t for t in TRANSITIONS if t.action is action)


@functools.cache
def available_actions(state: State, role: Role) -> tuple[Action, ...]:
    """List the actions ``role`` may take from ``state``, in table order, without duplicates.

    Guards are not evaluated here: the UI shows the action and the service explains which
    requirement is missing when it is taken. Kept once worked out (the table is fixed): a
    page of the API's list asked it 1,000 times (issue 19 §1).
    """
    found: list[Action] = []
    for t in TRANSITIONS:
        if state in t.sources and role in t.roles and t.action not in found:
            found.append(t.action)
    return tuple(found)


def decide(
    state: State, action: Action, role: Role, satisfied: Iterable[str] = ()
) -> Decision:
    """Decide whether ``role`` may take ``action`` from ``state`` given the guards that hold.

    :raises TransitionRefused: the action does not apply to the state, the role may not
        take it, or a guard is not satisfied (``details['missing']`` names it)
    """
    held = frozenset(satisfied)
    rows = [t for t in transitions_for(action) if state in t.sources]
    if not rows:
        raise TransitionRefused(
            f"纠纷处于“{state.label}”状态，不能执行“{action.label}”",
            f"action {action} is not possible in state {state}",
            state=state, action=action,
        )
    rows_for_role = [t for t in rows if role in t.roles]
    if not rows_for_role:
        raise TransitionRefused(
            f"“{role.label}”无权执行“{action.label}”",
            f"role {role} may not take action {action}",
            state=state, action=action, role=role,
        )
    missing: list[str] = []
    for t in rows_for_role:
        lacking = [g for g in t.guards if g not in held]
        if not lacking:
            return Decision(transition=t, source=state, target=t.target_from(state))
        missing = missing or lacking
    raise TransitionRefused(
        f"不能执行“{action.label}”：{GUARD_LABELS[missing[0]]}尚未满足",
        f"cannot {action}: guard {missing[0]} not satisfied",
        state=state, action=action, role=role, missing=",".join(missing),
    )


def reachable_from(start: State) -> frozenset[State]:
    """Return every state reachable from ``start`` through the table (any role, any guard)."""
    seen = {start}
    frontier = [start]
    while frontier:
        state = frontier.pop()
        for t in TRANSITIONS:
            if state in t.sources:
                nxt = t.target_from(state)
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
    return frozenset(seen)
