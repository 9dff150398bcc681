"""Every issued PDF is signed by the organisation that issues it — the committee its
documents, the court its ruling — so that any verifier sees who signed and that nothing
changed; the seal is the signature's visible appearance, on the last page above the
bottom margin; the 卷宗 is signed whole by the committee."""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess

import pytest
from django.db import connection
from pypdf import PdfReader

from jintiao.documents.dossier import dossier_pdf
from jintiao.documents.models import Document
from jintiao.domain.lifecycle import Action
from jintiao.mediation.services import action_apply, notice_generate
from jintiao.pki.signing import seal_box, sign_pdf
from jintiao.pki.store import org_credential
from jintiao.pki.verify import pdf_signatures
from jintiao.timeline.models import Event
from tests.factories import intake

MM = 72 / 25.4


@pytest.fixture
def notice(world):
    """A non-acceptance notice: the committee's, one page."""
    dispute = intake(actor=world.clerk, committee=world.committee)
    action_apply(actor=world.clerk, dispute_id=dispute.pk, action=Action.DECLINE,
                 expected_version=1, reason="该纠纷已由人民法院立案受理")
    return notice_generate(actor=world.clerk, dispute_id=dispute.pk,
                           kind="non_acceptance_notice")


def stored_pdf(document: Document) -> bytes:
    with document.pdf.open("rb") as handle:
        return handle.read()


def test_a_notice_is_signed_by_the_committee_and_checks_out(world, notice):
    data = stored_pdf(notice)
    [check] = pdf_signatures(data)
    assert check.signer == world.committee.name
    assert check.intact
    assert check.valid
    assert check.trusted
    assert check.whole_file
    assert check.signed_at is not None
    # the stored digest is the signed file's, and the timeline names the certificate
    event = Event.objects.get(dispute=notice.dispute, type="document.generated")
    assert event.meta["pdf_sha256"] == notice.pdf_sha256
    assert event.meta["signed_by"] == world.committee.name
    assert event.meta["certificate"] == org_credential(world.committee).serial


def test_one_changed_byte_is_detected(notice):
    data = stored_pdf(notice)
    at = data.index(b"WeasyPrint")  # the producer's name, inside the signed bytes
    changed = data[:at] + b"w" + data[at + 1:]
    [check] = pdf_signatures(changed)
    assert not check.intact
    assert not check.ok


def test_the_seal_is_on_the_last_page_at_the_lower_right(notice):
    reader = PdfReader(io.BytesIO(stored_pdf(notice)))
    last = reader.pages[-1]
    width = float(last.mediabox.width)
    widgets = [a.get_object() for a in last.get("/Annots", [])
               if a.get_object().get("/Subtype") == "/Widget"]
    [seal] = [w for w in widgets if w.get("/FT", w.get("/Parent", {}).get("/FT")) == "/Sig"]
    x0, y0, x1, y1 = (float(v) for v in seal["/Rect"])
    assert x0 > width / 2  # the right half
    assert y0 >= 35 * MM  # above the bottom margin, so clear of the page number
    assert y1 < float(last.mediabox.height) / 3  # in the lower part of the page
    assert x1 <= width - 26 * MM + 1  # inside the right margin
    assert (x0, y0, x1, y1) == tuple(float(v) for v in seal_box())
    assert "/N" in seal["/AP"]  # the appearance: the seal's picture


def test_the_ruling_is_signed_by_the_court_and_the_agreement_by_the_committee(world,
                                                                             performing):
    by_kind = {d.kind: d for d in Document.objects.filter(dispute=performing)}
    [ruling] = pdf_signatures(stored_pdf(by_kind["ruling"]))
    assert ruling.signer == world.court.name
    assert ruling.ok
    [accepted] = pdf_signatures(stored_pdf(by_kind["court_acceptance_notice"]))
    assert accepted.signer == world.court.name
    [agreement] = pdf_signatures(stored_pdf(by_kind["agreement"]))
    assert agreement.signer == world.committee.name
    assert agreement.ok
    # the parties' application: prepared, and so signed, by the committee, and it says so
    application = PdfReader(io.BytesIO(stored_pdf(by_kind["confirmation_application"])))
    [sig] = [f for f in application.get_fields().values() if f.get("/FT") == "/Sig"]
    assert f"由{world.committee.name}制作并签章" in sig["/V"]["/Reason"]
    assert "非申请人" in sig["/V"]["/Reason"]


def test_the_dossier_is_signed_whole_by_the_committee(world, desk, performing):
    _dispute, data = dossier_pdf(actor=desk.mediator, dispute_id=performing.pk)
    [check] = pdf_signatures(data)  # the documents' own: no longer fields, their seals stay
    assert check.signer == world.committee.name
    assert check.ok
    assert check.whole_file
    stamps = [a.get_object() for page in PdfReader(io.BytesIO(data)).pages
              for a in page.get("/Annots", []) if a.get_object()["/Subtype"] == "/Stamp"]
    assert len(stamps) == Document.objects.filter(dispute=performing).count()
    assert all("/N" in s["/AP"] for s in stamps)
    # its own seal on the cover (立卷), clear of the last document's seal on the last page
    cover = PdfReader(io.BytesIO(data)).pages[0]
    assert any(a.get_object().get("/FT") == "/Sig" for a in cover.get("/Annots", []))


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils is not installed")
def test_pdfsig_reports_the_signature_valid(world, notice, tmp_path):
    path = tmp_path / "notice.pdf"
    path.write_bytes(stored_pdf(notice))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True,  # noqa: S603, S607
                         text=True, check=True, timeout=60).stdout
    assert "Signature is Valid." in out
    assert f"Signer Certificate Common Name: {world.committee.name}" in out
    assert "Total document signed" in out


def test_no_key_is_kept_in_the_database(world, notice):
    key = org_credential(world.committee).path.read_text()
    body = "".join(key.split("-----END PRIVATE KEY-----")[0].splitlines()[1:])
    assert body
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for cell in row:
                    text = str(cell)
                    assert body[:40] not in text, table
                    assert "PRIVATE KEY" not in text, table


def test_signing_and_checking_work_inside_a_running_event_loop(world, notice):
    """An async server, or Playwright's sync API in the browser tests, runs a loop."""
    data = stored_pdf(notice)

    async def inside():
        return (sign_pdf(data, world.committee, reason="复核", field="Again"),
                pdf_signatures(data))

    signed, [check] = asyncio.run(inside())
    assert check.ok
    assert {c.field for c in pdf_signatures(signed)} == {"JinTiaoSeal", "Again"}
