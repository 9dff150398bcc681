"""Intake refuses what must not be taken in, with a stable code and a Chinese message, and
writes nothing when it does; a probable duplicate is taken in but flagged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from jintiao import clock
from jintiao.disputes.models import Channel, Dispute, DisputeCounter, DisputeType, PartyRole
from jintiao.disputes.services import dispute_intake, number_prefix, numbers_take
from jintiao.domain import identity
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import Action, Role
from jintiao.mediation.services import action_apply
from jintiao.parties.models import Party, PartyKind
from jintiao.parties.services import PartyInput
from jintiao.timeline.models import Event
from tests.factories import OrganizationFactory, UserFactory, credit_code, resident_id


def days_ago(n: int) -> dt.date:
    return clock.today() - dt.timedelta(days=n)


def bank(n: int = 1) -> tuple[PartyInput, PartyRole]:
    return PartyInput(PartyKind.ENTITY, f"某商业银行{n}", credit_code(700 + n)), PartyRole.CREDITOR


def debtor(n: int = 1, **changes: str) -> tuple[PartyInput, PartyRole]:
    fields = {"name": f"刘{n}", "id_number": resident_id(700 + n), **changes}
    return (PartyInput(PartyKind.PERSON, fields["name"], fields["id_number"]),
            PartyRole.DEBTOR)


def claim(principal: str = "68500.00", **changes: object) -> ClaimBreakdown:
    parts: dict[str, object] = {"as_of": days_ago(5), "principal": Decimal(principal),
                                "interest": Decimal("5210.33"), **changes}
    return ClaimBreakdown(**parts)  # type: ignore[arg-type]


def file(world, **changes):
    """File a consumer loan at Kaili as the clerk; ``changes`` replace any argument."""
    arguments = {
        "actor": world.clerk, "committee": world.committee,
        "channel": Channel.INSTITUTION_APPLICATION, "dispute_type": DisputeType.CONSUMER_LOAN,
        "claim": claim(), "parties": [bank(), debtor()], "institution": world.branch,
        "received_on": days_ago(1), **changes,
    }
    return dispute_intake(**arguments)


def nothing_written() -> bool:
    return not (Dispute.objects.exists() or Party.objects.exists() or Event.objects.exists()
                or DisputeCounter.objects.filter(last__gt=0).exists())


def refused(world, code: ErrorCode, **changes) -> DomainError:
    with pytest.raises(DomainError) as err:
        file(world, **changes)
    assert err.value.code == code, (err.value.code, err.value.message)
    assert nothing_written()
    return err.value


class TestClaim:
    @pytest.mark.parametrize("principal", ["0", "0.00"])
    def test_a_claim_of_nothing_is_refused(self, world, principal):
        err = refused(world, ErrorCode.CLAIM_NOT_POSITIVE,
                      claim=claim(principal, interest=Decimal(0)))
        assert err.message == "债权合计应大于零"
        assert err.details["field"] == "principal"

    def test_charges_without_principal_are_still_a_claim(self, world):
        """A principal repaid in full leaves interest and fees to mediate."""
        assert file(world, claim=claim("0", interest=Decimal("1200.50"))).created

    def test_a_claim_computed_on_a_day_still_to_come_is_refused(self, world):
        tomorrow = clock.today() + dt.timedelta(days=1)
        err = refused(world, ErrorCode.DATE_IN_FUTURE, claim=claim(as_of=tomorrow))
        assert err.message == f"债权计算日不能晚于今天（所填为{tomorrow.isoformat()}）"
        assert err.details["field"] == "claim_as_of"

    def test_a_claim_computed_absurdly_long_ago_is_refused(self, world):
        """A claim computed in 2006 typed for 2026 is a wrong year, not an old debt."""
        long_ago = clock.today().replace(year=clock.today().year - 20)
        err = refused(world, ErrorCode.DATE_TOO_EARLY, claim=claim(as_of=long_ago))
        assert "债权计算日" in err.message
        assert "请核对年份" in err.message
        assert err.details["field"] == "claim_as_of"

    def test_a_claim_computed_years_ago_is_taken(self, world):
        """Charges often stop at the write-off date: figures a few years old are real."""
        assert file(world, claim=claim(as_of=days_ago(3 * 365))).created


class TestDateOfReceipt:
    def test_a_date_of_receipt_still_to_come_is_refused(self, world):
        tomorrow = clock.today() + dt.timedelta(days=1)
        err = refused(world, ErrorCode.DATE_IN_FUTURE, received_on=tomorrow)
        assert err.message == f"收案日期不能晚于今天（所填为{tomorrow.isoformat()}）"
        assert err.details["field"] == "received_on"

    def test_a_date_of_receipt_more_than_a_year_back_is_refused(self, world):
        err = refused(world, ErrorCode.DATE_TOO_EARLY, received_on=days_ago(400))
        assert "收案日期" in err.message
        assert err.details["field"] == "received_on"

    def test_a_paper_file_entered_weeks_later_keeps_its_date(self, world):
        assert file(world, received_on=days_ago(40)).dispute.received_on == days_ago(40)


class TestCourt:
    @pytest.mark.parametrize("channel", [Channel.COURT_DELEGATED, Channel.COURT_ENTRUSTED,
                                         Channel.COURT_INVITED])
    def test_a_dispute_from_a_court_names_the_court(self, world, channel):
        err = refused(world, ErrorCode.COURT_REQUIRED, channel=channel, court=None)
        assert err.message == f"来源渠道为“{channel.label}”的纠纷须选择委派或委托的法院"
        assert err.details["field"] == "court"

    def test_the_court_named_is_a_court(self, world):
        err = refused(world, ErrorCode.COURT_REQUIRED, channel=Channel.COURT_DELEGATED,
                      court=world.other_committee)
        assert "不是人民法院" in err.message

    def test_a_court_delegated_dispute_with_its_court_is_taken(self, world):
        filed = file(world, channel=Channel.COURT_DELEGATED, court=world.court)
        assert filed.dispute.court == world.court


class TestParties:
    def test_one_person_cannot_be_creditor_and_debtor(self, world):
        same = resident_id(777)
        err = refused(world, ErrorCode.PARTY_ON_BOTH_SIDES, parties=[
            (PartyInput(PartyKind.PERSON, "王某", same), PartyRole.CREDITOR),
            debtor(id_number=same.lower(), name="王某")])
        assert err.message == "王某不能既是债权人又是债务人或担保人（证件号码相同）"
        assert err.details["field"] == "id_number"
        assert err.details["row"] == 1

    def test_a_guarantor_is_not_the_creditor_either(self, world):
        code = credit_code(701)
        err = refused(world, ErrorCode.PARTY_ON_BOTH_SIDES, parties=[
            bank(), debtor(),
            (PartyInput(PartyKind.ENTITY, "某商业银行1", code), PartyRole.GUARANTOR)])
        assert err.details["row"] == 2

    def test_one_person_listed_twice_is_refused_not_a_crash(self, world):
        err = refused(world, ErrorCode.PARTY_LISTED_TWICE, parties=[bank(), debtor(), debtor()])
        assert "重复" in err.message
        assert err.details["row"] == 2

    def test_a_resident_id_whose_birth_date_is_to_come_is_refused(self, world):
        born = clock.today() + dt.timedelta(days=30)
        number = f"522601{born:%Y%m%d}123"
        number += identity.resident_id_check_char(number)
        err = refused(world, ErrorCode.PARTY_INVALID, parties=[bank(), debtor(id_number=number)])
        assert "晚于" in err.message
        assert err.details["reason"] == "future_birth_date"
        assert (err.details["field"], err.details["row"]) == ("id_number", 1)

    @pytest.mark.parametrize("sneaky", ["\u202e", "\u202d", "\u2066", "\u200f", "\u200b",
                                        "\u200d", "\u2060", "\ufeff", "\u2028", "\u2029",
                                        "\u00ad", "\x85"])
    def test_a_name_with_invisible_or_reordering_characters_is_refused(self, world, sneaky):
        """They would print on the agreement and the court's ruling, reordering or hiding
        what the parties sign."""
        err = refused(world, ErrorCode.NAME_INVALID,
                      parties=[bank(), debtor(name=f"刘{sneaky}某某")])
        assert f"U+{ord(sneaky):04X}" in err.message
        assert (err.details["field"], err.details["row"]) == ("name", 1)

    def test_ordinary_names_are_taken_as_they_are(self, world):
        filed = file(world, parties=[bank(), debtor(name="阿卜杜拉·买买提"),
                                     (PartyInput(PartyKind.PERSON, "欧阳 娜娜",
                                                 resident_id(799)), PartyRole.GUARANTOR)])
        assert {r.party.name for r in filed.dispute.party_rows.all()} >= {"阿卜杜拉·买买提",
                                                                           "欧阳 娜娜"}


class TestCreditorName:
    def registered(self, world) -> str:
        assert world.branch.credit_code, "the factories give institutions their code"
        return world.branch.credit_code

    def test_a_creditor_under_an_institutions_code_carries_its_registered_name(self, world):
        code = self.registered(world)
        err = refused(world, ErrorCode.CREDITOR_NAME_MISMATCH, parties=[
            (PartyInput(PartyKind.ENTITY, "某银行凯里分行", code), PartyRole.CREDITOR),
            debtor()])
        assert err.message == ("债权人名称“某银行凯里分行”与统一社会信用代码"
                               f"{code}登记的名称“某银行凯里支行”不一致")
        assert (err.details["field"], err.details["row"]) == ("name", 0)

    def test_the_registered_name_is_taken(self, world):
        code = self.registered(world)
        filed = file(world, parties=[
            (PartyInput(PartyKind.ENTITY, " 某银行凯里支行 ", code), PartyRole.CREDITOR),
            debtor()])
        assert filed.created

    def test_an_entity_no_institution_registered_keeps_the_name_it_is_given(self, world):
        assert file(world, parties=[bank(5), debtor()]).created


class TestExternalReference:
    def test_an_identical_repeat_returns_the_first(self, world):
        first = file(world, external_ref="CL-1")
        again = file(world, external_ref="CL-1")
        assert (first.created, again.created) == (True, False)
        assert again.dispute.pk == first.dispute.pk

    def test_a_repeat_without_a_date_of_receipt_is_still_the_same_file(self, world):
        """A bulk file sent again the next day without its dates is not a new content."""
        same = claim()
        first = file(world, external_ref="CL-2", received_on=None, claim=same)
        with clock.pinned(clock.now() + dt.timedelta(days=1)):
            again = file(world, external_ref="CL-2", received_on=None, claim=same)
        assert again.dispute.pk == first.dispute.pk

    def test_what_the_desk_recorded_since_does_not_make_a_repeat_differ(self, world):
        """The clerk confirmed the notice on acceptance; the bank's retry says nothing of it."""
        same = claim()
        first = file(world, external_ref="CL-4", claim=same).dispute
        action_apply(actor=world.clerk, dispute_id=first.pk, action=Action.ACCEPT,
                     expected_version=first.version,
                     attested=["non_litigation_notice_served"])
        assert file(world, external_ref="CL-4", claim=same).dispute.pk == first.pk

    def test_a_repeat_with_other_content_is_a_conflict_naming_the_fields(self, world):
        first = file(world, external_ref="CL-3").dispute
        with pytest.raises(DomainError) as err:
            file(world, external_ref="CL-3", claim=claim("70000.00"),
                 parties=[bank(), debtor(2)], dispute_type=DisputeType.CREDIT_CARD)
        assert err.value.code == ErrorCode.EXTERNAL_REF_CONFLICT
        assert err.value.details["fields"] == "dispute_type,claim.principal,parties"
        assert err.value.details["dispute"] == first.pk
        assert err.value.message == (
            f"机构业务编号CL-3已登记为{first.number}，本次提交的纠纷类型、本金、当事人"
            "与已登记的不同；未作更改")
        assert Dispute.objects.count() == 1
        first.refresh_from_db()
        assert first.principal == Decimal("68500.00")


