"""The only module that reads the system clock.

Everything else receives dates and times as arguments, so that tests can pin an instant
and a job that runs after midnight still reasons about the day it was asked about.
:func:`pinned` lets a block run as of another instant: the demo replays a year of history
through the real services with it, so deadlines and timelines carry the dates they would
have had.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")

_pinned: ContextVar[dt.datetime | None] = ContextVar("jintiao_clock_pinned", default=None)


def now() -> dt.datetime:
    """Return the current aware time in Asia/Shanghai (or the pinned instant)."""
    at = _pinned.get()
    return at if at is not None else dt.datetime.now(TZ)


def today() -> dt.date:
    """Return today's date in Asia/Shanghai (not the server's local date)."""
    return now().date()


@contextmanager
def pinned(at: dt.datetime) -> Iterator[dt.datetime]:
    """Run the block as if it were ``at``; the previous clock comes back afterwards.

    :raises ValueError: ``at`` is naive (its zone would be a guess)
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("clock.pinned needs an aware datetime")
    token = _pinned.set(at.astimezone(TZ))
    try:
        yield at.astimezone(TZ)
    finally:
        _pinned.reset(token)
