"""A dispute in performance, carried there by the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jintiao import clock
from jintiao.agreements.content import Draft
from tests.factories import flat
from tests.loop.helpers import DRAFT, accept_plan, agree, confirm

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


@pytest.fixture
def performing(desk, mediating):
    """The branch's dispute on a confirmed 12-instalment plan from 2027-01-20, monthly."""
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    confirm(desk, mediating)
    mediating.refresh_from_db()
    return mediating
