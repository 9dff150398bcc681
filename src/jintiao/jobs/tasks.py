"""The jobs as tasks for the configured backend (``JINTIAO_TASKS_BACKEND``): in-process by
default (``make run``), the database queue in production, run by ``jintiao worker``.

One task per job, so each is queued, retried and seen on its own: a failing reminder run
does not hold back the figures. A job that fails as a whole (the database went away) is
queued again a few minutes later, up to ``JINTIAO_JOB_RETRIES`` times, on a backend that
can defer; the failed task stays on the queue's record.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.utils import timezone
from django_tasks import TaskContext, TaskResult, task
from django_tasks.base import Task

from jintiao.domain.errors import DomainError
from jintiao.jobs import conf, runs

log = logging.getLogger(__name__)


def _run(context: TaskContext, name: str, day: str | None, slot: str | None,
         attempt: int) -> int:
    result = context.task_result
    try:
        return runs.job_run(
            name, day=dt.date.fromisoformat(day) if day else None,
            slot=dt.datetime.fromisoformat(slot) if slot else None,
            task_id=str(result.id), attempt=attempt,
            worker=result.worker_ids[-1] if result.worker_ids else "")
    except DomainError:  # a refusal (a day to come): the same again would be refused again
        raise
    except Exception:
        if attempt <= conf.job_retries() and TASKS[name].get_backend().supports_defer:
            later = timezone.now() + conf.retry_delay() * attempt
            try:
                retry = enqueue(name, day=day, slot=slot, attempt=attempt + 1, run_after=later)
            except Exception:  # the queue is where the failure was: the next slot runs it
                log.exception("job %s failed (attempt %s) and could not be queued again",
                              name, attempt)
            else:
                log.warning("job %s failed (attempt %s); queued again as %s", name, attempt,
                            retry.id)
        raise


@task(takes_context=True)
def follow_ups(context: TaskContext, day: str | None = None, slot: str | None = None,
               attempt: int = 1) -> int:
    return _run(context, "follow_ups", day, slot, attempt)


@task(takes_context=True)
def reminders(context: TaskContext, day: str | None = None, slot: str | None = None,
              attempt: int = 1) -> int:
    return _run(context, "reminders", day, slot, attempt)


@task(takes_context=True)
def performance(context: TaskContext, day: str | None = None, slot: str | None = None,
                attempt: int = 1) -> int:
    return _run(context, "performance", day, slot, attempt)


@task(takes_context=True)
def deadlines(context: TaskContext, day: str | None = None, slot: str | None = None,
              attempt: int = 1) -> int:
    return _run(context, "deadlines", day, slot, attempt)


@task(takes_context=True)
def credit_repairs(context: TaskContext, day: str | None = None, slot: str | None = None,
                   attempt: int = 1) -> int:
    return _run(context, "credit_repairs", day, slot, attempt)


@task(takes_context=True)
def figures(context: TaskContext, day: str | None = None, slot: str | None = None,
            attempt: int = 1) -> int:
    return _run(context, "figures", day, slot, attempt)


@task(takes_context=True)
def checkpoints(context: TaskContext, day: str | None = None, slot: str | None = None,
                attempt: int = 1) -> int:
    return _run(context, "checkpoints", day, slot, attempt)


TASKS: dict[str, Task[Any, int]] = {
    "follow_ups": follow_ups,
    "reminders": reminders,
    "performance": performance,
    "deadlines": deadlines,
    "credit_repairs": credit_repairs,
    "figures": figures,
    "checkpoints": checkpoints,
}


def enqueue(name: str, *, day: str | dt.date | None = None,
            slot: str | dt.datetime | None = None, attempt: int = 1,
            run_after: dt.datetime | None = None) -> TaskResult[int]:
    """Put the job ``name`` on the queue (on the in-process backend: run it now).

    :raises JobInvalid: an unknown job
    """
    runs.names_checked([name])
    job = TASKS[name] if run_after is None else TASKS[name].using(run_after=run_after)
    return job.enqueue(
        day=day.isoformat() if isinstance(day, dt.date) else day,
        slot=slot.isoformat() if isinstance(slot, dt.datetime) else slot, attempt=attempt)


@task()
def run_jobs(names: list[str] | None = None) -> dict[str, int]:
    """Every job (or the named ones) in one task, as before the queue had one per job."""
    return runs.jobs_run(names)
