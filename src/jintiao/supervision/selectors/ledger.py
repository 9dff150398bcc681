"""The ledger (工作台账): every dispute under the viewer's node, parties masked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from jintiao.disputes.access import dispute_visible_to
from jintiao.disputes.models import Dispute
from jintiao.domain import identity
from jintiao.domain.figures import Outcome
from jintiao.domain.money import from_fen
from jintiao.orgs.models import User
from jintiao.parties.models import Party, PartyKind
from jintiao.supervision.models import DisputeFigures
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
    """One dispute as the ledger shows it; parties masked."""

    dispute: Dispute
    figures: DisputeFigures | None
    parties: str
    mediator: str

    @property
    def claim(self) -> Decimal:
        return from_fen(self.figures.claim_fen) \
            if self.figures else Decimal("0.00")

    @property
    def agreed(self) -> Decimal | None:
        if not self.figures or not self.figures.agreed_fen:
            return None
        return from_fen(self.figures.agreed_fen)


LEDGER_COLUMNS: tuple[str, ...] = (
    "纠纷编号", "来源渠道", "纠纷类型", "受理调委会", "金融机构", "当事人", "债权合计（元）",
    "协议还款金额（元）", "收案日期", "受理日期", "程序", "主调解员", "状态", "期限",
    "办结日期", "结果", "办结工作日", "司法确认日期", "履行完毕日期", "违约日期",
    "申请执行日期",
)


def ledger(viewer: User, want: LedgerFilter) -> QuerySet[Dispute]:
    """The viewer's disputes (their node and below) filtered as asked, with what a row
    shows joined; empty for those who do not supervise."""
    if not may_supervise(viewer):
        return Dispute.objects.none()
    rows = dispute_visible_to(viewer)
    for column, value in (("state", want.state), ("dispute_type", want.dispute_type),
                          ("channel", want.channel), ("figures__outcome", want.outcome),
                          ("committee_id", want.committee_id),
                          ("institution_id", want.institution_id),
                          ("received_on__gte", want.received_from),
                          ("received_on__lte", want.received_to)):
        if value not in ("", None):
            rows = rows.filter(**{column: value})
    return (rows.select_related("committee", "institution", "figures", "figures__mediator")
            .prefetch_related("party_rows__party")
            .order_by("-received_on", "-pk"))


def ledger_rows(disputes: Iterable[Dispute]) -> Iterator[LedgerRow]:
    for d in disputes:
        fig = getattr(d, "figures", None)
        parties = "；".join(
            f"{row.get_role_display()}：{_masked_party(row.party)}"
            for row in sorted(d.party_rows.all(), key=lambda r: (r.role, r.pk)))
        yield LedgerRow(d, fig, parties, str(fig.mediator) if fig and fig.mediator else "")


def _masked_party(party: Party) -> str:
    if party.kind == PartyKind.ENTITY:
        return party.name
    return f"{identity.mask_name(party.name)}（{party.id_masked}）"


def ledger_values(row: LedgerRow) -> list[Any]:
    """The cells of :data:`LEDGER_COLUMNS` for one row: dates as dates, money as Decimal."""
    d, f = row.dispute, row.figures
    return [
        d.number, d.get_channel_display(), d.get_dispute_type_display(), d.committee.name,
        d.institution.name if d.institution else "", row.parties, row.claim, row.agreed,
        d.received_on, f.accepted_on if f else None, d.get_track_display() if d.track else "",
        row.mediator, d.get_state_display(), d.deadline, f.concluded_on if f else None,
        Outcome(f.outcome).label if f and f.outcome != Outcome.PENDING else "",
        f.working_days if f else None, f.confirmed_on if f else None,
        f.performed_on if f else None, f.defaulted_on if f else None,
        f.enforcement_on if f else None,
    ]