class TestProbableDuplicate:
    def test_the_same_debt_filed_again_without_a_reference_is_flagged_not_refused(self, world):
        first = file(world).dispute
        second = file(world, received_on=days_ago(0)).dispute
        assert second.probable_duplicate_of == first
        assert first.probable_duplicate_of is None
        assert second.events.get().params["probable_duplicate_of"] == first.number

    @pytest.mark.parametrize("other", [
        {"claim": claim("68500.01")},
        {"parties": [bank(), debtor(2)]},
        {"institution": None},
    ])
    def test_another_debt_debtor_or_creditor_is_no_duplicate(self, world, other):
        file(world)
        assert file(world, **other).dispute.probable_duplicate_of is None

    def test_a_dispute_no_longer_open_is_no_duplicate(self, world):
        first = file(world).dispute
        action_apply(actor=world.clerk, dispute_id=first.pk, action=Action.DECLINE,
                     expected_version=first.version, reason="不属于受理范围")
        assert file(world).dispute.probable_duplicate_of is None

    def test_two_references_of_the_institution_are_two_debts(self, world):
        file(world, external_ref="LOAN-A")
        assert file(world, external_ref="LOAN-B").dispute.probable_duplicate_of is None


def test_a_counter_behind_the_numbers_taken_moves_past_them(world):
    """Disputes written in bulk, or a counter restored older than its disputes: the next
    intake takes the number after the highest one, not one already taken (a 500 before)."""
    first = file(world).dispute
    second = file(world, parties=[bank(), debtor(2)]).dispute
    DisputeCounter.objects.filter(committee=world.committee, year=first.year).update(last=0)
    third = file(world, parties=[bank(), debtor(3)]).dispute
    assert (first.seq, second.seq, third.seq) == (1, 2, 3)
    assert third.number.endswith("金调00003号")
    assert DisputeCounter.objects.get(committee=world.committee, year=first.year).last == 3


