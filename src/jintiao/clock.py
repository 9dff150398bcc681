"""The only module that reads the system clock.

Everything else receives dates and times as arguments, so that tests can pin an instant
and a job that runs after midnight still reasons about the day it was asked about.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    """Return the current aware time in Asia/Shanghai."""
    return dt.datetime.now(TZ)


def today() -> dt.date:
    """Return today's date in Asia/Shanghai (not the server's local date)."""
    return now().date()
