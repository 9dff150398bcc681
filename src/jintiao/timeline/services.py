"""Appending to a dispute's timeline and checking that no one rewrote it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from jintiao.domain import events
from jintiao.domain.events import EventType
from jintiao.timeline.models import Event, FiguresBacklog

GENESIS = "0" * 64


def event_hash(*, dispute_id: int, seq: int, type: str, actor_id: int | None, at: dt.datetime,
               state_before: str, state_after: str, params: dict[str, Any],
               meta: dict[str, Any], prev_hash: str) -> str:
    """Return the SHA-256 of an event's canonical JSON (sorted keys, UTC microseconds)."""
    body = {
        "dispute": dispute_id, "seq": seq, "type": type, "actor": actor_id,
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "before": state_before, "after": state_after, "params": params, "meta": meta,
        "prev": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def event_append(*, dispute: Any, type: EventType, actor: Any, at: dt.datetime,
                 state_before: str = "", state_after: str = "",
                 params: dict[str, Any] | None = None,
                 meta: dict[str, Any] | None = None) -> Event:
    """Append an event to ``dispute``'s chain. Call inside the service's transaction, with
    the dispute row locked, so two changes cannot take the same place in the chain.

    ``type`` is a declaration of :mod:`jintiao.domain.events`; the chain stores its string.

    :raises UnknownEventType: ``type`` is not declared there (nothing is written)
    """
    stored = events.registered(type).type
    last = (Event.objects.filter(dispute=dispute).order_by("-seq")
            .values_list("seq", "hash").first())
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    params, meta = params or {}, meta or {}
    digest = event_hash(dispute_id=dispute.pk, seq=seq, type=stored,
                        actor_id=actor.pk if actor else None, at=at, state_before=state_before,
                        state_after=state_after, params=params, meta=meta, prev_hash=prev)
    event = Event.objects.create(dispute=dispute, seq=seq, type=stored, actor=actor, at=at,
                                 state_before=state_before, state_after=state_after,
                                 params=params, meta=meta, prev_hash=prev, hash=digest)
    FiguresBacklog.objects.bulk_create(
        [FiguresBacklog(dispute_id=dispute.pk, seq=seq)], update_conflicts=True,
        unique_fields=["dispute"], update_fields=["seq"])
    return event


@dataclass(frozen=True)
class BrokenLink:
    """Where a dispute's chain first fails, and why."""

    dispute_id: int
    seq: int
    reason: str


def audit_verify() -> tuple[int, list[BrokenLink]]:
    """Recompute every chain; return the events checked and the first broken link of each."""
    broken: list[BrokenLink] = []
    checked = 0
    current: int | None = None
    expected_prev, expected_seq, failed = GENESIS, 1, False
    for e in Event.objects.order_by("dispute_id", "seq").iterator(chunk_size=2000):
        if e.dispute_id != current:
            current, expected_prev, expected_seq, failed = e.dispute_id, GENESIS, 1, False
        checked += 1
        if failed:
            continue
        reason = ""
        if e.seq != expected_seq:
            reason = f"缺少第{expected_seq}条事件"
        elif e.prev_hash != expected_prev:
            reason = "与上一条事件的链接不符"
        elif e.hash != event_hash(dispute_id=e.dispute_id, seq=e.seq, type=e.type,
                                  actor_id=e.actor_id, at=e.at, state_before=e.state_before,
                                  state_after=e.state_after, params=e.params, meta=e.meta,
                                  prev_hash=e.prev_hash):
            reason = "事件内容被改动"
        if reason:
            broken.append(BrokenLink(e.dispute_id, e.seq, reason))
            failed = True
        expected_prev, expected_seq = e.hash, e.seq + 1
    return checked, broken


def last_seq(dispute_id: int) -> int:
    """Return the number of the dispute's last event (0 if none)."""
    return Event.objects.filter(dispute_id=dispute_id).aggregate(m=Max("seq"))["m"] or 0
