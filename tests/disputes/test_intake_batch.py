"""Many disputes in one intake (issue 20 §1–2): each item checked by the single intake's
rules and answered on its own; repeats of a reference recognised, filed before or earlier in
the same batch; all or nothing, or the valid items only; what is written is what a single
intake writes."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jintiao import clock
from jintiao.disputes.intake_batch import IntakeRequest, Outcome, dispute_intake_many
from jintiao.disputes.models import Channel, Dispute, DisputeType, PartyRole
from jintiao.disputes.services import dispute_intake
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.errors import ErrorCode
from jintiao.domain.intake import IntakeInvalid
from jintiao.parties.models import Party, PartyKind
from jintiao.parties.services import PartyInput
from jintiao.timeline.models import Event, FiguresBacklog
from jintiao.timeline.services import audit_verify
from tests.factories import resident_id

AS_OF = dt.date(2026, 6, 30)
_batches = itertools.count(1)


def bank(world) -> tuple[PartyInput, PartyRole]:
    return (PartyInput(PartyKind.ENTITY, world.bank.name, world.bank.credit_code),
            PartyRole.CREDITOR)


def item(world, n: int, *, ref: str | None = "auto", principal: str = "50000.00",
         **changes: object) -> IntakeRequest:
    """A card debt of the branch at Kaili against debtor ``n``."""
    fields: dict[str, object] = {
        "committee": world.committee, "channel": Channel.INSTITUTION_APPLICATION,
        "dispute_type": DisputeType.CREDIT_CARD,
        "claim": ClaimBreakdown(as_of=AS_OF, principal=Decimal(principal),
                                interest=Decimal("1200.50")),
        "parties": [bank(world), (PartyInput(PartyKind.PERSON, f"王{n}", resident_id(900 + n),
                                             phone="13800000000"), PartyRole.DEBTOR)],
        "institution": world.branch,
        "external_ref": f"XYK-{n:05d}" if ref == "auto" else ref,
        **changes,
    }
    return IntakeRequest(**fields)  # type: ignore[arg-type]


def bad_id(world, n: int) -> IntakeRequest:
    return item(world, n, parties=[bank(world), (
        PartyInput(PartyKind.PERSON, f"王{n}", "522601199001011234"), PartyRole.DEBTOR)])


class TestValidItemsOnly:
    def test_each_item_is_answered_and_the_valid_ones_are_written(self, world):
        results = dispute_intake_many(actor=world.agent, all_or_nothing=False, items=[
            item(world, 1), bad_id(world, 2), item(world, 3),
            IntakeInvalid("第4项的金额无法识别", "amount unreadable", field="principal"),
        ])
        assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.REFUSED,
                                                Outcome.CREATED, Outcome.REFUSED]
        assert results[1].error.code == ErrorCode.PARTY_INVALID
        assert "身份证" in results[1].error.message
        assert results[3].error.details["field"] == "principal"
        made = [results[0].dispute, results[2].dispute]
        assert Dispute.objects.count() == 2
        # numbers in the committee's sequence, in the items' order
        assert [d.seq for d in made] == [1, 2]
        assert made[0].number.endswith("金调00001号")
        # each its own chain, begun as a single intake begins it, and queued for the figures
        assert audit_verify() == (2, [])
        assert Event.objects.filter(type="dispute.received").count() == 2
        assert FiguresBacklog.objects.count() == 2

    def test_the_bank_is_one_party_however_many_rows_name_it(self, world):
        dispute_intake_many(actor=world.agent, all_or_nothing=False,
                            items=[item(world, n) for n in range(5)])
        assert Party.objects.filter(kind=PartyKind.ENTITY).count() == 1
        assert Party.objects.count() == 6

    def test_an_item_outside_the_agents_bank_is_refused_alone(self, world):
        theirs = item(world, 2, institution=world.other_bank, ref=None, parties=[
            (PartyInput(PartyKind.ENTITY, world.other_bank.name, world.other_bank.credit_code),
             PartyRole.CREDITOR),
            (PartyInput(PartyKind.PERSON, "王2", resident_id(902)), PartyRole.DEBTOR)])
        results = dispute_intake_many(actor=world.agent, all_or_nothing=False,
                                      items=[item(world, 1), theirs])
        assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.REFUSED]
        assert results[1].error.code == ErrorCode.PERMISSION_DENIED

    def test_an_unknown_channel_or_type_is_refused_with_its_field(self, world):
        results = dispute_intake_many(actor=world.agent, all_or_nothing=False, items=[
            item(world, 1, channel="pigeon"), item(world, 2, dispute_type="lottery")])
        assert [r.error.details["field"] for r in results] == ["channel", "dispute_type"]
        assert not Dispute.objects.exists()


class TestAllOrNothing:
    def test_one_bad_item_writes_nothing_and_says_so_of_the_valid_ones(self, world):
        results = dispute_intake_many(actor=world.agent, all_or_nothing=True,
                                      items=[item(world, 1), bad_id(world, 2), item(world, 3)])
        assert [r.outcome for r in results] == [Outcome.UNSAVED, Outcome.REFUSED,
                                                Outcome.UNSAVED]
        assert results[0].error.code == ErrorCode.BATCH_NOT_WRITTEN
        assert not Dispute.objects.exists()
        assert not Party.objects.exists()
        assert not Event.objects.exists()

    def test_a_clean_batch_is_written_whole(self, world):
        results = dispute_intake_many(actor=world.agent, all_or_nothing=True,
                                      items=[item(world, n) for n in range(3)])
        assert {r.outcome for r in results} == {Outcome.CREATED}


class TestRepeats:
    def test_a_reference_filed_before_is_existing_when_the_same_and_a_conflict_when_not(
            self, world):
        first = dispute_intake_many(actor=world.agent, all_or_nothing=False,
                                    items=[item(world, 1), item(world, 2)])
        again = dispute_intake_many(actor=world.agent, all_or_nothing=True, items=[
            item(world, 1), item(world, 2, principal="60000.00")])
        assert [r.outcome for r in again] == [Outcome.EXISTING, Outcome.CONFLICT]
        assert again[0].dispute.pk == first[0].dispute.pk
        conflict = again[1].error
        assert conflict.code == ErrorCode.EXTERNAL_REF_CONFLICT
        assert conflict.details["fields"] == "claim.principal"
        assert first[1].dispute.number in conflict.message
        assert "本金" in conflict.message
        assert Dispute.objects.count() == 2
        assert Dispute.objects.get(pk=first[1].dispute.pk).principal == Decimal("50000.00")

    def test_a_repeat_within_the_batch_is_written_once(self, world):
        results = dispute_intake_many(actor=world.agent, all_or_nothing=False, items=[
            item(world, 1), item(world, 1), item(world, 1, principal="1.00")])
        assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.EXISTING,
                                                Outcome.CONFLICT]
        assert results[1].dispute.pk == results[0].dispute.pk
        assert "本批第1项" in results[2].error.message
        assert Dispute.objects.count() == 1

    def test_a_repeat_of_a_refused_item_stands_for_itself(self, world):
        results = dispute_intake_many(actor=world.agent, all_or_nothing=False, items=[
            bad_id(world, 1), item(world, 1)])
        assert [r.outcome for r in results] == [Outcome.REFUSED, Outcome.CREATED]

    def test_the_same_as_a_single_intake_filed_it(self, world):
        single = dispute_intake(actor=world.agent, committee=world.committee,
                                channel=Channel.INSTITUTION_APPLICATION,
                                dispute_type=DisputeType.CREDIT_CARD,
                                claim=item(world, 1).claim, parties=item(world, 1).parties,
                                institution=world.branch, external_ref="XYK-00001").dispute
        results = dispute_intake_many(actor=world.agent, all_or_nothing=False,
                                      items=[item(world, 1)])
        assert results[0].outcome is Outcome.EXISTING
        assert results[0].dispute.pk == single.pk


class TestWhatIsWritten:
    def test_a_batch_writes_what_single_intakes_write(self, world):
        """The same dispute by the batch and by the single intake: the same record and the
        same first event, but for its number."""
        dispute_intake_many(actor=world.agent, all_or_nothing=False,
                            items=[item(world, 1, ref=None)])
        one = item(world, 2, ref=None)
        dispute_intake(actor=world.agent, committee=one.committee, channel=one.channel,
                       dispute_type=one.dispute_type, claim=one.claim, parties=one.parties,
                       institution=one.institution)
        batch, single = Dispute.objects.order_by("pk")
        for field in ("committee_id", "channel", "dispute_type", "institution_id", "principal",
                      "interest", "claim_as_of", "received_on", "policy_version_id", "state",
                      "events_seq", "year"):
            assert getattr(batch, field) == getattr(single, field), field
        first, second = (Event.objects.get(dispute=d, seq=1) for d in (batch, single))
        assert first.params == second.params
        assert first.meta.keys() == second.meta.keys()
        assert (first.type, first.state_after, first.actor_id) == (
            second.type, second.state_after, second.actor_id)

    def test_a_probable_duplicate_earlier_in_the_batch_or_filed_before_is_flagged(self, world):
        before = dispute_intake_many(actor=world.agent, all_or_nothing=False,
                                     items=[item(world, 1, ref=None)])[0].dispute
        results = dispute_intake_many(actor=world.agent, all_or_nothing=False, items=[
            item(world, 1, ref=None), item(world, 2, ref=None), item(world, 2, ref=None)])
        flagged = [Dispute.objects.get(pk=r.dispute.pk).probable_duplicate_of_id
                   for r in results]
        assert flagged == [before.pk, None, results[1].dispute.pk]
        event = Event.objects.get(dispute_id=results[2].dispute.pk, seq=1)
        assert event.params["probable_duplicate_of"] == results[1].dispute.number

    def test_the_receipt_date_and_claim_rules_are_the_single_intakes(self, world):
        results = dispute_intake_many(actor=world.agent, all_or_nothing=False, items=[
            item(world, 1, received_on=clock.today() + dt.timedelta(days=1)),
            item(world, 2, claim=ClaimBreakdown(as_of=AS_OF, principal=Decimal(0))),
            item(world, 3, court=world.branch),
        ])
        assert {r.outcome for r in results} == {Outcome.REFUSED}
        assert results[0].error.details["field"] == "received_on"
        assert results[1].error.code == ErrorCode.CLAIM_NOT_POSITIVE
        assert results[2].error.code == ErrorCode.COURT_REQUIRED


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(valid=st.lists(st.booleans(), min_size=1, max_size=8), whole=st.booleans())
def test_a_batch_writes_all_its_valid_items_or_none(world, valid, whole):
    """Whatever the mixture: valid-items-only writes exactly the valid ones; all or nothing
    writes all of them or, when one fails, none."""
    start = Dispute.objects.count()
    batch = next(_batches)
    items = [item(world, 100 * batch + n, ref=f"P-{batch}-{n}") if ok
             else bad_id(world, 100 * batch + n) for n, ok in enumerate(valid)]
    results = dispute_intake_many(actor=world.agent, all_or_nothing=whole, items=items)
    created = sum(r.outcome is Outcome.CREATED for r in results)
    if whole and not all(valid):
        assert created == 0
    else:
        assert created == sum(valid)
    assert Dispute.objects.count() - start == created
    assert [r.outcome is Outcome.REFUSED for r in results] == [not ok for ok in valid]
