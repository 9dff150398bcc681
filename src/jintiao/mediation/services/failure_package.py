"""The failure package (调解不成移送材料, issue 21 §4): what a failed mediation hands the
court's fast track — the element-style complaint and the debtor's element-style answer
(:mod:`jintiao.domain.pleadings`), the record of undisputed facts, the evidence index with
each file — as signed Word and PDF documents of the dispute, and the whole as one JSON
document valid against the published schema (:mod:`jintiao.documents.packages`).

When mediation fails the mediator pushes the file on for filing with the basic facts and the
undisputed facts both sides confirmed in writing (《人民法院在线调解规则》 Arts. 21–22); the
complaint and answer follow the SPC's element-style model texts (法〔2024〕46号, 法〔2025〕82号).
Everything is read from the case as it stands: generating again after a change makes a new
version; generating again with nothing changed returns the version there is.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from jintiao import clock
from jintiao.disputes.access import RecordNotFound, Standing, standing_of
from jintiao.disputes.changes import instant, lock_behind, record_event, require_state
from jintiao.disputes.models import (
    CLAIM_FIELDS,
    Dispute,
    DisputeParty,
    DisputeType,
    PartyRole,
    Statement,
)
from jintiao.documents import packages, statements
from jintiao.documents import pleadings as pleading_texts
from jintiao.documents.models import Document, FailurePackage, Kind
from jintiao.documents.services import document_generate, sha256
from jintiao.domain import events, pleadings
from jintiao.domain.claims import CLAIM_PART_LABELS
from jintiao.domain.lifecycle import State
from jintiao.domain.money import quantize
from jintiao.domain.particulars import RepRole
from jintiao.domain.pleadings import CaseFacts, Mediation, PleadingRefused
from jintiao.domain.representation import Authority, Relation
from jintiao.mediation.models import Attachment, UndisputedFacts
from jintiao.mediation.services.failure import facts_document
from jintiao.orgs.models import User
from jintiao.parties.crypto import decrypt

# a failed mediation, one whose confirmation the court refused, and one already with the court
FAILURE_PACKAGE_STATES = (State.FAILED, State.CONFIRMATION_REJECTED, State.TRANSFERRED)
# what differs between two versions of one case and is not the case: when, by whom, the files
NOT_THE_CASE = ("package", "documents")

_ROLE_ORDER = {PartyRole.CREDITOR: 0, PartyRole.DEBTOR: 1, PartyRole.GUARANTOR: 2}


def _day(at: dt.datetime | None) -> str | None:
    """The Shanghai day of ``at``, ISO."""
    return at.astimezone(clock.TZ).date().isoformat() if at is not None else None


def _party(row: DisputeParty) -> dict[str, Any]:
    """A party as the court dockets it: full particulars, the number and mobile in full (the
    package is read only by those who may see them: Standing.may_read_failure_package)."""
    p = row.party
    person = p.kind == "person"
    plaintiff = row.role == PartyRole.CREDITOR
    return {
        "row": row.pk, "role": "plaintiff" if plaintiff else "defendant",
        "role_label": "原告" if plaintiff else "被告", "case_role": row.role,
        "kind": p.kind, "name": p.name, "id_type": p.id_type or ("resident_id" if person
                                                                  else "uscc"),
        "id_number": decrypt(p.id_cipher) if p.id_cipher else "",
        "phone": decrypt(p.phone_cipher) if p.phone_cipher else "",
        "sex": p.sex if person else "",
        "birth_date": p.birth_date.isoformat() if person and p.birth_date else None,
        "ethnicity": p.ethnicity if person else "",
        "occupation": p.occupation if person else "",
        "address": p.address, "residence": p.residence if person else "",
        "representative": ({"role": RepRole(p.rep_role or RepRole.LEGAL_REP).label,
                            "name": p.rep_name, "title": p.rep_title}
                           if not person and p.rep_name else None),
        "agents": [{"name": r.person.name, "relation": Relation(r.relation).label,
                    "authority": Authority(r.authority).label}
                   for r in row.representatives.all()],
        "service_address": _service_address(row),
    }


def _service_address(row: DisputeParty) -> dict[str, Any] | None:
    """The address for service the party confirmed and signed (送达地址确认书), the latest in
    force: the court serves there in the later stages unless told otherwise
    (《最高人民法院关于进一步加强民事送达工作的若干意见》, 法发〔2017〕19号)."""
    signed = statements.latest(row, Statement.Kind.SERVICE_ADDRESS)
    if signed is None or signed.signed_at is None:
        return None
    c = signed.content
    return {"postal_address": c.get("postal_address", ""), "recipient": c.get("recipient", ""),
            "email": c.get("email", ""), "e_service": bool(c.get("e_service")),
            "signed_at": signed.signed_at.isoformat()}


def _mediation(dispute: Dispute) -> dict[str, Any]:
    started = dispute.events.filter(type=events.DISPUTE_ASSIGN.type).order_by("seq").first()
    ended = (dispute.events.filter(type__in=[events.DISPUTE_FAIL.type,
                                             events.DISPUTE_REJECT_CONFIRMATION.type])
             .order_by("-seq").first())
    rejected = ended is not None and ended.type == events.DISPUTE_REJECT_CONFIRMATION.type
    return {"committee": dispute.committee.name,
            "started_on": _day(started.at if started else None),
            "ended_on": _day(ended.at if ended else None),
            "how_ended": "法院裁定驳回司法确认申请" if rejected else "调解不成",
            "reason": (ended.params.get("reason", "") if ended else "") or ""}


def _pdf_pages(data: bytes) -> int | None:
    try:
        return len(PdfReader(io.BytesIO(data)).pages)
    except (PdfReadError, ValueError, OSError):
        return None


def _document_item(doc: Document, name: str, source: str, proves: str) -> dict[str, Any]:
    with doc.pdf.open("rb") as handle:
        data = handle.read()
    return {"name": name, "source": source, "proves": proves, "pages": _pdf_pages(data),
            "file": {"kind": "document", "id": doc.pk, "name": f"{doc.title}.pdf",
                     "media_type": "application/pdf", "size": len(data),
                     "sha256": doc.pdf_sha256}}


IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


def _attachment_item(a: Attachment, creditor: str, dispute: Dispute, proves: str
                     ) -> dict[str, Any]:
    """Evidence a side put before the mediation, shared with both: who gave it, its pages
    (a PDF's count, an image one page), its digest, and what it proves as the desk wrote
    it — blank, for the plaintiff to say, where the desk wrote nothing."""
    name = a.name.lower()
    media = "application/pdf" if name.endswith(".pdf") else IMAGE_TYPES.get(
        name[name.rfind("."):] if "." in name else "", "application/octet-stream")
    pages: int | None = None
    if media == "application/pdf":
        with a.file.open("rb") as handle:
            pages = _pdf_pages(handle.read())
    elif media.startswith("image/"):
        pages = 1
    org = a.uploaded_by.organization
    bank = dispute.institution
    # the creditor's staff: of its branch, or of the bank above it
    by_creditor = (org is not None and bank is not None
                   and (org.path.startswith(bank.path) or bank.path.startswith(org.path)))
    source = (f"原告{creditor}于调解中提交" if by_creditor
              else f"调解中提交，{org.name if org else ''}收存")
    # the evidence by its name, not its file's: 借款合同, not 借款合同.pdf
    stem, dot, ext = a.name.rpartition(".")
    shown = stem if dot and stem and len(ext) <= 5 else a.name
    return {"name": shown, "source": source, "proves": proves, "pages": pages,
            "file": {"kind": "attachment", "id": a.pk, "name": a.name, "media_type": media,
                     "size": a.size, "sha256": a.sha256}}


def shared_evidence(dispute: Dispute) -> list[Attachment]:
    """The evidence files shared with both sides in the dispute's sessions, in the order they
    were put in: what the evidence index lists after the mediation's own records."""
    return list(Attachment.objects.filter(session__dispute=dispute,
                                          kind=Attachment.Kind.EVIDENCE, side="")
                .select_related("uploaded_by__organization").order_by("uploaded_at", "pk"))


def _evidence(dispute: Dispute, record: UndisputedFacts, creditor: str,
              notes: Mapping[int, str]) -> list[dict[str, Any]]:
    """The evidence index's items: the record of undisputed facts, the notice that mediation
    ended, and the evidence files shared in the sessions — a side's private files and the
    session recordings stay out (what a side gave in confidence, and concessions made to
    settle, are not the court's: 《人民法院在线调解规则》 Art. 18)."""
    items = []
    confirmed = {c.party_row_id for c in record.confirmations.all()}
    everyone = set(dispute.party_rows.values_list("pk", flat=True))
    how = ("经各方当事人书面确认" if record.facts and confirmed >= everyone
           else "尚未经全部当事人书面确认" if record.facts else "载明无可记载事实的原因")
    if record.document is not None:
        items.append(_document_item(
            record.document, "无争议事实记载表", f"{dispute.committee.name}制作，{how}",
            "双方当事人在调解中书面确认的无争议事实，诉讼中无需另行举证（《人民法院在线调解规则》"
            "第二十二条）"))
    notice = (Document.objects.filter(dispute=dispute, kind=Kind.TERMINATION_NOTICE)
              .order_by("-seq").first())
    if notice is not None:
        items.append(_document_item(notice, "调解终结告知书", f"{dispute.committee.name}出具",
                                    "纠纷已经人民调解组织调解，调解不成"))
    items += [_attachment_item(a, creditor, dispute, notes.get(a.pk, ""))
              for a in shared_evidence(dispute)]
    for n, item in enumerate(items, 1):
        item["no"] = n
        item["file"]["url"] = f"/api/v1/disputes/{dispute.pk}/failure-package/files/{n}"
    return items


def _amount(value: Decimal) -> str:
    return str(quantize(value))


def content_of(dispute: Dispute, record: UndisputedFacts, ties: Mapping[int, str],
               notes: Mapping[int, str] | None = None) -> dict[str, Any]:
    """The package as data, save its version and documents: everything the documents say
    and the court's system reads, from the case as it stands."""
    template = pleadings.template_for(dispute.dispute_type)
    rows = sorted(dispute.party_rows.select_related("party")
                  .prefetch_related("representatives__person"),
                  key=lambda r: (_ROLE_ORDER.get(PartyRole(r.role), 9), r.pk))
    parties = [_party(r) for r in rows]
    creditor = next((p["name"] for p in parties if p["case_role"] == PartyRole.CREDITOR), "")
    debtor_rows = {r.pk for r in rows if r.role == PartyRole.DEBTOR}
    confirmations = list(record.confirmations.select_related("party_row__party")
                         .order_by("confirmed_at", "pk"))
    confirmed_rows = {c.party_row_id for c in confirmations}
    mediation = _mediation(dispute)
    evidence = _evidence(dispute, record, creditor, notes or {})
    parts = {f: getattr(dispute, f) for f in CLAIM_FIELDS}
    case = CaseFacts(
        dispute_type=dispute.dispute_type, as_of=dispute.claim_as_of, parts=parts,
        creditor=creditor,
        debtors=tuple(p["name"] for p in parties if p["case_role"] == PartyRole.DEBTOR),
        guarantors=tuple(p["name"] for p in parties if p["case_role"] == PartyRole.GUARANTOR),
        mediation=Mediation(mediation["committee"],
                            dt.date.fromisoformat(mediation["started_on"])
                            if mediation["started_on"] else None,
                            dt.date.fromisoformat(mediation["ended_on"])
                            if mediation["ended_on"] else None, mediation["reason"]),
        contract_ref=dispute.contract_ref, charges_since=dispute.charges_since,
        pending_case_number=dispute.pending_case_number, evidence_items=len(evidence),
        facts=tuple(record.facts), fact_elements=dict(ties),
        debtor_confirmed=bool(debtor_rows) and debtor_rows <= confirmed_rows)
    complaint = pleadings.complaint(case)
    answer = pleadings.answer(case)
    total = case.total
    return {
        "$schema": packages.SCHEMA_ID, "schema_version": packages.SCHEMA_VERSION,
        "dispute": {"id": dispute.pk, "number": dispute.number, "type": dispute.dispute_type,
                    "type_label": str(DisputeType(dispute.dispute_type).label),
                    "matter": template.matter, "state": dispute.state,
                    "committee": dispute.committee.name,
                    "court": dispute.court.name if dispute.court else None,
                    "institution": dispute.institution.name if dispute.institution else None,
                    "contract_ref": dispute.contract_ref,
                    "pending_case_number": dispute.pending_case_number,
                    "received_on": dispute.received_on.isoformat()},
        "mediation": mediation,
        "parties": parties,
        "claim": {"as_of": dispute.claim_as_of.isoformat(),
                  "charges_since": (dispute.charges_since.isoformat()
                                    if dispute.charges_since else None),
                  "currency": "CNY",
                  "parts": [{"key": f, "label": CLAIM_PART_LABELS[f], "amount": _amount(v)}
                            for f, v in parts.items() if v],
                  "total": _amount(total)},
        "complaint": {
            "template": template.value, "title": template.complaint_title,
            "source": pleadings.SOURCE,
            "elements": [{"key": e.key, "section": e.section.value, "label": e.label,
                          "value": e.value, "filled": e.filled, "source": e.source,
                          "hint": e.hint, "amounts": {p: _amount(a) for p, a in e.amounts},
                          "facts": list(e.facts)} for e in complaint]},
        "answer": {
            "title": template.answer_title,
            "respondents": [p["name"] for p in parties if p["role"] == "defendant"],
            "debtor_confirmed": case.debtor_confirmed,
            "elements": [{"key": e.key, "section": e.section.value, "label": e.label,
                          "position": e.position.value, "facts": list(e.facts),
                          "note": e.note} for e in answer]},
        "undisputed_facts": {
            "facts": [{"no": n, "text": text, "element": ties.get(n)}
                      for n, text in enumerate(record.facts, 1)],
            "disputed": record.disputed, "none_reason": record.none_reason,
            "confirmations": [{"party": c.party_row.party.name,
                               "case_role": c.party_row.role, "how": c.how,
                               "confirmed_at": c.confirmed_at.isoformat()}
                              for c in confirmations]},
        "evidence": evidence,
    }


def canonical(content: Mapping[str, Any]) -> bytes:
    """The JSON as hashed and served: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def _the_case(content: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in content.items() if k not in NOT_THE_CASE}


def _ties(raw: Mapping[Any, Any]) -> dict[int, str]:
    """Ties as stored (JSON keys are strings) or given, with empty choices dropped."""
    out = {}
    for number, key in raw.items():
        try:
            n = int(number)
        except (TypeError, ValueError):
            raise PleadingRefused(f"无争议事实序号“{number}”无效", "bad fact number") from None
        if key:
            out[n] = str(key)
    return out


# elements a package made before the texts were aligned with 法〔2024〕46号 tied facts to:
# the mediation now goes under 其他需要说明的内容, a card's 违约金 under its one charges element
RENAMED = {"mediation": "other", "penalty": "interest"}


def _renamed(ties: dict[int, str], template: pleadings.Template) -> dict[int, str]:
    """The latest package's ties, carried over to the elements the text has now; a tie to an
    element the text no longer has is dropped (the desk ties it again), never a refusal of
    a regeneration the desk did nothing wrong in."""
    keys = {e.key for e in pleadings.elements_of(template)}
    out = {n: RENAMED.get(k, k) for n, k in ties.items()}
    return {n: k for n, k in out.items() if k in keys and k != "evidence"}


MAX_NOTE = 200


def _notes(raw: Mapping[Any, str], dispute: Dispute) -> dict[int, str]:
    """What the desk wrote each shared evidence file proves, checked: a file of the dispute
    shared with both sides, words of a sensible length; empty words dropped.

    :raises PleadingRefused: another file, or too long
    """
    shared = {a.pk: a.name for a in shared_evidence(dispute)}
    out = {}
    for key, text in raw.items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            raise PleadingRefused(f"证据“{key}”无效", "bad evidence id") from None
        if pk not in shared:
            raise PleadingRefused("只能为调解中双方共享的证据材料写明证明事项",
                                  "not a shared evidence file of this dispute", attachment=pk)
        words = " ".join(str(text or "").split())
        if len(words) > MAX_NOTE:
            raise PleadingRefused(f"《{shared[pk]}》的证明事项最多{MAX_NOTE}字",
                                  "evidence note too long", attachment=pk)
        if words:
            out[pk] = words
    return out


@transaction.atomic
def failure_package_generate(*, actor: User, dispute_id: int,
                             fact_elements: Mapping[Any, str] | None = None,
                             evidence_notes: Mapping[Any, str] | None = None
                             ) -> FailurePackage:
    """Make the failure package of a failed mediation of a loan or card debt: the complaint,
    the answer, the record of undisputed facts (made now if the record has none yet) and
    the evidence index as signed documents, and the JSON with its digest; a timeline event.

    ``fact_elements`` ties undisputed facts (by number) to the elements they establish;
    ``None`` keeps the ties of the latest version while the facts are the same.
    ``evidence_notes`` says what each shared evidence file (by its id) proves; ``None``
    keeps the latest version's. Nothing changed since the latest version: that version is
    returned and nothing is written.

    :raises RecordNotFound: the dispute is missing or hidden from ``actor``
    :raises PermissionDenied: not the committee's desk
    :raises TransitionRefused: the mediation has not failed
    :raises PleadingRefused: not a loan or card dispute, no record of undisputed facts, a
        tie to a fact or element that does not exist, or a note on a file that is not the
        dispute's shared evidence
    """
    now, _today = instant()
    dispute = lock_behind(actor, dispute_id, RecordNotFound("纠纷不存在", "no such dispute"))
    standing_of(actor, dispute).require(Standing.may_prepare_failure_package,
                                        "制作调解不成移送材料")
    require_state(dispute, *FAILURE_PACKAGE_STATES, doing="制作调解不成移送材料")
    template = pleadings.template_for(dispute.dispute_type)
    record = (UndisputedFacts.objects.filter(dispute=dispute).select_related("document")
              .first())
    if record is None:
        raise PleadingRefused("请先记载无争议事实（或写明无可记载事实的原因），再制作移送材料",
                              "record the undisputed facts first")
    latest = FailurePackage.objects.filter(dispute=dispute).order_by("-version").first()
    if fact_elements is None:
        same_facts = (latest is not None and [f["text"] for f in latest.content.get(
            "undisputed_facts", {}).get("facts", [])] == list(record.facts))
        ties = (_renamed(_ties(latest.fact_elements), template)
                if latest is not None and same_facts else {})
    else:
        ties = _ties(fact_elements)
    pleadings.check_fact_elements(template, ties, len(record.facts))
    if evidence_notes is None:  # the latest's, for the files still shared
        shared = {a.pk for a in shared_evidence(dispute)}
        notes = {int(k): v for k, v in (latest.evidence_notes if latest else {}).items()
                 if int(k) in shared}
    else:
        notes = _notes(evidence_notes, dispute)
    if record.document is None:  # the record as a document, as the transfer makes it
        facts_document(actor, dispute)
        record.refresh_from_db()
    facts = record.document
    if facts is None:  # facts_document has just made it: a record without one is a fault
        raise LookupError(f"the undisputed facts {record.pk} have no document")
    content = content_of(dispute, record, ties, notes)
    if latest is not None and _the_case(latest.content) == content:
        return latest
    version = latest.version + 1 if latest is not None else 1
    content["package"] = {"version": version, "generated_at": now.isoformat(),
                          "generated_by": actor.get_full_name() or actor.username,
                          "committee": dispute.committee.name}
    source = f"failure_package:{dispute.pk}:{version}"
    made: dict[str, Document] = {
        "complaint": document_generate(actor=actor, dispute=dispute, source=source,
                                       doc=pleading_texts.complaint(content)),
        "answer": document_generate(actor=actor, dispute=dispute, source=source,
                                    doc=pleading_texts.answer(content)),
        "undisputed_facts": facts,
        "evidence_index": document_generate(actor=actor, dispute=dispute, source=source,
                                            doc=pleading_texts.evidence_index(content)),
    }
    content["documents"] = [
        {"role": role, "id": d.pk, "kind": d.kind, "title": d.title,
         "template_version": d.template_version, "pdf_sha256": d.pdf_sha256,
         "docx_sha256": d.docx_sha256, "pdf_url": f"/api/v1/documents/{d.pk}/pdf",
         "docx_url": f"/api/v1/documents/{d.pk}/docx"}
        for role, d in made.items()]
    digest = sha256(canonical(content))
    package = FailurePackage.objects.create(
        dispute=dispute, version=version, template=template.value,
        schema_version=packages.SCHEMA_VERSION, content=content, content_sha256=digest,
        fact_elements={str(n): key for n, key in sorted(ties.items())},
        evidence_notes={str(pk): text for pk, text in sorted(notes.items())},
        complaint=made["complaint"], answer=made["answer"], facts=facts,
        evidence=made["evidence_index"], created_by=actor, created_at=now)
    record_event(dispute, events.FAILURE_PACKAGE_GENERATED, actor, now,
                 {"package": package.pk, "version": version, "template": template.value,
                  "documents": len(content["documents"]), "content_sha256": digest,
                  "fact_elements": len(ties)})
    return package


def package_on_transfer(actor: User, dispute: Dispute) -> FailurePackage | None:
    """At the transfer the package goes to the court with the record of undisputed facts:
    made, or brought up to date (the ties kept), for a loan or card dispute transferred by
    the committee's desk. A court taking a case back, or a dispute of another kind, gets
    none here: the desk makes it from the dispute's page. Inside the transfer's
    transaction: a refusal takes the transfer back with it."""
    if (dispute.dispute_type not in pleadings.TEMPLATE_OF_TYPE
            or not standing_of(actor, dispute).may_prepare_failure_package()):
        return None
    return failure_package_generate(actor=actor, dispute_id=dispute.pk)


def ties_offered(dispute: Dispute) -> tuple[pleadings.Template | None, list[tuple[str, str]]]:
    """The elements a fact may be tied to on the form, (key, label) in the text's order; no
    template for a dispute type neither text covers."""
    template = pleadings.TEMPLATE_OF_TYPE.get(dispute.dispute_type)
    if template is None:
        return None, []
    return template, [(e.key, f"{e.section.label}·{e.label}")
                      for e in pleadings.elements_of(template) if e.key != "evidence"]


