"""Sessions: scheduling, moving and cancelling them, the record once made and its
corrections (each earlier text kept), private caucus notes and attachments."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence

from django.core.files.base import File
from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import RecordNotFound, Standing, standing_of
from jintiao.disputes.changes import instant, lock_behind, record_event, require_state
from jintiao.disputes.models import Dispute, DisputeParty
from jintiao.disputes.services import dispute_lock
from jintiao.domain import events
from jintiao.domain.identity import NameInvalid, validate_name
from jintiao.domain.lifecycle import State
from jintiao.domain.sessions import SessionChange, meeting_link, require_change
from jintiao.mediation import selectors
from jintiao.mediation.models import (
    Attachment,
    Attendance,
    CaucusNote,
    RecordVersion,
    Session,
    Side,
)
from jintiao.mediation.services.common import (
    MAX_ATTACHMENT_BYTES,
    SESSION_HORIZON,
    MediationInvalid,
    next_seq,
    require_time_left,
)
from jintiao.mediation.services.paperwork import session_document
from jintiao.orgs.models import User

# --- sessions and caucus ---

PLACE_MAX = Session._meta.get_field("place").max_length or 200

def _where(mode: Session.Mode, place: str, online_link: str) -> tuple[str, str]:
    """The place and link a session of ``mode`` is held at, checked.

    :raises MeetingLinkInvalid: a link that is not an http(s) address
    :raises MediationInvalid: an online session without a link, an in-person one without
        a place, a place longer than 200 characters or holding characters that do not
        print as themselves (it is printed on the notice the parties receive)
    """
    link = meeting_link(online_link)
    if mode == Session.Mode.ONLINE and not link:
        raise MediationInvalid("线上调解须填写会议链接", "an online session needs a link")
    try:
        place = validate_name(place, label="地点")
    except NameInvalid as e:
        raise MediationInvalid(e.message, "the place holds invisible characters",
                               field="place") from e
    if mode in (Session.Mode.FACE_TO_FACE, Session.Mode.BACK_TO_BACK) and not place:
        raise MediationInvalid("现场调解须填写地点", "an in-person session needs a place",
                               field="place")
    if len(place) > PLACE_MAX:
        raise MediationInvalid(f"地点不超过{PLACE_MAX}字", "the place is too long", field="place")
    return place, link


@transaction.atomic
def session_schedule(*, actor: User, dispute_id: int, mode: Session.Mode,
                     starts_at: dt.datetime, party_row_ids: Sequence[int] = (),
                     place: str = "", online_link: str = "",
                     joint: int | None = None) -> Session:
    """Schedule a session: time, mode, place or link, and the parties invited; the
    dispute's mediators (and the one scheduling) are its staff. ``joint`` names the joint
    mediation whose one meeting this is (its event says so).

    :raises MeetingLinkInvalid: a link that is not an http(s) address
    :raises MediationInvalid: no place or link for the mode, a time more than a year off,
        a party of another dispute
    """
    dispute = dispute_lock(actor, dispute_id)
    standing_of(actor, dispute).require(Standing.may_mediate, "安排调解")
    require_state(dispute, State.MEDIATING, doing="安排调解")
    now, today = instant()
    require_time_left(dispute, today)
    mode = Session.Mode(mode)
    if starts_at.tzinfo is None:
        raise MediationInvalid("调解时间须带时区", "starts_at must be aware")
    if abs(starts_at - now) > SESSION_HORIZON:
        raise MediationInvalid("调解时间应在前后一年之内", "starts_at is more than a year away")
    place, link = _where(mode, place, online_link)
    rows = list(DisputeParty.objects.filter(dispute=dispute, pk__in=party_row_ids))
    if len(rows) != len(set(party_row_ids)):
        raise MediationInvalid("参加人不是本纠纷的当事人", "not a party of this dispute")
    seq = next_seq(dispute.sessions)
    made = Session.objects.create(dispute=dispute, seq=seq, mode=mode, starts_at=starts_at,
                                  place=place, online_link=link, scheduled_by=actor)
    staff = [actor.pk, *(m.user_id for m in selectors.team_of(dispute) if m.user_id != actor.pk)]
    Attendance.objects.bulk_create([Attendance(session=made, party_row=r) for r in rows]
                                   + [Attendance(session=made, user_id=pk) for pk in staff])
    record_event(dispute, events.MEDIATION_SESSION_SCHEDULED, actor, now,
                 {"session": seq, "mode": mode.value, "starts_at": starts_at.isoformat(),
                  "parties": [r.pk for r in rows],
                  **({"joint": joint} if joint is not None else {})})
    return made


def _session_for(actor: User, session_id: int, doing: str = "记录调解",
                 gate: Callable[..., bool] = Standing.may_mediate) -> tuple[Session, Dispute]:
    """The session, read again once its dispute is locked (so two desks changing one
    session go in turn, each seeing the other's change), if ``gate`` lets the actor."""
    missing = RecordNotFound("调解会议不存在", "session not found")
    found = Session.objects.filter(pk=session_id).values_list("dispute_id", flat=True).first()
    if found is None:
        raise missing
    dispute = lock_behind(actor, found, missing)
    standing_of(actor, dispute).require(gate, doing)
    return Session.objects.select_related("dispute").get(pk=session_id), dispute


def _staff_present(session: Session, dispute: Dispute, actor: User,
                   staff_attended: Mapping[int, bool]) -> list[Attendance]:
    """The staff rows of a held session: the one recording it was there, and each of the
    dispute's mediators marked present or absent (a member who joined the team after the
    session was scheduled gets a row).

    :raises MediationInvalid: someone who is not one of the dispute's mediators
    """
    rows = {a.user_id: a for a in session.attendance.filter(user__isnull=False)}
    team = {m.user_id for m in selectors.team_of(dispute)}
    unknown = set(staff_attended) - team - set(rows)
    if unknown:
        raise MediationInvalid("出席的工作人员中有人不是本纠纷的调解员",
                               "staff attendance names someone off the team")
    marks = {**{pk: bool(present) for pk, present in staff_attended.items()}, actor.pk: True}
    for pk in marks.keys() - rows.keys():
        rows[pk] = Attendance.objects.create(session=session, user_id=pk)
    for pk, present in marks.items():
        rows[pk].attended = present
    changed = [rows[pk] for pk in marks]
    Attendance.objects.bulk_update(changed, ["attended"])
    return changed


@transaction.atomic
def session_record(*, actor: User, session_id: int, record: str,
                   attended: dict[int, bool],
                   staff_attended: Mapping[int, bool] | None = None) -> Session:
    """Record a held session: the record (笔录), which invited parties came (party rows →
    bool) and which of the dispute's mediators did (user ids → bool; the one recording is
    present). The participant line of the page and the document names all who came.

    :raises SessionChangeRefused: the session is recorded already or was cancelled
    :raises MediationInvalid: an empty record, a session still to come, someone not invited
    """
    session, dispute = _session_for(actor, session_id)
    require_state(dispute, State.MEDIATING, doing="记录调解笔录")
    require_change(session.status, SessionChange.RECORD)
    if not record.strip():
        raise MediationInvalid("调解笔录不能为空", "the record is empty")
    now, _today = instant()
    if session.starts_at > now:
        raise MediationInvalid(f"会议定于{session.starts_at.astimezone(clock.TZ):%Y-%m-%d %H:%M}"
                               "举行，尚未开始", "the session has not started yet")
    rows = {a.party_row_id: a for a in session.attendance.filter(party_row__isnull=False)}
    unknown = set(attended) - set(rows)
    if unknown:
        raise MediationInvalid("出席情况中有未受邀的当事人", "attendance names someone not invited")
    for row_id, present in attended.items():
        rows[row_id].attended = bool(present)
    Attendance.objects.bulk_update([rows[row_id] for row_id in attended], ["attended"])
    staff = _staff_present(session, dispute, actor, staff_attended or {})
    session.record, session.status = record.strip(), Session.Status.HELD
    session.recorded_by, session.recorded_at = actor, now
    session.save(update_fields=["record", "status", "recorded_by", "recorded_at"])
    session_document(actor, session)
    record_event(dispute, events.MEDIATION_SESSION_HELD, actor, now,
                 {"session": session.seq, "attended": {str(k): v for k, v in attended.items()},
                  "staff": {str(a.user_id): a.attended for a in staff}})
    return session


@transaction.atomic
def session_cancel(*, actor: User, session_id: int, reason: str) -> Session:
    """Cancel a session that has not been held, with the reason; it stays on the record
    as cancelled, no longer offered to serve or shown as to come. The desk may tidy a
    session away whatever the dispute's state (mediation may have ended before it).

    :raises SessionChangeRefused: the session was held or is cancelled already
    :raises MediationInvalid: no reason
    """
    session, dispute = _session_for(actor, session_id, "取消调解")
    require_change(session.status, SessionChange.CANCEL)
    if not reason.strip():
        raise MediationInvalid("请写明取消的理由", "a reason is required")
    now, _today = instant()
    session.status = Session.Status.CANCELLED
    session.cancelled_by, session.cancelled_at = actor, now
    session.cancel_reason = reason.strip()[:2000]
    session.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    record_event(dispute, events.MEDIATION_SESSION_CANCELLED, actor, now,
                 {"session": session.seq,
                  "starts_at": session.starts_at.astimezone(clock.TZ).isoformat(),
                  "reason": session.cancel_reason})
    return session


@transaction.atomic
def session_reschedule(*, actor: User, session_id: int, starts_at: dt.datetime,
                       place: str | None = None, online_link: str | None = None) -> Session:
    """Move a session to come to a new time, place or link (``None`` keeps the one it
    has). The parties invited stay; each new time is a new notice to serve
    (``reschedules`` counts the moves).

    :raises SessionChangeRefused: the session was held or cancelled
    :raises MeetingLinkInvalid: a link that is not an http(s) address
    :raises MediationInvalid: a time already past or more than a year off, no place or
        link for the mode, nothing changed
    :raises MediationDeadlinePassed: the mediation is out of time
    """
    session, dispute = _session_for(actor, session_id, "调解改期")
    require_state(dispute, State.MEDIATING, doing="调解改期")
    require_change(session.status, SessionChange.RESCHEDULE)
    now, today = instant()
    require_time_left(dispute, today)
    if starts_at.tzinfo is None:
        raise MediationInvalid("调解时间须带时区", "starts_at must be aware")
    if starts_at <= now:
        raise MediationInvalid("改期后的调解时间须晚于现在", "a session is not moved into the past")
    if starts_at - now > SESSION_HORIZON:
        raise MediationInvalid("调解时间应在一年之内", "starts_at is more than a year away")
    mode = Session.Mode(session.mode)
    new_place, link = _where(mode, session.place if place is None else place,
                             session.online_link if online_link is None else online_link)
    before = (session.starts_at, session.place, session.online_link)
    if (starts_at, new_place, link) == before:
        raise MediationInvalid("改期后的时间、地点和链接与原安排相同", "nothing changed")
    session.starts_at, session.place, session.online_link = starts_at, new_place, link
    session.reschedules += 1
    session.save(update_fields=["starts_at", "place", "online_link", "reschedules"])
    record_event(dispute, events.MEDIATION_SESSION_RESCHEDULED, actor, now,
                 {"session": session.seq, "from": before[0].astimezone(clock.TZ).isoformat(),
                  "to": starts_at.astimezone(clock.TZ).isoformat(), "place": new_place,
                  "place_changed": new_place != before[1], "link_changed": link != before[2]})
    return session


@transaction.atomic
def session_record_correct(*, actor: User, session_id: int, record: str,
                           reason: str) -> RecordVersion:
    """Correct a saved record (笔录): the text it replaces is kept as a prior version with
    who wrote it and when, and who corrected it, when and why; the corrected record is
    issued as a new document (the earlier document stays as it was). Allowed whatever the
    dispute's state: a record is evidence, and an open correction beats a silent one.

    :raises SessionChangeRefused: no record was ever saved (to come, or cancelled)
    :raises MediationInvalid: an empty record or reason, a text the same as the record
    """
    session, dispute = _session_for(actor, session_id, "更正调解笔录")
    require_change(session.status, SessionChange.CORRECT)
    if not record.strip():
        raise MediationInvalid("调解笔录不能为空", "the record is empty")
    if not reason.strip():
        raise MediationInvalid("请写明更正的理由", "a reason is required")
    if record.strip() == session.record:
        raise MediationInvalid("更正后的笔录与原笔录相同", "the record is unchanged")
    now, _today = instant()
    version = session.record_versions.count() + 1
    kept = RecordVersion.objects.create(
        session=session, version=version, text=session.record, written_by=session.recorded_by,
        written_at=session.recorded_at, corrected_by=actor, corrected_at=now,
        reason=reason.strip()[:2000])
    session.record, session.recorded_by, session.recorded_at = record.strip(), actor, now
    session.save(update_fields=["record", "recorded_by", "recorded_at"])
    session_document(actor, session, correction=(version + 1, kept.reason))
    record_event(dispute, events.MEDIATION_RECORD_CORRECTED, actor, now,
                 {"session": session.seq, "version": version + 1, "reason": kept.reason})
    return kept


@transaction.atomic
def caucus_note_add(*, actor: User, session_id: int, side: Side, text: str) -> CaucusNote:
    """A private note of one side in a back-to-back round. The event names the side only."""
    session, dispute = _session_for(actor, session_id, "记录背对背谈话", Standing.may_write_caucus)
    require_state(dispute, State.MEDIATING, doing="记录背对背谈话")
    side = Side(side)
    if not text.strip():
        raise MediationInvalid("谈话记录不能为空", "the note is empty")
    now, _today = instant()
    note = CaucusNote.objects.create(session=session, side=side, text=text.strip(),
                                     author=actor, created_at=now)
    record_event(dispute, events.MEDIATION_CAUCUS_NOTE, actor, now,
                 {"session": session.seq, "side": side.value})
    return note


@transaction.atomic
def attachment_add(*, actor: User, session_id: int, kind: Attachment.Kind, name: str,
                   content: File[bytes], side: str = "") -> Attachment:
    """Store a recording or evidence through the storage API, with its SHA-256 (one side's
    private file: the team only)."""
    session, dispute = _session_for(actor, session_id, "上传附件",
                                    Standing.may_write_caucus if side else Standing.may_mediate)
    if side and side not in Side.values:
        raise MediationInvalid("可见范围无效", "unknown side")
    size = content.size or 0
    if not 0 < size <= MAX_ATTACHMENT_BYTES:
        raise MediationInvalid("附件为空或超过200MB", "attachment empty or too large")
    digest = hashlib.sha256()
    for chunk in content.chunks():
        digest.update(chunk)
    content.seek(0)
    now, _today = instant()
    made = Attachment(session=session, kind=Attachment.Kind(kind), side=side,
                      name=name.strip()[:200] or "附件", size=size,
                      sha256=digest.hexdigest(), uploaded_by=actor, uploaded_at=now)
    made.file.save(f"{digest.hexdigest()[:16]}.bin", content, save=False)
    made.save()
    record_event(dispute, events.MEDIATION_ATTACHMENT_ADDED, actor, now,
                 {"session": session.seq, "kind": made.kind, "side": side, "sha256": made.sha256})
    return made
