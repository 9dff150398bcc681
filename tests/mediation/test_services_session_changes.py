"""A session changed after it was scheduled: cancelled with a reason, moved to a new time,
place or link, its record corrected with the earlier text kept; who took part named in full;
and a meeting link that is only ever a web address."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.disputes.access import PermissionDenied, RecordNotFound
from jintiao.documents.models import Document
from jintiao.domain.errors import ErrorCode
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import Track
from jintiao.domain.sessions import MeetingLinkInvalid, SessionChangeRefused
from jintiao.mediation.models import RecordVersion, Session
from jintiao.mediation.services import (
    MediationDeadlinePassed,
    MediationInvalid,
    action_apply,
    session_cancel,
    session_record,
    session_record_correct,
    session_reschedule,
    session_schedule,
)
from jintiao.outreach import selectors as outreach
from tests.factories import intake

AN_HOUR = dt.timedelta(hours=1)
TOMORROW = dt.timedelta(days=1)


def rows(dispute):
    return [r.pk for r in dispute.party_rows.order_by("pk")]


def schedule(desk, dispute, *, at=None, mode=Session.Mode.FACE_TO_FACE, **kw):
    return session_schedule(actor=desk.mediator, dispute_id=dispute.pk, mode=mode,
                            starts_at=at or clock.now() + TOMORROW,
                            party_row_ids=rows(dispute),
                            **({"place": "凯里市综治中心调解室"} | kw))


def held(desk, dispute, text="双方到场，债务人同意分期"):
    session = schedule(desk, dispute, at=clock.now() - AN_HOUR)
    return session_record(actor=desk.mediator, session_id=session.pk, record=text,
                          attended=dict.fromkeys(rows(dispute), True))


def last_event(dispute):
    return dispute.events.order_by("-seq").first()


class TestMeetingLink:
    @pytest.mark.parametrize("link", ["javascript:alert(document.cookie)",
                                      "JavaScript:alert(1)", "data:text/html,<b>x</b>",
                                      "meeting.example.com/j/1"])
    def test_a_link_that_is_not_a_web_address_is_refused_and_nothing_written(
            self, desk, mediating, link):
        events = mediating.events.count()

        with pytest.raises(MeetingLinkInvalid, match="http") as refused:
            schedule(desk, mediating, mode=Session.Mode.ONLINE, place="", online_link=link)

        assert refused.value.code == ErrorCode.MEETING_LINK_INVALID
        assert not mediating.sessions.exists()
        assert mediating.events.count() == events

    def test_a_web_address_is_kept(self, desk, mediating):
        made = schedule(desk, mediating, mode=Session.Mode.ONLINE, place="",
                        online_link=" https://meeting.example.com/j/123 ")
        assert made.online_link == "https://meeting.example.com/j/123"


class TestPlace:
    """The place is printed on the notice each party receives, as the desk typed it."""

    @pytest.mark.parametrize("place", ["调解室\u202e101", "调解\u200b室", "调解室\n二楼"])
    def test_a_place_with_characters_that_do_not_print_as_themselves_is_refused(
            self, desk, mediating, place):
        events = mediating.events.count()

        with pytest.raises(MediationInvalid, match="地点含有不可见的字符") as refused:
            schedule(desk, mediating, place=place)

        assert refused.value.details["field"] == "place"
        assert not mediating.sessions.exists()
        assert mediating.events.count() == events

    @pytest.mark.parametrize("place", ["", "   "])
    def test_an_in_person_session_needs_a_place(self, desk, mediating, place):
        with pytest.raises(MediationInvalid, match="须填写地点"):
            schedule(desk, mediating, place=place)
        assert not mediating.sessions.exists()

    def test_a_place_longer_than_the_column_is_refused_in_words(self, desk, mediating):
        with pytest.raises(MediationInvalid, match="地点不超过200字"):
            schedule(desk, mediating, place="调" * 201)
        assert not mediating.sessions.exists()

    def test_a_moved_session_is_checked_the_same_way(self, desk, mediating):
        session = schedule(desk, mediating)
        with pytest.raises(MediationInvalid, match="不可见"):
            session_reschedule(actor=desk.mediator, session_id=session.pk,
                               starts_at=session.starts_at, place="调解室\u2066")
        session.refresh_from_db()
        assert session.place == "凯里市综治中心调解室"


class TestCancel:
    def test_a_session_to_come_is_cancelled_with_its_reason(self, desk, mediating):
        session = schedule(desk, mediating)
        at = clock.now().replace(microsecond=0)

        with clock.pinned(at):
            cancelled = session_cancel(actor=desk.mediator, session_id=session.pk,
                                       reason="债务人住院，无法到场")

        assert cancelled.status == Session.Status.CANCELLED
        assert cancelled.cancel_reason == "债务人住院，无法到场"
        assert (cancelled.cancelled_by, cancelled.cancelled_at) == (desk.mediator, at)
        event = last_event(mediating)
        assert event.type == "mediation.session_cancelled"
        assert event.params["session"] == session.seq
        assert event.params["reason"] == "债务人住院，无法到场"

    def test_a_cancelled_session_is_no_longer_served_as_to_come(self, desk, mediating):
        session = schedule(desk, mediating)
        subject = f"session:{session.pk}"
        assert subject in {s.subject for s in outreach.servables(mediating)}

        session_cancel(actor=desk.mediator, session_id=session.pk, reason="改为线上")

        assert subject not in {s.subject for s in outreach.servables(mediating)}

    def test_a_held_session_cannot_be_cancelled(self, desk, mediating):
        session = held(desk, mediating)
        events = mediating.events.count()

        with pytest.raises(SessionChangeRefused, match="已举行") as refused:
            session_cancel(actor=desk.mediator, session_id=session.pk, reason="误操作")

        assert refused.value.code == ErrorCode.SESSION_CHANGE_REFUSED
        session.refresh_from_db()
        assert session.status == Session.Status.HELD
        assert mediating.events.count() == events

    def test_a_session_is_cancelled_once_and_is_not_recorded_afterwards(self, desk,
                                                                        mediating):
        session = schedule(desk, mediating, at=clock.now() - AN_HOUR)
        session_cancel(actor=desk.mediator, session_id=session.pk, reason="当事人未到场")

        with pytest.raises(SessionChangeRefused, match="已取消"):
            session_cancel(actor=desk.mediator, session_id=session.pk, reason="再取消")
        with pytest.raises(SessionChangeRefused, match="已取消"):
            session_record(actor=desk.mediator, session_id=session.pk, record="补记",
                           attended={})

    def test_a_reason_is_required(self, desk, mediating):
        session = schedule(desk, mediating)
        with pytest.raises(MediationInvalid, match="理由"):
            session_cancel(actor=desk.mediator, session_id=session.pk, reason="  ")
        session.refresh_from_db()
        assert session.status == Session.Status.SCHEDULED

    def test_the_bank_cannot_cancel_and_another_committee_finds_nothing(self, desk,
                                                                        mediating):
        session = schedule(desk, mediating)
        with pytest.raises(PermissionDenied, match="取消调解"):
            session_cancel(actor=desk.agent, session_id=session.pk, reason="银行有事")
        with pytest.raises(RecordNotFound):
            session_cancel(actor=desk.other_clerk, session_id=session.pk, reason="x")
        session.refresh_from_db()
        assert session.status == Session.Status.SCHEDULED


class TestReschedule:
    def test_a_session_moves_to_a_new_time_and_place(self, desk, mediating):
        session = schedule(desk, mediating)
        before = session.starts_at
        later = (clock.now() + 3 * TOMORROW).replace(second=0, microsecond=0)

        moved = session_reschedule(actor=desk.mediator, session_id=session.pk,
                                   starts_at=later, place="炉山镇调解室")

        assert (moved.starts_at, moved.place, moved.reschedules) == (later, "炉山镇调解室", 1)
        assert set(moved.attendance.exclude(party_row=None)
                   .values_list("party_row_id", flat=True)) == set(rows(mediating))
        event = last_event(mediating)
        assert event.type == "mediation.session_rescheduled"
        assert dt.datetime.fromisoformat(event.params["from"]) == before
        assert event.params["to"] == later.astimezone(clock.TZ).isoformat()
        assert event.params["place_changed"] is True

    def test_the_new_time_is_a_new_notice_to_serve(self, desk, mediating):
        session = schedule(desk, mediating)
        session_reschedule(actor=desk.mediator, session_id=session.pk,
                           starts_at=clock.now() + 2 * TOMORROW)

        servable = {s.subject: s.title for s in outreach.servables(mediating)}

        assert f"session:{session.pk}" not in servable
        assert f"session:{session.pk}.1" in servable

    def test_a_session_is_not_moved_into_the_past(self, desk, mediating):
        session = schedule(desk, mediating)
        with pytest.raises(MediationInvalid, match="晚于现在"):
            session_reschedule(actor=desk.mediator, session_id=session.pk,
                               starts_at=clock.now() - AN_HOUR)
        session.refresh_from_db()
        assert session.reschedules == 0

    def test_nothing_changed_is_no_reschedule(self, desk, mediating):
        session = schedule(desk, mediating)
        with pytest.raises(MediationInvalid, match="与原安排相同"):
            session_reschedule(actor=desk.mediator, session_id=session.pk,
                               starts_at=session.starts_at, place=session.place)

    def test_held_and_cancelled_sessions_are_not_moved(self, desk, mediating):
        done = held(desk, mediating)
        gone = schedule(desk, mediating)
        session_cancel(actor=desk.mediator, session_id=gone.pk, reason="改期另行安排")
        for session, why in ((done, "已举行"), (gone, "已取消")):
            with pytest.raises(SessionChangeRefused, match=why):
                session_reschedule(actor=desk.mediator, session_id=session.pk,
                                   starts_at=clock.now() + 2 * TOMORROW)

    def test_an_online_session_keeps_a_web_link(self, desk, mediating):
        session = schedule(desk, mediating, mode=Session.Mode.ONLINE, place="",
                           online_link="https://meeting.example.com/j/1")
        with pytest.raises(MeetingLinkInvalid):
            session_reschedule(actor=desk.mediator, session_id=session.pk,
                               starts_at=session.starts_at,
                               online_link="javascript:alert(1)")
        with pytest.raises(MediationInvalid, match="会议链接"):
            session_reschedule(actor=desk.mediator, session_id=session.pk,
                               starts_at=session.starts_at, online_link="")
        moved = session_reschedule(actor=desk.mediator, session_id=session.pk,
                                   starts_at=session.starts_at,
                                   online_link="https://meeting.example.com/j/2")
        assert moved.online_link == "https://meeting.example.com/j/2"
        assert last_event(mediating).params["link_changed"] is True

    def test_past_the_deadline_a_session_is_not_moved(self, desk, mediating):
        session = schedule(desk, mediating)
        with clock.pinned(dt.datetime.combine(mediating.deadline + TOMORROW, dt.time(10),
                                              tzinfo=clock.TZ)), \
                pytest.raises(MediationDeadlinePassed):
            session_reschedule(actor=desk.mediator, session_id=session.pk,
                               starts_at=clock.now() + TOMORROW)

    def test_the_bank_cannot_move_a_session(self, desk, mediating):
        session = schedule(desk, mediating)
        with pytest.raises(PermissionDenied):
            session_reschedule(actor=desk.agent, session_id=session.pk,
                               starts_at=clock.now() + 2 * TOMORROW)


class TestCorrectRecord:
    def test_a_correction_keeps_the_old_text_with_who_when_and_why(self, desk, mediating):
        session = held(desk, mediating, "债务人同意分12期")
        documents = Document.objects.filter(dispute=mediating).count()

        kept = session_record_correct(actor=desk.director, session_id=session.pk,
                                      record="债务人同意分24期",
                                      reason="记录人笔误，期数应为24期")

        session.refresh_from_db()
        assert session.record == "债务人同意分24期"
        assert session.recorded_by == desk.director
        assert (kept.version, kept.text, kept.written_by) == (1, "债务人同意分12期",
                                                              desk.mediator)
        assert (kept.corrected_by, kept.reason) == (desk.director, "记录人笔误，期数应为24期")
        assert kept.written_at is not None
        assert kept.corrected_at >= kept.written_at
        event = last_event(mediating)
        assert (event.type, event.params["version"]) == ("mediation.record_corrected", 2)
        assert "债务人同意" not in str(event.params)  # the record is on the page, not the event
        newest = Document.objects.filter(dispute=mediating).order_by("-seq").first()
        assert Document.objects.filter(dispute=mediating).count() == documents + 1
        assert newest.source == f"session:{session.pk}:v2"
        assert "债务人同意分24期" in newest.html
        assert "系对第1版的更正" in newest.html

    def test_each_correction_is_a_new_version(self, desk, mediating):
        session = held(desk, mediating, "第一稿")
        session_record_correct(actor=desk.mediator, session_id=session.pk, record="第二稿",
                               reason="补充")
        session_record_correct(actor=desk.mediator, session_id=session.pk, record="第三稿",
                               reason="再补充")
        assert list(RecordVersion.objects.filter(session=session).order_by("version")
                    .values_list("version", "text")) == [(1, "第一稿"), (2, "第二稿")]

    def test_a_record_never_saved_cannot_be_corrected(self, desk, mediating):
        to_come = schedule(desk, mediating)
        cancelled = schedule(desk, mediating)
        session_cancel(actor=desk.mediator, session_id=cancelled.pk, reason="取消")
        for session, why in ((to_come, "尚未记录笔录"), (cancelled, "已取消")):
            with pytest.raises(SessionChangeRefused, match=why):
                session_record_correct(actor=desk.mediator, session_id=session.pk,
                                       record="补写", reason="补写")
        assert not RecordVersion.objects.exists()

    @pytest.mark.parametrize(("record", "reason", "why"), [
        ("债务人同意分期", "无变化", "相同"),
        ("   ", "清空", "不能为空"),
        ("改写", "  ", "理由"),
    ])
    def test_a_correction_needs_a_new_text_and_a_reason(self, desk, mediating, record,
                                                        reason, why):
        session = held(desk, mediating, "债务人同意分期")
        with pytest.raises(MediationInvalid, match=why):
            session_record_correct(actor=desk.mediator, session_id=session.pk, record=record,
                                   reason=reason)
        session.refresh_from_db()
        assert session.record == "债务人同意分期"
        assert not RecordVersion.objects.exists()

    def test_a_record_is_not_rewritten_by_recording_again(self, desk, mediating):
        session = held(desk, mediating)
        with pytest.raises(SessionChangeRefused, match="更正笔录"):
            session_record(actor=desk.mediator, session_id=session.pk, record="重写",
                           attended={})

    def test_the_bank_cannot_correct_a_record(self, desk, mediating):
        session = held(desk, mediating)
        with pytest.raises(PermissionDenied):
            session_record_correct(actor=desk.agent, session_id=session.pk, record="银行版本",
                                   reason="银行认为不准确")


@pytest.fixture
def two_mediators(desk):
    """A dispute mediated by ``desk.mediator`` (lead) and ``desk.other_mediator``."""
    dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch)
    dispute = action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                           expected_version=1, notice_served=True)
    return action_apply(actor=desk.director, dispute_id=dispute.pk, action=Action.ASSIGN,
                        expected_version=dispute.version, track=Track.SIMPLE,
                        mediators=[desk.mediator, desk.other_mediator])


class TestWhoTookPart:
    def test_every_mediator_of_the_team_is_invited(self, desk, two_mediators):
        session = schedule(desk, two_mediators)
        staff = set(session.attendance.exclude(user=None).values_list("user_id", flat=True))
        assert staff == {desk.mediator.pk, desk.other_mediator.pk}

    def test_the_record_names_every_mediator_who_came(self, desk, two_mediators):
        session = schedule(desk, two_mediators, at=clock.now() - AN_HOUR)

        session_record(actor=desk.mediator, session_id=session.pk, record="双方到场",
                       attended=dict.fromkeys(rows(two_mediators), True),
                       staff_attended={desk.other_mediator.pk: True})

        came = dict(session.attendance.exclude(user=None).values_list("user_id", "attended"))
        assert came == {desk.mediator.pk: True, desk.other_mediator.pk: True}
        document = Document.objects.filter(dispute=two_mediators,
                                           source=f"session:{session.pk}").get()
        line = next(p for p in document.html.split("<p") if "到场人员" in p)
        assert str(desk.mediator) in line
        assert str(desk.other_mediator) in line
        assert last_event(two_mediators).params["staff"] == {
            str(desk.mediator.pk): True, str(desk.other_mediator.pk): True}

    def test_a_mediator_who_stayed_away_is_not_named(self, desk, two_mediators):
        session = schedule(desk, two_mediators, at=clock.now() - AN_HOUR)
        session_record(actor=desk.mediator, session_id=session.pk, record="电话调解",
                       attended={}, staff_attended={desk.other_mediator.pk: False})
        document = Document.objects.filter(dispute=two_mediators,
                                           source=f"session:{session.pk}").get()
        line = next(p for p in document.html.split("<p") if "到场人员" in p)
        assert str(desk.mediator) in line
        assert str(desk.other_mediator) not in line

    def test_someone_off_the_team_is_not_marked_present(self, desk, two_mediators):
        session = schedule(desk, two_mediators, at=clock.now() - AN_HOUR)
        with pytest.raises(MediationInvalid, match="不是本纠纷的调解员"):
            session_record(actor=desk.mediator, session_id=session.pk, record="记录",
                           attended={}, staff_attended={desk.agent.pk: True})
        session.refresh_from_db()
        assert session.status == Session.Status.SCHEDULED
