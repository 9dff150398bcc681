"""Carry a dispute through the closed loop with the real services: an accepted plan, the
agreement signed with codes read from the outbox, sealed, applied for and confirmed."""

from __future__ import annotations

import re
from decimal import Decimal

from jintiao.agreements.content import Draft
from jintiao.agreements.models import Agreement
from jintiao.agreements.selectors import signers_of
from jintiao.agreements.services import (
    agreement_draft,
    agreement_seal,
    agreement_sign,
    signing_code_send,
)
from jintiao.confirmation.models import Application
from jintiao.confirmation.services import (
    confirmation_accept,
    confirmation_apply,
    confirmation_decide,
)
from jintiao.disputes.models import Dispute
from jintiao.domain.confirmation import judge_items
from jintiao.domain.plans import PlanOptions
from jintiao.mediation.services import offer_accept, offer_propose
from jintiao.messaging.models import OutboxMessage
from jintiao.parties.crypto import lookup_hash

DRAFT = Draft(
    facts="债务人在债权人处办理信用卡透支消费，因经营失败未能按期还款，债权人诉至法院，"
          "法院委派本委员会诉前调解。",
    performance_manner="债务人按期将还款存入其在债权人处开立的信用卡还款账户，以债权人系统入账为准。",
    charges_since=None)


def last_code(phone: str) -> str:
    """The code of the newest signing message sent to ``phone``, as the signer reads it."""
    message = OutboxMessage.objects.filter(phone_hash=lookup_hash(phone)).order_by("-pk").first()
    assert message is not None, f"no message to {phone}"
    found = re.search(r"验证码(\d{6})", message.body)
    assert found
    return found.group(1)


def accept_plan(w, dispute: Dispute, options: PlanOptions):
    offer = offer_propose(actor=w.mediator, dispute_id=dispute.pk, options=options,
                          discount_rate=Decimal("0.035"))
    offer_accept(actor=w.mediator, offer_id=offer.pk, side="debtor")
    accepting = w.approver if getattr(w, "approver_accepts", False) else w.agent
    return offer_accept(actor=accepting, offer_id=offer.pk, side="creditor")


def sign_all(w, agreement: Agreement, debtor_phones: dict[int, str]) -> None:
    """Every signer signs: the agent for the bank, each debtor with the desk, the mediator."""
    for signer in signers_of(agreement):
        if signer.mediator is not None:
            actor, phone = signer.mediator, signer.mediator.mobile
        elif signer.is_entity:
            actor, phone = w.agent, w.agent.mobile
        else:
            actor, phone = w.mediator, debtor_phones[signer.party_row.pk]
        signing_code_send(actor=actor, agreement_id=agreement.pk, signer=signer.key)
        agreement_sign(actor=actor, agreement_id=agreement.pk, signer=signer.key,
                       code=last_code(phone), client_ip="127.0.0.1", client_agent="pytest")


def agree(w, dispute: Dispute, debtor_phones: dict[int, str], draft: Draft = DRAFT) -> Agreement:
    dispute.refresh_from_db()
    agreement = agreement_draft(actor=w.mediator, dispute_id=dispute.pk,
                                expected_version=dispute.version, draft=draft)
    sign_all(w, agreement, debtor_phones)
    dispute.refresh_from_db()
    return agreement_seal(actor=w.director, agreement_id=agreement.pk,
                          expected_version=dispute.version)


def confirm(w, dispute: Dispute) -> Application:
    dispute.refresh_from_db()
    app = confirmation_apply(actor=w.mediator, dispute_id=dispute.pk,
                             expected_version=dispute.version, court_id=w.court.pk)
    confirmation_accept(actor=w.judge, application_id=app.pk)
    dispute.refresh_from_db()
    return confirmation_decide(actor=w.judge, application_id=app.pk,
                               expected_version=dispute.version, confirm=True,
                               attested=list(judge_items()))
