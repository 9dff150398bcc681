"""Generating a document: render both formats, sign the PDF for the organisation that
issues it, store both with their SHA-256, record it."""

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
from jintiao.orgs.models import Organization, User
from jintiao.pki.signing import sign_pdf_as
from jintiao.timeline.services import event_append

# Who signs a document's PDF (issue 17 §3): the court its own papers, the committee all the
# rest. The parties' applications and authorisations are theirs — they sign them with their
# codes, on the timeline — and the committee, which prepared them, signs the PDF as the
# preparer, as the signature's reason says.
COURT_ISSUED = frozenset({Kind.RULING, Kind.COURT_ACCEPTANCE_NOTICE})
PREPARED_FOR_PARTIES = frozenset({Kind.CONFIRMATION_APPLICATION, Kind.ENFORCEMENT_APPLICATION,
                                  Kind.MEDIATION_APPLICATION, Kind.POWER_OF_ATTORNEY,
                                  Kind.ELEMENT_COMPLAINT, Kind.ELEMENT_ANSWER})


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_signer(dispute: Dispute, kind: Kind, title: str) -> tuple[Organization, str]:
    """The organisation that signs a document of ``kind``, and the reason its signature
    gives."""
    if kind in COURT_ISSUED:
        if dispute.court is None:
            raise ValueError(f"{kind} needs the dispute's court to sign it")
        return dispute.court, f"{dispute.court.name}作出《{title}》"
    committee = dispute.committee
    if kind in PREPARED_FOR_PARTIES:
        return committee, (f"当事人的《{title}》，由{committee.name}制作并签章（制作单位，"
                           "非申请人；当事人的签名见文书签名页及纠纷日志）")
    return committee, f"{committee.name}出具《{title}》"


@transaction.atomic
def document_generate(*, actor: User, dispute: Dispute, doc: Doc, source: str = "") -> Document:
    """Render ``doc`` as .docx and PDF, store both and the preview, and note it on the
    dispute's timeline with both digests. The caller holds the dispute's lock."""
    kind = Kind(doc.kind)
    now = clock.now()
    signer, reason = document_signer(dispute, kind, doc.title)
    docx = render.to_docx(doc)
    pdf, signed = sign_pdf_as(render.to_pdf(doc), signer, reason=reason)  # digest: signed file
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
                 meta={"docx_sha256": made.docx_sha256, "pdf_sha256": made.pdf_sha256,
                       "signed_by": signed.subject, "certificate": signed.serial,
                       "certificate_issuer": signed.issuer})
    return made
