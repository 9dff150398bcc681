"""The queue's knobs, from settings when the deployment sets them there, else from the
environment (``JINTIAO_*``), else the defaults below. Read at call time, so tests and the
worker's own process may differ."""

from __future__ import annotations

import os

from django.conf import settings

from jintiao.domain.errors import DomainError, ErrorCode


class JobsConfigInvalid(DomainError):
    """A queue or schedule setting that cannot be read: said at start, never guessed."""

    code = ErrorCode.PERFORMANCE_INVALID


def _number(setting: str, variable: str, default: float) -> float:
    value = getattr(settings, setting, None)
    if value is None:
        value = os.environ.get(variable) or default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise JobsConfigInvalid(f"{variable}应为数字：{value}",
                                f"{variable} is not a number: {value}") from None
    if number <= 0:
        raise JobsConfigInvalid(f"{variable}应大于0：{value}",
                                f"{variable} must be positive: {value}")
    return number


def lease_seconds() -> float:
    """How long a worker may stay silent before its running task is taken up again
    (``JINTIAO_TASK_LEASE_SECONDS``, 300): longer than any pause of a live worker (its
    heartbeat writes every third of it), short enough that a night's job still runs."""
    return _number("JINTIAO_TASK_LEASE_SECONDS", "JINTIAO_TASK_LEASE_SECONDS", 300)


def max_attempts() -> int:
    """How many workers may die on one task before it is marked failed instead of queued
    again (``JINTIAO_TASK_MAX_ATTEMPTS``, 3): a task that kills its worker (memory, a bad
    record) must not take down every worker in turn."""
    return int(_number("JINTIAO_TASK_MAX_ATTEMPTS", "JINTIAO_TASK_MAX_ATTEMPTS", 3))


def job_retries() -> int:
    """How many times a job that failed as a whole (the database went away) is queued
    again, a few minutes later each time (``JINTIAO_JOB_RETRIES``, 2)."""
    value = getattr(settings, "JINTIAO_JOB_RETRIES", None)
    if value is None:
        value = os.environ.get("JINTIAO_JOB_RETRIES") or 2
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        raise JobsConfigInvalid(f"JINTIAO_JOB_RETRIES应为整数：{value}",
                                f"JINTIAO_JOB_RETRIES is not a whole number: {value}") from None


def retry_delay_seconds() -> float:
    return _number("JINTIAO_JOB_RETRY_SECONDS", "JINTIAO_JOB_RETRY_SECONDS", 300)


def schedule_text() -> str:
    """The deployment's own times (``JINTIAO_SCHEDULE``), read by :mod:`jintiao.jobs.schedule`."""
    value = getattr(settings, "JINTIAO_SCHEDULE", None)
    return str(value if value is not None else os.environ.get("JINTIAO_SCHEDULE", ""))
