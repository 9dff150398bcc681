"""Reads that explain a dispute's figures (计算说明): its current deadline, what is owed on
its agreement and what default leaves to enforce.

The working itself is the domain's (:mod:`jintiao.domain.explain`); this module finds what
the figure was computed from. A deadline is stored as a date only, so its start and limit
are read back from the record that set it — the timeline event whose meta carries the
deadline (a change of state, an extension, a default) or the court's acceptance — and the
limit from the dispute's own policy version. It lives here, above the agreements, because
the last of those records (the two years to apply for enforcement) runs from the
agreement's last instalment.

Every read is a fixed number of queries, whatever the dispute holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from jintiao import clock
from jintiao.disputes.models import Channel, Dispute
from jintiao.domain import events, periods
from jintiao.domain.explain import (
    Explanation,
    LimitBasis,
    explain_account,
    explain_deadline,
    explain_outstanding,
)
from jintiao.domain.lifecycle import STATE_DEADLINES, Action, State
from jintiao.domain.policy import FIELD_LABELS, Policy, Track
from jintiao.mediation.models import HardshipPause
from jintiao.performance import selectors
from jintiao.performance.models import Enforcement
from jintiao.policies.selectors import source_of, working_calendar
from jintiao.timeline.models import Event

ACTIONS = frozenset(a.value for a in Action)
# the records whose deadline this module knows how to read back: a lifecycle action's event
# and the court's acceptance; a deadline set by any other record (a later kind of event) is
# not guessed at
KNOWN = frozenset({*(events.for_action(a).type for a in Action),
                   events.CONFIRMATION_ACCEPTED.type, events.MEDIATION_PAUSE_ENDED.type})
# the deadline-setting records looked at, newest first: enough to find the one before an
# extension (each extension is one record), bounded so the read costs the same every time
LOOK_BACK = 20


@dataclass(frozen=True)
class _Setting:
    """A record that set the deadline: when, by what, to which day."""

    type: str
    at: dt.date
    action: str
    state_after: str
    track: str
    deadline: dt.date | None


def _settings(dispute: Dispute) -> list[_Setting]:
    rows = (Event.objects.filter(dispute=dispute)
            .filter(Q(meta__has_key="deadline") | Q(type=events.CONFIRMATION_ACCEPTED.type)
                    | Q(type=events.MEDIATION_PAUSE_ENDED.type, params__has_key="deadline"))
            .order_by("-seq").values_list("type", "at", "state_after", "params", "meta")
            [:LOOK_BACK])
    found = []
    for type_, at, state_after, params, meta in rows:
        if type_ == events.CONFIRMATION_ACCEPTED.type:
            day = params.get("decide_by") or None
            action = "confirmation_accepted"
        elif type_ == events.MEDIATION_PAUSE_ENDED.type:
            day = params.get("deadline") or None
            action = f"pause:{params.get('pause', '')}"
        else:
            day = meta.get("deadline")
            action = params.get("action", "")
        found.append(_Setting(type_, at.astimezone(clock.TZ).date(), action, state_after,
                              params.get("track", ""),
                              dt.date.fromisoformat(day) if day else None))
    return found


def _mediation_rule(dispute: Dispute, track: str) -> str:
    if dispute.channel == Channel.COURT_DELEGATED:
        return "court_delegated_mediation_limit"
    return f"mediation_{Track(track or dispute.track or Track.ORDINARY).value}_limit"


def _basis(dispute: Dispute, now: _Setting, before: list[_Setting]
           ) -> tuple[dt.date, str, str] | None:
    """The start, the policy field and what started it, for the deadline ``now`` set."""
    if now.action == Action.EXTEND:
        previous = next((s.deadline for s in before if s.deadline is not None), None)
        return None if previous is None else (previous, "extension_limit",
                                              "原调解期限届满")
    if now.action == Action.DEFAULT:
        found = Enforcement.objects.filter(dispute=dispute).select_related("agreement").first()
        if found is None:
            return None
        last_due = dt.date.fromisoformat(found.agreement.content["terms"]["schedule"][-1]
                                         ["due_on"])
        return last_due, "enforcement_application_limit", "协议最后一期履行期限届满"
    if now.action == "confirmation_accepted":
        return now.at, "court_decision_limit", "法院受理司法确认申请"
    rule = STATE_DEADLINES.get(State(now.state_after)) if now.state_after else None
    if rule is None:
        return None
    if rule == "mediation_limit":
        rule = _mediation_rule(dispute, now.track)
    label = Action(now.action).label if now.action in ACTIONS else ""
    return now.at, rule, label


def _after_pause(dispute: Dispute, now: _Setting) -> Explanation | None:
    """A mediation period running again after a hardship pause (issue 21 §3): from the day
    it resumed, the days it had left when the pause began."""
    seq = now.action.removeprefix("pause:")
    pause = (HardshipPause.objects.filter(dispute=dispute, seq=int(seq)).first()
             if seq.isdigit() else None)
    if pause is None or pause.ended_on is None or pause.days_left is None:
        return None
    unit = periods.Unit.WORKING_DAYS if pause.working_days else periods.Unit.DAYS
    calendar = working_calendar()
    computed = periods.deadline(pause.ended_on, periods.TimeLimit(max(pause.days_left, 0), unit),
                                calendar)
    version = dispute.policy_version
    policy = Policy.from_dict(version.data)
    return explain_deadline(computed, calendar, LimitBasis(
        rule="hardship_pause_limit", label="纾困暂停前调解期限剩余的天数",
        source=(f"纾困暂停自{pause.starts_on}起，调解期限当时剩余{pause.days_left}"
                f"{'个工作日' if pause.working_days else '日'}，暂停结束后按剩余天数恢复计算；"
                + source_of(dispute.policy_version, "hardship_pause_limit")),
        policy_name=policy.name, policy_version=version.version,
        started_by="纾困暂停结束，调解期限恢复计算"))


def deadline_explained(dispute: Dispute) -> Explanation | None:
    """How the dispute's current deadline was computed, or None when it has none or the
    record that set it cannot be found (a deadline set outside the lifecycle).

    Recomputed on today's calendar from the recorded start and the dispute's policy
    version; should the calendar have changed since (an administrator entered a year's
    holidays), the explanation says that the recorded date stands and what it would be now.
    """
    if dispute.deadline is None:
        return None
    found = _settings(dispute)
    if found and found[0].action.startswith("pause:") and found[0].deadline == dispute.deadline:
        return _after_pause(dispute, found[0])
    if not found or found[0].type not in KNOWN or found[0].deadline != dispute.deadline:
        return None
    basis = _basis(dispute, found[0], found[1:])
    if basis is None:
        return None
    start, rule, started_by = basis
    version = dispute.policy_version
    policy = Policy.from_dict(version.data)
    limit: periods.TimeLimit = getattr(policy, rule)
    calendar = working_calendar()
    computed = periods.deadline(start, limit, calendar)
    explained = explain_deadline(computed, calendar, LimitBasis(
        rule=rule, label=FIELD_LABELS.get(rule, rule),
        source=source_of(version, rule) + (f"；{version.source}" if version.source else ""),
        policy_name=policy.name, policy_version=version.version, started_by=started_by))
    if computed.due_on != dispute.deadline:
        explained = explained.with_note(
            f"记录的期限为{dispute.deadline.isoformat()}；按上述起算日和期限以现行日历重新计算为"
            f"{computed.due_on.isoformat()}（期限确定后日历或规则有调整），以记录为准")
    return explained


def account_explained(dispute: Dispute, on: dt.date | None = None) -> Explanation | None:
    """How what is owed on ``on`` (today) was computed — the figures of the performance
    page: each payment's allocation and, after default, the acceleration. None before
    performance begins."""
    if State(dispute.state) not in selectors.PERFORMED_STATES:
        return None
    ledger = selectors.ledger_of(dispute)
    if ledger is None:
        return None
    accelerated = selectors.acceleration_of(dispute)
    return explain_account(ledger.dues, ledger.paid, on or clock.today(), ledger.order,
                           accelerated.on if accelerated else None,
                           ledger.acceleration_missed if accelerated else None)


def enforcement_explained(dispute: Dispute) -> Explanation | None:
    """How the amount to enforce was computed, on the day it was computed (its ``as_of``),
    from the agreement and the payments in force; if a payment was reversed since, the
    explanation says the recorded amount differs. None without an enforcement."""
    found = Enforcement.objects.filter(dispute=dispute).first()
    if found is None:
        return None
    ledger = selectors.ledger_of(dispute)
    if ledger is None:
        return None
    ruling = selectors.confirmation_of(dispute)
    policy = Policy.from_dict(dispute.policy_version.data)
    rate = policy.late_performance_daily_rate if ruling else None
    explained = explain_outstanding(
        ledger.dues, ledger.paid, as_of=found.as_of, accelerated_on=found.accelerated_on,
        order=ledger.order, revived=ledger.revived, late_daily_rate=rate,
        late_rate_source=f"《{policy.name}》："
                         f"{source_of(dispute.policy_version, 'late_performance_daily_rate')}；"
                         "民事诉讼法第二百六十四条",
        missed_instalments=ledger.acceleration_missed)
    recorded = f"{found.total:.2f}"
    if explained.facts.as_dict()["total"] != recorded:
        explained = explained.with_note(
            f"记录的申请执行金额为{recorded}元，与按现有还款记录重算的结果不同（其后有还款"
            "冲正或补录），申请时将按当日重新计算")
    return explained
