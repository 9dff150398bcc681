"""The dispute's file (卷宗) as one PDF: a cover and contents in the Ministry of Justice's
order, then every stored document as stored; refused whole when one is altered; hidden
from whoever may not see the dispute; the export on the timeline."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from jintiao.disputes.access import DisputeNotFound
from jintiao.documents.dossier import dossier_pdf
from jintiao.documents.integrity import RecordAltered
from jintiao.documents.models import Document
from jintiao.timeline.models import Event
from tests.api.client import Api
from tests.documents.test_integrity import tamper_file
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, confirm


@pytest.fixture
def confirmed(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    confirm(desk, mediating)
    mediating.refresh_from_db()
    return mediating


def pages_of(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def test_the_file_holds_a_cover_the_contents_and_every_document_in_order(desk, confirmed):
    _dispute, data = dossier_pdf(actor=desk.mediator, dispute_id=confirmed.pk)
    pages = pages_of(data)
    front = pages[0]
    assert "调解卷宗" in front
    assert f"卷号：{confirmed.number}" in front
    assert "卷内目录" in front
    assert "保管期限：长期" in front

    docs = list(Document.objects.filter(dispute=confirmed))
    stored = sum(len(PdfReader(doc.pdf.open("rb")).pages) for doc in docs)
    assert len(pages) == 1 + stored
    # the agreement (place 8 of the format) before the court's papers (place 11)
    assert front.index("人民调解协议书") < front.index("司法确认申请书") < front.index(
        "民事裁定书")
    # the contents' page numbers lead to the documents: the agreement starts on page 2
    agreement_page = pages[1]
    assert "人民调解协议书" in agreement_page
    event = Event.objects.get(dispute=confirmed, type="dossier.exported")
    assert event.params == {"documents": len(docs), "pages": len(pages)}
    assert event.actor == desk.mediator


def test_an_altered_document_refuses_the_whole_file(desk, confirmed):
    ruling = Document.objects.get(dispute=confirmed, kind="ruling")
    tamper_file(ruling.pdf)
    with pytest.raises(RecordAltered):
        dossier_pdf(actor=desk.mediator, dispute_id=confirmed.pk)
    assert not Event.objects.filter(dispute=confirmed, type="dossier.exported").exists()
    assert Event.objects.filter(dispute=confirmed, type="record.altered").exists()

    page = Client()
    page.force_login(desk.mediator)
    answer = page.get(f"/disputes/{confirmed.pk}/dossier/", follow=True)
    assert "可能已被改动" in answer.content.decode()
    assert Api(desk.mediator).get(f"/disputes/{confirmed.pk}/dossier").status_code == 409


def test_the_web_and_the_api_hand_it_out_and_hide_it_alike(world, desk, confirmed):
    client = Client()
    client.force_login(desk.judge)
    answer = client.get(f"/disputes/{confirmed.pk}/dossier/")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert b"".join(answer.streaming_content).startswith(b"%PDF")
    detail = client.get(f"/disputes/{confirmed.pk}/").content.decode()
    assert f"/disputes/{confirmed.pk}/dossier/" in detail

    api = Api(desk.agent).get(f"/disputes/{confirmed.pk}/dossier")
    assert api.status_code == 200
    outsider = Client()
    outsider.force_login(world.other_clerk)
    assert outsider.get(f"/disputes/{confirmed.pk}/dossier/").status_code == 404
    assert Api(world.other_clerk).get(f"/disputes/{confirmed.pk}/dossier").status_code == 404
    with pytest.raises(DisputeNotFound):
        dossier_pdf(actor=world.other_clerk, dispute_id=confirmed.pk)
