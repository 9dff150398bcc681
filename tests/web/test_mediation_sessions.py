"""The sessions on the mediation page and the portal: a stored link that is not a web
address is never a link, sessions are cancelled, moved and their records corrected from
forms under each session (with the service's answer), and who took part is named in full."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from jintiao import clock
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import Track
from jintiao.mediation.models import RecordVersion, Session
from jintiao.mediation.services import (
    action_apply,
    session_cancel,
    session_record,
    session_record_correct,
    session_schedule,
)
from tests.factories import intake
from tests.portal.helpers import debtor_of, party_sign_in

AN_HOUR = dt.timedelta(hours=1)
SCRIPT = "javascript:alert(document.cookie)"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(user, dispute) -> str:
    return client_for(user).get(f"/disputes/{dispute.pk}/mediation/").content.decode()


def wall(at: dt.datetime) -> str:
    return at.astimezone(clock.TZ).strftime("%Y-%m-%dT%H:%M")


def online(desk, dispute, *, at=None) -> Session:
    return session_schedule(actor=desk.mediator, dispute_id=dispute.pk, mode=Session.Mode.ONLINE,
                            starts_at=at or clock.now() + dt.timedelta(days=1),
                            party_row_ids=list(dispute.party_rows.values_list("pk", flat=True)),
                            online_link="https://meeting.example.com/j/1")


def stored_script(session: Session) -> None:
    """A row saved before links were checked: a script where the link should be."""
    Session.objects.filter(pk=session.pk).update(online_link=SCRIPT)


class TestMeetingLinks:
    def test_the_workbench_never_makes_a_stored_script_a_link(self, desk, mediating):
        stored_script(online(desk, mediating))

        html = page(desk.mediator, mediating)

        assert 'href="javascript:' not in html.lower()
        assert "会议链接不是网址，未显示" in html

    def test_the_workbench_links_a_web_address(self, desk, mediating):
        online(desk, mediating)
        assert 'href="https://meeting.example.com/j/1"' in page(desk.agent, mediating)

    def test_the_portal_never_makes_a_stored_script_a_link(self, desk, mediating):
        stored_script(online(desk, mediating))
        client = Client()
        client.force_login(party_sign_in(debtor_of(mediating)))

        html = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()

        assert "第1次" in html
        assert "javascript:" not in html.lower()
        assert "进入线上调解" not in html

    def test_the_portal_links_a_web_address_for_a_session_to_come(self, desk, mediating):
        online(desk, mediating)
        client = Client()
        client.force_login(party_sign_in(debtor_of(mediating)))
        html = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()
        assert 'href="https://meeting.example.com/j/1"' in html

    def test_scheduling_with_a_script_says_why_and_writes_nothing(self, desk, mediating):
        response = client_for(desk.mediator).post(f"/disputes/{mediating.pk}/sessions/", {
            "mode": "online", "starts_at": wall(clock.now() + AN_HOUR),
            "online_link": SCRIPT}, follow=True)

        assert "会议链接须为以 http:// 或 https:// 开头的网址" in response.content.decode()
        assert not mediating.sessions.exists()


class TestChangesFromThePage:
    def test_a_session_is_moved_from_its_form(self, desk, mediating):
        session = online(desk, mediating)
        later = (clock.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)

        response = client_for(desk.mediator).post(f"/sessions/{session.pk}/reschedule/", {
            "starts_at": wall(later), "place": "",
            "online_link": "https://meeting.example.com/j/2"}, follow=True)

        session.refresh_from_db()
        assert (session.starts_at, session.reschedules) == (later, 1)
        html = response.content.decode()
        assert "已改期，请重新通知当事人" in html
        assert "已改期1次" in html

    def test_a_refused_move_shows_the_services_reason(self, desk, mediating):
        session = online(desk, mediating)
        response = client_for(desk.mediator).post(f"/sessions/{session.pk}/reschedule/", {
            "starts_at": wall(clock.now() - AN_HOUR), "place": "",
            "online_link": "https://meeting.example.com/j/1"}, follow=True)
        assert "改期后的调解时间须晚于现在" in response.content.decode()
        session.refresh_from_db()
        assert session.reschedules == 0

    def test_a_session_is_cancelled_with_its_reason_and_the_portal_says_so(self, desk,
                                                                           mediating):
        session = online(desk, mediating)

        response = client_for(desk.mediator).post(f"/sessions/{session.pk}/cancel/",
                                                  {"reason": "债务人申请延期"}, follow=True)

        html = response.content.decode()
        assert "已取消该次调解" in html
        assert "取消，理由：债务人申请延期" in html
        assert "确认改期" not in html  # a cancelled session offers no more changes
        client = Client()
        client.force_login(party_sign_in(debtor_of(mediating)))
        portal = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()
        assert "已取消" in portal
        assert "债务人申请延期" in portal
        assert "进入线上调解" not in portal

    def test_a_held_session_offers_a_correction_not_a_cancellation(self, desk, mediating):
        session = online(desk, mediating, at=clock.now() - AN_HOUR)
        session_record(actor=desk.mediator, session_id=session.pk, record="第一稿",
                       attended={})
        html = page(desk.mediator, mediating)
        assert "更正笔录" in html
        assert "确认取消" not in html

        response = client_for(desk.mediator).post(f"/sessions/{session.pk}/cancel/",
                                                  {"reason": "误操作"}, follow=True)

        assert "已举行并记录笔录，不能取消" in response.content.decode()
        session.refresh_from_db()
        assert session.status == Session.Status.HELD

    def test_a_record_is_corrected_and_its_history_shown(self, desk, mediating):
        session = online(desk, mediating, at=clock.now() - AN_HOUR)
        session_record(actor=desk.mediator, session_id=session.pk, record="同意分12期",
                       attended={})

        response = client_for(desk.director).post(
            f"/sessions/{session.pk}/record/correction/",
            {"record": "同意分24期", "reason": "期数笔误"}, follow=True)

        html = response.content.decode()
        assert "已更正调解笔录，原笔录已保留" in html
        assert "同意分24期" in html
        assert "笔录更正记录（1次）" in html
        assert "同意分12期" in html
        assert f"{desk.director}于" in html
        assert "理由：期数笔误" in html
        assert RecordVersion.objects.get(session=session).text == "同意分12期"

    def test_the_bank_sees_no_forms_and_its_posts_are_refused(self, desk, mediating):
        session = online(desk, mediating)
        html = page(desk.agent, mediating)
        assert "确认改期" not in html
        assert "确认取消" not in html

        client_for(desk.agent).post(f"/sessions/{session.pk}/cancel/", {"reason": "银行"})

        session.refresh_from_db()
        assert session.status == Session.Status.SCHEDULED

    @pytest.mark.parametrize(("path", "body"), [
        ("cancel/", {"reason": "x"}),
        ("reschedule/", {"starts_at": "2030-01-01T10:00"}),
        ("record/correction/", {"record": "x", "reason": "y"}),
    ])
    def test_another_committee_finds_no_such_session(self, desk, mediating, path, body):
        session = online(desk, mediating)
        events = mediating.events.count()
        response = client_for(desk.other_clerk).post(f"/sessions/{session.pk}/{path}", body)
        assert response.status_code == 404
        assert mediating.events.count() == events


class TestWhoTookPart:
    def test_the_participant_line_names_every_mediator_who_came(self, desk):
        dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch)
        dispute = action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                               expected_version=1, notice_served=True)
        dispute = action_apply(actor=desk.director, dispute_id=dispute.pk, action=Action.ASSIGN,
                               expected_version=dispute.version, track=Track.SIMPLE,
                               mediators=[desk.mediator, desk.other_mediator])
        session = online(desk, dispute, at=clock.now() - AN_HOUR)
        form = page(desk.mediator, dispute)
        assert "出席的其他调解员" in form
        assert str(desk.other_mediator) in form

        client_for(desk.mediator).post(f"/sessions/{session.pk}/record/", {
            "record": "双方到场", "staff": [desk.other_mediator.pk]})

        html = page(desk.clerk, dispute)
        line = html.split('class="mute participants"')[1].split("</p>")[0]
        assert f"{desk.mediator}（出席）" in line
        assert f"{desk.other_mediator}（出席）" in line


def test_the_timeline_tells_the_changes_in_words(desk, mediating):
    session = online(desk, mediating)
    later = (clock.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    client_for(desk.mediator).post(f"/sessions/{session.pk}/reschedule/", {
        "starts_at": wall(later), "online_link": "https://meeting.example.com/j/1"})
    session_cancel(actor=desk.mediator, session_id=session.pk, reason="双方已自行和解")
    held = online(desk, mediating, at=clock.now() - AN_HOUR)
    session_record(actor=desk.mediator, session_id=held.pk, record="初稿", attended={})
    session_record_correct(actor=desk.mediator, session_id=held.pk, record="定稿",
                           reason="补充当事人意见")

    html = client_for(desk.clerk).get(f"/disputes/{mediating.pk}/").content.decode()
    timeline = html.split('class="timeline"')[1]

    assert f"调解改期</b> 第1次，改至{later.astimezone(clock.TZ):%Y-%m-%d %H:%M}" in timeline
    cancelled = timeline.split("取消调解</b> 第1次")[1].split("</li>")[0]
    assert "理由：双方已自行和解" in cancelled
    corrected = timeline.split("更正调解笔录</b> 第2次，第2版")[1].split("</li>")[0]
    assert "理由：补充当事人意见" in corrected
    assert "mediation." not in timeline
