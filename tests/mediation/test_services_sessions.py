"""Sessions, their records and attachments, and the private notes of back-to-back rounds."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.base import ContentFile

from jintiao import clock
from jintiao.disputes.access import PermissionDenied, RecordNotFound, standing_of
from jintiao.mediation import selectors
from jintiao.mediation.models import Attachment, Session, Side
from jintiao.mediation.services import (
    MediationInvalid,
    attachment_add,
    caucus_note_add,
    session_record,
    session_schedule,
)

AN_HOUR_AGO = dt.timedelta(hours=1)


def rows(dispute):
    return [r.pk for r in dispute.party_rows.order_by("pk")]


@pytest.fixture
def back_to_back(desk, mediating):
    return session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                            mode=Session.Mode.BACK_TO_BACK,
                            starts_at=clock.now() - AN_HOUR_AGO,
                            party_row_ids=rows(mediating), place="凯里市综治中心调解室")


class TestSchedule:
    def test_a_session_is_numbered_and_invites_the_parties(self, desk, mediating,
                                                          back_to_back):
        assert back_to_back.seq == 1
        invited = set(back_to_back.attendance.exclude(party_row=None)
                      .values_list("party_row_id", flat=True))
        assert invited == set(rows(mediating))
        assert back_to_back.attendance.filter(user=desk.mediator).exists()
        event = mediating.events.order_by("-seq").first()
        assert (event.type, event.params["mode"]) == ("mediation.session_scheduled",
                                                      "back_to_back")

    @pytest.mark.parametrize(("mode", "place", "link", "why"), [
        (Session.Mode.ONLINE, "", "", "会议链接"),
        (Session.Mode.FACE_TO_FACE, "", "", "地点"),
    ])
    def test_a_session_needs_a_place_or_a_link(self, desk, mediating, mode, place, link, why):
        with pytest.raises(MediationInvalid, match=why):
            session_schedule(actor=desk.mediator, dispute_id=mediating.pk, mode=mode,
                             starts_at=clock.now(), place=place, online_link=link)
        assert not mediating.sessions.exists()

    def test_only_parties_of_this_dispute_are_invited(self, desk, mediating, cases):
        other = cases[1].party_rows.first().pk
        with pytest.raises(MediationInvalid, match="不是本纠纷的当事人"):
            session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                             mode=Session.Mode.PHONE, starts_at=clock.now(),
                             party_row_ids=[other])

    def test_the_bank_cannot_schedule(self, desk, mediating):
        with pytest.raises(PermissionDenied):
            session_schedule(actor=desk.agent, dispute_id=mediating.pk,
                             mode=Session.Mode.PHONE, starts_at=clock.now())


class TestRecord:
    def test_the_record_and_attendance_are_kept(self, desk, mediating, back_to_back):
        creditor, debtor = rows(mediating)

        held = session_record(actor=desk.mediator, session_id=back_to_back.pk,
                              record="双方分别陈述意见", attended={creditor: True, debtor: False})

        assert held.status == Session.Status.HELD
        attended = dict(held.attendance.exclude(party_row=None)
                        .values_list("party_row_id", "attended"))
        assert attended == {creditor: True, debtor: False}
        assert held.attendance.get(user=desk.mediator).attended is True

    def test_a_session_cannot_be_recorded_before_it_starts(self, desk, mediating):
        later = session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                                 mode=Session.Mode.PHONE,
                                 starts_at=clock.now() + dt.timedelta(days=2))
        with pytest.raises(MediationInvalid, match="尚未开始"):
            session_record(actor=desk.mediator, session_id=later.pk, record="提前记录",
                           attended={})

    def test_someone_not_invited_cannot_be_marked_present(self, desk, mediating, cases):
        session = session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                                   mode=Session.Mode.PHONE, starts_at=clock.now() - AN_HOUR_AGO)
        with pytest.raises(MediationInvalid, match="未受邀"):
            session_record(actor=desk.mediator, session_id=session.pk, record="记录",
                           attended={rows(mediating)[0]: True})

    def test_another_committees_clerk_finds_no_such_session(self, desk, back_to_back):
        with pytest.raises(RecordNotFound):
            session_record(actor=desk.other_clerk, session_id=back_to_back.pk, record="x",
                           attended={})


class TestCaucus:
    def test_a_private_note_is_read_by_its_side_and_the_mediators_only(self, desk, mediating,
                                                                       back_to_back):
        caucus_note_add(actor=desk.mediator, session_id=back_to_back.pk, side=Side.CREDITOR,
                        text="银行坚持一次性清偿，内部可接受最长36期")
        caucus_note_add(actor=desk.mediator, session_id=back_to_back.pk, side=Side.DEBTOR,
                        text="持卡人每月最多能还4,300元")

        def seen(user):
            return {n.text[:4] for n in selectors.caucus_notes_for(
                standing_of(user, mediating), back_to_back)}

        assert seen(desk.mediator) == {"银行坚持", "持卡人每"}
        # README: the mediators and that side read them — not the director who does not
        # mediate this dispute
        assert seen(desk.director) == set()
        assert seen(desk.agent) == {"银行坚持"}
        assert seen(desk.clerk) == set()
        assert seen(desk.supervisor) == set()
        for event in mediating.events.filter(type="mediation.caucus_note"):
            assert set(event.params) == {"session", "side"}  # never what was said

    def test_an_empty_note_is_refused(self, desk, back_to_back):
        with pytest.raises(MediationInvalid):
            caucus_note_add(actor=desk.mediator, session_id=back_to_back.pk,
                            side=Side.DEBTOR, text="   ")

    def test_only_the_desk_writes_notes(self, desk, back_to_back):
        with pytest.raises(PermissionDenied):
            caucus_note_add(actor=desk.agent, session_id=back_to_back.pk, side=Side.CREDITOR,
                            text="银行自行记录")


class TestAttachments:
    def test_a_recording_is_stored_with_its_hash(self, desk, mediating, back_to_back,
                                                 settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        content = "调解录音".encode() * 100

        made = attachment_add(actor=desk.mediator, session_id=back_to_back.pk,
                              kind=Attachment.Kind.RECORDING, name="第1次调解.m4a",
                              content=ContentFile(content, name="x.m4a"))

        assert made.sha256 == hashlib.sha256(content).hexdigest()
        assert made.size == len(content)
        with made.file.open("rb") as stored:
            assert stored.read() == content
        assert mediating.events.order_by("-seq").first().params["sha256"] == made.sha256

    def test_an_empty_file_is_refused(self, desk, back_to_back, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        with pytest.raises(MediationInvalid):
            attachment_add(actor=desk.mediator, session_id=back_to_back.pk,
                           kind=Attachment.Kind.EVIDENCE, name="空.pdf",
                           content=ContentFile(b"", name="e.pdf"))
