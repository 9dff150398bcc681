"""A restore without the stored files: every record whose file is gone is a clear Chinese
404 that says what happened and what to do — never a 500 — and the rest of the platform
works as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jintiao import clock
from jintiao.mediation.models import Attachment, Session
from jintiao.mediation.services import attachment_add, session_schedule
from tests.api.client import Api
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree
from tests.web.test_accessibility import english


def client_for(user) -> Client:
    client = Client()  # raises on a 500 instead of answering it
    client.force_login(user)
    return client


@pytest.fixture
def sealed(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    return agree(desk, mediating, CHARGES_SINCE)


def lose(field) -> None:
    """As after a restore that left the stored files behind."""
    field.storage.delete(field.name)


def test_a_lost_document_file_is_a_clear_page_on_the_web_and_a_404_in_the_api(desk, sealed):
    doc = sealed.document
    lose(doc.pdf)
    lose(doc.docx)
    desk_client = client_for(desk.mediator)

    for fmt, named in (("pdf", "PDF文件"), ("docx", "Word文件")):
        page = desk_client.get(f"/documents/{doc.pk}/{fmt}/")
        html = page.content.decode()
        assert page.status_code == 404
        assert "文件缺失（404）" in html
        assert f"《{doc.title}》的{named}在文件存储中找不到" in html
        assert "从备份恢复" in html
        assert f'href="/disputes/{sealed.dispute_id}/"' in html
        assert english(html) == []

    answer = Api(desk.mediator).get(f"/documents/{doc.pk}/pdf")
    assert answer.status_code == 404
    assert "在文件存储中找不到" in answer.json()["message"]

    # the record itself is intact: its page and its preview still open
    assert desk_client.get(f"/disputes/{sealed.dispute_id}/").status_code == 200
    assert desk_client.get(f"/documents/{doc.pk}/").status_code == 200
    # the dossier is refused with the reason, back on the dispute page
    dossier = desk_client.get(f"/disputes/{sealed.dispute_id}/dossier/", follow=True)
    assert "在文件存储中找不到" in dossier.content.decode()


def test_someone_who_may_not_see_the_document_learns_nothing_of_the_lost_file(world, desk,
                                                                             sealed):
    doc = sealed.document
    lose(doc.pdf)
    page = client_for(world.other_clerk).get(f"/documents/{doc.pk}/pdf/")
    assert page.status_code == 404
    assert "文件存储" not in page.content.decode()


def test_a_lost_attachment_is_a_clear_page(desk, mediating, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    session = session_schedule(
        actor=desk.mediator, dispute_id=mediating.pk, mode=Session.Mode.FACE_TO_FACE,
        starts_at=clock.now() - dt.timedelta(hours=1),
        party_row_ids=list(mediating.party_rows.values_list("pk", flat=True)), place="调解室")
    made = attachment_add(actor=desk.mediator, session_id=session.pk,
                          kind=Attachment.Kind.EVIDENCE, name="还款记录.pdf",
                          content=SimpleUploadedFile("x.pdf", b"%PDF-1.4 paid"), side="")
    client = client_for(desk.mediator)
    assert client.get(f"/attachments/{made.pk}/").status_code == 200

    lose(made.file)
    page = client.get(f"/attachments/{made.pk}/")
    assert page.status_code == 404
    assert "附件《还款记录.pdf》的文件在文件存储中找不到" in page.content.decode()
    assert english(page.content.decode()) == ["pdf"]  # the file's own name
