"""The ledger (工作台账): every dispute under the viewer's node, parties masked."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Lookup, Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

from jintiao import paging
from jintiao.disputes.access import RecordNotFound, dispute_visible_to
from jintiao.disputes.models import Dispute, DisputeParty
from jintiao.domain import identity
from jintiao.domain.figures import Outcome
from jintiao.domain.money import from_fen
from jintiao.orgs.models import User
from jintiao.parties.models import PartyKind
from jintiao.supervision.models import LedgerExport
from jintiao.supervision.selectors.access import may_supervise


@dataclass(frozen=True)
class LedgerFilter:
    state: str = ""
    dispute_type: str = ""
    channel: str = ""
    outcome: str = ""
    committee_id: int | None = None
    institution_id: int | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None


@dataclass(frozen=True)
class LedgerRow:
    """One dispute as the ledger's page shows it, every cell read and labelled already;
    parties masked. Made of the same cells as the exports (:func:`ledger_chunks`)."""

    dispute_id: int
    number: str
    channel: str
    dispute_type: str
    committee: str
    institution: str
    parties: str
    claim: Decimal
    agreed: Decimal | None
    received_on: dt.date
    accepted_on: dt.date | None
    track: str
    mediator: str
    state: str
    deadline: dt.date | None
    concluded_on: dt.date | None
    outcome: str
    working_days: int | None
    confirmed_on: dt.date | None
    performed_on: dt.date | None
    defaulted_on: dt.date | None
    enforcement_on: dt.date | None


LEDGER_COLUMNS: tuple[str, ...] = (
    "纠纷编号", "来源渠道", "纠纷类型", "受理调委会", "金融机构", "当事人", "债权合计（元）",
    "协议还款金额（元）", "收案日期", "受理日期", "程序", "主调解员", "状态", "期限",
    "办结日期", "结果", "办结工作日", "司法确认日期", "履行完毕日期", "违约日期",
    "申请执行日期",
)


class Kind(enum.Enum):
    """What a column holds, so a writer formats it without looking at each value."""

    TEXT = "text"  # str, "" for none
    FEN = "fen"  # an amount in whole fen (int), None for none
    DAY = "day"  # dt.date or None
    COUNT = "count"  # int or None


_TEXT, _FEN, _DAY = Kind.TEXT, Kind.FEN, Kind.DAY
# the kind of each of LEDGER_COLUMNS
LEDGER_KINDS: tuple[Kind, ...] = (
    _TEXT, _TEXT, _TEXT, _TEXT, _TEXT, _TEXT, _FEN, _FEN, _DAY, _DAY, _TEXT, _TEXT, _TEXT,
    _DAY, _DAY, _TEXT, Kind.COUNT, _DAY, _DAY, _DAY, _DAY,
)

# A row of the ledger as the exports write it: one value a column of LEDGER_COLUMNS, each of
# its column's kind — text labelled and parties masked already, amounts in whole fen.
LedgerCells = tuple[Any, ...]

# what a row reads, in this order: the dispute's own columns, the names it shows, its figures
VALUES = ("pk", "number", "channel", "dispute_type", "committee__name", "institution__name",
          "received_on", "track", "state", "deadline", "figures__claim_fen",
          "figures__agreed_fen", "figures__accepted_on", "figures__concluded_on",
          "figures__outcome", "figures__working_days", "figures__confirmed_on",
          "figures__performed_on", "figures__defaulted_on", "figures__enforcement_on",
          "figures__mediator__first_name", "figures__mediator__last_name",
          "figures__mediator__username")
_PK, _RECEIVED = VALUES.index("pk"), VALUES.index("received_on")
# the order every ledger is read in, paged by keyset when exported
ORDER = paging.Keyset("received_on", descending=True)
LEDGER_CHUNK = 2000  # rows an export reads and writes at a time
_MASKS_KEPT = 100_000  # masked names remembered during one export, at most


def _labels(model: type[Model], field: str) -> dict[str, str]:
    """A field's stored values → their labels, as ``get_FOO_display`` gives them."""
    found = model._meta.get_field(field)
    return {str(k): str(v) for k, v in getattr(found, "flatchoices", [])}


def ledger(viewer: User, want: LedgerFilter) -> QuerySet[Any]:
    """The viewer's disputes (their node and below) filtered as asked, newest received
    first, as tuples of :data:`VALUES` — the plain values :func:`ledger_rows` and
    :func:`ledger_chunks` make rows of; empty for those who do not supervise."""
    if not may_supervise(viewer):
        empty: QuerySet[Any] = Dispute.objects.none().values_list(*VALUES)
        return empty
    rows = dispute_visible_to(viewer)
    for column, value in (("state", want.state), ("dispute_type", want.dispute_type),
                          ("channel", want.channel), ("figures__outcome", want.outcome),
                          ("committee_id", want.committee_id),
                          ("institution_id", want.institution_id),
                          ("received_on__gte", want.received_from),
                          ("received_on__lte", want.received_to)):
        if value not in ("", None):
            rows = rows.filter(**{column: value})
    found: QuerySet[Any] = ORDER.order(rows).values_list(*VALUES)
    return found


