"""The loop past mediation over HTTP: the agreement (draft, checklist, signing codes,
signatures, seal), judicial confirmation (application, acceptance, review, ruling),
performance (schedule and standings, payments one by one or as a CSV of the institution's
references, enforcement, credit repair, follow-ups) and the generated documents."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Annotated, Any

from django.http import FileResponse, HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StrictBool, StrictInt

from jintiao.agreements import integrity as agreement_integrity
from jintiao.agreements import selectors as agreements
from jintiao.agreements import services as signing
from jintiao.agreements.content import Draft
from jintiao.agreements.models import Agreement
from jintiao.api.explain import explain_out
from jintiao.api.routers.disputes import ERRORS, DisputeId
from jintiao.api.schemas import (
    AgreementOut,
    CheckOut,
    ConfirmationOut,
    ConfirmationReviewOut,
    CreditRepairOut,
    DocumentOut,
    EnforcementBreakdownOut,
    EnforcementOut,
    FollowUpOut,
    InstalmentOut,
    Money,
    OrgRef,
    PaymentLineErrorOut,
    PaymentLineOut,
    PaymentListOut,
    PaymentOut,
    PaymentRecordedOut,
    PaymentsFileOut,
    PerformanceOut,
    SignatureOut,
    SignerOut,
    SigningCodeOut,
    text,
)
from jintiao.confirmation import selectors as court
from jintiao.confirmation import services as confirmation
from jintiao.confirmation.models import Application
from jintiao.disputes.access import (
    PermissionDenied,
    RecordNotFound,
    dispute_get_for,
    payments_import_problem,
)
from jintiao.documents.dossier import dossier_pdf
from jintiao.documents.integrity import document_file
from jintiao.documents.models import Document
from jintiao.domain.confirmation import Check
from jintiao.orgs.models import Organization, User
from jintiao.performance import explain as explaining
from jintiao.performance import selectors as performance
from jintiao.performance import services as paying
from jintiao.performance.models import CreditRepair, Enforcement, FollowUp, Payment

router = Router(tags=["agreement, confirmation, performance"])
Version = Annotated[StrictInt, Field(ge=1, le=2**31)]


def _viewer(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _client(request: HttpRequest) -> tuple[str, str]:
    return (request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_USER_AGENT", ""))


def checks_out(checks: tuple[Check, ...]) -> list[CheckOut]:
    return [CheckOut(code=c.code, label=c.label, verdict=c.verdict.value,
                     verdict_label=c.verdict.label, detail=c.detail, source=c.source)
            for c in checks]


def agreement_out(a: Agreement) -> AgreementOut:
    """The agreement with who signed; the content shows parties masked, as the document does."""
    return AgreementOut(
        id=a.pk, dispute_id=a.dispute_id, version=a.version, status=a.status,
        status_label=a.get_status_display(), digest=a.digest, content=a.content,
        effective_at=a.effective_at, document_id=a.document_id,
        signers=[SignerOut(key=s.key, name=s.name, capacity=s.capacity,
                           signed_at=s.signature.signed_at if s.signature else None)
                 for s in agreements.signers_of(a)],
        checklist=checks_out(agreements.checklist_of(a)),
    )


# --- the agreement ---

class AgreementDraftIn(Schema):
    expected_version: Version
    facts: text(4000, min_length=1)  # type: ignore[valid-type]
    performance_manner: text(1000, min_length=1)  # type: ignore[valid-type]
    charges_since: dt.date | None = None
    acceleration_missed: Annotated[StrictInt, Field(ge=1, le=12)] | None = None
    responsibility: text(2000) = ""  # type: ignore[valid-type]
    other_terms: text(2000) = ""  # type: ignore[valid-type]


@router.post("/disputes/{dispute_id}/agreement", response={201: AgreementOut, **ERRORS},
             operation_id="agreement_draft")
def agreement_draft(request: HttpRequest, dispute_id: DisputeId,
                    payload: AgreementDraftIn) -> Status[AgreementOut]:
    """Draft the agreement from the accepted plan, or revise it (a new version; signatures
    on the old one stop counting)."""
    made = signing.agreement_draft(
        actor=_viewer(request), dispute_id=dispute_id, expected_version=payload.expected_version,
        draft=Draft(facts=payload.facts, performance_manner=payload.performance_manner,
                    charges_since=payload.charges_since,
                    acceleration_missed=payload.acceleration_missed,
                    responsibility=payload.responsibility, other_terms=payload.other_terms))
    return Status(201, agreement_out(made))


@router.get("/disputes/{dispute_id}/agreement", response={200: AgreementOut, **ERRORS},
            operation_id="agreement_get")
def agreement_get(request: HttpRequest, dispute_id: DisputeId) -> AgreementOut:
    """The current version, its signers and the court checklist — only while its content
    still gives the digest the signers bound (409 ``record_altered`` otherwise)."""
    viewer = _viewer(request)
    dispute = dispute_get_for(viewer, dispute_id)
    found = agreements.current(dispute)
    if found is None:
        raise RecordNotFound("尚无调解协议", "no agreement yet")
    return agreement_out(agreement_integrity.require_intact(found, actor=viewer))


class SigningCodeSendIn(Schema):
    signer: text(40, min_length=1)  # type: ignore[valid-type]
    representative_id: Annotated[StrictInt, Field(ge=1, le=2**53)] | None = None


@router.post("/agreements/{agreement_id}/codes", response={201: SigningCodeOut, **ERRORS},
             operation_id="signing_code_send")
def signing_code_send(request: HttpRequest, agreement_id: DisputeId,
                      payload: SigningCodeSendIn) -> Status[SigningCodeOut]:
    """Send a one-time code to the signer's verified mobile (the code is never returned)."""
    sent = signing.signing_code_send(actor=_viewer(request), agreement_id=agreement_id,
                                     signer=payload.signer,
                                     representative_id=payload.representative_id)
    return Status(201, SigningCodeOut(signer=payload.signer, to=sent.phone_masked,
                                      expires_at=sent.expires_at))


