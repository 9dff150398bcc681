"""Workbench pages: login, the visibility matrix through the web, actions, bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from jintiao.domain.lifecycle import State
from tests.factories import intake


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client



def test_pages_need_a_login(db):
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert Client().get("/login/").status_code == 200


PERSONAS = {"clerk": True, "director": True, "mediator": True, "other_mediator": False,
            "agent": True, "hq_agent": True, "other_agent": False, "judge": True,
            "other_judge": False, "supervisor": True, "county_supervisor": False,
            "other_clerk": False}


@pytest.mark.parametrize(("persona", "sees"), list(PERSONAS.items()))
def test_visibility_matrix_through_the_web(world, cases, persona, sees):
    ours, _ = cases
    client = client_for(getattr(world, persona))
    listing = client.get("/disputes/").content.decode()
    assert (ours.number in listing) is sees
    for filtered in ("?q=" + ours.number, "?mine=on", "?overdue=on&due_soon=on",
                     f"?committee={ours.committee_id}"):
        page = client.get("/disputes/" + filtered)
        assert page.status_code == 200
        if not sees:  # neither the row nor, in the filter choices, its committee
            assert f'href="/disputes/{ours.pk}/"' not in page.content.decode()
            assert f'<option value="{ours.committee_id}"' not in page.content.decode()
    home = client.get("/").content.decode()
    assert (f'href="/disputes/{ours.pk}/"' in home) is (persona == "mediator")
    detail = client.get(f"/disputes/{ours.pk}/")
    assert detail.status_code == (200 if sees else 404)
    posted = client.post(f"/disputes/{ours.pk}/actions/",
                         {"action": "withdraw", "expected_version": ours.version})
    if not sees:
        assert posted.status_code == 404
    assert client.get("/disputes/999999/").status_code == 404


def test_the_clerk_accepts_from_the_dispute_page(world):
    dispute = intake(actor=world.clerk, committee=world.committee)
    client = client_for(world.clerk)
    page = client.get(f"/disputes/{dispute.pk}/").content.decode()
    assert "受理" in page
    response = client.post(f"/disputes/{dispute.pk}/actions/",
                           {"action": "accept", "expected_version": 1, "notice_served": "on"},
                           follow=True)
    assert "已受理" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.state == State.ACCEPTED


def test_the_clerks_confirmation_on_the_accept_form_is_the_notice(world):
    """The 本人确认 box on 受理 offers what the clerk's word can establish — that the parties
    were told of the non-litigation ways — and ticking it accepts and records it."""
    dispute = intake(actor=world.clerk, committee=world.committee)
    client = client_for(world.clerk)
    page = client.get(f"/disputes/{dispute.pk}/").content.decode()
    accept_form = page[page.index('value="accept"'):]
    accept_form = accept_form[:accept_form.index("</form>")]
    assert accept_form.count('type="checkbox"') == 1
    assert "本人确认：已向当事人告知非诉讼纠纷解决方式" in accept_form
    assert "本人确认：纠纷属于" not in page
    decline_form = page[page.index('value="decline"'):]
    assert 'name="attest"' not in decline_form[:decline_form.index("</form>")]
    response = client.post(f"/disputes/{dispute.pk}/actions/",
                           {"action": "accept", "expected_version": 1, "attest": "on"},
                           follow=True)
    assert "已受理" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.state == State.ACCEPTED
    assert dispute.non_litigation_notice_served


def test_a_refusal_is_a_message_and_changes_nothing(world):
    dispute = intake(actor=world.clerk, committee=world.committee)
    client = client_for(world.clerk)
    response = client.post(f"/disputes/{dispute.pk}/actions/",
                           {"action": "accept", "expected_version": 1}, follow=True)
    assert "告知" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.state == State.RECEIVED


@pytest.mark.parametrize("data", [{"action": "fly", "expected_version": 1},
                                  {"action": "accept", "expected_version": "x"},
                                  {"action": "accept", "expected_version": 99999999999999}])
def test_malformed_posts_never_500(world, data):
    dispute = intake(actor=world.clerk, committee=world.committee)
    response = client_for(world.clerk).post(f"/disputes/{dispute.pk}/actions/", data)
    assert response.status_code == 302


def test_filters_and_nul_in_search(world, cases):
    client = client_for(world.supervisor)
    assert client.get("/disputes/?state=mediating").status_code == 200
    assert client.get("/disputes/?q=a%00b").status_code == 200
    assert client.get("/disputes/?page=abc").status_code == 200
    assert client.get("/disputes/?committee=99999999&institution=x&channel=fly").status_code == 200


def test_parties_are_masked_on_the_page(world, cases):
    ours, _ = cases
    page = client_for(world.clerk).get(f"/disputes/{ours.pk}/").content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page


def test_a_file_outside_the_committees_scope_is_flagged_and_cannot_be_accepted(world):
    world.committee.accepted_types = ["credit_card"]
    world.committee.save(update_fields=["accepted_types"])
    dispute = intake(actor=world.clerk, committee=world.committee, dispute_type="insurance")
    assert dispute.events.get().params["out_of_scope"] == ["凯里市金调委不受理保险纠纷"]
    client = client_for(world.clerk)
    page = client.get(f"/disputes/{dispute.pk}/").content.decode()
    assert "不属于本调委会受理范围：凯里市金调委不受理保险纠纷" in page
    response = client.post(f"/disputes/{dispute.pk}/actions/",
                           {"action": "accept", "expected_version": 1, "notice_served": "on"},
                           follow=True)
    assert "受理范围" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.state == State.RECEIVED
    within = intake(actor=world.clerk, committee=world.committee)
    assert within.events.get().params["out_of_scope"] == []
    assert "不属于本调委会受理范围" not in client.get(f"/disputes/{within.pk}/").content.decode()
