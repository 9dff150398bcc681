"""The scheduler queues each job at its time of day, once per slot however many schedulers
run (two hosts, or cron beside the loop); the slot it missed while down is queued once when
it comes back; the times are the deployment's to set; on the in-process backend the job runs
right there."""

from __future__ import annotations

import datetime as dt
import signal

import pytest
from django_tasks_db.models import DBTaskResult

from jintiao import clock
from jintiao.cli import main
from jintiao.jobs import checks, schedule, tasks
from jintiao.jobs.conf import JobsConfigInvalid
from jintiao.jobs.models import JobRun, SlotClaim
from jintiao.jobs.scheduler import tick
from jintiao.performance.models import Reminder

ON_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), clock.TZ)


DAY = dt.date(2027, 1, 17)


def test_every_job_has_a_task_a_label_and_a_time():
    assert list(tasks.TASKS) == list(checks.JOBS)
    assert set(checks.JOB_LABELS) == set(checks.JOBS)
    assert set(schedule.DEFAULT_SCHEDULE) >= set(checks.JOBS)


@pytest.mark.django_db
def test_two_schedulers_queue_each_slot_once(settings):
    settings.TASKS = ON_QUEUE
    with clock.pinned(local(DAY, 10, 35)):
        first = tick(by="host-a")
        second = tick(by="host-b")
    assert sorted(q.slot.job for q in first) == sorted(checks.JOBS)
    assert second == []
    assert DBTaskResult.objects.count() == len(checks.JOBS)
    claims = {c.job: c for c in SlotClaim.objects.all()}
    assert claims["reminders"].slot == local(DAY, 9)  # the morning's run; 15:00 is to come
    assert claims["performance"].slot == local(DAY, 10)
    assert claims["figures"].slot == local(DAY, 0, 30)
    assert {c.claimed_by for c in claims.values()} == {"host-a"}
    queued = DBTaskResult.objects.get(pk=claims["reminders"].task_id)
    assert queued.task_path == "jintiao.jobs.tasks.reminders"
    assert queued.args_kwargs["kwargs"] == {"day": "2027-01-17",
                                            "slot": "2027-01-17T09:00:00+08:00", "attempt": 1}

    with clock.pinned(local(DAY, 15, 1)):  # the afternoon: only the reminders are due again
        assert [(q.slot.job, q.slot.at) for q in tick(by="host-b")] == [
            ("reminders", local(DAY, 15))]
        assert tick(by="host-a") == []
    assert DBTaskResult.objects.count() == len(checks.JOBS) + 1


@pytest.mark.django_db
def test_a_scheduler_back_from_downtime_queues_the_last_missed_slot_once(settings):
    settings.TASKS = ON_QUEUE
    with clock.pinned(local(DAY, 8, 0)):  # before the day's reminders: yesterday's 15:00
        tick(only=["reminders"])
    assert list(SlotClaim.objects.values_list("slot", flat=True)) == [
        local(DAY - dt.timedelta(days=1), 15)]
    with clock.pinned(local(DAY + dt.timedelta(days=2), 11, 0)):  # down for two days
        tick(only=["reminders"])
        tick(only=["reminders"])
    assert SlotClaim.objects.count() == 2  # the 09:00 of the day it came back, not the missed
    assert SlotClaim.objects.order_by("slot").last().slot == local(DAY + dt.timedelta(days=2), 9)


