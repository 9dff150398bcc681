"""The desk's and the party's pages for the joint application and the address for
service: who may do what, and the service's refusals shown, nothing written."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from jintiao.disputes.models import Statement
from jintiao.messaging.selectors import outbox_code
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree
from tests.portal.helpers import party_sign_in, phone_of


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agreed(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    mediating.refresh_from_db()
    return mediating


def rows(dispute):
    return (dispute.party_rows.get(role="creditor"), dispute.party_rows.get(role="debtor"))


def test_the_desk_records_addresses_and_signatures_and_then_files(desk, agreed):
    creditor, debtor = rows(agreed)
    clerk = client_for(desk.mediator)
    page = clerk.get(f"/disputes/{agreed.pk}/agreement/").content.decode()
    assert 'id="applicants"' in page
    assert "未确认" in page
    for row in (creditor, debtor):
        response = clerk.post(f"/disputes/{agreed.pk}/statements/address/", {
            "row": row.pk, "postal_address": "凯里市北京东路1号", "e_service": ""})
        assert response.status_code == 302
    clerk.post(f"/disputes/{agreed.pk}/statements/joint-desk/",
               {"row": debtor.pk, "court": desk.court.pk})
    bank = client_for(desk.agent)
    bank.post(f"/disputes/{agreed.pk}/statements/joint-code/",
              {"row": creditor.pk, "court": desk.court.pk})
    sent = Statement.objects.get(party_row=creditor, kind="joint_application")
    bank.post(f"/statements/{sent.pk}/sign/", {"code": outbox_code(desk.agent.mobile),
                                               "court": desk.court.pk})
    assert Statement.objects.filter(kind="joint_application",
                                    signed_at__isnull=False).count() == 2
    agreed.refresh_from_db()
    filed = clerk.post(f"/disputes/{agreed.pk}/confirmation/", {
        "expected_version": agreed.version, "court": desk.court.pk})
    assert filed.status_code == 302
    assert agreed.confirmations.count() == 1


def test_a_bad_address_is_refused_with_its_reason_and_nothing_written(desk, agreed):
    _creditor, debtor = rows(agreed)
    response = client_for(desk.mediator).post(
        f"/disputes/{agreed.pk}/statements/address/",
        {"row": debtor.pk, "postal_address": "凯里", "email": "bad", "e_service": "on"},
        follow=True)
    assert "电子邮箱" in response.content.decode()
    assert not Statement.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("other_clerk", 404), ("judge", 302)])
def test_outsiders_are_refused_and_nothing_is_written(desk, agreed, who, status):
    """Another committee does not see the dispute; the court sees it, and is refused."""
    _creditor, debtor = rows(agreed)
    client = client_for(getattr(desk, who))
    for path, body in [("statements/address/", {"row": debtor.pk, "postal_address": "凯里"}),
                       ("statements/joint-desk/", {"row": debtor.pk, "court": desk.court.pk}),
                       ("statements/joint-code/", {"row": debtor.pk, "court": desk.court.pk})]:
        assert client.post(f"/disputes/{agreed.pk}/{path}", body).status_code == status
    assert not Statement.objects.exists()


def test_the_bank_cannot_sign_or_address_for_the_debtor(desk, agreed):
    _creditor, debtor = rows(agreed)
    bank = client_for(desk.agent)
    bank.post(f"/disputes/{agreed.pk}/statements/address/",
              {"row": debtor.pk, "postal_address": "凯里"})
    bank.post(f"/disputes/{agreed.pk}/statements/joint-desk/",
              {"row": debtor.pk, "court": desk.court.pk})
    bank.post(f"/disputes/{agreed.pk}/statements/joint-code/",
              {"row": debtor.pk, "court": desk.court.pk})
    assert not Statement.objects.exists()


def test_the_party_confirms_its_address_on_the_portal_and_nobody_else_can_sign_it(
        desk, agreed):
    _creditor, debtor = rows(agreed)
    party = Client()
    party.force_login(party_sign_in(debtor.party))
    response = party.post(f"/p/d/{agreed.pk}/address/",
                          {"postal_address": "凯里市北京东路1号", "e_service": "on"})
    assert response.status_code == 302
    sent = Statement.objects.get(party_row=debtor)
    page = party.get(f"/p/d/{agreed.pk}/").content.decode()
    assert 'id="to-sign"' in page
    # another committee's clerk cannot burn or use the party's code
    outsider = client_for(desk.other_clerk)
    assert outsider.post(f"/statements/{sent.pk}/sign/", {"code": "123456"}).status_code == 404
    party.post(f"/p/d/{agreed.pk}/statements/{sent.pk}/sign/",
               {"code": outbox_code(phone_of(debtor.party))})
    sent.refresh_from_db()
    assert sent.signed_at is not None
    assert sent.attempts == 0


def test_a_stray_unicode_digit_for_the_court_is_no_500(desk, agreed):
    """Regression: "²".isdigit() is true and int("²") raised."""
    _creditor, debtor = rows(agreed)
    response = client_for(desk.mediator).post(
        f"/disputes/{agreed.pk}/statements/joint-desk/", {"row": debtor.pk, "court": "²"})
    assert response.status_code == 302
    assert not Statement.objects.exists()


def test_consent_to_electronic_service_is_never_ticked_for_the_party(desk, agreed):
    """Regression: both forms came with the consent box ticked (CPL Art. 90 asks for it)."""
    _creditor, debtor = rows(agreed)
    desk_page = client_for(desk.mediator).get(f"/disputes/{agreed.pk}/agreement/")
    party = Client()
    party.force_login(party_sign_in(debtor.party))
    portal_page = party.get(f"/p/d/{agreed.pk}/")
    for page in (desk_page.content.decode(), portal_page.content.decode()):
        boxes = re.findall(r'<input[^>]*name="e_service"[^>]*>', page)
        assert boxes
        assert all("checked" not in box for box in boxes)
