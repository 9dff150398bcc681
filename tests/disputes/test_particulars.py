"""A party's particulars: taken at intake by the same rules everywhere, completed or
corrected by the committee's desk under the party's version, on the timeline without
their values, and printed in full on the filings that need them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from jintiao import clock
from jintiao.disputes.access import DisputeNotFound, PermissionDenied
from jintiao.disputes.models import Channel, DisputeType, PartyRole
from jintiao.disputes.particulars import party_update
from jintiao.disputes.services import DisputeConflict, dispute_intake
from jintiao.domain.claims import ClaimBreakdown
from jintiao.parties.crypto import decrypt
from jintiao.parties.models import Party, PartyKind
from jintiao.parties.services import PartyInput, PartyInvalid
from tests.api.client import Api
from tests.factories import credit_code, intake, resident_id

DEBTOR_ID = resident_id(611)  # 5201031991 0101 611: born 1 January 1991, a man (1 is odd)


def file(world, debtor: PartyInput, creditor: PartyInput | None = None):
    return dispute_intake(
        actor=world.clerk, committee=world.committee, channel=Channel.PARTY_APPLICATION,
        dispute_type=DisputeType.CREDIT_CARD,
        claim=ClaimBreakdown(as_of=dt.date(2026, 6, 30), principal=Decimal("10000")),
        parties=[(creditor or PartyInput(PartyKind.ENTITY, "某银行611", credit_code(611)),
                  PartyRole.CREDITOR), (debtor, PartyRole.DEBTOR)]).dispute


def test_intake_takes_the_particulars_and_derives_sex_and_birth_from_the_number(world):
    dispute = file(world, PartyInput(PartyKind.PERSON, "吴某", DEBTOR_ID, ethnicity="苗",
                                     address="贵州省凯里市北京东路1号",
                                     residence="贵州省贵阳市中华北路2号", occupation="个体工商户"))
    party = dispute.party_rows.get(role="debtor").party
    assert party.sex == "男"
    assert party.birth_date == dt.date(1991, 1, 1)
    assert party.ethnicity == "苗族"
    assert party.id_type == "resident_id"
    assert party.residence == "贵州省贵阳市中华北路2号"
    assert party.version == 1


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"sex": "女"}, "sex", "第17位"),
    ({"birth_date": dt.date(1991, 1, 2)}, "birth_date", "1991年1月1日"),
    ({"ethnicity": "火星"}, "ethnicity", "56个民族"),
    ({"id_type": "uscc"}, "id_type", "自然人不能使用"),
    ({"id_type": "hmt_permit"}, "id_type", "81、82或83"),
    ({"rep_name": "王某"}, "rep_name", "法定代表人"),
    ({"address": "凯里\u202e市"}, "address", "双向"),
    ({"occupation": "职" * 201}, "occupation", "200"),
])
def test_a_bad_particular_is_refused_at_its_field_and_row_with_nothing_written(
        world, changes, field, words):
    before = Party.objects.count()
    with pytest.raises(PartyInvalid, match=words) as refused:
        file(world, PartyInput(PartyKind.PERSON, "吴某", DEBTOR_ID, **changes))
    assert refused.value.details["field"] == field
    assert refused.value.details["row"] == 1
    assert Party.objects.count() == before


def test_an_entity_names_its_legal_representative_and_the_number_is_kept_encrypted(world):
    bank = PartyInput(PartyKind.ENTITY, "某银行612", credit_code(612), address="凯里市韶山南路",
                      rep_name="赵某", rep_title="行长", rep_id_number=resident_id(612))
    dispute = file(world, PartyInput(PartyKind.PERSON, "吴某", DEBTOR_ID), creditor=bank)
    party = dispute.party_rows.get(role="creditor").party
    assert (party.rep_role, party.rep_name, party.rep_title) == ("legal_rep", "赵某", "行长")
    assert decrypt(party.rep_id_cipher) == resident_id(612)
    assert party.rep_id_masked.startswith("520103")
    assert "*" in party.rep_id_masked
    assert party.sex == ""
    assert party.birth_date is None


def test_an_entity_has_no_sex(world):
    bank = PartyInput(PartyKind.ENTITY, "某银行613", credit_code(613), sex="男")
    with pytest.raises(PartyInvalid, match="单位没有性别"):
        file(world, PartyInput(PartyKind.PERSON, "吴某", DEBTOR_ID), creditor=bank)


def test_a_later_file_completes_a_known_party_and_never_overwrites_it(world):
    file(world, PartyInput(PartyKind.PERSON, "吴某", DEBTOR_ID, address="凯里市甲路1号"))
    again = file(world, PartyInput(PartyKind.PERSON, "吴某", DEBTOR_ID, address="别处",
                                   ethnicity="侗族"))
    party = again.party_rows.get(role="debtor").party
    assert party.address == "凯里市甲路1号"
    assert party.ethnicity == "侗族"


class TestUpdate:
    def update(self, world, dispute, actor=None, version=None, **changes):
        row = dispute.party_rows.get(role="debtor")
        return party_update(actor=actor or world.clerk, dispute_id=dispute.pk,
                            party_row_id=row.pk,
                            expected_version=version or row.party.version, changes=changes)

    def test_the_desk_completes_the_particulars_and_the_timeline_names_the_fields_only(
            self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        party = self.update(world, dispute, ethnicity="汉族", address="凯里市宁波路8号")
        assert (party.ethnicity, party.address, party.version) == ("汉族", "凯里市宁波路8号", 2)
        event = dispute.events.order_by("seq").last()
        assert event.type == "party.updated"
        assert event.params["labels"] == ["住所", "民族"]
        assert "宁波路" not in str(event.params)

    def test_a_registered_mobile_is_not_replaced_from_the_desk_but_a_missing_one_is_added(
            self, world):
        """Regression: the desk could point a party's mobile at its own number and then sign
        in to the portal and sign as the party."""
        dispute = intake(actor=world.clerk, committee=world.committee)
        with pytest.raises(PartyInvalid, match="到场核验") as refused:
            self.update(world, dispute, phone="13900002222")
        assert refused.value.details["field"] == "phone"
        debtor = dispute.party_rows.get(role="debtor").party
        assert debtor.phone_masked == "138****5678"
        assert debtor.version == 1
        no_phone = file(world, PartyInput(PartyKind.PERSON, "吴某", DEBTOR_ID))
        added = self.update(world, no_phone, phone="13900002222")
        assert added.phone_masked == "139****2222"
        assert "13900002222" not in str(no_phone.events.order_by("seq").last().params)

    def test_a_stale_version_is_a_conflict_and_changes_nothing(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        self.update(world, dispute, ethnicity="汉族")
        with pytest.raises(DisputeConflict, match="已被他人修改"):
            self.update(world, dispute, version=1, ethnicity="苗族")
        assert dispute.party_rows.get(role="debtor").party.ethnicity == "汉族"

    def test_the_name_and_number_are_not_edits(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        with pytest.raises(PartyInvalid, match="重新登记"):
            self.update(world, dispute, id_number=resident_id(614))

    def test_a_contradicting_sex_is_refused(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        party = dispute.party_rows.get(role="debtor").party
        other = "女" if party.sex == "男" else "男"
        with pytest.raises(PartyInvalid, match="性别与证件号码不符"):
            self.update(world, dispute, sex=other)

    @pytest.mark.parametrize(("who", "refusal"), [
        ("agent", PermissionDenied), ("supervisor", PermissionDenied),
        ("judge", DisputeNotFound)])  # no court on the file yet: the judge cannot see it
    def test_only_the_committees_desk_may_correct(self, world, who, refusal):
        dispute = intake(actor=world.agent, committee=world.committee, institution=world.branch)
        with pytest.raises(refusal):
            self.update(world, dispute, actor=getattr(world, who), ethnicity="汉族")

    def test_another_committees_clerk_does_not_see_the_dispute(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        with pytest.raises(DisputeNotFound):
            self.update(world, dispute, actor=world.other_clerk, ethnicity="汉族")


class TestApi:
    def test_intake_takes_the_particulars_and_shows_them_back(self, world):
        body = {
            "committee_id": world.committee.pk, "channel": "institution_application",
            "dispute_type": "credit_card", "institution_id": world.branch.pk,
            "claim": {"as_of": "2026-06-30", "principal": "2000.00"},
            "parties": [
                {"kind": "entity", "name": "某银行凯里支行", "id_number": credit_code(615),
                 "role": "creditor", "rep_name": "赵某", "rep_title": "行长",
                 "address": "凯里市韶山南路"},
                {"kind": "person", "name": "吴某", "id_number": DEBTOR_ID, "role": "debtor",
                 "ethnicity": "苗族", "address": "凯里市北京东路1号"}]}
        response = Api(world.agent).post("/disputes", body)
        assert response.status_code == 201, response.content
        debtor = next(p for p in response.json()["parties"] if p["role"] == "debtor")
        assert debtor["sex"] == "男"
        # the year only: the masked number hides exactly the birth date (regression)
        assert debtor["birth_year"] == 1991
        assert "birth_date" not in debtor
        assert "1991-01-01" not in response.content.decode()
        assert debtor["ethnicity"] == "苗族"
        assert debtor["version"] == 1
        assert DEBTOR_ID not in response.content.decode()

    def test_a_mismatched_birth_date_is_a_field_error(self, world):
        body = {
            "committee_id": world.committee.pk, "channel": "institution_application",
            "dispute_type": "credit_card", "institution_id": world.branch.pk,
            "claim": {"as_of": "2026-06-30", "principal": "2000.00"},
            "parties": [
                {"kind": "entity", "name": "某银行凯里支行", "id_number": credit_code(616),
                 "role": "creditor"},
                {"kind": "person", "name": "吴某", "id_number": DEBTOR_ID, "role": "debtor",
                 "birth_date": "1990-01-01"}]}
        response = Api(world.agent).post("/disputes", body)
        assert response.status_code == 400, response.content
        assert response.json()["details"]["field"] == "birth_date"

    def test_the_desk_patches_a_party_and_a_stale_version_is_409(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        row = dispute.party_rows.get(role="debtor")
        api = Api(world.clerk)
        path = f"/disputes/{dispute.pk}/parties/{row.pk}"
        ok = api.patch(path, {"expected_version": 1, "ethnicity": "侗族"})
        assert ok.status_code == 200, ok.content
        shown = next(p for p in ok.json()["parties"] if p["id"] == row.pk)
        assert (shown["ethnicity"], shown["version"]) == ("侗族", 2)
        stale = api.patch(path, {"expected_version": 1, "ethnicity": "苗族"})
        assert stale.status_code == 409
        assert stale.json()["code"] == "conflict"

    @pytest.mark.parametrize(("who", "status"), [("agent", 403), ("other_clerk", 404),
                                                 ("judge", 404)])
    def test_who_may_not_patch(self, world, who, status):
        dispute = intake(actor=world.agent, committee=world.committee, institution=world.branch)
        row = dispute.party_rows.get(role="debtor")
        response = Api(getattr(world, who)).patch(
            f"/disputes/{dispute.pk}/parties/{row.pk}", {"expected_version": 1, "sex": ""})
        assert response.status_code == status, response.content
        assert Party.objects.get(pk=row.party_id).version == 1


class TestWeb:
    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def test_the_clerk_completes_a_party_on_its_page(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        row = dispute.party_rows.get(role="debtor")
        client = self.client(world.clerk)
        detail = client.get(f"/disputes/{dispute.pk}/").content.decode()
        party = row.party
        assert f"{party.birth_date.year}年生" in detail
        assert f"{party.birth_date.month}月{party.birth_date.day}日出生" not in detail
        assert "司法确认申请书尚缺" in detail
        assert f"/parties/{row.pk}/" in detail
        page = client.get(f"/disputes/{dispute.pk}/parties/{row.pk}/")
        assert page.status_code == 200
        response = client.post(f"/disputes/{dispute.pk}/parties/{row.pk}/", {
            "expected_version": 1, "id_type": "resident_id", "ethnicity": "汉族",
            "address": "凯里市宁波路8号", "sex": "", "birth_date": ""})
        assert response.status_code == 302
        party = Party.objects.get(pk=row.party_id)
        assert (party.ethnicity, party.address) == ("汉族", "凯里市宁波路8号")
        assert party.phone_masked == "138****5678"  # left blank: kept

    def test_a_refusal_is_shown_at_its_field_and_keeps_what_was_typed(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        row = dispute.party_rows.get(role="debtor")
        response = self.client(world.clerk).post(
            f"/disputes/{dispute.pk}/parties/{row.pk}/", {
                "expected_version": 1, "birth_date": "1970-05-05", "address": "凯里市宁波路8号"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "出生日期与证件号码不符" in page
        assert 'value="凯里市宁波路8号"' in page
        assert Party.objects.get(pk=row.party_id).version == 1

    @pytest.mark.parametrize("who", ["agent", "other_clerk", "judge"])
    def test_others_get_a_404(self, world, who):
        dispute = intake(actor=world.agent, committee=world.committee, institution=world.branch)
        row = dispute.party_rows.get(role="debtor")
        client = self.client(getattr(world, who))
        assert client.get(f"/disputes/{dispute.pk}/parties/{row.pk}/").status_code == 404
        assert client.post(f"/disputes/{dispute.pk}/parties/{row.pk}/",
                           {"expected_version": 1, "ethnicity": "汉族"}).status_code == 404

    def test_the_intake_form_takes_a_partys_particulars(self, world):
        client = self.client(world.clerk)
        form = {
            "committee": world.committee.pk, "channel": "party_application",
            "dispute_type": "credit_card", "received_on": clock.today().isoformat(),
            "claim_as_of": "2026-06-30",
            "principal": "5000", "parties-TOTAL_FORMS": "2", "parties-INITIAL_FORMS": "0",
            "parties-MIN_NUM_FORMS": "0", "parties-MAX_NUM_FORMS": "20",
            "parties-0-role": "creditor", "parties-0-kind": "entity",
            "parties-0-name": "某银行617", "parties-0-id_number": credit_code(617),
            "parties-0-rep_name": "赵某", "parties-0-rep_title": "行长",
            "parties-1-role": "debtor", "parties-1-kind": "person", "parties-1-name": "吴某",
            "parties-1-id_number": DEBTOR_ID, "parties-1-ethnicity": "苗族",
            "parties-1-address": "凯里市北京东路1号", "parties-1-sex": "女"}
        refused = client.post("/disputes/new/", form)
        assert refused.status_code == 200
        assert "性别与证件号码不符" in refused.content.decode(), re.findall(
            r'class="error"[^>]*>([^<]*)<', refused.content.decode())
        form["parties-1-sex"] = ""
        made = client.post("/disputes/new/", form)
        assert made.status_code == 302, made.content.decode()[:2000]
        party = Party.objects.get(name="吴某")
        assert (party.ethnicity, party.sex, party.address) == ("苗族", "男", "凯里市北京东路1号")
        assert Party.objects.get(name="某银行617").rep_name == "赵某"
