"""Generating a document: render both formats, store them with their SHA-256, record it."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from jintiao import clock
from jintiao.disputes.models import Dispute
from jintiao.documents import render
from jintiao.documents.blocks import Doc
from jintiao.documents.models import Document, Kind
from jintiao.domain import events
from jintiao.orgs.models import User
from jintiao.timeline.services import event_append


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def document_generate(*, actor: User, dispute: Dispute, doc: Doc, source: str = "") -> Document:
    """Render ``doc`` as .docx and PDF, store both and the preview, and note it on the
    dispute's timeline with both digests. The caller holds the dispute's lock."""
    kind = Kind(doc.kind)
    now = clock.now()
    docx, pdf = render.to_docx(doc), render.to_pdf(doc)
    seq = (Document.objects.filter(dispute=dispute).aggregate(m=Max("seq"))["m"] or 0) + 1
    stem = f"{dispute.pk}-{seq}-{kind.value}"
    html = render.to_html(doc, standalone=False)
    made = Document(dispute=dispute, kind=kind.value, seq=seq, title=doc.title,
                    template_version=doc.template_version, source=source,
                    docx_sha256=sha256(docx), pdf_sha256=sha256(pdf), html=html,
                    html_sha256=sha256(html.encode()), created_by=actor, created_at=now)
    made.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
    made.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    made.save()
    event_append(dispute=dispute, type=events.DOCUMENT_GENERATED, actor=actor, at=now,
                 state_before=dispute.state, state_after=dispute.state,
                 params={"document": made.pk, "kind": kind.value, "title": doc.title,
                         "template_version": doc.template_version, "source": source},
                 meta={"docx_sha256": made.docx_sha256, "pdf_sha256": made.pdf_sha256})
    return made
