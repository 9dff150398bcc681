"""Who saw whose personal data, when and why: the supervisors' trace of every full number
revealed and every file with the parties' full particulars taken, over the disputes they
supervise (《个人信息保护法》 Art. 51: access controls and a record of processing; Art. 6: a
supervisor checks that each look was necessary). Read from the timeline, where each is an
event; the numbers themselves are in none of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from jintiao import clock
from jintiao.disputes.access import dispute_visible_to, may_supervise
from jintiao.domain import events
from jintiao.orgs.models import User
from jintiao.timeline.models import Event

# the events that record a look at personal data in full
PERSONAL_DATA_EVENTS = (events.PARTY_REVEALED, events.RECORD_READ, events.DOSSIER_EXPORTED)
KIND_LABELS = {e.type: e.label for e in PERSONAL_DATA_EVENTS}


@dataclass(frozen=True)
class AccessRow:
    """One look, in words: when, who (and where they work), which dispute, whose data or
    which file, what was seen, and the reason given."""

    at: dt.datetime
    actor: str
    actor_org: str
    dispute_id: int
    number: str
    kind: str
    whose: str
    what: str
    why: str


def personal_data_access(viewer: User, since: dt.date, until: dt.date) -> QuerySet[Event]:
    """The looks at personal data on the disputes ``viewer`` supervises, ``since`` to
    ``until`` inclusive (local dates), newest first; nothing for one who supervises none."""
    if not may_supervise(viewer):
        return Event.objects.none()
    start = dt.datetime.combine(since, dt.time.min, clock.TZ)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, clock.TZ)
    return (Event.objects.filter(dispute__in=dispute_visible_to(viewer).values("pk"),
                                 type__in=[e.type for e in PERSONAL_DATA_EVENTS],
                                 at__gte=start, at__lt=end)
            .select_related("actor__organization", "dispute")
            .order_by("-at", "-pk"))


def access_rows(rows: QuerySet[Event] | list[Event]) -> list[AccessRow]:
    """The events in words; a reveal names the party, the numbers and the reason, a file its
    title and format."""
    out = []
    for e in rows:
        params = e.params or {}
        actor = e.actor
        if e.type == events.PARTY_REVEALED.type:
            whose = str(params.get("name") or "")
            what = "、".join(str(x) for x in params.get("labels") or [])
            note = str(params.get("note") or "")
            why = str(params.get("reason_label") or "") + (f"（{note}）" if note else "")
        else:  # a file with every party's particulars in it
            whose = "全体当事人"
            fmt = events.FILE_FORMATS.get(str(params.get("format") or ""), "")
            what = (events.lookup(e.type).describe(params) or KIND_LABELS[e.type]) + (
                f"（{fmt}）" if fmt else "")
            why = ""
        out.append(AccessRow(
            at=e.at, actor=str(actor) if actor else "系统",
            actor_org=str(actor.organization) if actor and actor.organization else "",
            dispute_id=e.dispute_id, number=e.dispute.number, kind=KIND_LABELS[e.type],
            whose=whose, what=what, why=why))
    return out
