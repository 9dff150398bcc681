"""The parties' joint application for judicial confirmation, signed by every applicant
before it is filed, and their addresses for service.

Sources: CPL Art. 205 (the parties apply jointly); SPC 《关于人民调解协议司法确认程序的若干规定》
(法释〔2011〕5号) Art. 3 — the application, the agreement, proof of identity, and both parties'
addresses for service and telephone numbers; the SPC 《民事诉讼文书样式》(2016) 申请书（申请
司法确认调解协议用）, whose fixed undertaking is :data:`UNDERTAKING`.

What each applicant signs is fixed here: the agreement's digest, the court, every
applicant, the request and the undertaking. The desk sends every applicant a code (they
sign on their phone in the portal, or at the desk with the code), or records a paper
signature; the filing (services.confirmation_apply) waits for all of them.
"""

from __future__ import annotations

from typing import Any

from jintiao import clock
from jintiao.agreements import content as agreement_content
from jintiao.agreements import integrity as agreement_integrity
from jintiao.agreements import selectors as agreements
from jintiao.agreements.models import Agreement
from jintiao.confirmation import selectors
from jintiao.disputes.access import Standing, dispute_get_for, standing_of
from jintiao.disputes.models import Dispute, DisputeParty, Statement
from jintiao.documents import statements
from jintiao.domain.dates import written
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import State
from jintiao.mediation import selectors as mediation
from jintiao.orgs.models import Organization, User
from jintiao.parties.crypto import decrypt

UNDERTAKING = ("申请人出于解决纠纷的目的自愿达成协议，没有恶意串通、规避法律的行为；如果因为该协议"
               "内容而给他人造成损害的，愿意承担相应的民事责任和其他法律责任。")
KIND = Statement.Kind.JOINT_APPLICATION.value


class JointApplicationInvalid(DomainError):
    code = ErrorCode.CONFIRMATION_INVALID


def _ready(actor: User, dispute_id: int, court_id: int) -> tuple[Dispute, Agreement,
                                                                   Organization]:
    """The dispute, its effective agreement (checked intact) and a competent court.

    :raises JointApplicationInvalid: not agreed, no effective agreement, a court that may
        not confirm it
    """
    dispute = dispute_get_for(actor, dispute_id)
    if dispute.state != State.AGREED:
        raise JointApplicationInvalid("纠纷尚未达成并生效调解协议，不能签署司法确认申请书",
                                      "no effective agreement to apply for")
    agreement = agreements.effective(dispute)
    if agreement is None or agreement.effective_at is None:
        raise JointApplicationInvalid("调解协议尚未生效", "no effective agreement")
    agreement_integrity.require_intact(agreement, actor=actor)
    court = Organization.objects.filter(pk=court_id).first()
    if court is None:
        raise JointApplicationInvalid("所选法院不存在", "no such court", field="court")
    problem = selectors.court_problem(dispute, court)
    if problem:
        raise JointApplicationInvalid(problem, "the court may not confirm it", field="court")
    return dispute, agreement, court


def applicant_rows(agreement: Agreement) -> list[int]:
    """The applicants: every party who signed the agreement, in its order."""
    return [int(p["row"]) for p in agreement.content["parties"]]


def _applicants(dispute: Dispute, agreement: Agreement) -> list[dict[str, Any]]:
    """The applicants as the application names them: each with the SHA-256 of the
    particulars the filing will print, so that a correction after signing asks for the
    signature again."""
    rows = set(applicant_rows(agreement))
    return [{"row": p["row"], "name": p["name"], "role": p["role"],
             "particulars": statements.digest(p)}
            for p in agreement_content.parties_now(dispute) if p["row"] in rows]


def content(dispute: Dispute, agreement: Agreement, court: Organization) -> dict[str, Any]:
    """What every applicant signs (the same for all of them). A joint mediation's member
    is applied for in the joint's one application: what is signed lists every agreement of
    the joint by its digest, so each signature binds the text the court receives."""
    effective = agreement.effective_at.astimezone(clock.TZ).date() if agreement.effective_at \
        else None
    signed: dict[str, Any] = {
        "dispute": dispute.number, "agreement": agreement.pk,
        "agreement_digest": agreement.digest, "court": court.pk, "court_name": court.name,
        "committee": dispute.committee.name,
        "applicants": _applicants(dispute, agreement),
        "request": (f"请求确认申请人于{written(effective.isoformat()) if effective else ''}经"
                    f"{dispute.committee.name}主持调解达成的调解协议（{dispute.number}）有效。"),
        "undertaking": UNDERTAKING,
    }
    listed = joint_agreements(dispute)
    if listed:
        numbers = "、".join(a["number"] for a in listed)
        signed["joint"] = {"agreements": listed}
        signed["request"] = (f"请求确认申请人经{dispute.committee.name}联合调解分别达成的调解协议"
                             f"（{numbers}）有效。")
    return signed


