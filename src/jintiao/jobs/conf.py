"""The queue's knobs, from settings when the deployment sets them there, else from the
environment (``JINTIAO_*``), else the defaults below. Read at call time, so tests and the
worker's own process may differ."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from django.conf import settings

from jintiao.domain.errors import DomainError, ErrorCode


class JobsConfigInvalid(DomainError):
    """A queue or schedule setting that cannot be read: said at start, never guessed."""

    code = ErrorCode.PERFORMANCE_INVALID


def seconds(text: object, variable: str) -> dt.timedelta:
    """A positive number of seconds as the deployment writes it ("300", "0.5"), to the
    microsecond; read as a Decimal, like every number the platform takes from people.

    :raises JobsConfigInvalid: not a number, not finite, or not above 0
    """
    try:
        number = Decimal(str(text).strip())
    except ArithmeticError:  # decimal.InvalidOperation
        raise JobsConfigInvalid(f"{variable}应为数字：{text}",
                                f"{variable} is not a number: {text}") from None
    if not number.is_finite() or number <= 0:
        raise JobsConfigInvalid(f"{variable}应为大于0的数：{text}",
                                f"{variable} must be a positive number: {text}")
    return dt.timedelta(microseconds=int(number * 1_000_000))


def _whole(setting: str, default: int, *, minimum: int | None = None) -> int:
    value = _setting(setting, default)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise JobsConfigInvalid(f"{setting}应为整数：{value}",
                                f"{setting} is not a whole number: {value}") from None
    if minimum is not None and number < minimum:
        raise JobsConfigInvalid(f"{setting}应不小于{minimum}：{value}",
                                f"{setting} must be at least {minimum}: {value}")
    return number


def _setting(setting: str, default: object) -> object:
    value = getattr(settings, setting, None)
    if value is None:
        value = os.environ.get(setting) or default
    return value


def lease() -> dt.timedelta:
    """How long a worker may stay silent before its running task is taken up again
    (``JINTIAO_TASK_LEASE_SECONDS``, 300): longer than any pause of a live worker (its
    heartbeat writes every third of it), short enough that a night's job still runs."""
    return seconds(_setting("JINTIAO_TASK_LEASE_SECONDS", 300), "JINTIAO_TASK_LEASE_SECONDS")


def max_attempts() -> int:
    """How many workers may die on one task before it is marked failed instead of queued
    again (``JINTIAO_TASK_MAX_ATTEMPTS``, 3): a task that kills its worker (memory, a bad
    record) must not take down every worker in turn."""
    return _whole("JINTIAO_TASK_MAX_ATTEMPTS", 3, minimum=1)


def job_retries() -> int:
    """How many times a job that failed as a whole (the database went away) is queued
    again, a few minutes later each time (``JINTIAO_JOB_RETRIES``, 2)."""
    return max(0, _whole("JINTIAO_JOB_RETRIES", 2))


def retry_delay() -> dt.timedelta:
    """How long after a failed job it is queued again, times the attempt
    (``JINTIAO_JOB_RETRY_SECONDS``, 300)."""
    return seconds(_setting("JINTIAO_JOB_RETRY_SECONDS", 300), "JINTIAO_JOB_RETRY_SECONDS")


def schedule_text() -> str:
    """The deployment's own times (``JINTIAO_SCHEDULE``), read by :mod:`jintiao.jobs.schedule`."""
    value = getattr(settings, "JINTIAO_SCHEDULE", None)
    return str(value if value is not None else os.environ.get("JINTIAO_SCHEDULE", ""))
