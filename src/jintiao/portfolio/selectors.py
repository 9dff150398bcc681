"""Reading portfolio offers: a batch's uptake at a glance for the desk, each dispute's line,
and the menu waiting for a debtor on the portal."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from jintiao import clock
from jintiao.agreements.models import Agreement, Signature
from jintiao.disputes.access import standing_of
from jintiao.disputes.models import Dispute
from jintiao.mediation.models import BatchRun, Offer
from jintiao.orgs.models import User
from jintiao.portal import selectors as portal
from jintiao.portfolio.models import MenuOffer

SIGNED = (Agreement.Status.SIGNED, Agreement.Status.EFFECTIVE)


@dataclass(frozen=True)
class UptakeLine:
    """One dispute the menu went to, as the desk follows it."""

    dispute_id: int
    number: str
    debtor: str
    sent_at: dt.datetime
    texted: bool
    reply_by: dt.date
    opened_at: dt.datetime | None
    chosen: str
    chosen_at: dt.datetime | None
    debtor_signed: bool
    signed: bool
    expired: bool

    @property
    def stage(self) -> str:
        if self.signed:
            return "协议已签齐"
        if self.debtor_signed:
            return "债务人已签署"
        if self.chosen:
            return "已选择，待签署"
        if self.expired:
            return "逾期未选"
        return "已查看，未选择" if self.opened_at else "未查看"


@dataclass(frozen=True)
class Uptake:
    """A batch's uptake: how many were sent, opened, chose (which plan), signed."""

    sent: int
    texted: int
    opened: int
    chosen: int
    debtor_signed: int
    signed: int
    expired: int
    by_plan: list[tuple[str, int]] = field(default_factory=list)
    lines: list[UptakeLine] = field(default_factory=list)

    def share(self, count: int) -> int:
        """``count`` as a whole percentage of those sent (for the bars)."""
        return count * 100 // self.sent if self.sent else 0


def uptake_of(run: BatchRun, today: dt.date | None = None) -> Uptake:
    """What became of a menu batch's disputes, read in a few queries whatever its size."""
    today = today or clock.today()
    offers = list(MenuOffer.objects.filter(run=run).select_related("dispute", "debtor__party")
                  .order_by("dispute__number"))
    disputes = [m.dispute_id for m in offers]
    current = {a.dispute_id: a for a in Agreement.objects.filter(
        dispute_id__in=disputes).exclude(status=Agreement.Status.SUPERSEDED)}
    debtor_signed = set(Signature.objects.filter(
        agreement__in=list(current.values()), party_row_id__in=[m.debtor_id for m in offers])
        .values_list("agreement__dispute_id", flat=True))
    labels = {(m.pk, i["offer"]): i.get("label", "") for m in offers for i in m.items}
    lines = []
    for m in offers:
        agreement = current.get(m.dispute_id)
        chosen = labels.get((m.pk, m.chosen_offer_id), "") if m.chosen_offer_id else ""
        lines.append(UptakeLine(
            m.dispute_id, m.dispute.number, m.debtor.party.name, m.sent_at, m.texted,
            m.reply_by, m.opened_at, chosen, m.chosen_at,
            bool(chosen) and m.dispute_id in debtor_signed,
            bool(chosen) and agreement is not None and agreement.status in SIGNED,
            not chosen and m.closed_at is None and m.reply_by < today))
    plans = Counter(line.chosen for line in lines if line.chosen)
    order = list(dict.fromkeys(i.get("label", "") for m in offers for i in m.items))
    return Uptake(
        sent=len(lines), texted=sum(1 for line in lines if line.texted),
        opened=sum(1 for line in lines if line.opened_at or line.chosen),
        chosen=sum(1 for line in lines if line.chosen),
        debtor_signed=sum(1 for line in lines if line.debtor_signed),
        signed=sum(1 for line in lines if line.signed),
        expired=sum(1 for line in lines if line.expired),
        by_plan=[(label, plans.get(label, 0)) for label in order], lines=lines)


@dataclass(frozen=True)
class MenuCard:
    """The menu waiting for the debtor on the portal: the plans (each with its monthly
    amount, total and what it waives — the portal's reading of the offers) and until when
    to choose; ``may_choose`` is false for a side that may not settle alone."""

    menu_offer: int
    reply_by: dt.date
    expired: bool
    may_choose: bool
    plans: list[tuple[int, str, portal.OfferShown]]


def waiting_for(user: User, dispute: Dispute) -> MenuCard | None:
    """The standard menu sent to the debtor's side of ``dispute`` and not yet chosen from,
    for a portal user who stands on that side; None for anyone else."""
    standing = standing_of(user, dispute)
    if not standing.debtor:
        return None
    waiting = MenuOffer.objects.filter(dispute=dispute, chosen_offer__isnull=True,
                                       closed_at__isnull=True).first()
    if waiting is None:
        return None
    still_open = set(Offer.objects.filter(
        pk__in=[i["offer"] for i in waiting.items], status=Offer.Status.OPEN)
        .values_list("seq", flat=True))
    shown = {o.seq: o for o in portal.offers_for(user, dispute)}
    plans = [(i["offer"], i.get("label", ""), shown[i["seq"]]) for i in waiting.items
             if i.get("seq") in shown and i["seq"] in still_open]
    if not plans:
        return None
    return MenuCard(waiting.pk, waiting.reply_by, clock.today() > waiting.reply_by,
                    standing.may_choose_plan(), plans)



def menus_waiting(rows: list[tuple[int, int]]) -> dict[int, dt.date]:
    """For ``rows`` — (dispute id, party row id) the portal user stands in — the day to
    choose by of each dispute whose menu waits for that row's choice (the debtor's), for the
    portal's list of the user's disputes."""
    if not rows:
        return {}
    wanted = set(rows)
    waiting = MenuOffer.objects.filter(
        dispute_id__in=[d for d, _r in rows], chosen_offer__isnull=True,
        closed_at__isnull=True).values_list("dispute_id", "debtor_id", "reply_by")
    return {d: by for d, row, by in waiting if (d, row) in wanted}
