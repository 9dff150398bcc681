"""The ledger (工作台账): every dispute under the viewer's node, parties masked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet

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
    """One dispute as the ledger shows it, every cell read and labelled already; parties
    masked. Built from one read of plain values per page or chunk, not model objects: the
    export writes 20,000 of them a second (issue 19 §3)."""

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


# what a row reads: the dispute's own columns, the names it shows, its figures
VALUES = ("pk", "number", "channel", "dispute_type", "committee__name", "institution__name",
          "received_on", "track", "state", "deadline", "figures__claim_fen",
          "figures__agreed_fen", "figures__accepted_on", "figures__concluded_on",
          "figures__outcome", "figures__working_days", "figures__confirmed_on",
          "figures__performed_on", "figures__defaulted_on", "figures__enforcement_on",
          "figures__mediator__first_name", "figures__mediator__last_name",
          "figures__mediator__username")
# the order every ledger is read in, paged by keyset when exported
ORDER = paging.Keyset("received_on", descending=True)


def _labels(model: type[Model], field: str) -> dict[str, str]:
    """A field's stored values → their labels, as ``get_FOO_display`` gives them."""
    found = model._meta.get_field(field)
    return {str(k): str(v) for k, v in getattr(found, "flatchoices", [])}


def ledger(viewer: User, want: LedgerFilter) -> QuerySet[Any]:
    """The viewer's disputes (their node and below) filtered as asked, newest received
    first, as the plain values :func:`ledger_rows` makes rows of; empty for those who do
    not supervise."""
    if not may_supervise(viewer):
        empty: QuerySet[Any] = Dispute.objects.none().values(*VALUES)
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
    found: QuerySet[Any] = ORDER.order(rows).values(*VALUES)
    return found


def ledger_rows(values: Iterable[dict[str, Any]]) -> list[LedgerRow]:
    """Rows of the ledger from :func:`ledger`'s values (a page or a chunk), with their
    parties read in one query."""
    found = list(values)
    parties: dict[int, list[str]] = {}
    role_labels = _labels(DisputeParty, "role")
    for dispute_id, role, kind, name, masked in (
            DisputeParty.objects.filter(dispute_id__in=[v["pk"] for v in found])
            .order_by("dispute_id", "role", "pk")
            .values_list("dispute_id", "role", "party__kind", "party__name",
                         "party__id_masked")):
        shown = name if kind == PartyKind.ENTITY else f"{identity.mask_name(name)}（{masked}）"
        parties.setdefault(dispute_id, []).append(f"{role_labels.get(role, role)}：{shown}")
    channels, types = _labels(Dispute, "channel"), _labels(Dispute, "dispute_type")
    tracks, states = _labels(Dispute, "track"), _labels(Dispute, "state")
    outcomes = {o.value: str(o.label) for o in Outcome}
    rows = []
    for v in found:
        name = f"{v['figures__mediator__first_name'] or ''} " \
               f"{v['figures__mediator__last_name'] or ''}".strip()
        outcome = v["figures__outcome"]
        rows.append(LedgerRow(
            dispute_id=v["pk"], number=v["number"], channel=channels.get(v["channel"], ""),
            dispute_type=types.get(v["dispute_type"], ""), committee=v["committee__name"],
            institution=v["institution__name"] or "",
            parties="；".join(parties.get(v["pk"], [])),
            claim=from_fen(v["figures__claim_fen"] or 0),
            agreed=from_fen(v["figures__agreed_fen"]) if v["figures__agreed_fen"] else None,
            received_on=v["received_on"], accepted_on=v["figures__accepted_on"],
            track=tracks.get(v["track"], "") if v["track"] else "",
            mediator=name or v["figures__mediator__username"] or "",
            state=states.get(v["state"], v["state"]), deadline=v["deadline"],
            concluded_on=v["figures__concluded_on"],
            outcome=outcomes.get(outcome, "") if outcome and outcome != Outcome.PENDING
            else "",
            working_days=v["figures__working_days"],
            confirmed_on=v["figures__confirmed_on"],
            performed_on=v["figures__performed_on"],
            defaulted_on=v["figures__defaulted_on"],
            enforcement_on=v["figures__enforcement_on"]))
    return rows


def ledger_chunks(values: QuerySet[Any], size: int = 2000) -> Iterator[list[LedgerRow]]:
    """Every row of :func:`ledger`'s values, ``size`` at a time, each chunk read after the
    last one's (received_on, id): the millionth row costs what the first does, and no
    cursor stays open between chunks."""
    cursor: str | None = None
    while True:
        chunk, cursor = paging.keyset_page(values, ORDER, cursor, size)
        if chunk:
            yield ledger_rows(chunk)
        if cursor is None:
            return


def ledger_values(row: LedgerRow) -> list[Any]:
    """The cells of :data:`LEDGER_COLUMNS` for one row: dates as dates, money as Decimal."""
    return [
        row.number, row.channel, row.dispute_type, row.committee, row.institution,
        row.parties, row.claim, row.agreed, row.received_on, row.accepted_on, row.track,
        row.mediator, row.state, row.deadline, row.concluded_on, row.outcome,
        row.working_days, row.confirmed_on, row.performed_on, row.defaulted_on,
        row.enforcement_on,
    ]


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
