"""What every service that changes a dispute shares, whatever app it lives in: one clock
read, the dispute locked through the actor's visibility, its state checked, and an event
that leaves the state as it was. The lifecycle's own moves go through
:func:`jintiao.disputes.services.dispute_apply_action` instead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection

from jintiao import clock
from jintiao.disputes.access import DisputeNotFound, RecordNotFound
from jintiao.disputes.models import Dispute
from jintiao.disputes.services import dispute_lock
from jintiao.domain import lifecycle
from jintiao.domain.events import EventType
from jintiao.domain.lifecycle import State
from jintiao.orgs.models import User
from jintiao.timeline.services import event_append


def instant() -> tuple[dt.datetime, dt.date]:
    """Now, and today in Shanghai: one read of the clock for the whole change."""
    now = clock.now()
    return now, now.astimezone(clock.TZ).date()


def record_event(dispute: Dispute, type: EventType, actor: User | None, at: dt.datetime,
                 params: dict[str, Any]) -> None:
    """Append an event that records work on the dispute without moving its state."""
    event_append(dispute=dispute, type=type, actor=actor, at=at, state_before=dispute.state,
                 state_after=dispute.state, params=params)


def lock_behind(actor: User, dispute_id: int, missing: RecordNotFound) -> Dispute:
    """Lock the dispute a record belongs to; a record of a dispute the actor may not see
    is missing, with the same answer as one that never existed."""
    try:
        return dispute_lock(actor, dispute_id)
    except DisputeNotFound:
        raise missing from None


def require_state(dispute: Dispute, *states: State, doing: str) -> None:
    """Refuse work the dispute's state does not allow, naming the state."""
    if State(dispute.state) not in states:
        raise lifecycle.TransitionRefused(
            f"纠纷处于“{State(dispute.state).label}”状态，不能{doing}",
            f"cannot {doing} in state {dispute.state}", state=dispute.state)


def versions_save(disputes: Iterable[Dispute]) -> None:
    """Write the versions of many disputes the caller holds locked and has moved on (a
    file's payments): one short statement a dispute, sent together (bulk_update's CASE
    over hundreds of rows costs more than the rows)."""
    table = connection.ops.quote_name(Dispute._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET version = %s WHERE id = %s",  # noqa: S608 - the model's own table name
            [(d.version, d.pk) for d in disputes])
