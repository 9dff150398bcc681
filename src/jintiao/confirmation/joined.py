"""A joint mediation's one application for judicial confirmation (联合调解, issue 21 §2).

The debtor agreed with each creditor separately — one agreement per dispute, each performed
and, on default, enforced on its own — yet the debtor and the creditors come to the court
once: one 申请书 names every applicant once and asks the court to confirm every agreement of
the joint mediation waiting to be applied for (a member still mediating is the desk's to
wait for; one that ended without agreement has left the joint). The SPC's interpretation
lets parties bring agreements reached with several mediation bodies to one court (INTERP
Art. 352); nothing bars several agreements of one mediation in one application, and the
court still rules on each (each keeps its own application record, case number and ruling,
so one creditor's ruling or default never decides another's).

Each dispute is checked by the single rule of :func:`~jintiao.confirmation.services.
filing_prepare` — effective agreement, competent court, the window, every applicant's
signature and address for service — and they are filed in one transaction: all of them or
none. The same 申请书 goes on every dispute's file, so each creditor reads the application
it signed from its own case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from jintiao import clock
from jintiao.agreements import integrity as agreement_integrity
from jintiao.agreements import selectors as agreements
from jintiao.confirmation import joint, selectors
from jintiao.confirmation.batch import Outcome
from jintiao.confirmation.models import Application, ConfirmationBatch
from jintiao.confirmation.services import (
    ConfirmationInvalid,
    Filing,
    application_context,
    filing_prepare,
    filing_record,
    signed_how,
)
from jintiao.disputes.models import Dispute, PartyRole
from jintiao.domain.lifecycle import State
from jintiao.mediation import selectors as mediation
from jintiao.mediation.models import JointMediation
from jintiao.orgs.models import Organization, User

BEFORE = (State.RECEIVED, State.ACCEPTED, State.MEDIATING)


def _key(p: Mapping[str, Any]) -> str:
    """One applicant across the disputes: the same identity number (or, without one on
    file, the same name) is the same person or body."""
    return str(p.get("id_number") or p["name"])


def context(filings: list[Filing]) -> dict[str, Any]:
    """What the one application prints: each applicant once (with the address for service
    and signature of the first dispute that names them), every agreement listed."""
    parties: list[dict[str, Any]] = []
    addresses: dict[int, Any] = {}
    signatures: dict[int, Any] = {}
    seen: set[str] = set()
    for f in filings:
        served = joint.for_filing(f.served)
        signed = signed_how(f.signed)
        for p in f.parties:
            if _key(p) in seen:
                continue
            seen.add(_key(p))
            parties.append(p)
            if p["row"] in served:
                addresses[p["row"]] = served[p["row"]]
            if p["row"] in signed:
                signatures[p["row"]] = signed[p["row"]]
    # the creditors first, in the joint mediation's order, then the debtor
    parties.sort(key=lambda p: p.get("role") != PartyRole.CREDITOR.value)
    first = filings[0]
    return {
        "parties": parties, "court": first.court.name,
        "committee": first.dispute.committee.name,
        "effective_on": max(f.effective_on for f in filings).isoformat(),
        "agreement_number": "、".join(f.dispute.number for f in filings),
        "facts": "", "digest": "", "applied_on": first.applied_on.isoformat(),
        "undertaking": joint.UNDERTAKING, "addresses": addresses, "signatures": signatures,
        "agreements": [{
            "number": f.dispute.number, "effective_on": f.effective_on.isoformat(),
            "digest": f.agreement.digest, "facts": f.agreement.content["facts"],
            "creditor": "、".join(p["name"] for p in f.parties
                                 if p.get("role") == PartyRole.CREDITOR.value),
            "debtor": "、".join(p["name"] for p in f.parties
                               if p.get("role") != PartyRole.CREDITOR.value)}
            for f in filings],
    }


def members_of(joint_mediation: JointMediation) -> list[Dispute]:
    return [m.dispute for m in joint_mediation.members.select_related("dispute__committee")
            .order_by("seq")]


def filable(joint_mediation: JointMediation) -> list[Dispute]:
    """The members whose agreement is in effect and not yet applied for: what the one
    application carries now."""
    return [d for d in members_of(joint_mediation) if d.state == State.AGREED]


def waiting(joint_mediation: JointMediation) -> list[str]:
    """The members still being mediated, in words: the one application would carry their
    agreements too if the desk waits for them (a member that ended without agreement has
    left the joint and holds nothing back)."""
    return [f"{d.number}尚未达成并生效调解协议（{State(d.state).label}）"
            for d in members_of(joint_mediation) if d.state in BEFORE]


def filings(joint_mediation: JointMediation) -> list[ConfirmationBatch]:
    """The joint mediation's applications to the court, newest first (a member whose
    confirmation was refused and agreed again goes in a later one)."""
    return list(joint_mediation.confirmations.select_related("court").order_by("-filed_at"))


def filed(joint_mediation: JointMediation) -> ConfirmationBatch | None:
    """The newest of :func:`filings`, if any."""
    found = filings(joint_mediation)
    return found[0] if found else None


def joined_apply(*, actor: User, joint_id: int, court_id: int,
                 versions: Mapping[int, int] | None = None) -> ConfirmationBatch:
    """File the joint mediation's one application with ``court_id``: the agreement of
    every member agreed and not yet applied for (:func:`filable`), by the single rule, in
    one transaction — all filed or none. Members still being mediated are the desk's to
    wait for (the page names them); a member that ended without agreement has left.

    ``versions`` (dispute id → the version the desk saw) guards against a change made
    meanwhile; a dispute left out is taken as it stands.

    :raises RecordNotFound: not the desk of the joint mediation
    :raises ConfirmationInvalid: no member to apply for; what :func:`filing_prepare`
        refuses, said of the dispute concerned
    :raises ConfirmationWindowClosed: one agreement's window has passed
    :raises RecordAltered: an agreement no longer gives the digest its signers bound
    """
    found = mediation.joint_for(actor, joint_id)
    disputes = filable(found)
    if not disputes:
        problems = waiting(found)
        raise ConfirmationInvalid(
            "联合调解中没有待申请司法确认的调解协议" + ("：" + "；".join(problems)
                                             if problems else ""),
            "no member's agreement waits to be applied for", field="joint")
    for d in disputes:  # checked before the transaction, which would take the alert back
        agreement = agreements.effective(d)
        if agreement is not None:
            agreement_integrity.require_intact(agreement, actor=actor)
    return _apply(actor, found, disputes, court_id, dict(versions or {}))


@transaction.atomic
def _apply(actor: User, found: JointMediation, disputes: list[Dispute], court_id: int,
           versions: dict[int, int]) -> ConfirmationBatch:
    JointMediation.objects.select_for_update().filter(pk=found.pk).first()
    ready = [filing_prepare(actor, d.pk, versions.get(d.pk, d.version), court_id)
             for d in sorted(disputes, key=lambda d: d.pk)]  # locks in one order
    order = {d.pk: i for i, d in enumerate(disputes)}
    ready.sort(key=lambda f: order[f.dispute.pk])  # printed in the joint's order
    # one agreement left to apply for (the others confirmed, or gone): its own application
    printed = context(ready) if len(ready) > 1 else application_context(ready[0])
    batch = ConfirmationBatch.objects.create(court=ready[0].court, filed_by=actor,
                                             filed_at=clock.now(), joint=found)
    made = [filing_record(actor, f, printed, details={"joint": found.pk, "batch": batch.pk})
            for f in ready]
    batch.applications.set(made)
    batch.outcomes = [Outcome(a.dispute_id, a.dispute.number, True, a.pk).as_dict()
                      for a in made]
    batch.save(update_fields=["outcomes"])
    return batch


def competent_courts(joint_mediation: JointMediation) -> list[Organization]:
    """The courts that may confirm the agreements applied for now (the one application goes
    to one court): those competent for each, in name order."""
    disputes = filable(joint_mediation) or members_of(joint_mediation)
    ids: set[int] | None = None
    for d in disputes:
        mine = set(selectors.competent_courts(d).values_list("pk", flat=True))
        ids = mine if ids is None else ids & mine
    return list(Organization.objects.filter(pk__in=ids or set()).order_by("name"))


def unsigned(joint_mediation: JointMediation, court: Organization) -> list[tuple[Dispute,
                                                                                 list[str]]]:
    """Each agreed member whose applicants have not all signed the application to
    ``court``, or confirmed an address for service, with what is missing in words (the desk
    collects both on each dispute's page)."""
    out = []
    for d in members_of(joint_mediation):
        agreement = agreements.effective(d)
        if d.state != State.AGREED or agreement is None:
            continue
        missing = []
        names = joint.unsigned_names(d, agreement, court)
        if names:
            missing.append(f"尚未签署申请书：{'、'.join(names)}")
        served = joint.addresses(d, joint.applicant_rows(agreement))
        unserved = [p["name"] for p in agreement.content["parties"]
                    if served.get(p["row"]) is None]
        if unserved:
            missing.append(f"尚未确认送达地址：{'、'.join(unserved)}")
        if missing:
            out.append((d, missing))
    return out


def filed_with(application: Application) -> list[Application]:
    """The other applications filed with this one in a joint mediation's one application
    (empty for one filed alone): the court reviews them side by side."""
    batch = application.batches.filter(joint__isnull=False).first()
    if batch is None:
        return []
    return list(batch.applications.exclude(pk=application.pk).select_related("dispute")
                .order_by("dispute__number"))