class AgreementSignIn(Schema):
    signer: text(40, min_length=1)  # type: ignore[valid-type]
    code: Annotated[str, Field(pattern=r"^[0-9]{6}$")]


@router.post("/agreements/{agreement_id}/signatures", response={201: SignatureOut, **ERRORS},
             operation_id="agreement_sign")
def agreement_sign(request: HttpRequest, agreement_id: DisputeId,
                   payload: AgreementSignIn) -> Status[SignatureOut]:
    """Sign the current version with the code the signer received."""
    ip, agent = _client(request)
    made = signing.agreement_sign(actor=_viewer(request), agreement_id=agreement_id,
                                  signer=payload.signer, code=payload.code, client_ip=ip,
                                  client_agent=agent)
    return Status(201, SignatureOut(signer=payload.signer, name=made.signer_name,
                                    digest=made.digest, signed_at=made.signed_at))


class AgreementSealIn(Schema):
    expected_version: Version


@router.post("/agreements/{agreement_id}/seal", response={200: AgreementOut, **ERRORS},
             operation_id="agreement_seal")
def agreement_seal(request: HttpRequest, agreement_id: DisputeId,
                   payload: AgreementSealIn) -> AgreementOut:
    """The director applies the committee's seal: the agreement takes effect."""
    return agreement_out(signing.agreement_seal(actor=_viewer(request), agreement_id=agreement_id,
                                                expected_version=payload.expected_version))


# --- judicial confirmation ---

def _application_fields(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk, "dispute_id": a.dispute_id, "agreement_id": a.agreement_id,
        "court": OrgRef(id=a.court_id, name=a.court.name, kind=a.court.kind),
        "status": a.status, "status_label": a.get_status_display(), "filed_at": a.filed_at,
        "window_ends": a.window_ends, "case_number": a.case_number, "decide_by": a.decide_by,
        "decided_at": a.decided_at, "attested": a.attested, "reasons": a.reasons,
        "application_document_id": a.application_document_id,
        "ruling_document_id": a.ruling_document_id,
    }


def application_out(a: Application) -> ConfirmationOut:
    return ConfirmationOut(**_application_fields(a))


def application_review_out(a: Application) -> ConfirmationReviewOut:
    """The application with the checklist the judge reviews."""
    return ConfirmationReviewOut(**_application_fields(a), checklist=checks_out(court.review(a)))


class ConfirmationApplyIn(Schema):
    expected_version: Version
    court_id: Annotated[StrictInt, Field(ge=1, le=2**53)]


@router.post("/disputes/{dispute_id}/confirmation", response={201: ConfirmationOut, **ERRORS},
             operation_id="confirmation_apply")
