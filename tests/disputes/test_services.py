"""Dispute services: intake, the lifecycle action, deadlines, concurrency, the timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jintiao.disputes.access import DisputeNotFound
from jintiao.disputes.models import Channel, Dispute, DisputeType
from jintiao.disputes.services import DisputeConflict, IntakeInvalid
from jintiao.domain.errors import ErrorCode
from jintiao.domain.lifecycle import Action, State, TransitionRefused
from jintiao.domain.policy import Track
from jintiao.mediation.services import action_apply
from jintiao.parties.models import Party
from jintiao.parties.services import PartyInvalid
from jintiao.timeline.models import Event
from tests.factories import credit_code, intake, resident_id


def accept(world, dispute, **kwargs):
    return action_apply(actor=world.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                                expected_version=dispute.version, notice_served=True, **kwargs)


class TestIntake:
    def test_registers_a_received_dispute_with_a_number_and_an_event(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee, institution=world.branch)
        assert dispute.state == State.RECEIVED
        assert dispute.number.startswith(f"（{dispute.year}）522601金调")
        assert dispute.principal == Decimal("200000.00")
        event = Event.objects.get(dispute=dispute)
        assert event.type == "dispute.received"
        assert event.seq == 1

    def test_numbers_run_per_committee_and_year(self, world):
        first = intake(actor=world.clerk, committee=world.committee)
        second = intake(actor=world.clerk, committee=world.committee)
        other = intake(actor=world.other_clerk, committee=world.other_committee)
        assert (first.seq, second.seq, other.seq) == (1, 2, 1)

    def test_a_repeated_institution_reference_returns_the_same_dispute(self, world):
        first = intake(actor=world.agent, committee=world.committee, institution=world.branch,
                       external_ref="CC-2026-0001", serial=2001)
        again = intake(actor=world.agent, committee=world.committee, institution=world.branch,
                       external_ref="CC-2026-0001", serial=2001)
        assert again.pk == first.pk
        assert Dispute.objects.count() == 1

    def test_intake_says_whether_it_created_the_dispute(self, world):
        from jintiao.disputes.models import PartyRole
        from jintiao.disputes.services import dispute_intake
        from jintiao.domain.claims import ClaimBreakdown
        from jintiao.parties.models import PartyKind
        from jintiao.parties.services import PartyInput

        def file():
            return dispute_intake(
                actor=world.agent, committee=world.committee, institution=world.branch,
                channel=Channel.INSTITUTION_APPLICATION, dispute_type=DisputeType.CREDIT_CARD,
                external_ref="CC-9", claim=ClaimBreakdown(as_of=dt.date(2026, 6, 1),
                                                          principal=Decimal("1000")),
                parties=[(PartyInput(PartyKind.ENTITY, "某银行", credit_code(9)),
                          PartyRole.CREDITOR),
                         (PartyInput(PartyKind.PERSON, "王五", resident_id(9)),
                          PartyRole.DEBTOR)])

        first, again = file(), file()
        assert (first.created, again.created) == (True, False)
        assert first.dispute.pk == again.dispute.pk

    def test_a_party_is_stored_once_and_never_in_clear(self, world):
        intake(actor=world.clerk, committee=world.committee)
        party = Party.objects.get(kind="person")
        assert "*" in party.id_masked
        assert party.phone_masked == "138****5678"
        stored = " ".join(str(v) for v in Party.objects.values_list().get(pk=party.pk))
        assert "13812345678" not in stored
        from jintiao.parties.crypto import decrypt
        assert len(decrypt(party.id_cipher)) == 18

    def test_an_invalid_id_number_changes_nothing(self, world):
        from jintiao.disputes.models import PartyRole
        from jintiao.disputes.services import dispute_intake
        from jintiao.domain.claims import ClaimBreakdown
        from jintiao.parties.models import PartyKind
        from jintiao.parties.services import PartyInput
        bad = resident_id(7)[:-1] + ("0" if resident_id(7)[-1] != "0" else "1")
        with pytest.raises(PartyInvalid) as err:
            dispute_intake(
                actor=world.clerk, committee=world.committee, channel=Channel.PARTY_APPLICATION,
                dispute_type=DisputeType.CONSUMER_LOAN,
                claim=ClaimBreakdown(as_of=dt.date(2026, 6, 1), principal=Decimal("1000")),
                parties=[(PartyInput(PartyKind.PERSON, "李四", resident_id(8)), PartyRole.CREDITOR),
                         (PartyInput(PartyKind.PERSON, "王五", bad), PartyRole.DEBTOR)],
            )
        assert "校验码" in err.value.message
        assert not Dispute.objects.exists()
        assert not Party.objects.exists()
        assert not Event.objects.exists()

    def test_only_a_committee_takes_disputes(self, world):
        from jintiao.domain.lifecycle import Role
        from tests.factories import UserFactory
        admin = UserFactory(organization=world.prefecture, roles=[Role.ADMINISTRATOR])
        with pytest.raises(IntakeInvalid):
            intake(actor=admin, committee=world.county)

    def test_staff_file_only_at_their_own_committee(self, world):
        from jintiao.disputes.access import PermissionDenied
        with pytest.raises(PermissionDenied):
            intake(actor=world.clerk, committee=world.other_committee)
        with pytest.raises(PermissionDenied):
            intake(actor=world.judge, committee=world.committee)


class TestApplyAction:
    def test_accept_then_assign_sets_a_working_day_deadline(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee, institution=world.branch)
        dispute = accept(world, dispute)
        assert dispute.state == State.ACCEPTED
        assert dispute.deadline is not None  # assignment limit
        dispute = action_apply(actor=world.director, dispute_id=dispute.pk,
                                       action=Action.ASSIGN, expected_version=dispute.version,
                                       track=Track.SIMPLE, mediators=[world.mediator])
        assert dispute.state == State.MEDIATING
        assert dispute.track == Track.SIMPLE
        events = list(Event.objects.filter(dispute=dispute).order_by("seq"))
        assert [e.type for e in events] == ["dispute.received", "dispute.accept",
                                            "dispute.assign"]
        assert events[-1].state_before == State.ACCEPTED
        assert events[-1].meta["deadline"] == dispute.deadline.isoformat()

    def test_accept_without_the_notice_is_refused_and_changes_nothing(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        with pytest.raises(TransitionRefused) as err:
            action_apply(actor=world.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                                 expected_version=dispute.version)
        assert err.value.details["missing"] == "non_litigation_notice_served"
        dispute.refresh_from_db()
        assert dispute.state == State.RECEIVED
        assert dispute.version == 1
        assert Event.objects.filter(dispute=dispute).count() == 1

    def test_out_of_scope_dispute_cannot_be_accepted(self, world):
        world.committee.accepted_types = [DisputeType.CREDIT_CARD]
        world.committee.save(update_fields=["accepted_types"])
        dispute = intake(actor=world.clerk, committee=world.committee,
                         dispute_type=DisputeType.INSURANCE)
        with pytest.raises(TransitionRefused) as err:
            accept(world, dispute)
        assert err.value.details["missing"].startswith("within_scope")

    def test_a_stale_version_is_a_conflict_not_an_overwrite(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        accept(world, dispute)
        with pytest.raises(DisputeConflict) as err:
            action_apply(actor=world.clerk, dispute_id=dispute.pk,
                                 action=Action.DECLINE, expected_version=1, reason="重复")
        assert err.value.code == ErrorCode.CONFLICT
        dispute.refresh_from_db()
        assert dispute.state == State.ACCEPTED

    def test_a_mediator_from_the_disputes_bank_is_refused(self, world):
        dispute = accept(world, intake(actor=world.clerk, committee=world.committee,
                                       institution=world.bank))
        with pytest.raises(TransitionRefused) as err:
            action_apply(actor=world.director, dispute_id=dispute.pk,
                                 action=Action.ASSIGN, expected_version=dispute.version,
                                 track=Track.ORDINARY, mediators=[world.banker_mediator])
        assert "mediator_without_conflict" in err.value.details["missing"]

    def test_someone_who_cannot_see_the_dispute_gets_not_found(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        with pytest.raises(DisputeNotFound):
            action_apply(actor=world.other_clerk, dispute_id=dispute.pk,
                                 action=Action.ACCEPT, expected_version=1, notice_served=True)

    def test_court_delegated_mediation_runs_thirty_days(self, world):
        dispute = accept(world, intake(actor=world.clerk, committee=world.committee,
                                       court=world.court, channel=Channel.COURT_DELEGATED))
        dispute = action_apply(actor=world.director, dispute_id=dispute.pk,
                                       action=Action.ASSIGN, expected_version=dispute.version,
                                       track=Track.ORDINARY, mediators=[world.mediator])
        event = Event.objects.filter(dispute=dispute).order_by("-seq").first()
        assert any("起算日" in r for r in event.meta["reasons"])
        from jintiao import clock
        assert (dispute.deadline - clock.today()).days >= 30

    def test_attested_guards_are_recorded(self, world):
        dispute = accept(world, intake(actor=world.clerk, committee=world.committee))
        dispute = action_apply(actor=world.director, dispute_id=dispute.pk,
                                       action=Action.ASSIGN, expected_version=dispute.version,
                                       track=Track.FAST, mediators=[world.mediator])
        dispute = action_apply(actor=world.mediator, dispute_id=dispute.pk,
                                       action=Action.WITHDRAW, expected_version=dispute.version,
                                       attested=["withdrawal_by_applicant"])
        assert dispute.state == State.WITHDRAWN
        event = Event.objects.filter(dispute=dispute).order_by("-seq").first()
        assert event.params["attested"] == ["withdrawal_by_applicant"]

    def test_signatures_seal_and_rulings_cannot_be_attested(self, world):
        """An agreement takes effect only through its signatures and seal (agreements app);
        saying so is not enough."""
        dispute = accept(world, intake(actor=world.clerk, committee=world.committee))
        dispute = action_apply(actor=world.director, dispute_id=dispute.pk,
                               action=Action.ASSIGN, expected_version=dispute.version,
                               track=Track.FAST, mediators=[world.mediator])
        with pytest.raises(TransitionRefused, match="均已签署"):
            action_apply(actor=world.mediator, dispute_id=dispute.pk, action=Action.AGREE,
                         expected_version=dispute.version,
                         attested=["agreement_signed_by_all", "committee_seal_applied"])


class TestMediatorsNamed:
    def accepted(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        return action_apply(actor=world.clerk, dispute_id=dispute.pk,
                                    action=Action.ACCEPT, expected_version=1,
                                    notice_served=True)

    def test_only_a_mediator_can_be_assigned(self, world):
        from jintiao.disputes.models import DisputeMediator
        from jintiao.disputes.services import MediatorInvalid

        dispute = self.accepted(world)
        with pytest.raises(MediatorInvalid, match="不是在册调解员"):
            action_apply(actor=world.director, dispute_id=dispute.pk,
                                 action=Action.ASSIGN, expected_version=dispute.version,
                                 track=Track.SIMPLE, mediators=[world.judge])
        dispute.refresh_from_db()
        assert dispute.state == State.ACCEPTED
        assert not DisputeMediator.objects.exists()

    def test_no_other_action_attaches_mediators(self, world):
        from jintiao.disputes.models import DisputeMediator
        from jintiao.disputes.services import MediatorInvalid

        dispute = intake(actor=world.clerk, committee=world.committee)
        with pytest.raises(MediatorInvalid):
            action_apply(actor=world.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                                 expected_version=1, notice_served=True,
                                 mediators=[world.mediator])
        assert not DisputeMediator.objects.exists()
