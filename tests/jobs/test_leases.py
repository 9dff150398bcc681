"""Leases, one rule at a time: a running task whose worker beats is left alone; one whose
worker fell silent past the lease is queued again (its run marked interrupted); after too
many dead workers it is failed instead; a task claimed a moment ago is its worker's. And a
job that fails as a whole is queued again later, a limited number of times."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jintiao.jobs import checks, tasks
from jintiao.jobs.leases import EXPIRED_CLASS, lease_register, leases_recover
from jintiao.jobs.models import JobRun, WorkerLease
from jintiao.jobs.worker import LeasedWorker

pytestmark = pytest.mark.django_db

ON_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(settings):
    settings.TASKS = ON_QUEUE
    settings.JINTIAO_TASK_LEASE_SECONDS = 60
    settings.JINTIAO_TASK_MAX_ATTEMPTS = 3


def running(workers: list[str], started_ago: float) -> DBTaskResult:
    """A figures task claimed by ``workers`` in turn, the last ``started_ago`` seconds ago."""
    result = tasks.enqueue("figures")
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=workers,
        started_at=timezone.now() - dt.timedelta(seconds=started_ago))
    JobRun.objects.create(job="figures", day=dt.date(2027, 1, 17), task_id=str(result.id),
                          worker=workers[-1], started_at=timezone.now())
    return DBTaskResult.objects.get(pk=result.id)


def beat(worker: str, ago: float) -> None:
    lease_register(worker)
    WorkerLease.objects.filter(worker_id=worker).update(
        beat_at=timezone.now() - dt.timedelta(seconds=ago))


def test_a_live_workers_task_stays_with_it_however_long_it_runs(queue):
    beat("alive", ago=5)
    task = running(["alive"], started_ago=3600)
    assert leases_recover() == {"requeued": [], "failed": []}
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_a_silent_workers_task_is_queued_again_and_its_run_marked_interrupted(queue):
    beat("dead", ago=61)
    task = running(["dead"], started_ago=120)
    assert leases_recover() == {"requeued": [str(task.pk)], "failed": []}
    assert leases_recover() == {"requeued": [], "failed": []}  # once
    task.refresh_from_db()
    assert (task.status, task.started_at) == ("READY", None)
    assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()
    run = JobRun.objects.get(task_id=str(task.pk))
    assert run.status == JobRun.Status.INTERRUPTED
    assert "租约到期" in run.error


def test_a_task_claimed_a_moment_ago_is_its_workers_even_before_its_first_beat(queue):
    task = running(["unseen"], started_ago=10)
    assert leases_recover() == {"requeued": [], "failed": []}
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_a_task_that_killed_three_workers_is_failed_not_queued_again(queue):
    task = running(["w1", "w2", "w3"], started_ago=120)  # none of them has a lease any more
    assert leases_recover() == {"requeued": [], "failed": [str(task.pk)]}
    task.refresh_from_db()
    assert task.status == "FAILED"
    assert task.exception_class_path == EXPIRED_CLASS
    assert "已尝试3次" in task.traceback


def boom(day: dt.date, actor: object) -> int:
    raise ConnectionError("the database went away")


def run_as_worker(task_id: str) -> None:
    """What a worker does with a task it claimed (without its loop)."""
    row = DBTaskResult.objects.get(pk=task_id)
    row.claim("w")
    LeasedWorker(queue_names=["default"], interval=1, batch=True, backend_name="default",
                 startup_delay=False, max_tasks=None, worker_id="w",
                 excluded_queue_names=[]).run_task(row)


def test_a_job_that_fails_is_queued_again_later_a_limited_number_of_times(queue, settings,
                                                                          monkeypatch):
    settings.JINTIAO_JOB_RETRIES = 1
    monkeypatch.setitem(checks.JOBS, "figures", boom)
    first = tasks.enqueue("figures")
    run_as_worker(first.id)
    assert DBTaskResult.objects.get(pk=first.id).status == "FAILED"
    run = JobRun.objects.get(task_id=str(first.id))
    assert (run.status, run.error) == (JobRun.Status.FAILED, "builtins.ConnectionError")
    retry = DBTaskResult.objects.exclude(pk=first.id).get()
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after > timezone.now() + dt.timedelta(minutes=4)  # not at once
    assert not DBTaskResult.objects.ready().exists()

    run_as_worker(retry.pk)  # the second attempt fails too: no third
    assert DBTaskResult.objects.count() == 2
    assert JobRun.objects.get(task_id=str(retry.pk)).attempt == 2
