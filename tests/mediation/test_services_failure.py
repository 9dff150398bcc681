"""A failed mediation back to court with its undisputed facts; a rejected confirmation back
to mediation without its plan; the notices the desk serves and the session record."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.disputes.models import DisputeParty
from jintiao.disputes.services import PermissionDenied
from jintiao.documents.models import Document
from jintiao.domain.lifecycle import Action, State, TransitionRefused
from jintiao.mediation.models import Offer
from jintiao.mediation.services import (
    MediationInvalid,
    action_apply,
    notice_generate,
    session_record,
    session_schedule,
    undisputed_facts_confirm,
    undisputed_facts_record,
)
from jintiao.mediation.services.common import MediationInvalid as Invalid
from jintiao.timeline.models import Event
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, consent_all, reject


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


def test_after_a_rejected_confirmation_mediation_resumes_without_the_rejected_plan(
        desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    reject(desk, mediating)
    mediating.refresh_from_db()
    with pytest.raises(TransitionRefused):  # saying so is not enough: consents are on record
        action_apply(actor=desk.director, dispute_id=mediating.pk, action=Action.REMEDIATE,
                     expected_version=mediating.version, attested=["parties_consent"])
    consent_all(desk, mediating, "remediate")
    mediating.refresh_from_db()
    d = action_apply(actor=desk.director, dispute_id=mediating.pk, action=Action.REMEDIATE,
                     expected_version=mediating.version)
    assert d.state == State.MEDIATING
    assert not Offer.objects.filter(dispute=d, status="accepted").exists()
    event = Event.objects.filter(dispute=d, type="dispute.remediate").get()
    assert event.params["withdrawn_offers"] == [1]
    accept_plan(desk, d, flat(18))  # a new plan can be made and accepted


def test_notices_and_the_session_record_are_documents(desk, mediating):
    made = notice_generate(actor=desk.clerk, dispute_id=mediating.pk, kind="acceptance_notice")
    assert made.title == "受理通知书"
    assert mediating.number in made.html
    with pytest.raises(Invalid, match="不予受理"):
        notice_generate(actor=desk.clerk, dispute_id=mediating.pk,
                        kind="non_acceptance_notice")
    with pytest.raises(PermissionDenied):
        notice_generate(actor=desk.agent, dispute_id=mediating.pk, kind="options_notice")
    notice_generate(actor=desk.mediator, dispute_id=mediating.pk, kind="options_notice")
    session = session_schedule(actor=desk.mediator, dispute_id=mediating.pk, mode="face_to_face",
                               starts_at=clock.now() - dt.timedelta(hours=1), place="调解室")
    rows = {a.party_row_id: True for a in session.attendance.filter(party_row__isnull=False)}
    session_record(actor=desk.mediator, session_id=session.pk,
                   record="双方陈述意见。\n调解员释法。", attended=rows)
    record = Document.objects.get(dispute=mediating, kind="session_record")
    assert "调解员释法" in record.html
    assert "调解室" in record.html


def test_performing_without_confirmation_needs_both_sides_consent_on_record(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    mediating.refresh_from_db()
    with pytest.raises(TransitionRefused, match="直接履行"):
        action_apply(actor=desk.mediator, dispute_id=mediating.pk,
                     action=Action.PERFORM_WITHOUT_CONFIRMATION,
                     expected_version=mediating.version,
                     attested=["parties_waive_confirmation"])
    with pytest.raises(TransitionRefused, match="延长期限"):  # each consent in its state
        consent_all(desk, mediating, "extension")
    consent_all(desk, mediating, "waive_confirmation")
    mediating.refresh_from_db()
    d = action_apply(actor=desk.mediator, dispute_id=mediating.pk,
                     action=Action.PERFORM_WITHOUT_CONFIRMATION,
                     expected_version=mediating.version)
    assert d.state == State.PERFORMING
    event = Event.objects.filter(dispute=d, type="dispute.perform_without_confirmation").get()
    assert len(event.params["consents"]) == 2
