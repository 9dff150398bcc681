"""The demo's disputes past mediation: the agreement drafted, signed with codes from the
outbox, sealed; the joint application, the court's acceptance and ruling — through the
real services, as the personas would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jintiao.agreements import selectors as agreements
from jintiao.agreements.content import Draft
from jintiao.agreements.models import Agreement
from jintiao.agreements.selectors import current, signers_of
from jintiao.agreements.services import (
    agreement_draft,
    agreement_seal,
    agreement_sign,
    signing_code_send,
)
from jintiao.confirmation import joint
from jintiao.confirmation.joined import joined_apply
from jintiao.confirmation.services import (
    confirmation_accept,
    confirmation_apply,
    confirmation_decide,
)
from jintiao.disputes.models import Dispute, DisputeParty, PartyRole, Statement
from jintiao.documents import statements
from jintiao.domain.confirmation import judge_items
from jintiao.domain.lifecycle import Action
from jintiao.mediation.selectors import joint_of
from jintiao.messaging.selectors import outbox_code
from jintiao.orgs.models import User
from jintiao.parties.crypto import decrypt

# The guards each later step needs, for the synthetic disputes that carry a history without
# the records (see seed.walk).
LOOP_GUARDS: dict[Action, set[str]] = {
    Action.AGREE: {"agreement_signed_by_all", "committee_seal_applied"},
    Action.APPLY_CONFIRMATION: {"joint_application"},
    Action.CONFIRM: {"ruling_issued"},
    Action.COMPLETE: {"schedule_fully_paid"},
    Action.DEFAULT: {"acceleration_condition_met"},
    Action.TRANSFER: {"undisputed_facts_recorded"},
}


def sign_all(agreement: Agreement, *, desk: User, agent: User) -> None:
    """Every signer signs the version with the code their phone received: the lead mediator
    in person, the bank through its agent, each person at the desk."""
    for signer in signers_of(agreement):
        if signer.mediator is not None:
            actor, phone = signer.mediator, signer.mediator.mobile
        elif signer.is_entity:
            actor, phone = agent, agent.mobile
        else:
            party = signer.party_row.party if signer.party_row else None
            actor, phone = desk, decrypt(party.phone_cipher if party else "")
        signing_code_send(actor=actor, agreement_id=agreement.pk, signer=signer.key)
        code = outbox_code(phone)
        if code is None:
            raise LookupError("no signing code in the outbox")
        agreement_sign(actor=actor, agreement_id=agreement.pk, signer=signer.key, code=code,
                       client_ip="127.0.0.1", client_agent="jintiao")


def sign_application(dispute: Dispute, court_id: int, *, desk: User, agent: User) -> None:
    """Every applicant confirms an address for service (recorded at the desk, from the
    domicile on file) and signs the joint application to ``court_id`` with the code their
    phone received — the bank through its agent; a party without a mobile on paper at the
    desk."""
    agreement = agreements.effective(dispute)
    if agreement is None:
        raise LookupError("no effective agreement to apply for")
    for row in DisputeParty.objects.filter(pk__in=joint.applicant_rows(agreement)) \
            .select_related("party", "dispute__committee"):
        if statements.latest(row, Statement.Kind.SERVICE_ADDRESS) is None:
            statements.statement_record_at_desk(
                actor=desk, dispute_id=dispute.pk, party_row_id=row.pk,
                kind=Statement.Kind.SERVICE_ADDRESS,
                content=statements.service_address_content(
                    row, postal_address=row.party.address or f"{dispute.committee.name}转交",
                    e_service=bool(row.party.phone_masked)))
        bank = row.role == PartyRole.CREDITOR and row.party.kind == "entity"
        phone = agent.mobile if bank else (decrypt(row.party.phone_cipher)
                                           if row.party.phone_cipher else "")
        if not phone:
            joint.record_at_desk(actor=desk, dispute_id=dispute.pk, party_row_id=row.pk,
                                 court_id=court_id)
            continue
        actor = agent if bank else desk
        sent = joint.code_send(actor=actor, dispute_id=dispute.pk, party_row_id=row.pk,
                               court_id=court_id)
        code = outbox_code(phone)
        if code is None:
            raise LookupError("no signing code in the outbox")
        statements.statement_sign(actor=actor, statement_id=sent.pk, code=code,
                                  client_ip="127.0.0.1")


@dataclass
class Loop:
    """Who acts after mediation, and what the agreement says beyond the plan."""

    mediator: User
    agent: User
    director: User
    judge: User
    court_clerk: User
    performance_manner: str
    charges_since_days: int  # how long before the claim date the charges began to run

    def step(self, dispute: Dispute, action: Action) -> Dispute:
        if action is Action.AGREE:
            self._agree(dispute)
        elif action is Action.APPLY_CONFIRMATION:
            sign_application(dispute, dispute.court_id or 0, desk=self.mediator,
                             agent=self.agent)
            dispute.refresh_from_db()
            confirmation_apply(actor=self.mediator, dispute_id=dispute.pk,
                               expected_version=dispute.version, court_id=dispute.court_id
                               or 0)
        elif action is Action.CONFIRM:
            application = dispute.confirmations.get(status="filed")
            confirmation_accept(actor=self.court_clerk, application_id=application.pk)
            dispute.refresh_from_db()
            confirmation_decide(actor=self.judge, application_id=application.pk,
                                expected_version=dispute.version, confirm=True,
                                attested=list(judge_items()))
        else:
            raise ValueError(f"the demo's loop does not take {action}")
        dispute.refresh_from_db()
        return dispute

    def _agree(self, dispute: Dispute) -> None:
        since = dispute.claim_as_of - dt.timedelta(days=self.charges_since_days)
        draft = Draft(facts=dispute.summary, performance_manner=self.performance_manner,
                      charges_since=since)
        agreement_draft(actor=self.mediator, dispute_id=dispute.pk,
                        expected_version=dispute.version, draft=draft)
        agreement = current(dispute)
        if agreement is None:
            raise LookupError("the draft was not saved")
        sign_all(agreement, desk=self.mediator, agent=self.agent)
        dispute.refresh_from_db()
        agreement_seal(actor=self.director, agreement_id=agreement.pk,
                       expected_version=dispute.version)


@dataclass
class JointLoop(Loop):
    """A joint mediation's loop (issue 21 §2), walked with its first dispute: each member's
    agreement drafted, signed and sealed — the partner's signed by its own lender's agent —
    then one application for them all, and the court's ruling on each."""

    partner_ref: str = ""
    partner_agent: User | None = None
    partner_manner: str = ""

    def _partner(self) -> tuple[Dispute, Loop]:
        partner = Dispute.objects.get(external_ref=self.partner_ref)
        return partner, Loop(self.mediator, self.partner_agent or self.agent, self.director,
                             self.judge, self.court_clerk,
                             self.partner_manner or self.performance_manner,
                             self.charges_since_days)

    def step(self, dispute: Dispute, action: Action) -> Dispute:
        partner, theirs = self._partner()
        if action is Action.AGREE:
            self._agree(dispute)
            theirs._agree(partner)
        elif action is Action.APPLY_CONFIRMATION:
            court = dispute.court_id or 0
            sign_application(dispute, court, desk=self.mediator, agent=self.agent)
            sign_application(partner, court, desk=self.mediator, agent=theirs.agent)
            found = joint_of(dispute)
            if found is None:
                raise LookupError("the dispute is not in a joint mediation")
            joined_apply(actor=self.mediator, joint_id=found.pk, court_id=court)
        else:
            super().step(partner, action)
            return super().step(dispute, action)
        dispute.refresh_from_db()
        return dispute
