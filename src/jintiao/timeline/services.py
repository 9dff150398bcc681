"""Appending to a dispute's timeline and checking that no one rewrote it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Model

from jintiao.bulk import bulk_insert
from jintiao.domain import events
from jintiao.domain.events import EventType
from jintiao.timeline.hashing import GENESIS, event_hash
from jintiao.timeline.models import Event, FiguresBacklog

__all__ = ["GENESIS", "Anchor", "BrokenLink", "ChainMoved", "FirstEvent", "NextEvent",
           "audit_verify", "dispute_model", "event_append", "event_hash", "events_append",
           "events_begin", "last_seq"]

def dispute_model() -> type[Model]:
    """The dispute model, reached through the event's key: disputes sit above the
    timeline, which writes only their two chain fields (``events_seq``, ``events_head``)."""
    model = Event._meta.get_field("dispute").related_model
    assert isinstance(model, type)  # noqa: S101 - a declared foreign key
    return model


def event_append(*, dispute: Any, type: EventType, actor: Any, at: dt.datetime,
                 state_before: str = "", state_after: str = "",
                 params: dict[str, Any] | None = None,
                 meta: dict[str, Any] | None = None) -> Event:
    """Append an event to ``dispute``'s chain and move the dispute's own record of the
    chain (``events_seq``, ``events_head``) to it. Call inside the service's transaction,
    with the dispute row locked, so two changes cannot take the same place in the chain.

    The new event links to the head the dispute records, not to the last event found: if
    the last events were deleted, the gap stays in the chain for ``audit verify`` to name.

    ``type`` is a declaration of :mod:`jintiao.domain.events`; the chain stores its string.

    :raises UnknownEventType: ``type`` is not declared there (nothing is written)
    """
    stored = events.registered(type).type
    params, meta = params or {}, meta or {}
    rows = dispute_model()._default_manager.filter(pk=dispute.pk)
    seq, prev = dispute.events_seq + 1, dispute.events_head
    digest = _digest(dispute, seq, stored, actor, at, state_before, state_after, params, meta,
                     prev)
    # compare-and-set: one query when ``dispute`` is current (the usual case); a stale copy
    # costs one read more and links to what the row says
    if not rows.filter(events_seq=seq - 1, events_head=prev).update(events_seq=seq,
                                                                    events_head=digest):
        seq, prev = rows.values_list("events_seq", "events_head").get()
        seq += 1
        digest = _digest(dispute, seq, stored, actor, at, state_before, state_after, params,
                         meta, prev)
        rows.update(events_seq=seq, events_head=digest)
    dispute.events_seq, dispute.events_head = seq, digest
    event = Event.objects.create(dispute=dispute, seq=seq, type=stored, actor=actor, at=at,
                                 state_before=state_before, state_after=state_after,
                                 params=params, meta=meta, prev_hash=prev, hash=digest)
    FiguresBacklog.objects.bulk_create(
        [FiguresBacklog(dispute_id=dispute.pk, seq=seq)], update_conflicts=True,
        unique_fields=["dispute"], update_fields=["seq"])
    return event


@dataclass(frozen=True)
class FirstEvent:
    """A new dispute's first event, for :func:`events_begin`."""

    dispute: Any
    type: EventType
    state_after: str
    params: dict[str, Any]
    meta: dict[str, Any]


def events_begin(firsts: Sequence[FirstEvent], *, actor: Any, at: dt.datetime) -> list[Event]:
    """Begin the chains of disputes just written (none has an event yet), as
    :func:`event_append` would one by one: each first event linked to the genesis, the
    dispute's record of its chain moved to it, its figures queued — one insert of the
    events and one batch of updates for a whole file."""
    chained: list[Event] = []
    for first in firsts:
        d = first.dispute
        if d.events_seq != 0:
            raise ValueError(f"dispute {d.pk} has events already")
        stored = events.registered(first.type).type
        digest = _digest(d, 1, stored, actor, at, "", first.state_after, first.params,
                         first.meta, GENESIS)
        chained.append(Event(dispute=d, seq=1, type=stored, actor=actor, at=at,
                             state_before="", state_after=first.state_after,
                             params=first.params, meta=first.meta, prev_hash=GENESIS,
                             hash=digest))
        d.events_seq, d.events_head = 1, digest
    made = bulk_insert(Event, chained)
    model = dispute_model()
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        # one short statement a dispute, sent together, each only from the empty chain
        cursor.executemany(
            f"UPDATE {table} SET events_seq = 1, events_head = %s "  # noqa: S608 - the model's own table
            "WHERE id = %s AND events_seq = 0",
            [(f.dispute.events_head, f.dispute.pk) for f in firsts])
    bulk_insert(FiguresBacklog, [FiguresBacklog(dispute_id=f.dispute.pk, seq=1) for f in firsts],
                update_conflicts=True, unique_fields=["dispute"], update_fields=["seq"])
    return made


