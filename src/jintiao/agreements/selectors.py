"""Reads of agreements: the current version, who must sign it, and the court checklist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from jintiao import clock
from jintiao.agreements import content as texts
from jintiao.agreements.models import Agreement, Signature
from jintiao.disputes.access import RecordNotFound, Standing, record_get_for
from jintiao.disputes.models import Dispute, DisputeParty
from jintiao.domain import periods
from jintiao.domain.confirmation import AgreementFacts, Check, Signatory, checklist
from jintiao.domain.representation import Authority, mandate_problems, may_settle
from jintiao.mediation import selectors as mediation
from jintiao.orgs.models import User
from jintiao.policies.selectors import working_calendar


def current(dispute: Dispute) -> Agreement | None:
    return (Agreement.objects.filter(dispute=dispute)
            .exclude(status=Agreement.Status.SUPERSEDED).first())


def effective(dispute: Dispute) -> Agreement | None:
    return Agreement.objects.filter(dispute=dispute, status=Agreement.Status.EFFECTIVE).first()


def agreement_get_for(viewer: User, agreement_id: int) -> Agreement:
    """The agreement if ``viewer`` may see its dispute; hidden and missing look alike."""
    return record_get_for(viewer, Agreement.objects.all(), agreement_id,
                          RecordNotFound("调解协议不存在", "no such agreement"))


def versions_of(dispute: Dispute) -> list[Agreement]:
    return list(Agreement.objects.filter(dispute=dispute).order_by("-version"))


@dataclass(frozen=True)
class Signer:
    """Someone whose signature the agreement needs, and the one given, if any."""

    key: str  # "party:<row>" or "mediator:<user>"
    name: str
    capacity: str
    party_row: DisputeParty | None
    mediator: User | None
    signature: Signature | None

    @property
    def is_entity(self) -> bool:
        return self.party_row is not None and self.party_row.party.kind == "entity"


def signers_of(agreement: Agreement) -> list[Signer]:
    """Every party of the dispute and the lead mediator, in the agreement's order."""
    signed = {(s.party_row_id, s.mediator_id): s for s in agreement.signatures.all()}
    out = [Signer(f"party:{r.pk}", r.party.name, r.get_role_display(), r, None,
                  signed.get((r.pk, None))) for r in texts.party_rows(agreement.dispute)]
    team = mediation.team_of(agreement.dispute)
    if team:
        lead = team[0].user
        out.append(Signer(f"mediator:{lead.pk}", lead.get_full_name() or lead.username,
                          "调解员", None, lead, signed.get((None, lead.pk))))
    return out


def code_problem(standing: Standing, signer: Signer) -> str:
    """Why the viewer may not ask for ``signer``'s signing code (empty when they may)."""
    row = signer.party_row
    return standing.code_request_problem(
        party_row_id=row.pk if row is not None else None,
        mediator_id=signer.mediator.pk if signer.mediator is not None else None,
        creditor_entity=signer.is_entity and row is not None and row.role == "creditor")


def signer_of(agreement: Agreement, key: str) -> Signer | None:
    return next((s for s in signers_of(agreement) if s.key == key), None)


def all_signed(agreement: Agreement) -> bool:
    return all(s.signature is not None and s.signature.digest == agreement.digest
               for s in signers_of(agreement))


def _authority_problems(sig: Signature | None) -> tuple[str, ...]:
    if sig is None or sig.representative is None:
        return ()
    rep = sig.representative
    problems = [] if may_settle(Authority(rep.authority)) else ["一般授权的代理人无权签署调解协议"]
    problems += mandate_problems(signed_on=rep.signed_on, valid_until=rep.valid_until,
                                 on=sig.signed_at.astimezone(clock.TZ).date())
    return tuple(problems)


def confirmation_window_ends(dispute: Dispute, effective_on: dt.date) -> dt.date:
    """The last day to apply jointly for judicial confirmation: the dispute's policy limit
    (30 days by default) from the day the agreement took effect, on the holiday calendar
    (CPL Art. 205; the starting day is not counted)."""
    limit = mediation.policy_of(dispute).confirmation_application_limit
    return periods.deadline(effective_on, limit, working_calendar()).due_on


def facts_of(agreement: Agreement, *, court_competent: bool | None = None,
             court_problem: str = "", window_ends: dt.date | None = None,
             applied_on: dt.date | None = None, already_confirmed: bool = False
             ) -> AgreementFacts:
    """The checklist's facts from the agreement's content and signatures; the court's part
    is given by the confirmation application when there is one."""
    c = agreement.content
    t = c["terms"]
    signers = signers_of(agreement)
    parties = tuple(
        Signatory(name=s.name, role_label=s.capacity,
                  identity_valid=bool(s.party_row and s.party_row.party.id_hash),
                  signed=s.signature is not None and s.signature.digest == agreement.digest,
                  representative=(s.signature.representative.person.name
                                  if s.signature and s.signature.representative else ""),
                  authority_problems=_authority_problems(s.signature))
        for s in signers if s.party_row is not None)
    mediator = next((s for s in signers if s.mediator is not None), None)
    policy = mediation.policy_of(agreement.dispute)
    dispute = agreement.dispute
    if court_competent is None and dispute.court_id is not None and dispute.channel.startswith(
            "court_"):  # the court that delegated or entrusted it is the one to apply to
        court_competent, court_problem = True, f"向委派（委托）法院{dispute.court}申请"
    effective_on = (agreement.effective_at.astimezone(clock.TZ).date()
                    if agreement.effective_at else None)
    if window_ends is None and effective_on is not None:
        window_ends = confirmation_window_ends(agreement.dispute, effective_on)
    return AgreementFacts(
        matter_is_money_claim=True,
        parties=parties,
        facts_stated=bool(c["facts"]),
        total=Decimal(t["total"]), total_in_words=t["total_in_words"],
        schedule=tuple((r["number"], dt.date.fromisoformat(r["due_on"]), Decimal(r["payment"]))
                       for r in t["schedule"]),
        acceleration_missed=t["acceleration_missed"],
        performance_manner=t["performance_manner"],
        principal=Decimal(c["claim"]["principal"]),
        settled_charges=texts.settled_charges(c),
        charges_since=dt.date.fromisoformat(c["charges_since"]) if c["charges_since"] else None,
        charges_as_of=dt.date.fromisoformat(c["claim"]["as_of"]),
        plan_rate=Decimal(t["annual_rate"]), annual_cost_cap=policy.annual_cost_cap,
        mediator_signed=bool(mediator and mediator.signature
                             and mediator.signature.digest == agreement.digest),
        sealed=agreement.status == Agreement.Status.EFFECTIVE,
        court_competent=court_competent, court_problem=court_problem,
        effective_on=effective_on, window_ends=window_ends, applied_on=applied_on,
        already_confirmed=already_confirmed)


def checklist_of(agreement: Agreement, **court: object) -> tuple[Check, ...]:
    return checklist(facts_of(agreement, **court))  # type: ignore[arg-type]