def joint_agreements(dispute: Dispute) -> list[dict[str, str]]:
    """The agreements a joint mediation's one application carries with ``dispute``'s, each
    by its number and digest, in the joint's order: every member's agreement in effect and
    not yet applied for (a member agreed, waiting for the court). Empty when there is no
    other — the dispute is not joined, or its agreement goes to the court alone."""
    found = mediation.joint_of(dispute)
    if found is None:
        return []
    out = []
    for m in found.members.select_related("dispute").order_by("seq"):
        if m.dispute.state != State.AGREED:
            continue
        effective = agreements.effective(m.dispute)
        if effective is not None:
            out.append({"number": m.dispute.number, "digest": effective.digest})
    return out if len(out) > 1 and dispute.number in {a["number"] for a in out} else []


def _applicant(agreement: Agreement, party_row_id: int) -> DisputeParty:
    if party_row_id not in applicant_rows(agreement):
        raise JointApplicationInvalid("所选当事人不是调解协议的当事人，不是申请人",
                                      "not an applicant")
    return DisputeParty.objects.select_related("party").get(pk=party_row_id)


def code_send(*, actor: User, dispute_id: int, party_row_id: int,
              court_id: int) -> Statement:
    """Send one applicant the code that signs the application to ``court``.

    :raises JointApplicationInvalid: see :func:`_ready`; not an applicant
    :raises PermissionDenied, StatementInvalid: see statements.statement_code_send
    """
    dispute, agreement, court = _ready(actor, dispute_id, court_id)
    _applicant(agreement, party_row_id)
    return statements.statement_code_send(actor=actor, dispute_id=dispute.pk,
                                          party_row_id=party_row_id, kind=KIND,
                                          content=content(dispute, agreement, court))


def record_at_desk(*, actor: User, dispute_id: int, party_row_id: int,
                   court_id: int) -> Statement:
    """Record an applicant's paper signature of the application, made at the desk."""
    dispute, agreement, court = _ready(actor, dispute_id, court_id)
    standing_of(actor, dispute).require(Standing.may_edit_particulars, "登记当面签署")
    _applicant(agreement, party_row_id)
    return statements.statement_record_at_desk(actor=actor, dispute_id=dispute.pk,
                                               party_row_id=party_row_id, kind=KIND,
                                               content=content(dispute, agreement, court))


def signatures(dispute: Dispute, agreement: Agreement,
               court: Organization) -> dict[int, Statement | None]:
    """Each applicant's signature of the application as it stands — this agreement (by its
    digest), this court (by its record, whatever it is called now), these applicants with
    these particulars, and in a joint mediation the joint's agreements as they stand — or
    None. A signature is checked against its own content's digest too: a statement whose
    content was edited after signing counts for nothing."""
    applicants = _applicants(dispute, agreement)
    listed = joint_agreements(dispute)
    joint_now = {"agreements": listed} if listed else None
    signed: dict[int, Statement] = {}
    for s in Statement.objects.filter(party_row__dispute=dispute, kind=KIND,
                                      signed_at__isnull=False).order_by("signed_at", "pk"):
        c = s.content
        if (c.get("agreement_digest") == agreement.digest and c.get("court") == court.pk
                and c.get("applicants") == applicants and c.get("joint") == joint_now
                and statements.digest(c) == s.digest):
            signed[s.party_row_id] = s
    return {row: signed.get(row) for row in applicant_rows(agreement)}


def unsigned_names(dispute: Dispute, agreement: Agreement, court: Organization) -> list[str]:
    names = {int(p["row"]): p["name"] for p in agreement.content["parties"]}
    return [names[row] for row, s in signatures(dispute, agreement, court).items() if s is None]


def addresses(dispute: Dispute, rows: list[int]) -> dict[int, Statement | None]:
    """Each applicant's 送达地址确认书 in force."""
    return {row: statements.latest(row, Statement.Kind.SERVICE_ADDRESS) for row in rows}


def for_filing(served: dict[int, Statement | None]) -> dict[int, dict[str, Any]]:
    """The addresses for service as the application prints them: the mobile in full (the
    court needs a number it can call, 法释〔2011〕5号 Art. 3), read from the party's record."""
    parties = {r.pk: r.party for r in DisputeParty.objects.filter(
        pk__in=[row for row, s in served.items() if s is not None]).select_related("party")}
    out: dict[int, dict[str, Any]] = {}
    for row, s in served.items():
        if s is None:
            continue
        party = parties.get(row)
        phone = decrypt(party.phone_cipher) if party is not None and party.phone_cipher else ""
        out[row] = {**s.content, "phone": phone or s.content.get("phone", "")}
    return out


def pending_for(dispute: Dispute, rows: list[int]) -> list[Statement]:
    """Codes sent and not yet used for these party rows (the portal's "to sign" list)."""
    now = clock.now()
    return list(Statement.objects.filter(
        party_row__dispute=dispute, party_row_id__in=rows, how=Statement.How.CODE,
        signed_at__isnull=True, expires_at__gt=now, attempts__lt=statements.MAX_ATTEMPTS)
        .order_by("-created_at"))