def test_the_times_are_the_deployments_to_set(settings):
    settings.JINTIAO_SCHEDULE = "reminders=10:00, 16:30 ; figures=off; checkpoints=23:50"
    with pytest.raises(JobsConfigInvalid):  # no such job registered here
        schedule.configured(["reminders", "figures"])
    table = schedule.parse("reminders=16:30,10:00;figures=off",
                           ["reminders", "figures", "deadlines"])
    assert table == {"reminders": (dt.time(10), dt.time(16, 30)),
                     "deadlines": (dt.time(1),)}
    for bad in ("reminders", "reminders=25:00", "reminders=", "nosuch=10:00", "reminders=9h"):
        with pytest.raises(JobsConfigInvalid):
            schedule.parse(bad, ["reminders"])
    slot = schedule.current_slot("reminders", (dt.time(10), dt.time(16, 30)),
                                 local(DAY, 0, 10))
    assert slot.at == local(DAY - dt.timedelta(days=1), 16, 30)
    assert slot.day == DAY - dt.timedelta(days=1)  # the run is for the slot's own day
    assert schedule.next_run((dt.time(10),), local(DAY, 10)) == local(DAY + dt.timedelta(1), 10)


@pytest.mark.django_db
def test_a_bad_schedule_is_refused_in_both_languages(settings, capsys):
    settings.JINTIAO_SCHEDULE = "reminders=9点"
    assert main(["scheduler", "--once"]) == 2
    err = capsys.readouterr().err
    assert "错误：定时任务reminders的时间应为HH:MM" in err
    assert "(error: time for job reminders must be HH:MM" in err
    settings.JINTIAO_SCHEDULE = ""
    assert main(["scheduler", "--once", "--only", "nosuch"]) == 2
    assert "没有这个定时任务：nosuch" in capsys.readouterr().err
    with pytest.raises(SystemExit) as bad:
        main(["scheduler", "--interval", "0"])
    assert bad.value.code == 2


def test_on_the_in_process_backend_the_scheduler_runs_the_job_itself(performing, capsys):
    with clock.pinned(local(DAY, 10, 5)):
        assert main(["scheduler", "--once", "--only", "reminders"]) == 0
        assert main(["scheduler", "--once", "--only", "reminders"]) == 0
    out = capsys.readouterr().out
    assert "已排队：还款提醒，计划时间 2027-01-17 09:00:00" in out
    assert "没有到期未排队的任务" in out  # the second pass
    assert Reminder.objects.filter(dispute=performing).count() == 1
    run = JobRun.objects.get()
    assert (run.job, run.day, run.status, run.done) == ("reminders", DAY,
                                                        JobRun.Status.SUCCEEDED, 1)
    assert run.slot == local(DAY, 9)
    assert SlotClaim.objects.get().task_id == run.task_id != ""


def test_two_scheduler_processes_at_once_queue_each_slot_once(shared_db):
    shared_db.push()
    at = "2027-01-17T10:05:00+08:00"
    both = [shared_db.start(at, "scheduler", "--once") for _ in range(2)]
    outputs = [p.communicate(timeout=180)[0] for p in both]
    assert [p.returncode for p in both] == [0, 0], outputs
    shared_db.pull()
    assert sum(o.count("已排队：") for o in outputs) == len(checks.JOBS), outputs
    assert SlotClaim.objects.count() == len(checks.JOBS)
    assert DBTaskResult.objects.count() == len(checks.JOBS)
    assert set(DBTaskResult.objects.values_list("task_path", flat=True)) == {
        f"jintiao.jobs.tasks.{name}" for name in checks.JOBS}


# transaction=True: the loop closes old connections between ticks as a long-running process
# must, and PostgreSQL's connection inside a test's transaction counts as one to close
@pytest.mark.django_db(transaction=True)
def test_the_loop_ticks_until_stopped(settings):
    from jintiao.jobs.scheduler import Loop

    settings.TASKS = ON_QUEUE
    reports = []

    def report(queued):
        reports.append(queued)
        if len(reports) == 2:
            loop.stopping = True  # as SIGTERM does

    loop = Loop(0.01, report, only=["figures"])
    with clock.pinned(local(DAY, 10, 35)):
        loop.run()
    assert [[q.slot.job for q in r] for r in reports] == [["figures"], []]
    assert signal.getsignal(signal.SIGTERM) != loop.stop  # the handlers are given back
