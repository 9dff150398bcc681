"""Sessions: scheduling, the record once made, private caucus notes and attachments."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from django.core.files.base import File
from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import RecordNotFound, Standing, standing_of
from jintiao.disputes.changes import instant, lock_behind, record_event, require_state
from jintiao.disputes.models import Dispute, DisputeParty
from jintiao.disputes.services import dispute_lock
from jintiao.domain import events
from jintiao.domain.lifecycle import State
from jintiao.mediation.models import Attachment, Attendance, CaucusNote, Session, Side
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

@transaction.atomic
def session_schedule(*, actor: User, dispute_id: int, mode: Session.Mode,
                     starts_at: dt.datetime, party_row_ids: Sequence[int] = (),
                     place: str = "", online_link: str = "") -> Session:
    """Schedule a session: time, mode, place or link, and the parties invited."""
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
    if mode == Session.Mode.ONLINE and not online_link.strip():
        raise MediationInvalid("线上调解须填写会议链接", "an online session needs a link")
    if mode in (Session.Mode.FACE_TO_FACE, Session.Mode.BACK_TO_BACK) and not place.strip():
        raise MediationInvalid("现场调解须填写地点", "an in-person session needs a place")
    rows = list(DisputeParty.objects.filter(dispute=dispute, pk__in=party_row_ids))
    if len(rows) != len(set(party_row_ids)):
        raise MediationInvalid("参加人不是本纠纷的当事人", "not a party of this dispute")
    seq = next_seq(dispute.sessions)
    made = Session.objects.create(dispute=dispute, seq=seq, mode=mode, starts_at=starts_at,
                                  place=place.strip(), online_link=online_link.strip(),
                                  scheduled_by=actor)
    Attendance.objects.bulk_create([Attendance(session=made, party_row=r) for r in rows]
                                   + [Attendance(session=made, user=actor)])
    record_event(dispute, events.MEDIATION_SESSION_SCHEDULED, actor, now,
                 {"session": seq, "mode": mode.value, "starts_at": starts_at.isoformat(),
                  "parties": [r.pk for r in rows]})
    return made


def _session_for(actor: User, session_id: int) -> tuple[Session, Dispute, Standing]:
    missing = RecordNotFound("调解会议不存在", "session not found")
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        raise missing
    dispute = lock_behind(actor, session.dispute_id, missing)
    return session, dispute, standing_of(actor, dispute)


@transaction.atomic
def session_record(*, actor: User, session_id: int, record: str,
                   attended: dict[int, bool]) -> Session:
    """Record a held session: the record (笔录) and who attended (party rows → bool)."""
    session, dispute, standing = _session_for(actor, session_id)
    standing.require(Standing.may_mediate, "记录调解")
    require_state(dispute, State.MEDIATING, doing="记录调解笔录")
    if session.status != Session.Status.SCHEDULED:  # a record once made is not rewritten
        raise MediationInvalid("该次调解已记录笔录，笔录不能改写",
                               "the session is already recorded")
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
    session.attendance.filter(user=actor).update(attended=True)
    session.record, session.status = record.strip(), Session.Status.HELD
    session.save(update_fields=["record", "status"])
    session_document(actor, session)
    record_event(dispute, events.MEDIATION_SESSION_HELD, actor, now,
                 {"session": session.seq, "attended": {str(k): v for k, v in attended.items()}})
    return session


@transaction.atomic
def caucus_note_add(*, actor: User, session_id: int, side: Side, text: str) -> CaucusNote:
    """A private note of one side in a back-to-back round. The event names the side only."""
    session, dispute, standing = _session_for(actor, session_id)
    standing.require(Standing.may_write_caucus, "记录背对背谈话")
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
    """Store a recording or evidence through the storage API, with its SHA-256."""
    session, dispute, standing = _session_for(actor, session_id)
    standing.require(Standing.may_write_caucus if side else Standing.may_mediate, "上传附件")
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
