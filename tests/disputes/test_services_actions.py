"""The lifecycle action service: what the acting user's own confirmation (本人确认) counts for."""

from __future__ import annotations

import pytest

from jintiao.disputes.access import standing_of
from jintiao.disputes.selectors import actions_open_to
from jintiao.domain.lifecycle import Action, State, TransitionRefused
from jintiao.domain.policy import Track
from jintiao.mediation.services import action_apply
from tests.factories import intake


def received(world, **changes):
    return intake(actor=world.clerk, committee=world.committee, **changes)


def accept(world, dispute, **kwargs):
    return action_apply(actor=world.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                        expected_version=dispute.version, **kwargs)


class TestAcceptanceConfirmation:
    def test_the_clerks_confirmation_of_the_notice_accepts_and_is_recorded(self, world):
        """受理 needs the parties told of the non-litigation ways (告知): when intake did not
        record it, the accepting clerk's 本人确认 does, on the dispute and the timeline."""
        dispute = received(world)
        assert not dispute.non_litigation_notice_served
        accepted = accept(world, dispute, attested=["non_litigation_notice_served"])
        assert accepted.state == State.ACCEPTED
        assert accepted.non_litigation_notice_served
        event = accepted.events.order_by("-seq").first()
        assert event.params["attested"] == ["non_litigation_notice_served"]

    def test_without_the_notice_on_record_or_confirmed_acceptance_is_refused(self, world):
        dispute = received(world)
        with pytest.raises(TransitionRefused) as err:
            accept(world, dispute)
        assert err.value.details["missing"] == "non_litigation_notice_served"
        dispute.refresh_from_db()
        assert dispute.state == State.RECEIVED

    def test_scope_is_the_committees_data_whoever_confirms_it(self, world):
        world.committee.accepted_types = ["credit_card"]
        world.committee.save(update_fields=["accepted_types"])
        dispute = received(world, dispute_type="insurance")
        with pytest.raises(TransitionRefused, match="受理范围"):
            accept(world, dispute, notice_served=True,
                   attested=["within_scope", "non_litigation_notice_served"])

    def test_what_the_data_answers_is_not_recorded_as_the_clerks_word(self, world):
        """Only the notice is the clerk's word (the API's notice_served says the same)."""
        dispute = received(world)
        accepted = accept(world, dispute, notice_served=True, attested=["within_scope"])
        event = accepted.events.order_by("-seq").first()
        assert event.params["attested"] == ["non_litigation_notice_served"]


class TestWhatIsOfferedForConfirmation:
    def test_accepting_offers_to_confirm_the_notice_and_only_that(self, world):
        offered = {a.value: a for a in actions_open_to(standing_of(world.clerk, received(world)))}
        assert offered["accept"].attestable == ("已向当事人告知非诉讼纠纷解决方式",)
        assert "纠纷属于本调委会受理范围（纠纷类型与来源渠道）" in offered["accept"].guards
        assert offered["decline"].attestable == ()

    def test_nothing_to_confirm_when_the_notice_was_served_at_intake(self, world):
        dispute = received(world)
        dispute.non_litigation_notice_served = True
        dispute.save(update_fields=["non_litigation_notice_served"])
        offered = {a.value: a for a in actions_open_to(standing_of(world.clerk, dispute))}
        assert offered["accept"].attestable == ()

    def test_a_withdrawal_is_the_actors_word(self, world):
        dispute = accept(world, received(world), notice_served=True)
        dispute = action_apply(actor=world.director, dispute_id=dispute.pk, action=Action.ASSIGN,
                               expected_version=dispute.version, track=Track.FAST,
                               mediators=[world.mediator])
        offered = {a.value: a for a in actions_open_to(standing_of(world.mediator, dispute))}
        assert offered["withdraw"].attestable == ("申请人撤回申请",)
        assert offered["fail"].attestable == ()
