"""Running one job and keeping its record: the same path for a queue worker, the
in-process backend and ``jintiao jobs run``, so the administrator sees every run.

The run's row is written before the job starts and in its own transaction, so a run whose
process dies stays visible (running, then interrupted when its lease expires); the job's
own work commits dispute by dispute, idempotently (see :mod:`jintiao.jobs.checks`).
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.utils import timezone

from jintiao import clock
from jintiao.domain.errors import DomainError
from jintiao.jobs import checks
from jintiao.jobs.checks import JOB_LABELS, JOBS, JobInvalid
from jintiao.jobs.models import JobRun
from jintiao.orgs.services import system_actor


def process_name() -> str:
    """This process as the records name it: host and process id."""
    return f"{socket.gethostname()[:100]}:{os.getpid()}"


def job_names() -> list[str]:
    """The registered jobs, in the order ``jintiao jobs run`` runs them."""
    return list(JOBS)


def names_checked(names: list[str] | None) -> list[str]:
    """``names`` (all jobs when None) in :data:`JOBS` order.

    :raises JobInvalid: a name that is not a job
    """
    unknown = sorted(set(names or []) - set(JOBS))
    if unknown:
        raise JobInvalid(
            f"没有这个定时任务：{'、'.join(unknown)}（可用：{'、'.join(JOBS)}）",
            f"no such job: {', '.join(unknown)} (known: {', '.join(JOBS)})")
    return [n for n in JOBS if names is None or n in names]


def day_checked(day: dt.date | None) -> dt.date:
    """The business day to run for: today by default, a past day to replay one, never a
    day to come (a default found early cannot be undone).

    :raises JobInvalid: a day after today
    """
    today = clock.today()
    chosen = day or today
    if chosen > today:
        raise JobInvalid(f"不能按将来的日期{chosen}运行定时任务",
                         "jobs cannot run for a future day")
    return chosen


def _error_text(exc: BaseException) -> str:
    """What the record keeps of a job's failure: our own refusals in full (their words are
    ours), anything else by its class only — a database error's text may quote a row's
    values, and personal data stays out of the record (PIPL Art. 51)."""
    if isinstance(exc, DomainError):
        return f"{exc.message} ({exc.message_en})"[:1000]
    return f"{type(exc).__module__}.{type(exc).__qualname__}"


def job_run(name: str, *, day: dt.date | None = None, slot: dt.datetime | None = None,
            task_id: str = "", attempt: int = 1, worker: str = "") -> int:
    """Run the job ``name`` for ``day`` as the system account and record the run; return
    how many disputes it acted on. A failure is recorded and raised again (the task is
    then failed, and retried by :mod:`jintiao.jobs.tasks`).

    :raises JobInvalid: an unknown job or a day to come
    """
    names_checked([name])
    chosen = day_checked(day)
    run = JobRun.objects.create(job=name, day=chosen, slot=slot, task_id=task_id,
                                attempt=attempt, worker=worker or process_name(),
                                started_at=timezone.now())
    failed: list[int] = []
    token = checks.failures.set(failed)
    try:
        done = JOBS[name](chosen, system_actor())
    except BaseException as exc:
        JobRun.objects.filter(pk=run.pk).update(
            status=JobRun.Status.FAILED, finished_at=timezone.now(), failures=len(failed),
            error=_error_text(exc))
        raise
    finally:
        checks.failures.reset(token)
    JobRun.objects.filter(pk=run.pk).update(
        status=JobRun.Status.SUCCEEDED, finished_at=timezone.now(), done=done,
        failures=len(failed))
    return done


def jobs_run(names: list[str] | None = None, day: dt.date | None = None) -> dict[str, int]:
    """Run the named jobs (all by default) one after another, each recorded (what
    ``jintiao jobs run`` does from cron or by hand)."""
    chosen = names_checked(names)
    when = day_checked(day)
    return {name: job_run(name, day=when) for name in chosen}


def label(name: str) -> str:
    return JOB_LABELS.get(name, name)
