"""Hardship pauses (纾困暂停, issue 21 §3): the desk asks with the evidence it verified, the
director grants or refuses, the desk reviews at the mid-point, and the pause ends on its
date (the daily job) or earlier by decision — the mediation period then runs again with
the days it had left. The rules are :mod:`jintiao.domain.hardship`'s."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max

from jintiao.disputes.access import RecordNotFound, Standing, standing_of
from jintiao.disputes.changes import instant, lock_behind, record_event, require_state
from jintiao.disputes.models import Dispute
from jintiao.disputes.services import mediation_limit_of
from jintiao.domain import events, hardship
from jintiao.domain.lifecycle import State
from jintiao.domain.periods import Unit
from jintiao.mediation import selectors
from jintiao.mediation.models import HardshipPause
from jintiao.orgs.models import User
from jintiao.policies.selectors import working_calendar

PAUSABLE = (State.ACCEPTED, State.MEDIATING)


def _dispute(actor: User, dispute_id: int) -> Dispute:
    return lock_behind(actor, dispute_id, RecordNotFound("纠纷不存在", "no such dispute"))


def _pause(dispute: Dispute, pause_id: int) -> HardshipPause:
    found = HardshipPause.objects.select_for_update().filter(pk=pause_id,
                                                             dispute=dispute).first()
    if found is None:
        raise RecordNotFound("暂停申请不存在", "no such pause")
    return found


@transaction.atomic
def pause_request(*, actor: User, dispute_id: int, ground: str, evidence: str,
                  days: int) -> HardshipPause:
    """Ask the director to pause the dispute for ``days`` on a verified hardship.

    :raises PermissionDenied: not the dispute's desk
    :raises TransitionRefused: not accepted or mediating
    :raises PauseInvalid: the ground, evidence, length or count refused; one waiting or
        running already
    """
    dispute = _dispute(actor, dispute_id)
    standing_of(actor, dispute).require(Standing.may_mediate, "申请纾困暂停")
    require_state(dispute, *PAUSABLE, doing="申请纾困暂停")
    if dispute.pauses.filter(status__in=[HardshipPause.Status.REQUESTED,
                                         HardshipPause.Status.ACTIVE]).exists():
        raise hardship.PauseInvalid("本纠纷已有待审批或进行中的纾困暂停", "a pause is open")
    policy = selectors.policy_of(dispute)
    granted = dispute.pauses.exclude(status=HardshipPause.Status.REFUSED).count()
    known = hardship.require_request(ground=ground, evidence=evidence, days=days,
                                     earlier=granted, policy=policy)
    now, _today = instant()
    seq = (dispute.pauses.aggregate(m=Max("seq"))["m"] or 0) + 1
    made = HardshipPause.objects.create(
        dispute=dispute, seq=seq, ground=known.value, evidence=evidence.strip(), days=days,
        requested_by=actor, requested_at=now)
    record_event(dispute, events.MEDIATION_PAUSE_REQUESTED, actor, now,
                 {"pause": seq, "ground": known.value, "days": days})
    return made


@transaction.atomic
def pause_decide(*, actor: User, dispute_id: int, pause_id: int, approve: bool,
                 reason: str = "") -> HardshipPause:
    """The director grants the pause — it runs from today, the mediation period stops where
    it is — or refuses it with a reason.

    :raises PermissionDenied: not the committee's director
    :raises PauseInvalid: decided already, a refusal without a reason
    """
    dispute = _dispute(actor, dispute_id)
    standing_of(actor, dispute).require(Standing.may_direct, "审批纾困暂停")
    pause = _pause(dispute, pause_id)
    if pause.status != HardshipPause.Status.REQUESTED:
        raise hardship.PauseInvalid("该暂停申请已审批", "decided already")
    why = hardship.words(reason, what="审批意见" if approve else "不批准的理由", field="reason",
                         required=not approve)
    now, today = instant()
    pause.decided_by, pause.decided_at, pause.decision_reason = actor, now, why
    params: dict[str, object] = {"pause": pause.seq, "approved": approve,
                                 "ground": pause.ground, "days": pause.days}
    if not approve:
        pause.status = HardshipPause.Status.REFUSED
    else:
        require_state(dispute, *PAUSABLE, doing="纾困暂停")
        window = hardship.window(today, pause.days)
        pause.status = HardshipPause.Status.ACTIVE
        pause.starts_on, pause.ends_on, pause.review_on = (window.starts_on, window.ends_on,
                                                          window.review_on)
        _stop(dispute, pause, today)
        params.update(starts_on=window.starts_on.isoformat(), ends_on=window.ends_on.isoformat())
    pause.save()
    record_event(dispute, events.MEDIATION_PAUSE_DECIDED, actor, now, params)
    return pause


@transaction.atomic
def pause_review(*, actor: User, dispute_id: int, pause_id: int, note: str) -> HardshipPause:
    """Record the mid-point review: how the debtor's situation stands.

    :raises PauseInvalid: not running, no note
    """
    dispute = _dispute(actor, dispute_id)
    standing_of(actor, dispute).require(Standing.may_mediate, "复核纾困暂停")
    pause = _pause(dispute, pause_id)
    if pause.status != HardshipPause.Status.ACTIVE:
        raise hardship.PauseInvalid("只能复核进行中的暂停", "not running")
    text = hardship.words(note, what="复核情况", field="note")
    now, _today = instant()
    pause.reviewed_at, pause.review_note = now, text
    pause.save(update_fields=["reviewed_at", "review_note"])
    record_event(dispute, events.MEDIATION_PAUSE_REVIEWED, actor, now, {"pause": pause.seq})
    return pause


def _stop(dispute: Dispute, pause: HardshipPause, today: dt.date) -> None:
    """Stop the dispute's period under ``pause``: its deadline and the days left kept on the
    pause (in the unit the period counts in), none running on the dispute."""
    if dispute.deadline is not None:
        policy = selectors.policy_of(dispute)
        unit = (mediation_limit_of(dispute, policy) if dispute.state == State.MEDIATING
                else policy.assignment_limit).unit
        frozen = hardship.freeze(dispute.deadline, today, unit, working_calendar())
        pause.deadline, pause.days_left = frozen.deadline, frozen.left
        pause.working_days = unit is Unit.WORKING_DAYS
    dispute.deadline, dispute.deadline_provisional = None, False
    dispute.version += 1
    dispute.save(update_fields=["deadline", "deadline_provisional", "version"])


def period_set_while_paused(dispute: Dispute) -> None:
    """A lifecycle action that set a period while a pause runs (an assignment starts the
    mediation period): the period waits on the pause like the one it replaced. Called in
    the action's transaction (``mediation.services.action_apply``)."""
    pause = selectors.pause_running(dispute)
    if pause is None or dispute.deadline is None or dispute.state not in PAUSABLE:
        return
    _, today = instant()
    _stop(dispute, pause, today)
    pause.save(update_fields=["deadline", "days_left", "working_days"])


