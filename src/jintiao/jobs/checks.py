"""The jobs themselves; each returns how many disputes it acted on."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextvars import ContextVar

from django.db import IntegrityError, transaction

from jintiao import clock
from jintiao.disputes.models import Dispute, DisputeParty, PartyRole
from jintiao.disputes.services import dispute_lock
from jintiao.domain import events, periods
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import State
from jintiao.domain.money import format_amount
from jintiao.domain.performance import Status
from jintiao.mediation import selectors as mediation
from jintiao.mediation.services import pauses_expire
from jintiao.orgs.models import User
from jintiao.orgs.services import system_actor
from jintiao.outreach.services import in_contact_hours, system_text
from jintiao.performance import selectors as performance
from jintiao.performance.models import Reminder
from jintiao.performance.services import credit_repair_remind, follow_ups_plan, review
from jintiao.policies.selectors import working_calendar
from jintiao.supervision.services import figures_refresh
from jintiao.timeline.checkpoints import checkpoint_create
from jintiao.timeline.models import Checkpoint, Event
from jintiao.timeline.services import event_append

log = logging.getLogger(__name__)

# The disputes a job failed on, counted by :func:`_each` for the run being recorded
# (jintiao.jobs.runs); None outside a recorded run.
failures: ContextVar[list[int] | None] = ContextVar("jintiao_job_failures", default=None)


def _ids(*states: State) -> list[int]:
    return list(Dispute.objects.filter(state__in=[s.value for s in states])
                .order_by("pk").values_list("pk", flat=True))


def _each(pks: list[int], work: Callable[[int], int], job: str) -> int:
    """Run ``work`` per dispute; one that fails is logged (its id only) and the rest go on,
    so a bad record or a gateway error does not stop every later dispute."""
    done = 0
    for pk in pks:
        try:
            done += work(pk)
        except Exception:
            log.exception("job %s failed on dispute %s", job, pk)
            failed = failures.get()
            if failed is not None:
                failed.append(pk)
    return done


def performance_reviews(today: dt.date, actor: User) -> int:
    """Find full payment and default by the agreement's acceleration clause."""
    def one(pk: int) -> int:
        with transaction.atomic():
            return 1 if review(dispute=dispute_lock(actor, pk), today=today) else 0

    return _each(_ids(State.PERFORMING), one, "performance")


def _debtor_rows(dispute: Dispute) -> list[DisputeParty]:
    rows = DisputeParty.objects.filter(dispute=dispute, role=PartyRole.DEBTOR) \
        .select_related("party").order_by("pk")
    return [r for r in rows if r.party.phone_cipher]


def reminders(today: dt.date, actor: User) -> int:
    """Remind debtors before each due date (the policy's lead) and once when one is missed."""
    def one(pk: int) -> int:
        dispute = Dispute.objects.select_related("committee", "policy_version").get(pk=pk)
        account = performance.account_of(dispute, today)
        if account is None:
            return 0
        horizon = periods.deadline(today, mediation.policy_of(dispute).reminder_lead,
                                   working_calendar()).due_on
        sent = 0
        for s in account.standings:
            if s.status is Status.DUE and today <= s.due.due_on <= horizon:
                kind = Reminder.Kind.BEFORE_DUE
                text = (f"您的调解协议{dispute.number}第{s.due.number}期应于{s.due.due_on}还款"
                        f"{format_amount(s.unpaid)}元，请按期足额履行。")
            elif s.status in (Status.LATE, Status.PARTIAL):
                kind = Reminder.Kind.OVERDUE
                text = (f"您的调解协议{dispute.number}第{s.due.number}期（{s.due.due_on}）尚欠"
                        f"{format_amount(s.unpaid)}元未还，连续未还将导致剩余款项全部到期并被申请"
                        "强制执行，请尽快履行。")
            else:
                continue
            sent += _remind(dispute, s.due.number, kind, text, actor)
        return sent

    return _each(_ids(State.PERFORMING), one, "reminders")


def _remind(dispute: Dispute, number: int, kind: str, text: str, actor: User) -> int:
    """Send one reminder to every debtor with a mobile, once; at night nothing is sent or
    marked, so the next daytime run sends it."""
    rows = _debtor_rows(dispute)
    if not rows or not in_contact_hours(dispute, clock.now()):
        return 0
    try:
        with transaction.atomic():
            dispute_lock(actor, dispute.pk)  # the timeline chain
            Reminder.objects.create(dispute=dispute, instalment=number, kind=kind,
                                    sent_at=clock.now(),
                                    to_masked="、".join(r.party.phone_masked for r in rows)[:16])
            for row in rows:
                system_text(actor=actor, dispute=dispute, party=row.party, body=text,
                            purpose="performance_reminder")
    except IntegrityError:  # sent already, by an earlier run or another machine
        return 0
    return 1


