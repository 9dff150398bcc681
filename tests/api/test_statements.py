"""The statements API: the address for service and the joint application signed by code or
recorded at the desk, the per-applicant status, and who may do what."""

from __future__ import annotations

import pytest

from jintiao.disputes.models import Statement
from jintiao.messaging.selectors import outbox_code
from tests.api.client import Api
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree


@pytest.fixture
def agreed(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    mediating.refresh_from_db()
    return mediating


def rows(dispute):
    return (dispute.party_rows.get(role="creditor"), dispute.party_rows.get(role="debtor"))


def test_the_whole_application_signed_over_the_api(desk, agreed):
    creditor, debtor = rows(agreed)
    desk_api, bank = Api(desk.mediator), Api(desk.agent)
    status = desk_api.get(f"/disputes/{agreed.pk}/joint-application", court_id=desk.court.pk)
    assert status.status_code == 200, status.content
    assert status.json()["ready"] is False
    for row in (creditor, debtor):
        made = desk_api.post(f"/disputes/{agreed.pk}/service-address", {
            "party_row_id": row.pk, "postal_address": "凯里市北京东路1号", "at_desk": True})
        assert made.status_code == 201, made.content
        assert made.json()["how"] == "desk"
    desk_api.post(f"/disputes/{agreed.pk}/joint-application/signatures",
                  {"party_row_id": debtor.pk, "court_id": desk.court.pk, "at_desk": True})
    sent = bank.post(f"/disputes/{agreed.pk}/joint-application/signatures",
                     {"party_row_id": creditor.pk, "court_id": desk.court.pk})
    assert sent.status_code == 201, sent.content
    assert sent.json()["signed_at"] is None
    wrong = bank.post(f"/statements/{sent.json()['id']}/sign", {"code": "000000"})
    assert wrong.status_code == 400
    signed = bank.post(f"/statements/{sent.json()['id']}/sign",
                       {"code": outbox_code(desk.agent.mobile)})
    assert signed.status_code == 200, signed.content
    status = desk_api.get(f"/disputes/{agreed.pk}/joint-application", court_id=desk.court.pk)
    assert status.json()["ready"] is True
    assert "北京东路" not in status.content.decode()  # the API names who signed, not where


@pytest.mark.parametrize(("who", "status"), [("other_clerk", 404), ("agent", 403)])
def test_who_may_not_record_a_paper_signature(desk, agreed, who, status):
    _creditor, debtor = rows(agreed)
    response = Api(getattr(desk, who)).post(
        f"/disputes/{agreed.pk}/joint-application/signatures",
        {"party_row_id": debtor.pk, "court_id": desk.court.pk, "at_desk": True})
    assert response.status_code == status, response.content
    assert not Statement.objects.exists()


def test_a_bad_address_is_a_field_error(desk, agreed):
    _creditor, debtor = rows(agreed)
    response = Api(desk.mediator).post(f"/disputes/{agreed.pk}/service-address", {
        "party_row_id": debtor.pk, "postal_address": "凯里", "email": "x@", "at_desk": True})
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "email"


def test_a_statement_of_a_hidden_dispute_is_404(desk, agreed):
    _creditor, debtor = rows(agreed)
    sent = Api(desk.mediator).post(f"/disputes/{agreed.pk}/joint-application/signatures",
                                   {"party_row_id": debtor.pk, "court_id": desk.court.pk})
    assert sent.status_code == 201, sent.content
    response = Api(desk.other_clerk).post(f"/statements/{sent.json()['id']}/sign",
                                          {"code": "123456"})
    assert response.status_code == 404
    assert Statement.objects.get().attempts == 0
