"""What an agreement says, built from the dispute and the plan both sides accepted, and
its digest (SHA-256 of the canonical JSON), which every signature binds."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jintiao.disputes.models import Dispute, DisputeParty
from jintiao.documents.parties import party_as_written
from jintiao.domain.money import amount_in_words
from jintiao.domain.plans import plan_figures
from jintiao.mediation import selectors as mediation
from jintiao.mediation.convert import options_from_json
from jintiao.mediation.models import Offer
from jintiao.parties.crypto import decrypt


@dataclass(frozen=True)
class Draft:
    """What the mediator writes; the rest comes from the records."""

    facts: str
    performance_manner: str
    charges_since: dt.date | None = None
    acceleration_missed: int | None = None  # default: the policy's
    responsibility: str = ""
    other_terms: str = ""


def party_rows(dispute: Dispute) -> list[DisputeParty]:
    order = {"creditor": 0, "debtor": 1, "guarantor": 2}
    rows = (DisputeParty.objects.filter(dispute=dispute).select_related("party")
            .prefetch_related("representatives__person"))
    return sorted(rows, key=lambda r: (order.get(r.role, 9), r.pk))


def _party(row: DisputeParty) -> dict[str, Any]:
    """A party as the documents write it (documents.parties), the number masked:
    :func:`with_numbers` puts it in full where a filing needs it, when the file is made."""
    return party_as_written(row)


def parties_now(dispute: Dispute) -> list[dict[str, Any]]:
    """The dispute's parties as the case file holds them today (a filing made after the
    agreement carries the particulars as corrected since)."""
    return [_party(r) for r in party_rows(dispute)]


def with_numbers(parties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``parties`` with each one's full identity number (``id_number``), for the documents
    that must carry it — the agreement and the court filings (PIPL: who made or took such
    a file is on the timeline). Never stored in the agreement's content."""
    rows = {r.pk: r for r in DisputeParty.objects.filter(
        pk__in=[p["row"] for p in parties]).select_related("party")}
    out = []
    for p in parties:
        row = rows.get(p["row"])
        number = decrypt(row.party.id_cipher) if row is not None else ""
        out.append({**p, "id_number": number} if number else dict(p))
    return out


def build(dispute: Dispute, offer: Offer, draft: Draft, *, version: int,
          court: str = "") -> dict[str, Any]:
    """The agreement's content for ``offer`` on ``dispute``; pure data, no digest."""
    policy = mediation.policy_of(dispute)
    claim = mediation.claim_of(dispute)
    options = options_from_json(offer.options)
    figures = plan_figures(claim, options, policy=policy,
                           discount_rate=mediation.discount_rate(dispute, None))
    schedule = figures.schedule
    total = schedule.total_payment
    accel = draft.acceleration_missed or policy.acceleration_missed_instalments
    return {
        "version": version, "number": dispute.number, "committee": dispute.committee.name,
        "court": court,
        "parties": [_party(r) for r in party_rows(dispute)],
        "mediators": [m.user.get_full_name() or m.user.username
                      for m in mediation.team_of(dispute)],
        "facts": draft.facts.strip(), "responsibility": draft.responsibility.strip(),
        "other_terms": draft.other_terms.strip(),
        "charges_since": draft.charges_since.isoformat() if draft.charges_since else None,
        "claim": {"as_of": claim.as_of.isoformat(), "total": str(claim.total),
                  "principal": str(claim.principal), "charges": str(claim.charges),
                  "parts": [[label, str(v)] for _n, label, v in claim.parts() if v]},
        "offer": offer.pk,
        "terms": {
            "total": str(total), "total_in_words": amount_in_words(total, prefix=True),
            "settled_total": str(figures.settled_total),
            "method": options.method.value, "method_label": options.method.label,
            "annual_rate": str(options.annual_rate),
            "waivers": [{"part": w.part, "label": w.label, "amount": str(w.amount),
                         "conditional": w.conditional} for w in options.waivers],
            "conditional_waived": str(figures.conditional_waived),
            "revival_clause": figures.revival_clause(),
            "schedule": _rows(schedule),
            "performance_manner": draft.performance_manner.strip(),
            "acceleration_missed": accel,
            # the hardship pauses granted: no charges accrue in them (issue 21 §3)
            "pauses": [{"starts_on": p.starts_on.isoformat(),
                        "ends_on": p.paused_through.isoformat()}
                       for p in dispute.pauses.filter(starts_on__isnull=False).order_by("seq")
                       if p.starts_on is not None and p.paused_through is not None],
            "allocation_order": ["arrears", "interest", "principal"],
        },
        **({"joint": joined} if (joined := joint_section(dispute)) is not None else {}),
    }


def _rows(schedule: Any) -> list[dict[str, Any]]:
    return [{"number": i.number, "label": i.label, "due_on": i.due_on.isoformat(),
             "principal": str(i.principal), "interest": str(i.interest),
             "arrears": str(i.arrears), "payment": str(i.payment)}
            for i in schedule.instalments]


def joint_section(dispute: Dispute) -> dict[str, Any] | None:
    """What the agreement of a joint mediation's member says of the joint (issue 21 §2):
    the other disputes and creditors, and that each agreement is performed — and defaulted
    on — by itself. In the desk's "one agreement" form it also carries every other
    creditor's schedule, from the part that creditor accepted, so each creditor signs the
    same whole arrangement (its counterpart) and reads what the debtor owes the others.
    None for a dispute not joined."""
    joint = mediation.joint_of(dispute)
    if joint is None:
        return None
    members = list(joint.members.select_related("dispute", "offer").order_by("seq"))
    one = joint.agreement_form == "one"
    others = []
    for m in members:
        if m.dispute_id == dispute.pk:
            continue
        entry: dict[str, Any] = {"number": m.dispute.number,
                                 "creditor": mediation.creditor_name(m.dispute)}
        if one and m.offer is not None and m.offer.status == Offer.Status.ACCEPTED:
            figures = plan_figures(mediation.claim_of(m.dispute),
                                   options_from_json(m.offer.options),
                                   policy=mediation.policy_of(m.dispute),
                                   discount_rate=mediation.discount_rate(m.dispute, None))
            total = figures.schedule.total_payment
            entry.update({"total": str(total), "method_label": figures.options.method.label,
                          "schedule": _rows(figures.schedule)})
        others.append(entry)
    return {"joint": joint.pk, "form": joint.agreement_form,
            "committee": dispute.committee.name, "others": others}


def joint_unsettled(dispute: Dispute) -> list[str]:
    """The other members whose part is not yet accepted by both sides, when the desk chose
    one agreement for the joint mediation (its schedules would be incomplete); empty
    otherwise."""
    joint = mediation.joint_of(dispute)
    if joint is None or joint.agreement_form != "one":
        return []
    return [m.dispute.number for m in joint.members.select_related("dispute", "offer")
            if m.dispute_id != dispute.pk
            and (m.offer is None or m.offer.status != Offer.Status.ACCEPTED)]


def digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def settled_charges(content: dict[str, Any]) -> Decimal:
    """Interest, penalties and fees accrued before the plan that the agreement may still
    collect: the claim's charges less the unconditional charge waivers (the plan's own rate
    is checked against the cap on its own)."""
    waived = sum((Decimal(w["amount"]) for w in content["terms"]["waivers"]
                  if w["part"] not in ("principal", "other") and not w["conditional"]),
                 Decimal("0.00"))  # conditional waivers revive on default: still collectable
    return Decimal(content["claim"]["charges"]) - waived