def test_two_committees_of_one_county_never_issue_the_same_number(world):
    """A second committee in Kaili (a township's, or a bank association's) numbers its
    disputes apart from the first; before, its first intake collided with the first
    committee's （year）522601金调00001号 and failed (issue 19 §4)."""
    second = OrganizationFactory(name="凯里市某镇金调委", parent=world.county,
                                 region_code=world.committee.region_code)
    second_clerk = UserFactory(organization=second, roles=[Role.INTAKE_CLERK])
    ours = file(world).dispute
    theirs = file(world, actor=second_clerk, committee=second,
                  parties=[bank(), debtor(2)]).dispute
    assert (ours.seq, theirs.seq) == (1, 1)
    assert ours.number == f"（{ours.year}）522601金调00001号"
    assert theirs.number == f"（{theirs.year}）522601-2金调00001号"
    assert number_prefix(world.committee) == "522601"
    assert number_prefix(second) == "522601-2"


def test_numbers_are_taken_in_blocks_from_the_same_counter(world):
    """The benchmark seeder takes its numbers as intake does: a block from the counter,
    after which intake goes on past it."""
    with transaction.atomic():
        block = numbers_take(world.committee, 2026, 5)
    assert list(block) == [1, 2, 3, 4, 5]
    with transaction.atomic():
        assert list(numbers_take(world.committee, 2026)) == [6]
    with pytest.raises(ValueError, match="count must be positive"):
        numbers_take(world.committee, 2026, 0)
    assert DisputeCounter.objects.get(committee=world.committee, year=2026).last == 6


