"""The jobs: reminders once per instalment, default found by the system, deadlines noted
once — each safe to run twice, never for a day still to come, and one dispute failing does
not stop the others."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.cli import main
from jintiao.confirmation.services import confirmation_apply
from jintiao.domain.lifecycle import State
from jintiao.jobs import checks
from jintiao.jobs.checks import JobInvalid
from jintiao.jobs.tasks import run_jobs
from jintiao.messaging.models import OutboxMessage
from jintiao.outreach.models import ContactAttempt
from jintiao.performance.models import Enforcement, FollowUp, Reminder
from jintiao.timeline.models import Event
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, apply


class FailingGateway:
    """An SMS gateway that is down."""

    def send(self, phone: str, body: str, *, purpose: str) -> None:
        raise ConnectionError("gateway down")


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(2), clock.TZ)


def by_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), clock.TZ)


def test_reminders_are_sent_once_before_the_due_date_and_once_when_missed(performing):
    with clock.pinned(by_day(dt.date(2027, 1, 16))):
        assert checks.run(["reminders"]) == {"reminders": 0}  # four days ahead: too early
    with clock.pinned(by_day(dt.date(2027, 1, 17))):
        assert checks.run(["reminders"]) == {"reminders": 1}
        assert checks.run(["reminders"]) == {"reminders": 0}  # a second run sends nothing
    message = OutboxMessage.objects.filter(purpose="performance_reminder").get()
    assert "第1期应于2027-01-20还款" in message.body
    assert message.body.startswith("【")  # the committee's name, and a verification code
    assert "核验码" in message.body
    assert ContactAttempt.objects.filter(dispute=performing, note="履行提醒") \
        .count() == 1
    with clock.pinned(by_day(dt.date(2027, 1, 21))):
        run_jobs.enqueue(["reminders"])  # the same job through the task backend
        run_jobs.enqueue(["reminders"])
    assert set(Reminder.objects.filter(dispute=performing).values_list("instalment", "kind")) \
        == {(1, "before_due"), (1, "overdue")}


def test_no_reminder_is_sent_at_night_and_the_next_daytime_run_sends_it(performing):
    """The nightly job used to text debtors at 02:00; now night defers the reminder."""
    with clock.pinned(at(dt.date(2027, 1, 17))):  # 02:00
        assert checks.run(["reminders"]) == {"reminders": 0}
    assert not OutboxMessage.objects.filter(purpose="performance_reminder").exists()
    assert not Reminder.objects.exists()
    with clock.pinned(by_day(dt.date(2027, 1, 17))):
        assert checks.run(["reminders"]) == {"reminders": 1}


def test_the_system_finds_the_default_and_a_second_run_changes_nothing(performing):
    with clock.pinned(at(dt.date(2027, 2, 21))):
        done = checks.run(["performance", "follow_ups"])
        assert done == {"performance": 1, "follow_ups": 1}
        assert checks.run(["performance", "follow_ups"]) == {"performance": 0, "follow_ups": 0}
    performing.refresh_from_db()
    assert performing.state == State.DEFAULTED
    event = Event.objects.filter(dispute=performing, type="dispute.default").get()
    assert event.actor.username == "jintiao-system"
    assert event.params["missed"] == [1, 2]
    assert Enforcement.objects.filter(dispute=performing).count() == 1
    assert FollowUp.objects.filter(dispute=performing).count() == 3  # 1st, 7th, 12th


def test_a_passed_deadline_is_noted_once_and_the_command_runs_from_cron(desk, mediating,
                                                                      capsys):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    apply(desk, mediating)
    mediating.refresh_from_db()
    confirmation_apply(actor=desk.mediator, dispute_id=mediating.pk,
                       expected_version=mediating.version, court_id=desk.court.pk)
    mediating.refresh_from_db()
    assert mediating.state == State.CONFIRMATION_PENDING
    later = mediating.deadline + dt.timedelta(days=1)
    with clock.pinned(at(later)):
        assert main(["jobs", "run", "--only", "deadlines"]) == 0
        assert main(["jobs", "run", "--only", "deadlines"]) == 0
    assert "期限届满检查：1" in capsys.readouterr().out
    noted = Event.objects.filter(dispute=mediating, type="deadline.passed").get()
    assert noted.params["what"] == "法院审查期限届满"
    with pytest.raises(SystemExit) as bad:
        main(["jobs", "run", "--date", "2027-13-01"])
    assert bad.value.code == 2
    assert "日期格式" in capsys.readouterr().err


def test_jobs_never_run_for_a_future_day(performing):
    with pytest.raises(JobInvalid):
        checks.run(today=clock.today() + dt.timedelta(days=1))
    assert main(["jobs", "run", "--date", "2099-01-01"]) == 2


def test_one_failing_dispute_does_not_stop_the_jobs(desk, performing, settings):
    settings.SMS_BACKEND = "tests.jobs.test_checks.FailingGateway"
    with clock.pinned(by_day(dt.date(2027, 2, 21))):  # in the day: reminders are due
        done = checks.run()
    assert done["reminders"] == 0  # the gateway failed: nothing marked as sent
    assert done["performance"] == 1  # and the review still ran