def confirmation_apply(request: HttpRequest, dispute_id: DisputeId,
                       payload: ConfirmationApplyIn) -> Status[ConfirmationOut]:
    """File the joint application with the competent court within the window."""
    made = confirmation.confirmation_apply(actor=_viewer(request), dispute_id=dispute_id,
                                           expected_version=payload.expected_version,
                                           court_id=payload.court_id)
    return Status(201, application_out(made))


@router.get("/confirmations/{application_id}", response={200: ConfirmationReviewOut, **ERRORS},
            operation_id="confirmation_get")
def confirmation_get(request: HttpRequest, application_id: DisputeId) -> ConfirmationReviewOut:
    """The application with the checklist the judge reviews."""
    return application_review_out(court.application_get_for(_viewer(request), application_id))


@router.post("/confirmations/{application_id}/accept", response={200: ConfirmationOut, **ERRORS},
             operation_id="confirmation_accept")
def confirmation_accept(request: HttpRequest, application_id: DisputeId) -> ConfirmationOut:
    """The court files the application and gives it a case number."""
    return application_out(confirmation.confirmation_accept(actor=_viewer(request),
                                                            application_id=application_id))


class ConfirmationDecideIn(Schema):
    expected_version: Version
    confirm: StrictBool
    attested: list[text(40)] = Field(default_factory=list, max_length=10)  # type: ignore[valid-type]
    reasons: text(4000) = ""  # type: ignore[valid-type]


@router.post("/confirmations/{application_id}/ruling",
             response={200: ConfirmationReviewOut, **ERRORS}, operation_id="confirmation_decide")
def confirmation_decide(request: HttpRequest, application_id: DisputeId,
                        payload: ConfirmationDecideIn) -> ConfirmationReviewOut:
    """The judge confirms the agreement valid or rejects the application with reasons."""
    return application_review_out(confirmation.confirmation_decide(
        actor=_viewer(request), application_id=application_id,
        expected_version=payload.expected_version, confirm=payload.confirm,
        attested=list(payload.attested), reasons=payload.reasons))


# --- performance ---

def payment_out(p: Payment) -> PaymentOut:
    return PaymentOut(id=p.pk, reference=p.reference, paid_on=p.paid_on,
                      amount=f"{p.amount:.2f}", source=p.source,
                      source_label=p.get_source_display(), surplus_intended=p.surplus_intended,
                      reversed_at=p.reversed_at,
                      reversed_by=str(p.reversed_by or "") if p.reversed_at else "",
                      reversal_reason=p.reversal_reason)


def enforcement_out(e: Enforcement) -> EnforcementOut:
    """The enforcement, with how its amount was computed."""
    return EnforcementOut(status=e.status, accelerated_on=e.accelerated_on, as_of=e.as_of,
                          total=f"{e.total:.2f}",
                          breakdown=EnforcementBreakdownOut.model_validate(e.breakdown),
                          last_day=e.last_day, document_id=e.document_id,
                          explain=explain_out(explaining.enforcement_explained(e.dispute)))


def credit_repair_out(r: CreditRepair) -> CreditRepairOut:
    return CreditRepairOut(letter_id=r.letter_id, confirmed_at=r.confirmed_at, note=r.note)


@router.get("/disputes/{dispute_id}/performance", response={200: PerformanceOut, **ERRORS},
            operation_id="performance_get", by_alias=True)  # a late day's "from" is an alias
