"""Representatives: recorded by the committee's desk, checked, on the timeline."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from jintiao import clock
from jintiao.disputes.access import DisputeNotFound, PermissionDenied
from jintiao.disputes.models import DisputeRepresentative
from jintiao.disputes.services import (
    DisputeConflict,
    RepresentativeInvalid,
    Scan,
    representative_appoint,
)
from jintiao.domain.representation import Authority, Relation
from jintiao.parties.crypto import decrypt
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PartyInput, PartyInvalid
from tests.factories import SCAN, credit_code, intake, resident_id

LAWYER = PartyInput(PartyKind.PERSON, "李律师", resident_id(701), phone="13700001111")


def appoint(world, dispute, actor=None, **changes):
    debtor = dispute.party_rows.get(role="debtor")
    kwargs = {"actor": actor or world.clerk, "dispute_id": dispute.pk,
              "expected_version": dispute.version, "party_row_id": debtor.pk,
              "person": LAWYER, "relation": Relation.LAWYER, "authority": Authority.SPECIAL,
              "signed_on": clock.today() - dt.timedelta(days=2), "scan": SCAN}
    kwargs.update(changes)
    return representative_appoint(**kwargs)


def test_the_clerk_records_a_lawyer_with_special_authority(world):
    dispute = intake(actor=world.clerk, committee=world.committee)
    made = appoint(world, dispute)
    assert made.party_row.role == "debtor"
    assert made.person.id_masked.startswith("520103")
    assert "701" not in made.person.id_masked[6:14]
    dispute.refresh_from_db()
    assert dispute.version == 2
    event = dispute.events.order_by("seq").last()
    assert event.type == "dispute.representative_appointed"
    assert event.params["authority"] == "special"
    assert resident_id(701) not in str(event.params)


@pytest.mark.parametrize(("changes", "message"), [
    ({"signed_on": lambda: clock.today() + dt.timedelta(days=1)}, "晚于"),  # when run
    ({"signed_on": dt.date(2026, 1, 1), "valid_until": dt.date(2026, 2, 1)}, "到期"),
    ({"person": PartyInput(PartyKind.ENTITY, "某律所", credit_code(702))}, "自然人"),
    ({"party_row_id": 10**9}, "不属于该纠纷"),
])
def test_bad_appointments_are_refused_and_change_nothing(world, changes, message):
    dispute = intake(actor=world.clerk, committee=world.committee)
    changes = {k: v() if callable(v) else v for k, v in changes.items()}
    with pytest.raises(RepresentativeInvalid, match=message):
        appoint(world, dispute, **changes)
    assert not DisputeRepresentative.objects.exists()
    dispute.refresh_from_db()
    assert dispute.version == 1
    assert dispute.events.count() == 1


def test_a_party_is_not_its_own_representative_nor_twice_one(world):
    dispute = intake(actor=world.clerk, committee=world.committee)
    debtor = dispute.party_rows.get(role="debtor").party
    itself = PartyInput(PartyKind.PERSON, debtor.name, decrypt(debtor.id_cipher))
    with pytest.raises(RepresentativeInvalid, match="自己的代理人"):
        appoint(world, dispute, person=itself)
    appoint(world, dispute)
    dispute.refresh_from_db()
    with pytest.raises(RepresentativeInvalid, match="已是"):
        appoint(world, dispute)
    assert DisputeRepresentative.objects.count() == 1


def test_an_invalid_id_number_is_a_party_error(world):
    dispute = intake(actor=world.clerk, committee=world.committee)
    valid = resident_id(701)
    wrong = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    with pytest.raises(PartyInvalid, match="末位"):
        appoint(world, dispute, person=PartyInput(PartyKind.PERSON, "李律师", wrong))
    assert not DisputeRepresentative.objects.exists()


def test_only_the_desk_records_and_others_do_not_see(world):
    dispute = intake(actor=world.clerk, committee=world.committee, institution=world.branch)
    with pytest.raises(PermissionDenied):
        appoint(world, dispute, actor=world.agent)
    with pytest.raises(DisputeNotFound):
        appoint(world, dispute, actor=world.other_clerk)
    with pytest.raises(DisputeConflict):
        appoint(world, dispute, expected_version=7)
    assert not DisputeRepresentative.objects.exists()


def test_refusals_come_in_order_hidden_then_not_allowed_then_stale(world):
    dispute = intake(actor=world.clerk, committee=world.committee, institution=world.branch)
    with pytest.raises(DisputeNotFound):
        appoint(world, dispute, actor=world.other_clerk, expected_version=99)
    with pytest.raises(PermissionDenied):  # not a stale-version conflict: they may not at all
        appoint(world, dispute, actor=world.agent, expected_version=99)
    with pytest.raises(DisputeConflict):
        appoint(world, dispute, expected_version=99)


@pytest.mark.parametrize(("scan", "message"), [
    (Scan("a.pdf", b""), "请上传"),
    (Scan("a.pdf", b"<html><script>alert(1)</script></html>"), "PDF、JPG或PNG"),
    (Scan("a.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)), "10MB"),
])
def test_a_scan_that_is_not_a_power_of_attorneys_file_is_refused(world, scan, message):
    dispute = intake(actor=world.clerk, committee=world.committee)
    with pytest.raises(RepresentativeInvalid, match=message) as refused:
        appoint(world, dispute, scan=scan)
    assert refused.value.details["field"] == "scan"
    assert not DisputeRepresentative.objects.exists()


def test_the_scan_is_kept_with_its_digest_and_named_by_what_it_is(world):
    dispute = intake(actor=world.clerk, committee=world.committee)
    made = appoint(world, dispute, scan=Scan("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 20))
    assert made.scan.name.endswith(".png")  # the bytes decide, not the name typed
    assert made.scan_sha256 == hashlib.sha256(b"\x89PNG\r\n\x1a\n" + b"0" * 20).hexdigest()
    event = dispute.events.order_by("seq").last()
    assert event.meta["scan_sha256"] == made.scan_sha256
