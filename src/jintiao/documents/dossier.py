"""A dispute's file (卷宗) as one PDF, for the archive and for the court.

The Ministry of Justice's 人民调解文书格式 (2010) files a mediation under a cover (卷名, 卷号,
the mediators, the dates, who filed it and for how long it is kept) and a list of contents
(卷内目录) in a fixed order: the application or intake record, the notice of rights, the
identity and authority papers, the inquiry and mediation records, the agreement, the proof
of performance, the follow-up visits, the judicial confirmation papers, a note on the file.
The stored documents follow in that order, each exactly as stored — re-hashed first
(:func:`jintiao.documents.integrity.document_file`): a file with an altered document in it
is refused whole. Joining the files breaks each document's own signature (the bytes it
covered are no longer one file), so the joined file is signed by the committee, which made
it; each document's seal stays on its page as a picture (:func:`seals_as_stamps`), and the
documents' own signatures stay checkable on the files as stored. Who exported the file is on
the dispute's timeline."""

from __future__ import annotations

import io

from django.db import transaction
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject

from jintiao import clock
from jintiao.disputes.access import dispute_get_for
from jintiao.disputes.changes import record_event
from jintiao.disputes.models import Dispute, DisputeMediator
from jintiao.documents.blocks import Block, Doc, Heading, Para, Table
from jintiao.documents.integrity import stored_file
from jintiao.documents.models import Document, Kind
from jintiao.documents.render import to_pdf
from jintiao.documents.texts import day
from jintiao.domain import events
from jintiao.orgs.models import User
from jintiao.pki.signing import sign_pdf

# The format's order of a file's contents; within one place, the order documents were made.
ORDER = {
    Kind.MEDIATION_APPLICATION: 1, Kind.INTAKE_REGISTER: 1,     # 申请书、受理登记表
    Kind.ACCEPTANCE_NOTICE: 1, Kind.NON_ACCEPTANCE_NOTICE: 1,   # 人民调解受理登记
    Kind.OPTIONS_NOTICE: 2, Kind.RIGHTS_NOTICE: 2,              # 告知书
    Kind.POWER_OF_ATTORNEY: 3,                                  # 身份证明、授权委托书
    Kind.INQUIRY_RECORD: 5,                                     # 人民调解调查记录
    Kind.SESSION_RECORD: 7,                                     # 人民调解记录
    Kind.UNDISPUTED_FACTS: 7,
    Kind.AGREEMENT: 8, Kind.TERMINATION_NOTICE: 8,              # 协议书，或调解终结
    Kind.ELEMENT_COMPLAINT: 8, Kind.ELEMENT_ANSWER: 8,          # 调解不成移送材料
    Kind.EVIDENCE_INDEX: 8,
    Kind.CREDIT_REPAIR_LETTER: 9,                               # 履行
    Kind.FOLLOW_UP_RECORD: 10,                                  # 人民调解回访记录
    Kind.CONFIRMATION_APPLICATION: 11, Kind.COURT_ACCEPTANCE_NOTICE: 11,  # 司法确认有关材料
    Kind.RULING: 11, Kind.ENFORCEMENT_APPLICATION: 11,
    Kind.SERVICE_RECEIPT: 12,                                   # 送达回证，卷末
}
KEPT_FOR = "长期"  # the format's 保管期限 for a file with an agreement of lasting effect


# annotation flags: print it, and let no reader move, edit or delete it
STAMP_FLAGS = 4 | 64 | 128 | 512


def seals_as_stamps(writer: PdfWriter) -> None:
    """Turn each joined document's signature field into a plain stamp of its seal.

    Inside the joined file a document's signature no longer covers the bytes it signed, and
    readers would list it as broken; as a stamp its seal stays on the page, under the
    file's own signature."""
    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/FT") != "/Sig":
                continue
            for key in ("/FT", "/V", "/T", "/Ff", "/Lock", "/SV", "/DR", "/Parent"):
                annot.pop(key, None)
            annot[NameObject("/Subtype")] = NameObject("/Stamp")
            annot[NameObject("/F")] = NumberObject(STAMP_FLAGS)
    writer.root_object.pop("/AcroForm", None)
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)