@dataclass(frozen=True)
class NextEvent:
    """An event to add to a dispute's chain, for :func:`events_append`."""

    dispute: Any
    type: EventType
    state_before: str
    state_after: str
    params: dict[str, Any]
    meta: dict[str, Any]


class ChainMoved(RuntimeError):
    """A dispute's chain moved under a caller that was to hold its row locked."""


def events_append(nexts: Sequence[NextEvent], *, actor: Any, at: dt.datetime) -> list[Event]:
    """Append events to the chains of disputes the caller holds locked, as
    :func:`event_append` would one by one and in the order given: each linked to the one
    before on its dispute, the dispute's record of its chain moved to its last, its figures
    queued — an insert of the events (a statement a :data:`~jintiao.bulk.ROWS` of them) and
    one batch of updates for a whole file, however many events each dispute gets.

    :raises ChainMoved: a dispute's row no longer records the head its copy holds (its lock
        was not held); nothing is then kept by the caller's transaction
    """
    if not nexts:
        return []
    chained: list[Event] = []
    starts: dict[int, tuple[Any, int, str]] = {}  # dispute id: (copy, seq, head) found
    actor_id = actor.pk if actor else None
    for n in nexts:
        d = n.dispute
        starts.setdefault(d.pk, (d, d.events_seq, d.events_head))
        stored = events.registered(n.type).type
        seq, prev = d.events_seq + 1, d.events_head
        digest = _digest(d, seq, stored, actor, at, n.state_before, n.state_after, n.params,
                         n.meta, prev)
        # by ids: setting the instances costs more than the row, a file's thousands of times
        chained.append(Event(dispute_id=d.pk, seq=seq, type=stored, actor_id=actor_id, at=at,
                             state_before=n.state_before, state_after=n.state_after,
                             params=n.params, meta=n.meta, prev_hash=prev, hash=digest))
        d.events_seq, d.events_head = seq, digest
    made = bulk_insert(Event, chained)
    table = connection.ops.quote_name(dispute_model()._meta.db_table)
    with connection.cursor() as cursor:
        # compare-and-set, one short statement a dispute sent together: each moves only
        # from the head its copy was read with
        cursor.executemany(
            f"UPDATE {table} SET events_seq = %s, events_head = %s "  # noqa: S608 - the model's own table
            "WHERE id = %s AND events_seq = %s AND events_head = %s",
            [(d.events_seq, d.events_head, pk, seq, head)
             for pk, (d, seq, head) in starts.items()])
        moved = cursor.rowcount
    if moved != len(starts):
        raise ChainMoved(f"{len(starts) - moved} of {len(starts)} chains moved meanwhile")
    bulk_insert(FiguresBacklog, [FiguresBacklog(dispute_id=pk, seq=d.events_seq)
                                 for pk, (d, _s, _h) in starts.items()],
                update_conflicts=True, unique_fields=["dispute"], update_fields=["seq"])
    return made


def _digest(dispute: Any, seq: int, stored: str, actor: Any, at: dt.datetime,
            state_before: str, state_after: str, params: dict[str, Any], meta: dict[str, Any],
            prev: str) -> str:
    return event_hash(dispute_id=dispute.pk, seq=seq, type=stored,
                      actor_id=actor.pk if actor else None, at=at, state_before=state_before,
                      state_after=state_after, params=params, meta=meta, prev_hash=prev)


@dataclass(frozen=True)
class BrokenLink:
    """Where a dispute's chain first fails, and why (``seq`` 0: the dispute as a whole)."""

    dispute_id: int
    seq: int
    reason: str


@dataclass(frozen=True)
class Anchor:
    """Where each dispute's chain stood when a signed checkpoint was made: dispute id to
    (number of events, last hash). ``label`` names the checkpoint in the reasons."""

    heads: dict[int, tuple[int, str]]
    label: str