def performance_get(request: HttpRequest, dispute_id: DisputeId) -> PerformanceOut:
    """Every instalment's standing today, the first page of payments, what is to refund,
    and any enforcement or credit repair."""
    dispute = dispute_get_for(_viewer(request), dispute_id)
    account = performance.account_of(dispute)
    if account is None:
        raise RecordNotFound("协议尚未生效，无履行记录", "no effective agreement")
    enforcement = Enforcement.objects.filter(dispute=dispute).first()
    repair = getattr(dispute, "credit_repair", None)
    payments = performance.payments_of(dispute)
    return PerformanceOut(
        as_of=account.on, total_due=f"{account.total_due:.2f}",
        total_paid=f"{account.total_paid:.2f}", outstanding=f"{account.outstanding:.2f}",
        overdue=f"{account.overdue_amount:.2f}", surplus=f"{account.surplus:.2f}",
        to_refund=f"{performance.to_refund(dispute):.2f}",
        instalments=[InstalmentOut(number=s.due.number, due_on=s.due.due_on,
                                   scheduled_on=s.scheduled_on,
                                   amount=f"{s.due.amount:.2f}", paid=f"{s.paid:.2f}",
                                   status=s.status.value, status_label=s.status.label,
                                   paid_late=s.paid_late) for s in account.standings],
        payments=[payment_out(p) for p in payments[:PAYMENTS_PAGE]],
        payments_count=payments.count(),
        enforcement=None if enforcement is None else enforcement_out(enforcement),
        credit_repair=None if repair is None else credit_repair_out(repair),
        follow_ups=[FollowUpOut(id=f.pk, due_on=f.due_on, method=f.method, done_at=f.done_at,
                                note=f.note, cancelled_at=f.cancelled_at,
                                cancel_reason=f.cancel_reason)
                    for f in FollowUp.objects.filter(dispute=dispute).order_by("due_on")],
        explain=explain_out(explaining.account_explained(dispute, account.on)),
    )


PAYMENTS_PAGE = 50


class PaymentPage(Schema):
    limit: Annotated[int, Field(ge=1, le=200)] = PAYMENTS_PAGE
    offset: Annotated[int, Field(ge=0, le=10**7)] = 0


@router.get("/disputes/{dispute_id}/payments", response={200: PaymentListOut, **ERRORS},
            operation_id="payments_list")
def payments_list(request: HttpRequest, dispute_id: DisputeId,
                  page: Query[PaymentPage]) -> PaymentListOut:
    """The dispute's payments by date, a page at a time (``limit``, ``offset``)."""
    dispute = dispute_get_for(_viewer(request), dispute_id)
    rows = performance.payments_of(dispute)
    return PaymentListOut(count=rows.count(), items=[
        payment_out(p) for p in rows[page.offset:page.offset + page.limit]])


class PaymentRecordIn(Schema):
    reference: text(100, min_length=1)  # type: ignore[valid-type]
    paid_on: dt.date
    amount: Money
    surplus_intended: StrictBool = False  # the debtor meant to pay more than is owed


@router.post("/disputes/{dispute_id}/payments", response={200: PaymentRecordedOut,
                                                          201: PaymentRecordedOut, **ERRORS},
             operation_id="payment_record")
def payment_record(request: HttpRequest, dispute_id: DisputeId,
                   payload: PaymentRecordIn) -> Status[PaymentRecordedOut]:
    """Record a payment under the institution's reference: 201 when new, 200 when the same
    reference was recorded before (nothing changes). More than is owed is refused
    (``payment_exceeds_outstanding``) unless ``surplus_intended``; ``surplus`` is then
    the part to refund."""
    done = paying.payment_record(actor=_viewer(request), dispute_id=dispute_id,
                                 reference=payload.reference, paid_on=payload.paid_on,
                                 amount=Decimal(payload.amount), source=Payment.Source.API,
                                 surplus_intended=payload.surplus_intended)
    return Status(201 if done.created else 200, PaymentRecordedOut(
        **payment_out(done.payment).model_dump(), surplus=f"{done.surplus:.2f}"))


class PaymentReverseIn(Schema):
    reason: text(300, min_length=1)  # type: ignore[valid-type]


@router.post("/payments/{payment_id}/reversal", response={200: PaymentOut, **ERRORS},
             operation_id="payment_reverse")
def payment_reverse(request: HttpRequest, payment_id: DisputeId,
                    payload: PaymentReverseIn) -> PaymentOut:
    """The desk reverses a payment recorded in error or returned by the bank, with the
    reason: the record stays, marked, and counts no more (a performed dispute performs
    again; in default the amount to enforce is recomputed)."""
    return payment_out(paying.payment_reverse(actor=_viewer(request), payment_id=payment_id,
                                              reason=payload.reason))


@router.post("/institutions/{institution_id}/payments.csv",
             response={200: PaymentsFileOut, **ERRORS}, operation_id="payments_import")
