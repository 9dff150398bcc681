"""What the administrator reads about the background work: the queue's depth, each job's
schedule and last runs, and the workers alive (``jintiao jobs status``, the workbench's
任务队列 page, the admin)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from jintiao import clock
from jintiao.jobs import conf, runs, schedule
from jintiao.jobs.models import JobRun, WorkerLease

RECENT = dt.timedelta(days=1)


@dataclass(frozen=True)
class QueueDepth:
    """Counts of the database queue's tasks; ``on_queue`` is False on the in-process
    backend, where nothing waits (every count is then of what an earlier queue left)."""

    on_queue: bool
    ready: int  # may run now
    waiting: int  # deferred: a retry's or a scheduled time still to come
    running: int
    stalled: int  # running, but the worker's lease has expired (taken up at the next beat)
    failed_recent: int  # failed in the last day
    succeeded_recent: int


@dataclass(frozen=True)
class JobStatus:
    name: str
    label: str
    times: tuple[dt.time, ...]  # empty: not scheduled (run by hand or cron only)
    next_at: dt.datetime | None
    last: JobRun | None
    last_success: JobRun | None
    last_failure: JobRun | None


@dataclass(frozen=True)
class WorkerState:
    lease: WorkerLease
    alive: bool


def queue_depth(now: dt.datetime | None = None) -> QueueDepth:
    now = now or timezone.now()
    cutoff = now - conf.lease()
    by_status = {row["status"]: row["n"] for row in DBTaskResult.objects.order_by()
                 .values("status").annotate(n=Count("pk"))}
    ready = DBTaskResult.objects.ready().count()
    live = WorkerLease.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True)
    live_ids = set(live)
    stalled = sum(1 for ids in DBTaskResult.objects.running().filter(started_at__lt=cutoff)
                  .values_list("worker_ids", flat=True)
                  if not ids or ids[-1] not in live_ids)
    finished = DBTaskResult.objects.filter(finished_at__gte=now - RECENT)
    return QueueDepth(
        on_queue=isinstance(task_backends["default"], DatabaseBackend),
        ready=ready, waiting=by_status.get(TaskResultStatus.READY, 0) - ready,
        running=by_status.get(TaskResultStatus.RUNNING, 0), stalled=stalled,
        failed_recent=finished.filter(status=TaskResultStatus.FAILED).count(),
        succeeded_recent=finished.filter(status=TaskResultStatus.SUCCESSFUL).count())


def _latest(job: str, *statuses: str) -> JobRun | None:
    rows = JobRun.objects.filter(job=job)
    if statuses:
        rows = rows.filter(status__in=statuses)
    return rows.order_by("-started_at", "-pk").first()


def job_statuses(now: dt.datetime | None = None) -> list[JobStatus]:
    """Every registered job, in ``jintiao jobs run`` order, with its schedule and runs.

    :raises JobsConfigInvalid: ``JINTIAO_SCHEDULE`` cannot be read
    """
    now = now or clock.now()
    table = schedule.configured(runs.job_names())
    failed = (JobRun.Status.FAILED, JobRun.Status.INTERRUPTED)
    return [JobStatus(name=name, label=runs.label(name), times=table.get(name, ()),
                      next_at=schedule.next_run(table[name], now) if table.get(name) else None,
                      last=_latest(name), last_success=_latest(name, JobRun.Status.SUCCEEDED),
                      last_failure=_latest(name, *failed))
            for name in runs.job_names()]


def workers(now: dt.datetime | None = None) -> list[WorkerState]:
    """The workers with a lease row: alive while their heartbeat is within the lease."""
    now = now or timezone.now()
    cutoff = now - conf.lease()
    return [WorkerState(lease, lease.beat_at >= cutoff)
            for lease in WorkerLease.objects.order_by("host", "pid")]


def recent_runs(limit: int = 30) -> list[tuple[JobRun, str]]:
    """The latest runs of every job, each with its job's Chinese name."""
    return [(run, runs.label(run.job))
            for run in JobRun.objects.order_by("-started_at", "-pk")[:limit]]