def follow_ups(today: dt.date, actor: User) -> int:
    """Plan the follow-up visits of every performing dispute."""
    return _each(_ids(State.PERFORMING),
                 lambda pk: 1 if follow_ups_plan(Dispute.objects.get(pk=pk)) else 0, "follow_ups")


def credit_repairs(today: dt.date, actor: User) -> int:
    """Remind the institution, once, of a credit-repair letter still unconfirmed after the
    policy's time (the reminder is on the timeline and in the institution's queue)."""
    def one(pk: int) -> int:
        return 1 if credit_repair_remind(actor=actor, repair_id=pk, today=today) else 0

    pks = list(performance.waiting_letters().filter(reminded_at__isnull=True)
               .values_list("pk", flat=True))
    return _each(pks, one, "credit_repairs")


DEADLINE_WORDS = {
    State.AGREED: "申请司法确认的期限届满",
    State.CONFIRMATION_PENDING: "法院审查期限届满",
    State.TRANSFERRED: "速裁审理期限届满",
    State.DEFAULTED: "申请强制执行的期限届满",
    State.MEDIATING: "调解期限届满",
}


def deadlines(today: dt.date, actor: User) -> int:
    """End the hardship pauses whose last day has gone (their mediation periods run again,
    issue 21 §3); then write one event when a waiting state's deadline passes, so the desk's
    lists and the supervisors' reports see it; the dispute stays where it is for people to
    decide."""
    resumed = pauses_expire(today, actor)

    def one(pk: int) -> int:
        with transaction.atomic():
            dispute = dispute_lock(actor, pk)
            state = State(dispute.state)
            if dispute.deadline is None or dispute.deadline >= today or state not in \
                    DEADLINE_WORDS:
                return 0
            key = f"{state.value}:{dispute.deadline.isoformat()}"
            if Event.objects.filter(dispute=dispute, type=events.DEADLINE_PASSED.type,
                                    params__key=key).exists():
                return 0
            event_append(dispute=dispute, type=events.DEADLINE_PASSED, actor=actor, at=clock.now(),
                         state_before=dispute.state, state_after=dispute.state,
                         params={"key": key, "what": DEADLINE_WORDS[state],
                                 "deadline": dispute.deadline.isoformat()})
            return 1

    pks = list(Dispute.objects.filter(state__in=[s.value for s in DEADLINE_WORDS],
                                      deadline__lt=today).order_by("pk")
               .values_list("pk", flat=True))
    return resumed + _each(pks, one, "deadlines")


def figures(today: dt.date, actor: User) -> int:
    """Fold the day's changes into the supervisors' figures (reports also do it first)."""
    return figures_refresh()


def checkpoints(today: dt.date, actor: User) -> int:
    """The day's signed checkpoint over every dispute's chain head (issue 18 §4b), once: a
    run taken up again after its worker died finds the system's checkpoint of the day and
    makes none (those made on demand, by ``jintiao audit checkpoint``, do not count).
    Returns how many disputes the new checkpoint covers, 0 when there was one already."""
    start = dt.datetime.combine(today, dt.time(), clock.TZ)
    with transaction.atomic():
        if Checkpoint.objects.filter(created_by=actor, created_at__gte=start).exists():
            return 0
        return checkpoint_create(actor=actor).count


# In this order: visits are planned and reminders sent while a dispute is still performing,
# before the review may find it defaulted.
JOBS: dict[str, Callable[[dt.date, User], int]] = {
    "follow_ups": follow_ups,
    "reminders": reminders,
    "performance": performance_reviews,
    "deadlines": deadlines,
    "credit_repairs": credit_repairs,
    "figures": figures,
    "checkpoints": checkpoints,
}

JOB_LABELS = {"performance": "履行检查（还清、违约）", "reminders": "还款提醒",
              "follow_ups": "回访计划", "deadlines": "期限届满检查",
              "credit_repairs": "征信修复确认提醒",
              "figures": "统计数据更新", "checkpoints": "签署日志检查点"}


class JobInvalid(DomainError):
    code = ErrorCode.PERFORMANCE_INVALID


def run(names: list[str] | None = None, today: dt.date | None = None) -> dict[str, int]:
    """Run the named jobs (all by default, in :data:`JOBS` order) as the system account;
    ``today`` replays a missed day, never a future one (a default cannot be undone).

    :raises JobInvalid: a day after today
    """
    actor = system_actor()
    day = today or clock.today()
    if day > clock.today():
        raise JobInvalid(f"不能按将来的日期{day}运行定时任务", "jobs cannot run for a future day")
    return {name: job(day, actor) for name, job in JOBS.items()
            if names is None or name in names}
