"""Rendering documents: a record typed with control characters still makes a document (they
are dropped when rendered), and the API refuses such text at the door."""

from __future__ import annotations

import datetime as dt

from jintiao import clock
from jintiao.documents.models import Document
from jintiao.mediation.services import session_record, session_schedule
from tests.api.client import Api


def test_control_characters_never_break_a_document(desk, mediating):
    session = session_schedule(actor=desk.mediator, dispute_id=mediating.pk, mode="phone",
                               starts_at=clock.now() - dt.timedelta(hours=1))
    session_record(actor=desk.mediator, session_id=session.pk, record="双方\x01陈述", attended={})
    assert "双方陈述" in Document.objects.get(kind="session_record").html
    answer = Api(desk.mediator).post(f"/sessions/{session.pk}/record",
                                     {"record": "笔录\x01", "attended": {}})
    assert answer.status_code == 422
