"""Figures of the performing dispute (``performing`` in tests/conftest.py) and the hour a
test pins the clock to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jintiao import clock
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import Track
from jintiao.mediation.services import action_apply
from tests.factories import flat, intake
from tests.helpers import CHARGES_SINCE, accept_plan, agree, confirm


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


def second_performing(w):
    """Another dispute of the same bank's branch, performing on a 12-instalment plan."""
    d = intake(actor=w.clerk, committee=w.committee, institution=w.branch, court=w.court)
    d = action_apply(actor=w.clerk, dispute_id=d.pk, action=Action.ACCEPT, expected_version=1,
                     notice_served=True)
    d = action_apply(actor=w.director, dispute_id=d.pk, action=Action.ASSIGN,
                     expected_version=d.version, track=Track.SIMPLE, mediators=[w.mediator])
    accept_plan(w, d, flat(12))
    agree(w, d, CHARGES_SINCE)
    confirm(w, d)
    d.refresh_from_db()
    return d
