"""POST /disputes/{id}/parties/{row}/reveal: the token's documents scope and the role (the
committee's desk, the court); the numbers once, never cached; the request on the timeline."""

from __future__ import annotations

import pytest

from jintiao.domain import events
from jintiao.parties.crypto import decrypt
from jintiao.timeline.models import Event
from tests.api.client import Api
from tests.portal.helpers import debtor_of

ASK = {"fields": ["id_number", "phone"], "reason": "prepare_documents",
       "note": "制作送达地址确认书"}


def path(dispute) -> str:
    return f"/disputes/{dispute.pk}/parties/{dispute.party_rows.get(role='debtor').pk}/reveal"


@pytest.mark.parametrize("who", ["clerk", "mediator", "judge"])
def test_the_desk_and_the_court_get_the_numbers_uncached(world, cases, who):
    ours, _theirs = cases
    party = debtor_of(ours)
    response = Api(getattr(world, who), scopes=["documents"]).post(path(ours), ASK)
    assert response.status_code == 200, response.content
    assert response.json() == {"party_row_id": ours.party_rows.get(role="debtor").pk,
                               "name": party.name, "id_number": decrypt(party.id_cipher),
                               "phone": "13812345678"}
    assert response["Cache-Control"] == "no-store"
    event = Event.objects.get(dispute=ours, type=events.PARTY_REVEALED.type)
    assert event.params["reason"] == "prepare_documents"
    timeline = Api(world.director).get(f"/disputes/{ours.pk}/timeline").content.decode()
    assert "party.revealed" in timeline
    assert decrypt(party.id_cipher) not in timeline


@pytest.mark.parametrize("scopes", [["read"], ["read", "intake", "payments"]])
def test_a_token_without_the_documents_scope_is_refused(world, cases, scopes):
    """A full number is a particular the court papers carry: a read-only token (a bank's
    reporting system, a dashboard) never gets one."""
    ours, _theirs = cases
    response = Api(world.clerk, scopes=scopes).post(path(ours), ASK)
    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"
    assert not Event.objects.filter(type=events.PARTY_REVEALED.type).exists()


@pytest.mark.parametrize(("who", "status", "code"), [
    ("agent", 403, "permission_denied"),
    ("supervisor", 403, "permission_denied"),
    ("other_clerk", 404, "dispute_not_found"),
    ("other_mediator", 404, "dispute_not_found"),
    ("other_judge", 404, "dispute_not_found"),
])
def test_who_may_not(world, cases, who, status, code):
    ours, _theirs = cases
    response = Api(getattr(world, who)).post(path(ours), ASK)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert decrypt(debtor_of(ours).id_cipher) not in response.content.decode()


@pytest.mark.parametrize(("ask", "status"), [
    ({**ASK, "note": "看"}, 400),
    ({**ASK, "note": "电话13812345678"}, 400),
    ({**ASK, "reason": "curiosity"}, 422),
    ({**ASK, "fields": []}, 422),
    ({**ASK, "fields": ["bank_account"]}, 422),
])
def test_a_request_without_a_proper_reason_is_refused(world, cases, ask, status):
    ours, _theirs = cases
    response = Api(world.clerk).post(path(ours), ask)
    assert response.status_code == status
    assert response.json()["code"] in ("reveal_invalid", "validation_error")
    assert not Event.objects.filter(type=events.PARTY_REVEALED.type).exists()


def test_anonymous_is_unauthorized(world, cases):
    from django.test import Client

    ours, _theirs = cases
    response = Client().post(f"/api/v1{path(ours)}", data=ASK,
                             content_type="application/json")
    assert response.status_code == 401
