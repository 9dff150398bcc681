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


def test_a_digest_too_long_for_the_line_wraps_inside_the_page():
    """Found trying it as a user: in the joint application's attachments line the second
    SHA-256 ran past the right margin and its closing "）；" was cut off in the PDF."""
    import pypdfium2 as pdfium

    from jintiao.documents import render
    from jintiao.documents.blocks import Doc, Para

    first, second = "3d41" + "9" * 60, "862b" + "7" * 56 + "c131"
    text = (f"附：1. 调解协议书（2026）522601金调00001号（协议内容摘要SHA-256：{first}）；"
            f"调解协议书（2026）522601金调00002号（协议内容摘要SHA-256：{second}）；2. 证明。")
    pdf = render.to_pdf(Doc("confirmation_application", "司法确认申请书", "t",
                            (Para(text, indent=False),)))
    page = pdfium.PdfDocument(pdf)[0]
    width = page.get_width()
    read = page.get_textpage()
    printed = read.get_text_range().replace("\r", "").replace("\n", "")
    assert "c131）；2. 证明。" in printed
    boxes = [read.get_charbox(i) for i in range(read.count_chars())]
    read.close()
    page.close()
    assert max(right for _l, _b, right, _t in boxes) <= width  # nothing past the page


def test_a_word_too_long_for_a_table_cell_wraps_inside_the_page():
    """Found in review: in a table cell a 124-character word ended at 840 pt on a 595 pt
    page (WeasyPrint wraps a cell's long word only with overflow-wrap: anywhere)."""
    import pypdfium2 as pdfium

    from jintiao.documents import render
    from jintiao.documents.blocks import Doc, Table

    pdf = render.to_pdf(Doc("failure_evidence_index", "证据目录", "t",
                            (Table(("要素", "内容"), (("证据", "a" * 124),)),)))
    page = pdfium.PdfDocument(pdf)[0]
    read = page.get_textpage()
    right = max(read.get_charbox(i)[2] for i in range(read.count_chars()))
    width = page.get_width()
    read.close()
    page.close()
    assert right <= width
