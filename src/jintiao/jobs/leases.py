"""Leases on running tasks: django-tasks-db (0.13) marks a task RUNNING when a worker claims
it and nothing ever looks at it again, so a worker killed mid-task (power, OOM, SIGKILL)
leaves the task RUNNING for ever. Each ``jintiao worker`` keeps a heartbeat row; a RUNNING
task whose worker has been silent for longer than the lease (``JINTIAO_TASK_LEASE_SECONDS``)
is put back on the queue — or failed, once ``JINTIAO_TASK_MAX_ATTEMPTS`` workers have died on
it — by whichever worker or scheduler looks first.

The taking-up is a compare-and-set on the task's status and start time, so of several
recovering processes one wins. A worker that was only paused, not dead, may then finish the
same task alongside the new one: every job is idempotent (unique rows, locks, checks of
state), so the work is still done once.

Times here are the queue's own (django-tasks-db stamps with ``django.utils.timezone.now``),
never :mod:`jintiao.clock`, which a test or a replay may pin to another day.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jintiao.jobs import conf
from jintiao.jobs.models import JobRun, WorkerLease

log = logging.getLogger(__name__)

EXPIRED_CLASS = "jintiao.jobs.leases.LeaseExpired"
# a dead worker's row is kept a day for the status page, then dropped
FORGET_AFTER = dt.timedelta(days=1)
# a run without a task (``jintiao jobs run``) still running after this is taken as dead
RUN_WITHOUT_LEASE = dt.timedelta(days=1)


class LeaseExpired(Exception):
    """Stands for the task's failure on the queue's record when too many workers died on it."""


def lease_register(worker_id: str) -> WorkerLease:
    """Start the heartbeat row of a worker, before it claims anything."""
    now = timezone.now()
    lease, _ = WorkerLease.objects.update_or_create(
        worker_id=worker_id, defaults={
            "host": socket.gethostname()[:128], "pid": os.getpid(), "started_at": now,
            "beat_at": now, "task_id": ""})
    return lease


def lease_beat(worker_id: str, task_id: str) -> None:
    """Renew the worker's lease and say what it runs; a row another process dropped (the
    worker was taken for dead, then woke) is written again."""
    now = timezone.now()
    if not WorkerLease.objects.filter(worker_id=worker_id).update(beat_at=now, task_id=task_id):
        lease_register(worker_id)
        WorkerLease.objects.filter(worker_id=worker_id).update(task_id=task_id)


def lease_release(worker_id: str) -> None:
    """A worker that stops cleanly drops its row (it holds no task then)."""
    WorkerLease.objects.filter(worker_id=worker_id).delete()


def leases_recover(now: dt.datetime | None = None) -> dict[str, list[str]]:
    """Take up every RUNNING task whose worker's lease has expired; return the ids queued
    again (``requeued``) and failed (``failed``)."""
    now = now or timezone.now()
    cutoff = now - conf.lease()
    live = set(WorkerLease.objects.filter(beat_at__gte=cutoff)
               .values_list("worker_id", flat=True))
    done: dict[str, list[str]] = {"requeued": [], "failed": []}
    # started before the cutoff: a task claimed a moment ago by a worker not yet seen is
    # left to that worker's first beat
    for row in DBTaskResult.objects.running().filter(started_at__lt=cutoff).order_by("pk"):
        ids = list(row.worker_ids or [])
        if ids and ids[-1] in live:
            continue
        same = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING,
                                           started_at=row.started_at)
        if len(ids) >= conf.max_attempts():
            taken = same.update(
                status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
                exception_class_path=EXPIRED_CLASS,
                traceback=(f"{EXPIRED_CLASS}: 工作进程失联，已尝试{len(ids)}次 "
                           f"(the worker went silent; {len(ids)} attempts)\n"))
            outcome = "failed"
        else:
            taken = same.update(status=TaskResultStatus.READY, started_at=None)
            outcome = "requeued"
        if taken:
            JobRun.objects.filter(task_id=str(row.pk), status=JobRun.Status.RUNNING).update(
                status=JobRun.Status.INTERRUPTED, finished_at=now,
                error="工作进程失联，租约到期 (the worker went silent; its lease expired)")
            log.warning("task %s of worker %s: lease expired, %s", row.pk,
                        ids[-1] if ids else "?", outcome)
            done[outcome].append(str(row.pk))
    JobRun.objects.filter(Q(task_id="") & Q(status=JobRun.Status.RUNNING)
                          & Q(started_at__lt=now - RUN_WITHOUT_LEASE)).update(
        status=JobRun.Status.INTERRUPTED, finished_at=now,
        error="运行超过一天未结束，视为中断 (still running after a day; taken as dead)")
    WorkerLease.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()
    return done
