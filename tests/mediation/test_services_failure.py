"""A failed mediation goes back to court only with its undisputed facts confirmed by both
sides, and only by the desk: a refused transfer writes no document."""

from __future__ import annotations

import pytest

from jintiao import clock
from jintiao.disputes.models import DisputeParty
from jintiao.documents.models import Document
from jintiao.domain.lifecycle import Action, State, TransitionRefused
from jintiao.mediation.services import (
    MediationInvalid,
    action_apply,
    undisputed_facts_confirm,
    undisputed_facts_record,
)
from jintiao.mediation.services.common import MediationInvalid as Invalid


def failed(desk, dispute):
    dispute.refresh_from_db()
    return action_apply(actor=desk.mediator, dispute_id=dispute.pk, action=Action.FAIL,
                        expected_version=dispute.version, reason="双方对期限分歧较大")


def test_a_failed_mediation_goes_to_court_only_with_its_confirmed_facts(desk, mediating):
    d = failed(desk, mediating)
    with pytest.raises(TransitionRefused, match="无争议事实"):
        action_apply(actor=desk.mediator, dispute_id=d.pk, action=Action.TRANSFER,
                     expected_version=d.version, attested=["undisputed_facts_recorded"])
    with pytest.raises(MediationInvalid):
        undisputed_facts_record(actor=desk.mediator, dispute_id=d.pk, facts=["  "])
    undisputed_facts_record(actor=desk.mediator, dispute_id=d.pk,
                            facts=["借款本金200,000元已实际发放", "借款人自2026年3月起未还款"],
                            disputed="罚息是否过高")
    rows = list(DisputeParty.objects.filter(dispute=d))
    undisputed_facts_confirm(actor=desk.mediator, dispute_id=d.pk, party_row_id=rows[0].pk,
                             how="书面签字")
    d.refresh_from_db()
    with pytest.raises(TransitionRefused):  # the debtor has not confirmed yet
        action_apply(actor=desk.mediator, dispute_id=d.pk, action=Action.TRANSFER,
                     expected_version=d.version)
    with pytest.raises(Invalid, match="已确认"):
        undisputed_facts_confirm(actor=desk.mediator, dispute_id=d.pk, party_row_id=rows[0].pk,
                                 how="书面签字")
    undisputed_facts_confirm(actor=desk.mediator, dispute_id=d.pk, party_row_id=rows[1].pk,
                             how="线上确认")
    d.refresh_from_db()
    d = action_apply(actor=desk.mediator, dispute_id=d.pk, action=Action.TRANSFER,
                     expected_version=d.version)
    assert d.state == State.TRANSFERRED
    assert d.deadline is not None
    assert d.deadline > clock.today()
    doc = Document.objects.get(dispute=d, kind="undisputed_facts")
    assert "借款本金200,000元已实际发放" in doc.html
    assert "线上确认" in doc.html


def test_a_refused_transfer_writes_no_document_and_facts_go_with_remediation(desk, mediating):
    mediating.refresh_from_db()
    d = action_apply(actor=desk.mediator, dispute_id=mediating.pk, action=Action.FAIL,
                     expected_version=mediating.version, reason="分歧大")
    undisputed_facts_record(actor=desk.mediator, dispute_id=d.pk, facts=["本金已发放"])
    for row in DisputeParty.objects.filter(dispute=d):
        undisputed_facts_confirm(actor=desk.mediator, dispute_id=d.pk, party_row_id=row.pk,
                                 how="书面签字")
    d.refresh_from_db()
    before = Document.objects.count()
    with pytest.raises(TransitionRefused):  # the agent may not transfer
        action_apply(actor=desk.agent, dispute_id=d.pk, action=Action.TRANSFER,
                     expected_version=d.version)
    assert Document.objects.count() == before
