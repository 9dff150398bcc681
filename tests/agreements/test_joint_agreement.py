"""A joint mediation's agreements (issue 21 §2): each says it is part of the joint and that
a default under it accelerates only its own creditor's claim; in the desk's "one agreement"
form each also carries every other creditor's schedule, and waits for every part."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from jintiao import clock
from jintiao.agreements.selectors import current
from jintiao.agreements.services import AgreementInvalid, agreement_draft
from jintiao.documents import texts
from jintiao.documents.blocks import Table
from jintiao.domain.authority import AuthorityLimits
from jintiao.mediation.selectors import joint_parts
from jintiao.mediation.services import (
    budget_declare,
    joint_create,
    joint_plan_propose,
    offer_accept,
)
from jintiao.orgs.services import authority_grant_set
from tests.helpers import CHARGES_SINCE

pytestmark = pytest.mark.django_db


def _joint(desk, mediating, second_loan, form):
    budget_declare(actor=desk.mediator, dispute_id=mediating.pk,
                   party_row_id=mediating.party_rows.get(role="debtor").pk,
                   monthly_income=D("12000"), other_obligations=D("0"), dependants=1)
    joint = joint_create(actor=desk.mediator, dispute_ids=[mediating.pk, second_loan.pk],
                         agreement_form=form)
    for agent in (desk.agent, desk.other_agent):
        authority_grant_set(user=agent, limits=AuthorityLimits(max_term_months=120))
    joint_plan_propose(actor=desk.mediator, joint_id=joint.pk, parts={},
                       first_due=clock.today() + dt.timedelta(days=45))
    return joint


def _accept(desk, joint, dispute, agent):
    part = next(p for p in joint_parts(joint) if p.member.dispute_id == dispute.pk)
    offer_accept(actor=desk.mediator, offer_id=part.offer.pk, side="debtor")
    offer_accept(actor=agent, offer_id=part.offer.pk, side="creditor")


def _draft(desk, dispute):
    dispute.refresh_from_db()
    return agreement_draft(actor=desk.mediator, dispute_id=dispute.pk,
                           expected_version=dispute.version, draft=CHARGES_SINCE)


def _text(doc) -> str:
    return "\n".join(getattr(b, "text", "") for b in doc.blocks)


def test_each_agreement_names_the_joint_and_keeps_its_default_to_itself(desk, mediating,
                                                                        second_loan):
    joint = _joint(desk, mediating, second_loan, "per_creditor")
    _accept(desk, joint, mediating, desk.agent)
    agreement = _draft(desk, mediating)  # the other bank has not answered: no matter here
    section = agreement.content["joint"]
    assert section["form"] == "per_creditor"
    assert [o["number"] for o in section["others"]] == [second_loan.number]
    assert "schedule" not in section["others"][0]  # the other bank's terms are its own
    text = _text(texts.agreement({**agreement.content, "digest": agreement.digest}))
    assert f"一并调解的还有债务人与{desk.other_bank.name}（{second_loan.number}）" in text
    assert "违约及加速到期仅及于本协议约定的款项" in text


def test_one_agreement_waits_for_every_part_then_lists_every_schedule(desk, mediating,
                                                                      second_loan):
    joint = _joint(desk, mediating, second_loan, "one")
    _accept(desk, joint, mediating, desk.agent)
    with pytest.raises(AgreementInvalid, match=f"尚未接受：{second_loan.number}"):
        _draft(desk, mediating)
    assert current(mediating) is None
    _accept(desk, joint, second_loan, desk.other_agent)
    agreement = _draft(desk, mediating)
    other = agreement.content["joint"]["others"][0]
    joint.refresh_from_db()
    loan_part = next(p for p in joint.plan["parts"] if p["key"] == second_loan.number)
    assert len(other["schedule"]) == loan_part["instalments"]
    assert D(other["total"]) == D(loan_part["total"])
    doc = texts.agreement({**agreement.content, "digest": agreement.digest})
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    own = len(agreement.content["terms"]["schedule"])
    assert [len(t.rows) for t in tables[-2:]] == [own, len(other["schedule"])]
    assert f"债务人向{other['creditor']}偿还" in _text(doc)
