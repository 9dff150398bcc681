"""Carry a dispute through the closed loop with the real services: an accepted plan, the
agreement signed with codes read from the outbox, sealed, applied for and confirmed (or
rejected). Shared by the tests of every app the loop passes through."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from jintiao import clock
from jintiao.agreements.content import Draft
from jintiao.agreements.models import Agreement
from jintiao.agreements.services import (
    agreement_draft,
    agreement_seal,
)
from jintiao.confirmation.models import Application
from jintiao.confirmation.services import (
    confirmation_accept,
    confirmation_apply,
    confirmation_decide,
)
from jintiao.demo.loop import sign_all, sign_application
from jintiao.disputes.models import Dispute
from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.confirmation import judge_items
from jintiao.domain.plans import PlanOptions
from jintiao.mediation.selectors import joint_parts
from jintiao.mediation.services import (
    consent_record,
    joint_plan_propose,
    offer_accept,
    offer_propose,
)
from jintiao.messaging.selectors import outbox_code
from jintiao.orgs.services import authority_grant_set

DRAFT = Draft(
    facts="债务人在债权人处办理信用卡透支消费，因经营失败未能按期还款，债权人诉至法院，"
          "法院委派本委员会诉前调解。",
    performance_manner="债务人按期将还款存入其在债权人处开立的信用卡还款账户，以债权人系统入账为准。",
    charges_since=None)
# The same draft naming the day charges ran from, so the court checklist's cost cap is met.
CHARGES_SINCE = Draft(**{**DRAFT.__dict__, "charges_since": dt.date(2025, 1, 1)})


def last_code(phone: str) -> str:
    """The newest signing code sent to ``phone``, as the signer reads it."""
    code = outbox_code(phone)
    assert code is not None, f"no code sent to {phone}"
    return code


def accept_plan(w, dispute: Dispute, options: PlanOptions):
    offer = offer_propose(actor=w.mediator, dispute_id=dispute.pk, options=options,
                          discount_rate=Decimal("0.035"))
    offer_accept(actor=w.mediator, offer_id=offer.pk, side="debtor")
    accepting = w.approver if getattr(w, "approver_accepts", False) else w.agent
    return offer_accept(actor=accepting, offer_id=offer.pk, side="creditor")


def agree(w, dispute: Dispute, draft: Draft = DRAFT) -> Agreement:
    """Draft, every signature with codes from the outbox, the director's seal."""
    dispute.refresh_from_db()
    agreement = agreement_draft(actor=w.mediator, dispute_id=dispute.pk,
                                expected_version=dispute.version, draft=draft)
    sign_all(agreement, desk=w.mediator, agent=w.agent)
    dispute.refresh_from_db()
    return agreement_seal(actor=w.director, agreement_id=agreement.pk,
                          expected_version=dispute.version)


def reject(w, dispute: Dispute, reasons: str = "当事人称签署时对期限有误解。") -> Application:
    """The joint application filed, accepted and rejected with ``reasons``."""
    apply(w, dispute)
    dispute.refresh_from_db()
    app = confirmation_apply(actor=w.mediator, dispute_id=dispute.pk,
                             expected_version=dispute.version, court_id=w.court.pk)
    confirmation_accept(actor=w.judge, application_id=app.pk)
    dispute.refresh_from_db()
    return confirmation_decide(actor=w.judge, application_id=app.pk,
                               expected_version=dispute.version, confirm=False, attested=[],
                               reasons=reasons)


def apply(w, dispute: Dispute, court=None) -> None:
    """Every applicant's address for service and signature of the joint application to
    ``court`` (the world's), ready to file."""
    dispute.refresh_from_db()
    sign_application(dispute, (court or w.court).pk, desk=w.mediator, agent=w.agent)


def confirm(w, dispute: Dispute) -> Application:
    apply(w, dispute)
    dispute.refresh_from_db()
    app = confirmation_apply(actor=w.mediator, dispute_id=dispute.pk,
                             expected_version=dispute.version, court_id=w.court.pk)
    confirmation_accept(actor=w.judge, application_id=app.pk)
    dispute.refresh_from_db()
    return confirmation_decide(actor=w.judge, application_id=app.pk,
                               expected_version=dispute.version, confirm=True,
                               attested=list(judge_items()))


def consent_all(w, dispute: Dispute, purpose: str) -> None:
    """Both sides' consent to ``purpose``, recorded at the desk."""
    for row in dispute.party_rows.filter(role__in=["creditor", "debtor"]):
        consent_record(actor=w.mediator, dispute_id=dispute.pk, party_row_id=row.pk,
                       how="书面确认", given_on=clock.today(), purpose=purpose)


def other_side(w):
    """The desk as the other bank's part of a joint mediation is signed: its own agent
    signs for it."""
    return SimpleNamespace(**{**vars(w), "agent": w.other_agent})


def accept_joint_plan(w, joint) -> None:
    """The joint plan put forward and every part accepted by the debtor and its bank (both
    banks' agents may go to ten years): ``w.agent`` for the branch's, ``w.other_agent`` for
    the other bank's."""
    for agent in (w.agent, w.other_agent):
        authority_grant_set(user=agent, limits=AuthorityLimits(max_term_months=120))
    joint_plan_propose(actor=w.mediator, joint_id=joint.pk, parts={},
                       first_due=clock.today() + dt.timedelta(days=45))
    agents = {a.organization_id: a for a in (w.agent, w.other_agent)}
    for part in joint_parts(joint):
        offer_accept(actor=w.mediator, offer_id=part.offer.pk, side="debtor")
        bank = agents.get(part.member.dispute.institution_id, w.other_agent)
        offer_accept(actor=bank, offer_id=part.offer.pk, side="creditor")