def _front(dispute: Dispute, actor: User, rows: list[tuple[Document, int]],
           start: int) -> Doc:
    """The cover and the contents; ``start``: the page the first document begins on."""
    mediators = "、".join(str(m.user) for m in DisputeMediator.objects.filter(dispute=dispute)
                          .select_related("user").order_by("-lead", "pk"))
    parties = "与".join(r.party.name for r in dispute.party_rows.select_related("party")
                       .order_by("role", "pk"))
    today = clock.today()
    cover: list[Block] = [
        Para(f"卷名：{parties}{dispute.get_dispute_type_display()}", indent=False),
        Para(f"卷号：{dispute.number}", indent=False),
        Para(f"人民调解员：{mediators or '—'}", indent=False),
        Para(f"调解日期：{day(dispute.received_on.isoformat())}至"
             f"{day(rows[-1][0].created_at.astimezone(clock.TZ).date().isoformat())}"
             if rows else f"调解日期：{day(dispute.received_on.isoformat())}", indent=False),
        Para(f"立卷人：{actor.get_full_name() or actor.username}", indent=False),
        Para(f"立卷日期：{day(today.isoformat())}", indent=False),
        Para(f"保管期限：{KEPT_FOR}", indent=False),
        Heading("卷内目录")]
    page, table = start, []
    for n, (doc, pages) in enumerate(rows, 1):
        table.append((str(n), doc.title,
                      day(doc.created_at.astimezone(clock.TZ).date().isoformat()), str(page),
                      str(pages)))
        page += pages
    cover.append(Table(("序号", "文书名称", "日期", "页号", "页数"), tuple(table),
                       numeric=(3, 4)))
    return Doc("dossier", "调解卷宗", "2026.1", tuple(cover), number=dispute.number,
               issuer=dispute.committee.name)


def dossier_pdf(*, actor: User, dispute_id: int) -> tuple[Dispute, bytes]:
    """The dispute's file as one PDF: cover, contents, then every stored document's PDF.

    :raises DisputeNotFound: missing, or not visible to ``actor``
    :raises RecordAltered: a document no longer matches its digest (nothing is exported;
        the alert is on the timeline)
    :raises RecordNotFound: a document's file is missing from storage
    """
    dispute = dispute_get_for(actor, dispute_id)
    stored = sorted(Document.objects.filter(dispute=dispute),
                    key=lambda d: (ORDER.get(Kind(d.kind), 12), d.seq))
    files = [stored_file(d, "pdf", actor=actor) for d in stored]  # the dispute is visible
    counts = [len(PdfReader(io.BytesIO(f)).pages) for f in files]
    rows = list(zip(stored, counts, strict=True))
    # the contents' page numbers depend on how long the front is: lay it out twice
    front = to_pdf(_front(dispute, actor, rows, 2))
    length = len(PdfReader(io.BytesIO(front)).pages)
    if length != 1:
        front = to_pdf(_front(dispute, actor, rows, length + 1))
    writer = PdfWriter()
    for part in (front, *files):
        writer.append(io.BytesIO(part))
    seals_as_stamps(writer)
    writer.add_metadata({"/Title": f"调解卷宗 {dispute.number}"})
    out = io.BytesIO()
    writer.write(out)
    committee = dispute.committee
    # its seal on the cover (立卷): the last page is the last document's, with its own seal
    signed = sign_pdf(out.getvalue(), committee, field="JinTiaoDossierSeal", page=0,
                      reason=f"{committee.name}立卷：卷宗{dispute.number}，"
                             f"内含文书{len(stored)}份，与存档摘要逐一核对无误")
    with transaction.atomic():  # who saw the parties' particulars, on the record (PIPL)
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        record_event(locked, events.DOSSIER_EXPORTED, actor, clock.now(),
                     {"documents": len(stored), "pages": length + sum(counts)})
    return dispute, signed
