"""Representatives on the dispute page: the desk records them; others neither see the form
nor may post it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jintiao import clock
from jintiao.disputes.models import DisputeRepresentative
from tests.factories import SCAN, intake, resident_id
from tests.web.test_views import client_for


def post_data(dispute, **changes):
    data = {"expected_version": dispute.version,
            "party_row": dispute.party_rows.get(role="debtor").pk, "name": "李律师",
            "id_number": resident_id(801), "phone": "13700002222", "relation": "relative",
            "authority": "general", "signed_on": (clock.today() - dt.timedelta(days=1)).isoformat(),
            "valid_until": "", "matters": "参加调解",
            "scan": SimpleUploadedFile("授权委托书.pdf", SCAN.data, "application/pdf")}
    data.update(changes)
    return data


def test_the_clerk_records_a_relative_with_general_authority(world):
    dispute = intake(actor=world.clerk, committee=world.committee)
    client = client_for(world.clerk)
    assert "登记代理人" in client.get(f"/disputes/{dispute.pk}/").content.decode()
    response = client.post(f"/disputes/{dispute.pk}/representatives/", post_data(dispute),
                           follow=True)
    page = response.content.decode()
    assert "已登记代理人：李律师" in page
    assert "近亲属 · 一般授权" in page
    assert "无权代为签署调解协议" in page  # general authority does not settle
    assert "137****2222" in page
    assert "13700002222" not in page
    assert resident_id(801) not in page
    assert "登记代理人</b>" in page  # on the timeline in words


@pytest.mark.parametrize(("changes", "message"), [
    ({"id_number": "123"}, "代理人身份证号："),
    ({"signed_on": "2026-02-30"}, "授权委托书签署日期："),
    ({"party_row": "999999"}, "被代理的当事人："),
    ({"authority": "total"}, "代理权限："),
    ({"expected_version": "9"}, "已被他人修改"),
    ({"valid_until": "2026-01-01", "signed_on": "2025-12-01"}, "到期"),
])
def test_mistakes_are_one_message_and_change_nothing(world, changes, message):
    dispute = intake(actor=world.clerk, committee=world.committee)
    response = client_for(world.clerk).post(f"/disputes/{dispute.pk}/representatives/",
                                            post_data(dispute, **changes), follow=True)
    assert message in response.content.decode()
    assert not DisputeRepresentative.objects.exists()


@pytest.mark.parametrize(("persona", "page_status", "status"), [
    ("agent", 200, 302), ("judge", 200, 302), ("other_clerk", 404, 404),
    ("other_agent", 404, 404)])
def test_others_get_no_form_and_cannot_post(world, persona, page_status, status):
    """The bank and the court see the dispute but not the form; others do not see it."""
    dispute = intake(actor=world.clerk, committee=world.committee, institution=world.branch,
                     court=world.court)
    client = client_for(getattr(world, persona))
    page = client.get(f"/disputes/{dispute.pk}/")
    assert page.status_code == page_status
    assert "登记代理人" not in page.content.decode()
    response = client.post(f"/disputes/{dispute.pk}/representatives/", post_data(dispute))
    assert response.status_code == status
    assert not DisputeRepresentative.objects.exists()


def test_the_desk_reads_the_scan_and_others_do_not_and_an_edited_one_is_refused(world):
    dispute = intake(actor=world.agent, committee=world.committee, institution=world.branch)
    client = client_for(world.clerk)
    client.post(f"/disputes/{dispute.pk}/representatives/", post_data(dispute))
    rep = DisputeRepresentative.objects.get()
    path = f"/disputes/{dispute.pk}/representatives/{rep.pk}/scan/"
    assert path in client.get(f"/disputes/{dispute.pk}/").content.decode()
    shown = client.get(path)
    assert shown.status_code == 200
    read = dispute.events.filter(type="record.read").get()  # PIPL: who read it
    assert read.params["kind"] == "power_of_attorney_scan"
    assert shown["Content-Type"] == "application/pdf"
    assert shown.content == SCAN.data
    assert client_for(world.agent).get(path).status_code == 404
    assert client_for(world.other_clerk).get(path).status_code == 404
    with open(rep.scan.path, "ab") as handle:
        handle.write(b"edited")
    refused = client.get(path, follow=True)
    assert "可能已被改动" in refused.content.decode()


def test_a_scan_that_is_a_web_page_is_refused_with_its_reason(world):
    dispute = intake(actor=world.clerk, committee=world.committee)
    response = client_for(world.clerk).post(
        f"/disputes/{dispute.pk}/representatives/", post_data(dispute, scan=SimpleUploadedFile(
            "授权委托书.pdf", b"<html></html>", "application/pdf")), follow=True)
    assert "PDF、JPG或PNG" in response.content.decode()
    assert not DisputeRepresentative.objects.exists()
