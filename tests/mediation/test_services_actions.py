"""Moves of the dispute's state that need more than a click: back to mediation after a
rejected confirmation (without the rejected plan, agreement or facts), and performing without
confirmation — each on both sides' consent on record."""

from __future__ import annotations

import pytest

from jintiao.disputes.models import DisputeParty
from jintiao.domain.lifecycle import Action, State, TransitionRefused
from jintiao.mediation.models import Offer
from jintiao.mediation.services import (
    action_apply,
    undisputed_facts_confirm,
    undisputed_facts_record,
)
from jintiao.performance.selectors import account_of
from jintiao.timeline.models import Event
from tests.api.client import Api
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, consent_all, reject


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


def test_back_in_mediation_the_rejected_agreement_is_not_performed_nor_its_facts_kept(
        desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    reject(desk, mediating, "违反自愿原则")
    undisputed_facts_record(actor=desk.mediator, dispute_id=mediating.pk, facts=["本金已发放"])
    for row in DisputeParty.objects.filter(dispute=mediating):
        undisputed_facts_confirm(actor=desk.mediator, dispute_id=mediating.pk,
                                 party_row_id=row.pk, how="书面签字")
    mediating.refresh_from_db()
    with pytest.raises(TransitionRefused):  # saying so is not enough: consents are on record
        action_apply(actor=desk.director, dispute_id=mediating.pk, action=Action.REMEDIATE,
                     expected_version=mediating.version, attested=["parties_consent"])
    consent_all(desk, mediating, "remediate")
    mediating.refresh_from_db()
    d = action_apply(actor=desk.director, dispute_id=mediating.pk, action=Action.REMEDIATE,
                     expected_version=mediating.version)
    assert account_of(d) is None
    assert Api(desk.agent).get(f"/disputes/{d.pk}/performance").status_code == 404
    d = action_apply(actor=desk.mediator, dispute_id=d.pk, action=Action.FAIL,
                     expected_version=d.version, reason="再次调解不成")
    with pytest.raises(TransitionRefused, match="无争议事实"):  # the old round's facts are gone
        action_apply(actor=desk.mediator, dispute_id=d.pk, action=Action.TRANSFER,
                     expected_version=d.version)
