"""A worker killed mid-task: its task is taken up again once its lease expires, not before,
and the work is done once — real worker processes on the database queue, a real SIGKILL.

The reminders job runs over two performing disputes; the first worker sends the first
dispute's reminder, then stops dead (its heartbeat still beating: a live, slow worker). A
second worker leaves that task alone while the lease holds; once the first is killed and
its lease runs out, the second takes the task up and finishes it: one reminder and one text
per dispute, never two."""

from __future__ import annotations

import signal
import time

import pytest

from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import Track
from jintiao.jobs import tasks
from jintiao.jobs.models import JobRun, WorkerLease
from jintiao.mediation.services import action_apply
from jintiao.messaging.models import OutboxMessage
from jintiao.performance.models import Reminder
from tests.factories import flat, intake
from tests.helpers import CHARGES_SINCE, accept_plan, agree, confirm

pytestmark = pytest.mark.django_db(transaction=True)

AT = "2027-01-17T10:00:00+08:00"  # three days before the first instalment, in the day
LEASE = 3.0


def performing_again(desk):
    """A second dispute on the same confirmed plan (its debtor a different person)."""
    dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
                     court=desk.court)
    dispute = action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                           expected_version=1, notice_served=True)
    dispute = action_apply(actor=desk.director, dispute_id=dispute.pk, action=Action.ASSIGN,
                           expected_version=dispute.version, track=Track.SIMPLE,
                           mediators=[desk.mediator])
    accept_plan(desk, dispute, flat(12))
    agree(desk, dispute, CHARGES_SINCE)
    confirm(desk, dispute)
    return dispute


def wait_for(path, process, seconds: float = 120) -> None:
    began = time.monotonic()
    while not path.exists():
        if process.poll() is not None:
            pytest.fail(f"the worker ended early:\n{process.communicate()[0]}")
        if time.monotonic() - began > seconds:
            pytest.fail("the worker never reached the stall")
        time.sleep(0.1)


def test_a_killed_workers_task_is_taken_up_after_its_lease_and_done_once(
        desk, performing, shared_db, settings, tmp_path):
    second = performing_again(desk)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    queued = tasks.enqueue("reminders")
    shared_db.push()
    lease = {"JINTIAO_TASK_LEASE_SECONDS": str(LEASE)}

    stalled = tmp_path / "stalled"
    first = shared_db.start(AT, "worker", "--interval", "0.2", "--worker-id", "first",
                            stall=stalled, extra=lease)
    wait_for(stalled, first)
    other = shared_db.start(AT, "worker", "--interval", "0.2", "--max-tasks", "1",
                            "--worker-id", "second", extra=lease)
    time.sleep(3 * LEASE)  # the first is silent in its job, but its heartbeat beats
    assert other.poll() is None, other.communicate()[0]  # so its task was not taken

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    output = other.communicate(timeout=180)[0]  # --max-tasks 1: it ends after that task
    assert other.returncode == 0, output
    shared_db.pull()

    for dispute in (performing, second):
        reminders = Reminder.objects.filter(dispute=dispute)
        assert list(reminders.values_list("instalment", "kind")) == [(1, "before_due")]
    assert OutboxMessage.objects.filter(purpose="performance_reminder").count() == 2
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.get(pk=queued.id)
    assert row.status == "SUCCESSFUL"
    assert row.worker_ids == ["first", "second"]  # claimed twice: by the dead and the heir
    runs = JobRun.objects.filter(task_id=str(queued.id)).order_by("started_at")
    assert [(r.worker, r.status, r.done) for r in runs] == [
        ("first", JobRun.Status.INTERRUPTED, None), ("second", JobRun.Status.SUCCEEDED, 1)]
    assert "租约到期" in runs[0].error
    assert not WorkerLease.objects.filter(worker_id="second").exists()  # stopped cleanly
    assert WorkerLease.objects.filter(worker_id="first").exists()  # dead: kept for the page
