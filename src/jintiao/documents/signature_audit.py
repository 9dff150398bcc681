"""``jintiao audit verify``'s signature pass: every stored document's PDF signature checked
against this deployment's roots, beside the digest check that ``audit verify`` already makes.

A broken signature (not intact, or not valid) is a failure. A signature that is sound but no
longer chains to a root this deployment trusts — the root was replaced with ``pki init
--force`` — and a document made before documents were signed are said, not failed.
"""

from __future__ import annotations

from jintiao.documents.models import Document
from jintiao.pki.verify import pdf_signatures


def signature_report() -> tuple[list[str], bool]:
    """The lines to print, and whether any signature is broken."""
    lines: list[str] = []
    checked = unsigned = untrusted = broken = 0
    documents = Document.objects.order_by("pk").only("pk", "dispute_id", "title", "pdf")
    for doc in documents.iterator(chunk_size=200):
        try:
            with doc.pdf.open("rb") as handle:
                checks = pdf_signatures(handle.read())
        except (FileNotFoundError, ValueError):
            continue  # a missing file is the digest pass's finding
        checked += 1
        if not checks:
            unsigned += 1
        named = f"纠纷 {doc.dispute_id} {doc.title}（文书 {doc.pk}）"
        for c in checks:
            if not (c.intact and c.valid):
                broken += 1
                lines.append(f"{named}：{c.signer or '—'}的电子签名已损坏 "
                             f"(document {doc.pk}: signature broken)")
            elif not c.trusted:
                untrusted += 1
                lines.append(f"{named}：{c.signer}的证书（{c.issuer}）不在本平台信任的根证书之下 "
                             f"(document {doc.pk}: signer not trusted here)")
    lines.append(f"已核验 {checked} 份文书PDF的电子签名：{broken} 份损坏，{untrusted} 份证书"
                 f"不受信任，{unsigned} 份未签名（启用签名之前生成） ({checked} PDFs: "
                 f"{broken} broken, {untrusted} untrusted, {unsigned} unsigned)")
    return lines, broken > 0