class _AnyOf(Lookup):
    """``column = ANY(%s)`` on PostgreSQL: the ids as one array parameter, where ``IN``
    sends one parameter per id (2,000 a chunk, each prepared by Django and spliced in by
    psycopg: half the parties' query's time). ``IN (…)`` elsewhere (SQLite)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", (*params, *self.rhs)

    def as_postgresql(self, compiler: SQLCompiler,
                      connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*params, list(self.rhs))


class _Cells:
    """Makes ledger rows of :data:`VALUES` tuples, a page or a chunk at a time: the labels
    of the choices read once, each mediator's name and each party's masked name made once
    (issue 19 §3: no per-row ``get_FOO_display``, no per-row objects)."""

    def __init__(self) -> None:
        self.channels, self.types = _labels(Dispute, "channel"), _labels(Dispute, "dispute_type")
        self.tracks, self.states = _labels(Dispute, "track"), _labels(Dispute, "state")
        self.tracks.pop("", None)  # no track is shown as nothing, whatever its label
        self.outcomes = {o.value: str(o.label) for o in Outcome if o != Outcome.PENDING}
        self.roles = _labels(DisputeParty, "role")
        self.mediators: dict[tuple[Any, Any, Any], str] = {}
        self.masked: dict[str, str] = {}

    def parties(self, ids: list[int]) -> dict[int, str]:
        """Each dispute's parties in one line, in order of role then as added: an entity by
        its name, a person by a masked name and the masked number intake kept."""
        if not ids:
            return {}
        lines: dict[int, list[str]] = {}
        roles, masked, entity = self.roles, self.masked, PartyKind.ENTITY.value
        if len(masked) > _MASKS_KEPT:
            masked.clear()
        for dispute_id, role, kind, name, number in (
                DisputeParty.objects.filter(_AnyOf(F("dispute_id"), ids))
                .order_by("dispute_id", "role", "pk")
                .values_list("dispute_id", "role", "party__kind", "party__name",
                             "party__id_masked")):
            if kind == entity:
                shown = name
            else:
                mask = masked.get(name)
                if mask is None:
                    mask = masked[name] = identity.mask_name(name)
                shown = f"{mask}（{number}）"
            line = lines.get(dispute_id)
            if line is None:
                line = lines[dispute_id] = []
            line.append(f"{roles.get(role, role)}：{shown}")
        return {k: "；".join(v) for k, v in lines.items()}

    def rows(self, found: list[tuple[Any, ...]]) -> list[LedgerCells]:
        """The cells of ``found``'s rows (tuples of :data:`VALUES`), in their order."""
        parties = self.parties([v[_PK] for v in found])
        channels, types, tracks = self.channels, self.types, self.tracks
        states, outcomes, mediators = self.states, self.outcomes, self.mediators
        rows = []
        for (pk, number, channel, dispute_type, committee, institution, received_on, track,
             state, deadline, claim, agreed, accepted_on, concluded_on, outcome, working_days,
             confirmed_on, performed_on, defaulted_on, enforcement_on, first, last,
             username) in found:
            mediator = mediators.get((first, last, username))
            if mediator is None:
                name = f"{first or ''} {last or ''}".strip()
                mediator = mediators[(first, last, username)] = name or username or ""
            rows.append((
                number, channels.get(channel, ""), types.get(dispute_type, ""), committee,
                institution or "", parties.get(pk, ""), claim or 0, agreed or None,
                received_on, accepted_on, tracks.get(track, ""), mediator,
                states.get(state, state), deadline, concluded_on, outcomes.get(outcome, ""),
                working_days, confirmed_on, performed_on, defaulted_on, enforcement_on))
        return rows


def ledger_rows(values: Iterable[tuple[Any, ...]]) -> list[LedgerRow]:
    """Rows of the ledger's page from :func:`ledger`'s values, with their parties read in
    one query; amounts in yuan."""
    found = list(values)
    return [LedgerRow(
        dispute_id=v[_PK], number=c[0], channel=c[1], dispute_type=c[2], committee=c[3],
        institution=c[4], parties=c[5], claim=from_fen(c[6]),
        agreed=None if c[7] is None else from_fen(c[7]), received_on=c[8], accepted_on=c[9],
        track=c[10], mediator=c[11], state=c[12], deadline=c[13], concluded_on=c[14],
        outcome=c[15], working_days=c[16], confirmed_on=c[17], performed_on=c[18],
        defaulted_on=c[19], enforcement_on=c[20])
        for v, c in zip(found, _Cells().rows(found), strict=True)]


def ledger_chunks(values: QuerySet[Any],
                  size: int = LEDGER_CHUNK) -> Iterator[list[LedgerCells]]:
    """Every row of :func:`ledger`'s values as :data:`LedgerCells`, ``size`` at a time,
    each chunk read after the last one's (received_on, id): the millionth row costs what
    the first does, and no cursor stays open between chunks."""
    cells = _Cells()
    page = values
    while True:
        found = list(page[:size])
        if found:
            yield cells.rows(found)
        if len(found) < size:
            return
        page = ORDER.beyond(values, found[-1][_RECEIVED], found[-1][_PK])


def ledger_export_for(viewer: User, export_id: int) -> LedgerExport:
    """The viewer's own ledger export, while they still supervise; else not found (one
    answer for another's export and for none)."""
    export = LedgerExport.objects.filter(pk=export_id, requested_by=viewer).first()
    if export is None or not may_supervise(viewer):
        raise RecordNotFound("导出记录不存在或无权查看", "no such export")
    return export


def ledger_exports_of(viewer: User, limit: int = 5) -> list[LedgerExport]:
    """The viewer's latest ledger exports, newest first."""
    return list(LedgerExport.objects.filter(requested_by=viewer)
                .order_by("-requested_at", "-pk")[:limit])