def _end(dispute: Dispute, pause: HardshipPause, actor: User | None, now: dt.datetime,
         today: dt.date, outcome: str, reason: str) -> HardshipPause:
    """End a running pause: the mediation period runs again from ``today`` with its days."""
    pause.status, pause.ended_on, pause.ended_by = HardshipPause.Status.ENDED, today, actor
    pause.outcome, pause.end_reason = outcome, reason
    pause.save()
    params: dict[str, object] = {"pause": pause.seq, "outcome": outcome}
    # the period stopped by the pause runs again (a period set while it ran was stopped too:
    # period_set_while_paused), unless the dispute has left mediation meanwhile
    if pause.deadline is not None and dispute.state in PAUSABLE and dispute.deadline is None:
        again = hardship.resume(hardship.Frozen(pause.deadline, pause.days_left or 0,
                                                pause.working_days), today, working_calendar())
        dispute.deadline, dispute.deadline_provisional = again.due_on, again.provisional
        dispute.version += 1
        dispute.save(update_fields=["deadline", "deadline_provisional", "version"])
        params["deadline"] = again.due_on.isoformat()
    record_event(dispute, events.MEDIATION_PAUSE_ENDED, actor, now, params)
    return pause


@transaction.atomic
def pause_end(*, actor: User, dispute_id: int, pause_id: int, reason: str) -> HardshipPause:
    """End the pause before its date, by the desk's or the director's decision (the debtor
    can take part again).

    :raises PauseInvalid: not running, no reason
    """
    dispute = _dispute(actor, dispute_id)
    standing_of(actor, dispute).require(Standing.may_mediate, "结束纾困暂停")
    pause = _pause(dispute, pause_id)
    if pause.status != HardshipPause.Status.ACTIVE:
        raise hardship.PauseInvalid("该暂停未在进行中", "not running")
    why = hardship.words(reason, what="提前结束的理由", field="reason")
    now, today = instant()
    return _end(dispute, pause, actor, now, today, HardshipPause.Outcome.RESUMED, why)


def pauses_expire(today: dt.date, actor: User | None = None) -> int:
    """End every running pause whose last day is before ``today`` (the daily job; each in
    its own transaction, so one dispute's trouble does not hold the others)."""
    ended = 0
    due = list(HardshipPause.objects.filter(status=HardshipPause.Status.ACTIVE,
                                            ends_on__lt=today).values_list("pk", "dispute_id"))
    for pause_id, dispute_id in due:
        with transaction.atomic():
            dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
            pause = HardshipPause.objects.select_for_update().get(pk=pause_id)
            if pause.status != HardshipPause.Status.ACTIVE or pause.ends_on is None:
                continue
            now, _today = instant()
            outcome = (HardshipPause.Outcome.EXPIRED if dispute.state in PAUSABLE
                       else HardshipPause.Outcome.WITHDRAWN)
            # it runs again the day after its last paused day, however late the job ran
            resumed = min(today, pause.ends_on + dt.timedelta(days=1))
            _end(dispute, pause, actor, now, resumed, outcome, "")
            ended += 1
    return ended