Record = tuple[int, str] | None  # the dispute's own (events_seq, events_head); None: no row


def audit_verify(*, anchor: Anchor | None = None) -> tuple[int, list[BrokenLink]]:
    """Recompute every chain and hold it against its dispute's record of it (so deleting
    the last events, or all of them, is caught) and, given a checkpoint's ``anchor``,
    against where it stood then (so rewriting and re-chaining what came before is caught).
    Return the events checked and the first broken link of each dispute."""
    records = (dispute_model()._default_manager.order_by("pk")
               .values_list("pk", "events_seq", "events_head").iterator(chunk_size=5000))
    chains = Event.objects.order_by("dispute_id", "seq").iterator(chunk_size=2000)
    broken: list[BrokenLink] = []
    checked = 0
    unseen = dict(anchor.heads) if anchor else {}
    record = next(records, None)
    event = next(chains, None)
    while record is not None or event is not None:
        pk = min(x[0] for x in (record, (event.dispute_id,) if event else None) if x)
        own: Record = None
        if record is not None and record[0] == pk:
            own, record = (record[1], record[2]), next(records, None)
        chain: list[Event] = []
        while event is not None and event.dispute_id == pk:
            chain.append(event)
            event = next(chains, None)
        checked += len(chain)
        unseen.pop(pk, None)
        link = _check(pk, own, chain, anchor)
        if link is not None:  # the two reads may straddle an event being added: look again
            link = _recheck(pk, anchor)
        if link is not None:
            broken.append(link)
    label = anchor.label if anchor else ""
    broken += [BrokenLink(pk, 0, f"{label}中的这个纠纷已不存在（纠纷及其日志被删除）")
               for pk in sorted(unseen)]
    return checked, sorted(broken, key=lambda b: b.dispute_id)


def _recheck(pk: int, anchor: Anchor | None) -> BrokenLink | None:
    """One dispute again, its row locked (as every writer of its chain locks it) and both
    read in one transaction: what the first pass saw was not a change in flight."""
    with transaction.atomic():
        row = (dispute_model()._default_manager.select_for_update().filter(pk=pk)
               .values_list("events_seq", "events_head").first())
        chain = list(Event.objects.filter(dispute_id=pk).order_by("seq"))
    return _check(pk, (row[0], row[1]) if row else None, chain, anchor)


def _check(pk: int, own: Record, chain: list[Event], anchor: Anchor | None) -> BrokenLink | None:
    """The first fault of one dispute's chain: in the chain itself, against the dispute's
    record of it, against the checkpoint."""
    anchored = anchor.heads.get(pk) if anchor else None
    expected_prev, expected_seq = GENESIS, 1
    for e in chain:
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
        elif anchor and anchored and e.seq == anchored[0] and e.hash != anchored[1]:
            reason = f"与{anchor.label}不符：检查点之前的事件被改写并重新计算了哈希链"
        if reason:
            return BrokenLink(pk, e.seq, reason)
        expected_prev, expected_seq = e.hash, e.seq + 1
    last, head = expected_seq - 1, expected_prev
    if own is None:
        return BrokenLink(pk, 1, "纠纷记录不存在，日志却有事件")
    if last < own[0]:
        return BrokenLink(pk, last + 1, (
            f"纠纷记录有{own[0]}条事件，日志中一条也没有（全部被删除）" if last == 0 else
            f"纠纷记录有{own[0]}条事件，日志只到第{last}条（其后的事件被删除）"))
    if last > own[0]:
        return BrokenLink(pk, own[0] + 1,
                          f"日志有{last}条事件，纠纷记录只有{own[0]}条（事件被插入或记录被改动）")
    if head != own[1]:
        return BrokenLink(pk, last, "最后一条事件与纠纷记录的链头不符（日志被改写后重新计算）")
    if anchor and anchored and last < anchored[0]:
        return BrokenLink(pk, last + 1, f"{anchor.label}时已有{anchored[0]}条事件，"
                                        f"现在只有{last}条（其后的事件连同纠纷记录被删改）")
    return None


def last_seq(dispute_id: int) -> int:
    """Return the number of the dispute's last event (0 if none)."""
    return Event.objects.filter(dispute_id=dispute_id).aggregate(m=Max("seq"))["m"] or 0
