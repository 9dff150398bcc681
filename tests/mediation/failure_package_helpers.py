"""A failed mediation with its undisputed facts confirmed and evidence shared in a session:
what the failure package is made from."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from jintiao import clock
from jintiao.disputes.models import Dispute, DisputeParty, DisputeType
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import Track
from jintiao.mediation.models import Attachment, Session
from jintiao.mediation.services import (
    action_apply,
    attachment_add,
    session_schedule,
    undisputed_facts_confirm,
    undisputed_facts_record,
)
from tests.factories import intake

FACTS = ("借款合同约定借款金额250,000元，于2024年1月5日发放",
         "借款年利率为6%，按月等额本息还款",
         "借款人自2025年3月21日起未按期还款")
# the desk's ties of the facts above to the complaint's elements
TIES = {1: "amount", 2: "rate", 3: "overdue"}


def under_mediation(desk, dispute_type: DisputeType = DisputeType.CONSUMER_LOAN,
                    **kwargs) -> Dispute:
    """A consumer loan of ``desk.branch`` (200,000.00 and 31,208.40 interest as of
    2026-06-30, arrears since 2025-03-21) before ``desk.court``'s committee, accepted and
    mediated by ``desk.mediator``."""
    d = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
               court=desk.court, dispute_type=dispute_type,
               charges_since=dt.date(2025, 3, 21), **kwargs)
    d = action_apply(actor=desk.clerk, dispute_id=d.pk, action=Action.ACCEPT,
                     expected_version=1, notice_served=True)
    return action_apply(actor=desk.director, dispute_id=d.pk, action=Action.ASSIGN,
                        expected_version=d.version, track=Track.SIMPLE,
                        mediators=[desk.mediator])


def pdf_of(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def evidence(desk, dispute: Dispute, *, by=None, name: str = "借款合同.pdf", pages: int = 3,
             side: str = "", kind: str = Attachment.Kind.EVIDENCE) -> Attachment:
    """A file put before a session: by default the bank's contract, shared with both."""
    session = Session.objects.filter(dispute=dispute).first() or session_schedule(
        actor=desk.mediator, dispute_id=dispute.pk, mode=Session.Mode.FACE_TO_FACE,
        starts_at=clock.now() - dt.timedelta(hours=1),
        party_row_ids=list(dispute.party_rows.values_list("pk", flat=True)), place="调解室")
    return attachment_add(actor=by or desk.mediator, session_id=session.pk, kind=kind,
                          name=name, content=SimpleUploadedFile(name, pdf_of(pages)),
                          side=side)


def failed(desk, dispute: Dispute, *, confirm: bool = True, facts=FACTS) -> Dispute:
    """``dispute`` failed, its facts recorded and (``confirm``) confirmed by every party."""
    dispute.refresh_from_db()
    d = action_apply(actor=desk.mediator, dispute_id=dispute.pk, action=Action.FAIL,
                     expected_version=dispute.version, reason="双方对还款期限分歧较大")
    undisputed_facts_record(actor=desk.mediator, dispute_id=d.pk, facts=list(facts),
                            disputed="罚息是否过高")
    if confirm:
        for row in DisputeParty.objects.filter(dispute=d):
            undisputed_facts_confirm(actor=desk.mediator, dispute_id=d.pk, party_row_id=row.pk,
                                     how="书面签字")
    d.refresh_from_db()
    return d
