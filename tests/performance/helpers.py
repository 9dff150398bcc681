"""Figures of the performing dispute (``performing`` in tests/conftest.py) and the hour a
test pins the clock to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jintiao import clock
from jintiao.agreements.content import Draft
from tests.loop.helpers import DRAFT

CHARGES_SINCE = Draft(**{**DRAFT.__dict__, "charges_since": dt.date(2025, 1, 1)})


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """``day`` at ``hour`` o'clock, Shanghai time (daytime: reminders may be sent)."""
    return dt.datetime.combine(day, dt.time(hour), clock.TZ)


def terms(dispute) -> dict:
    return dispute.agreements.get(status="effective").content["terms"]


def instalment(dispute) -> Decimal:
    """What one instalment of the flat plan comes to."""
    return Decimal(terms(dispute)["schedule"][0]["payment"])


def total(dispute) -> Decimal:
    return Decimal(terms(dispute)["total"])
