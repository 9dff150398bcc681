"""The notices the desk serves and the session record, generated as documents."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.disputes.access import PermissionDenied
from jintiao.documents.models import Document
from jintiao.mediation.services import notice_generate, session_record, session_schedule
from jintiao.mediation.services.common import MediationInvalid as Invalid


def test_notices_and_the_session_record_are_documents(desk, mediating):
    made = notice_generate(actor=desk.clerk, dispute_id=mediating.pk, kind="acceptance_notice")
    assert made.title == "受理通知书"
    assert mediating.number in made.html
    with pytest.raises(Invalid, match="不予受理"):
        notice_generate(actor=desk.clerk, dispute_id=mediating.pk,
                        kind="non_acceptance_notice")
    with pytest.raises(PermissionDenied):
        notice_generate(actor=desk.agent, dispute_id=mediating.pk, kind="options_notice")
    notice_generate(actor=desk.mediator, dispute_id=mediating.pk, kind="options_notice")
    session = session_schedule(actor=desk.mediator, dispute_id=mediating.pk, mode="face_to_face",
                               starts_at=clock.now() - dt.timedelta(hours=1), place="调解室")
    rows = {a.party_row_id: True for a in session.attendance.filter(party_row__isnull=False)}
    session_record(actor=desk.mediator, session_id=session.pk,
                   record="双方陈述意见。\n调解员释法。", attended=rows)
    record = Document.objects.get(dispute=mediating, kind="session_record")
    assert "调解员释法" in record.html
    assert "调解室" in record.html
