"""查看完整号码 on the dispute page: offered to the committee's desk and the court only, asked
with a reason, answered once and never cached; the supervisors' list of who saw whose data;
the token page where a holder or their institution's approver stops a token."""

from __future__ import annotations

import pytest
from django.test import Client

from jintiao.domain import events
from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import ApiToken
from jintiao.orgs.services import token_create
from jintiao.parties.crypto import decrypt
from jintiao.timeline.models import Event
from tests.factories import UserFactory
from tests.portal.helpers import debtor_of, party_sign_in
from tests.web.test_accessibility import problems
from tests.web.test_views import client_for

ASK = {"what": ["id_number", "phone"], "reason": "verify_identity", "note": "调解前核对身份证原件"}


def reveal_path(dispute) -> str:
    return f"/disputes/{dispute.pk}/parties/{dispute.party_rows.get(role='debtor').pk}/reveal/"


def test_the_desk_asks_with_a_reason_and_sees_the_numbers_once(world, cases):
    ours, _theirs = cases
    party = debtor_of(ours)
    number = decrypt(party.id_cipher)
    client = client_for(world.mediator)
    page = client.get(f"/disputes/{ours.pk}/").content.decode()
    assert "查看完整号码" in page
    assert number not in page
    form = client.get(reveal_path(ours))
    assert number not in form.content.decode()
    assert problems(form.content.decode()) == []
    answer = client.post(reveal_path(ours), ASK)
    html = answer.content.decode()
    assert number in html
    assert "13812345678" in html
    assert "no-store" in answer["Cache-Control"]
    assert problems(html) == []
    event = Event.objects.get(dispute=ours, type=events.PARTY_REVEALED.type)
    assert event.actor == world.mediator
    timeline = client.get(f"/disputes/{ours.pk}/").content.decode()
    assert "查看当事人完整号码" in timeline
    assert "理由：核验当事人身份（调解前核对身份证原件）" in timeline
    assert number not in timeline


@pytest.mark.parametrize(("ask", "said"), [
    ({**ASK, "note": "看"}, "具体说明至少要写4个字"),
    ({**ASK, "reason": ""}, "请选择查看理由"),
    ({**ASK, "what": []}, "请选择查看内容"),
    ({**ASK, "note": "号码13812345678"}, "请勿填写"),
])
def test_a_request_without_a_proper_reason_is_sent_back_at_its_field(world, cases, ask,
                                                                      said):
    ours, _theirs = cases
    response = client_for(world.clerk).post(reveal_path(ours), ask)
    html = response.content.decode()
    assert response.status_code == 200
    assert said in html
    assert decrypt(debtor_of(ours).id_cipher) not in html
    assert "no-store" in response["Cache-Control"]
    assert problems(html) == []
    assert not Event.objects.filter(type=events.PARTY_REVEALED.type).exists()


@pytest.mark.parametrize("who", ["agent", "supervisor", "other_clerk", "other_mediator",
                                 "banker_mediator", "debtor"])
def test_others_are_neither_offered_nor_shown_it(world, cases, who):
    ours, _theirs = cases
    if who == "debtor":
        world.debtor = party_sign_in(debtor_of(ours))
    client = client_for(getattr(world, who))
    page = client.get(f"/disputes/{ours.pk}/").content.decode()
    assert "查看完整号码" not in page
    for response in (client.get(reveal_path(ours)), client.post(reveal_path(ours), ASK)):
        assert response.status_code in (302, 403, 404)  # the debtor: back to the portal
        assert decrypt(debtor_of(ours).id_cipher) not in response.content.decode()
    assert not Event.objects.filter(type=events.PARTY_REVEALED.type).exists()


def test_anyone_not_signed_in_is_sent_to_sign_in(world, cases):
    ours, _theirs = cases
    response = Client().post(reveal_path(ours), ASK)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not Event.objects.filter(type=events.PARTY_REVEALED.type).exists()


class TestSupervisorsList:
    def test_who_saw_whose_data_when_and_why(self, world, cases):
        ours, _theirs = cases
        client_for(world.judge).post(reveal_path(ours), {**ASK, "what": ["phone"],
                                                         "reason": "court_review",
                                                         "note": "审查司法确认申请"})
        client = client_for(world.supervisor)
        home = client.get("/supervision/").content.decode()
        assert "个人信息查阅记录" in home
        page = client.get("/supervision/personal-data/")
        html = page.content.decode()
        assert problems(html) == []
        row = html[html.index('id="personal-data"'):]
        assert ours.number in row
        assert str(world.judge) in row
        assert debtor_of(ours).name in row
        assert "手机号码" in row
        assert "司法确认立案或审查（审查司法确认申请）" in row
        assert "13812345678" not in html

    def test_a_county_supervisor_sees_only_their_county(self, world, cases):
        ours, _theirs = cases
        client_for(world.clerk).post(reveal_path(ours), ASK)
        html = client_for(world.county_supervisor).get(
            "/supervision/personal-data/").content.decode()
        assert ours.number not in html
        assert "此期间没有查阅记录" in html

    @pytest.mark.parametrize("who", ["agent", "mediator", "judge"])
    def test_it_is_for_supervisors_only(self, world, cases, who):
        response = client_for(getattr(world, who)).get("/supervision/personal-data/")
        assert response.status_code == 404


class TestTokenPage:
    def test_the_holder_sees_and_revokes_their_tokens_without_their_secrets(self, world):
        token = token_create(user=world.agent, system="核心系统", scopes=["read", "intake"])
        client = client_for(world.agent)
        html = client.get("/tokens/").content.decode()
        assert problems(html) == []
        assert token[:8] in html
        assert token not in html
        assert "核心系统" in html
        assert "查询、登记与办理" in html
        row = ApiToken.objects.get()
        client.post(f"/tokens/{row.pk}/revoke/")
        row.refresh_from_db()
        assert row.revoked
        assert row.revoked_by == world.agent

    def test_the_institutions_approver_stops_its_systems_token(self, world):
        approver = UserFactory(organization=world.bank, roles=[Role.APPROVER])
        token_create(user=world.agent, system="催收系统")
        row = ApiToken.objects.get()
        assert "催收系统" in client_for(approver).get("/tokens/").content.decode()
        client_for(approver).post(f"/tokens/{row.pk}/revoke/")
        row.refresh_from_db()
        assert row.revoked

    def test_nobody_else_sees_or_revokes_it(self, world):
        token = token_create(user=world.agent, system="催收系统")
        row = ApiToken.objects.get()
        client = client_for(world.other_agent)
        assert token[:8] not in client.get("/tokens/").content.decode()
        assert client.post(f"/tokens/{row.pk}/revoke/").status_code == 404
        row.refresh_from_db()
        assert not row.revoked
