"""The jobs themselves; each returns how many disputes it acted on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, transaction

from jintiao import clock
from jintiao.disputes.models import Dispute, DisputeParty, PartyRole
from jintiao.disputes.services import dispute_lock
from jintiao.domain.lifecycle import State
from jintiao.domain.money import format_amount
from jintiao.domain.performance import Status
from jintiao.mediation import selectors as mediation
from jintiao.messaging.backends import sms_backend
from jintiao.orgs.models import User
from jintiao.orgs.services import system_actor
from jintiao.parties.crypto import decrypt
from jintiao.performance import selectors as performance
from jintiao.performance.models import Reminder
from jintiao.performance.services import follow_ups_plan, review
from jintiao.timeline.models import Event
from jintiao.timeline.services import event_append


def _ids(*states: State) -> list[int]:
    return list(Dispute.objects.filter(state__in=[s.value for s in states])
                .order_by("pk").values_list("pk", flat=True))


def performance_reviews(today: dt.date, actor: User) -> int:
    """Find full payment and default by the agreement's acceleration clause."""
    done = 0
    for pk in _ids(State.PERFORMING):
        with transaction.atomic():
            dispute = dispute_lock(actor, pk)
            if review(dispute=dispute, today=today):
                done += 1
    return done


def _debtor_phones(dispute: Dispute) -> list[str]:
    rows = DisputeParty.objects.filter(dispute=dispute, role=PartyRole.DEBTOR) \
        .select_related("party")
    return [decrypt(r.party.phone_cipher) for r in rows if r.party.phone_cipher]


def reminders(today: dt.date, actor: User) -> int:
    """Remind debtors before each due date (the policy's lead) and once when one is missed."""
    sent = 0
    for pk in _ids(State.PERFORMING):
        dispute = Dispute.objects.select_related("committee", "policy_version").get(pk=pk)
        account = performance.account_of(dispute, today)
        if account is None:
            continue
        lead = mediation.policy_of(dispute).reminder_lead.amount
        for s in account.standings:
            if s.status is Status.DUE and 0 <= (s.due.due_on - today).days <= lead:
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
            sent += _remind(dispute, s.due.number, kind, text)
    return sent


def _remind(dispute: Dispute, number: int, kind: str, text: str) -> int:
    phones = _debtor_phones(dispute)
    try:
        with transaction.atomic():
            Reminder.objects.create(dispute=dispute, instalment=number, kind=kind,
                                    sent_at=clock.now(), to_masked=str(len(phones)))
            for phone in phones:
                sms_backend().send(phone, f"【{dispute.committee.name}】{text}",
                                   purpose="performance_reminder")
    except IntegrityError:  # sent already, by an earlier run or another machine
        return 0
    return 1


def follow_ups(today: dt.date, actor: User) -> int:
    """Plan the follow-up visits of every performing dispute."""
    return sum(1 for pk in _ids(State.PERFORMING)
               if follow_ups_plan(Dispute.objects.get(pk=pk)))


DEADLINE_WORDS = {
    State.AGREED: "申请司法确认的期限届满",
    State.CONFIRMATION_PENDING: "法院审查期限届满",
    State.TRANSFERRED: "速裁审理期限届满",
    State.DEFAULTED: "申请强制执行的期限届满",
    State.MEDIATING: "调解期限届满",
}


def deadlines(today: dt.date, actor: User) -> int:
    """Write one event when a waiting state's deadline passes, so the desk's lists and the
    supervisors' reports see it; the dispute stays where it is for people to decide."""
    noted = 0
    for pk in (Dispute.objects.filter(state__in=[s.value for s in DEADLINE_WORDS],
                                      deadline__lt=today).order_by("pk")
               .values_list("pk", flat=True)):
        with transaction.atomic():
            dispute = dispute_lock(actor, pk)
            state = State(dispute.state)
            if dispute.deadline is None or dispute.deadline >= today or state not in \
                    DEADLINE_WORDS:
                continue
            key = f"{state.value}:{dispute.deadline.isoformat()}"
            if Event.objects.filter(dispute=dispute, type="deadline.passed",
                                    params__key=key).exists():
                continue
            event_append(dispute=dispute, type="deadline.passed", actor=actor, at=clock.now(),
                         state_before=dispute.state, state_after=dispute.state,
                         params={"key": key, "what": DEADLINE_WORDS[state],
                                 "deadline": dispute.deadline.isoformat()})
            noted += 1
    return noted


# In this order: visits are planned and reminders sent while a dispute is still performing,
# before the review may find it defaulted.
JOBS: dict[str, Callable[[dt.date, User], int]] = {
    "follow_ups": follow_ups,
    "reminders": reminders,
    "performance": performance_reviews,
    "deadlines": deadlines,
}

JOB_LABELS = {"performance": "履行检查（还清、违约）", "reminders": "还款提醒",
              "follow_ups": "回访计划", "deadlines": "期限届满检查"}


def run(names: list[str] | None = None, today: dt.date | None = None) -> dict[str, int]:
    """Run the named jobs (all by default, in :data:`JOBS` order) as the system account."""
    actor = system_actor()
    day = today or clock.today()
    return {name: job(day, actor) for name, job in JOBS.items()
            if names is None or name in names}