class TestCollisions:
    """An intake that collides with a row written at the same moment is tried again, then
    answered as a conflict with nothing written — never a 500 (issue 19 §4)."""

    @staticmethod
    def colliding(monkeypatch, times: int) -> list[int]:
        from django.db import IntegrityError

        from jintiao.disputes import services

        real, calls = services._intake, []

        def once_then_real(actor, filing):
            calls.append(1)
            if len(calls) <= times:
                real(actor, filing)  # writes, then collides: the attempt is rolled back
                raise IntegrityError("duplicate key value violates unique constraint")
            return real(actor, filing)

        monkeypatch.setattr(services, "_intake", once_then_real)
        return calls

    def test_a_collision_is_tried_again(self, world, monkeypatch):
        calls = self.colliding(monkeypatch, times=1)
        filed = file(world)
        assert (filed.created, len(calls)) == (True, 2)
        assert Dispute.objects.get() == filed.dispute
        assert Event.objects.filter(dispute=filed.dispute).count() == 1

    def test_collisions_every_time_are_a_conflict_with_nothing_written(self, world,
                                                                        monkeypatch):
        calls = self.colliding(monkeypatch, times=99)
        with pytest.raises(DomainError) as err:
            file(world)
        assert err.value.code == ErrorCode.CONFLICT
        assert "未能保存，请稍后重新提交" in err.value.message
        assert len(calls) == 3
        assert nothing_written()