def payments_import(request: HttpRequest, institution_id: DisputeId,
                    file: File[UploadedFile]) -> PaymentsFileOut:
    """Import a CSV of payments (dispute, reference, paid_on, amount, and optionally
    surplus_intended), each line under the rules of one payment, each answered in
    ``rows``. All or nothing; a file sent twice records nothing the second time."""
    viewer = _viewer(request)
    institution = Organization.objects.filter(pk=institution_id).first()
    problem = payments_import_problem(viewer, institution)
    if problem or institution is None:
        raise PermissionDenied(problem, "not an agent of this institution")
    done = paying.payments_file(actor=viewer, institution=institution,
                                data=file.read(paying.MAX_CSV + 1))
    return PaymentsFileOut(
        created=done.created, repeated=done.repeated,
        errors=[PaymentLineErrorOut(line=n, message=m) for n, m in done.errors],
        rows=[PaymentLineOut(line=a.line, dispute=a.dispute, reference=a.reference,
                             status=a.status.value, status_label=a.status.label, code=a.code,
                             message=a.message, surplus=f"{a.surplus:.2f}")
              for a in done.rows])


class EnforcementApplyIn(Schema):
    expected_version: Version


@router.post("/disputes/{dispute_id}/enforcement", response={200: EnforcementOut, **ERRORS},
             operation_id="enforcement_apply", by_alias=True)  # as performance_get
def enforcement_apply(request: HttpRequest, dispute_id: DisputeId,
                      payload: EnforcementApplyIn) -> EnforcementOut:
    """The creditor applies for enforcement; the amount is recomputed to today."""
    return enforcement_out(paying.enforcement_apply(actor=_viewer(request), dispute_id=dispute_id,
                                                    expected_version=payload.expected_version))


class CreditRepairConfirmIn(Schema):
    note: text(300) = ""  # type: ignore[valid-type]


@router.post("/disputes/{dispute_id}/credit-repair/confirm",
             response={200: CreditRepairOut, **ERRORS}, operation_id="credit_repair_confirm")
def credit_repair_confirm(request: HttpRequest, dispute_id: DisputeId,
                          payload: CreditRepairConfirmIn) -> CreditRepairOut:
    """The institution confirms the debtor's credit record was corrected."""
    return credit_repair_out(paying.credit_repair_confirm(
        actor=_viewer(request), dispute_id=dispute_id, note=payload.note))


# --- documents ---

def document_out(d: Document) -> DocumentOut:
    return DocumentOut(id=d.pk, kind=d.kind, title=d.title, template_version=d.template_version,
                       docx_sha256=d.docx_sha256, pdf_sha256=d.pdf_sha256,
                       created_at=d.created_at)


@router.get("/disputes/{dispute_id}/documents", response={200: list[DocumentOut], **ERRORS},
            operation_id="documents_list")
def documents_list(request: HttpRequest, dispute_id: DisputeId) -> list[DocumentOut]:
    """The dispute's generated documents with their digests."""
    dispute = dispute_get_for(_viewer(request), dispute_id)
    return [document_out(d) for d in Document.objects.filter(dispute=dispute).order_by("seq")]


BINARY = {"schema": {"type": "string", "format": "binary"}}
FILE_ANSWER = {"description": "The file, as an attachment", "content": {
    "application/pdf": BINARY,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": BINARY}}


@router.get("/disputes/{dispute_id}/dossier", response={200: None, **ERRORS},
            operation_id="dossier_download",
            openapi_extra={"responses": {200: {"description": "调解卷宗（PDF）", "content": {
                "application/pdf": BINARY}}}})
def dossier_download(request: HttpRequest, dispute_id: DisputeId) -> FileResponse:
    """The dispute's file (卷宗) as one PDF: the cover and contents in the order the
    Ministry of Justice's format files them, then every stored document, each checked
    against its digest (409 ``record_altered`` when one no longer matches)."""
    dispute, data = dossier_pdf(actor=_viewer(request), dispute_id=dispute_id)
    return FileResponse(io.BytesIO(data), as_attachment=True,
                        filename=f"调解卷宗-{dispute.number}.pdf")


@router.get("/documents/{document_id}/{fmt}", response={200: None, **ERRORS},
            operation_id="document_download",
            openapi_extra={"responses": {200: FILE_ANSWER}})
def document_download(request: HttpRequest, document_id: DisputeId, fmt: str) -> FileResponse:
    """The document as Word (``docx``) or PDF (``pdf``), checked against the SHA-256 taken
    when it was made (409 ``record_altered`` when the stored file no longer matches)."""
    found, data = document_file(actor=_viewer(request), document_id=document_id, fmt=fmt)
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=f"{found.title}.{fmt}")
