"""The loop past mediation over HTTP: the agreement (draft, checklist, signing codes,
signatures, seal), judicial confirmation (application, acceptance, review, ruling),
performance (schedule and standings, payments one by one or as a CSV of the institution's
references, enforcement, credit repair, follow-ups) and the generated documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import FileResponse, HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StrictBool, StrictInt

from jintiao import clock
from jintiao.agreements import selectors as agreements
from jintiao.agreements import services as signing
from jintiao.agreements.content import Draft
from jintiao.agreements.models import Agreement
from jintiao.api.routers.disputes import ERRORS, DisputeId
from jintiao.api.schemas import Money, text
from jintiao.confirmation import selectors as court
from jintiao.confirmation import services as confirmation
from jintiao.confirmation.models import Application
from jintiao.disputes.selectors import dispute_get_for
from jintiao.disputes.services import PermissionDenied
from jintiao.documents.models import Document
from jintiao.domain.confirmation import Check
from jintiao.mediation.selectors import RecordNotFound, record_get_for
from jintiao.orgs.models import Organization, User
from jintiao.performance import selectors as performance
from jintiao.performance import services as paying
from jintiao.performance.models import Enforcement, FollowUp, Payment

router = Router(tags=["agreement, confirmation, performance"])
Version = Annotated[StrictInt, Field(ge=1, le=2**31)]
Anything = dict[str, Any]


def _viewer(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _client(request: HttpRequest) -> tuple[str, str]:
    return (request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_USER_AGENT", ""))


def checks_out(checks: tuple[Check, ...]) -> list[Anything]:
    return [{"code": c.code, "label": c.label, "verdict": c.verdict.value,
             "verdict_label": c.verdict.label, "detail": c.detail, "source": c.source}
            for c in checks]


def agreement_out(a: Agreement) -> Anything:
    """The agreement with who signed; the content shows parties masked, as the document does."""
    return {
        "id": a.pk, "dispute_id": a.dispute_id, "version": a.version, "status": a.status,
        "status_label": a.get_status_display(), "digest": a.digest, "content": a.content,
        "effective_at": a.effective_at.isoformat() if a.effective_at else None,
        "document_id": a.document_id,
        "signers": [{"key": s.key, "name": s.name, "capacity": s.capacity,
                     "signed_at": s.signature.signed_at.isoformat() if s.signature else None}
                    for s in agreements.signers_of(a)],
        "checklist": checks_out(agreements.checklist_of(a)),
    }


# --- the agreement ---

class DraftIn(Schema):
    expected_version: Version
    facts: text(4000, min_length=1)  # type: ignore[valid-type]
    performance_manner: text(1000, min_length=1)  # type: ignore[valid-type]
    charges_since: dt.date | None = None
    acceleration_missed: Annotated[StrictInt, Field(ge=1, le=12)] | None = None
    responsibility: text(2000) = ""  # type: ignore[valid-type]
    other_terms: text(2000) = ""  # type: ignore[valid-type]


@router.post("/disputes/{dispute_id}/agreement", response={201: Anything, **ERRORS},
             operation_id="agreement_draft")
def agreement_draft(request: HttpRequest, dispute_id: DisputeId,
                    payload: DraftIn) -> Status[Anything]:
    """Draft the agreement from the accepted plan, or revise it (a new version; signatures
    on the old one stop counting)."""
    made = signing.agreement_draft(
        actor=_viewer(request), dispute_id=dispute_id, expected_version=payload.expected_version,
        draft=Draft(facts=payload.facts, performance_manner=payload.performance_manner,
                    charges_since=payload.charges_since,
                    acceleration_missed=payload.acceleration_missed,
                    responsibility=payload.responsibility, other_terms=payload.other_terms))
    return Status(201, agreement_out(made))


@router.get("/disputes/{dispute_id}/agreement", response={200: Anything, **ERRORS},
            operation_id="agreement_get")
def agreement_get(request: HttpRequest, dispute_id: DisputeId) -> Anything:
    """The current version, its signers and the court checklist."""
    dispute = dispute_get_for(_viewer(request), dispute_id)
    found = agreements.current(dispute)
    if found is None:
        raise RecordNotFound("尚无调解协议", "no agreement yet")
    return agreement_out(found)


class CodeIn(Schema):
    signer: text(40, min_length=1)  # type: ignore[valid-type]
    representative_id: Annotated[StrictInt, Field(ge=1, le=2**53)] | None = None


@router.post("/agreements/{agreement_id}/codes", response={201: Anything, **ERRORS},
             operation_id="signing_code_send")
def signing_code_send(request: HttpRequest, agreement_id: DisputeId,
                      payload: CodeIn) -> Status[Anything]:
    """Send a one-time code to the signer's verified mobile (the code is never returned)."""
    sent = signing.signing_code_send(actor=_viewer(request), agreement_id=agreement_id,
                                     signer=payload.signer,
                                     representative_id=payload.representative_id)
    return Status(201, {"signer": payload.signer, "to": sent.phone_masked,
                        "expires_at": sent.expires_at.isoformat()})


class SignIn(Schema):
    signer: text(40, min_length=1)  # type: ignore[valid-type]
    code: Annotated[str, Field(pattern=r"^[0-9]{6}$")]


@router.post("/agreements/{agreement_id}/signatures", response={201: Anything, **ERRORS},
             operation_id="agreement_sign")
def agreement_sign(request: HttpRequest, agreement_id: DisputeId,
                   payload: SignIn) -> Status[Anything]:
    """Sign the current version with the code the signer received."""
    ip, agent = _client(request)
    made = signing.agreement_sign(actor=_viewer(request), agreement_id=agreement_id,
                                  signer=payload.signer, code=payload.code, client_ip=ip,
                                  client_agent=agent)
    return Status(201, {"signer": payload.signer, "name": made.signer_name,
                        "digest": made.digest, "signed_at": made.signed_at.isoformat()})


class SealIn(Schema):
    expected_version: Version


@router.post("/agreements/{agreement_id}/seal", response={200: Anything, **ERRORS},
             operation_id="agreement_seal")
def agreement_seal(request: HttpRequest, agreement_id: DisputeId, payload: SealIn) -> Anything:
    """The director applies the committee's seal: the agreement takes effect."""
    return agreement_out(signing.agreement_seal(actor=_viewer(request), agreement_id=agreement_id,
                                                expected_version=payload.expected_version))


# --- judicial confirmation ---

def application_out(a: Application, *, checklist: bool = False) -> Anything:
    out: Anything = {
        "id": a.pk, "dispute_id": a.dispute_id, "agreement_id": a.agreement_id,
        "court": {"id": a.court_id, "name": a.court.name}, "status": a.status,
        "status_label": a.get_status_display(), "filed_at": a.filed_at.isoformat(),
        "window_ends": a.window_ends.isoformat(), "case_number": a.case_number,
        "decide_by": a.decide_by.isoformat() if a.decide_by else None,
        "decided_at": a.decided_at.isoformat() if a.decided_at else None,
        "attested": a.attested, "reasons": a.reasons,
        "application_document_id": a.application_document_id,
        "ruling_document_id": a.ruling_document_id,
    }
    if checklist:
        out["checklist"] = checks_out(court.review(a))
    return out


class ApplyIn(Schema):
    expected_version: Version
    court_id: Annotated[StrictInt, Field(ge=1, le=2**53)]


@router.post("/disputes/{dispute_id}/confirmation", response={201: Anything, **ERRORS},
             operation_id="confirmation_apply")
def confirmation_apply(request: HttpRequest, dispute_id: DisputeId,
                       payload: ApplyIn) -> Status[Anything]:
    """File the joint application with the competent court within the window."""
    made = confirmation.confirmation_apply(actor=_viewer(request), dispute_id=dispute_id,
                                           expected_version=payload.expected_version,
                                           court_id=payload.court_id)
    return Status(201, application_out(made))


@router.get("/confirmations/{application_id}", response={200: Anything, **ERRORS},
            operation_id="confirmation_get")
def confirmation_get(request: HttpRequest, application_id: DisputeId) -> Anything:
    """The application with the checklist the judge reviews."""
    return application_out(court.application_get_for(_viewer(request), application_id),
                           checklist=True)


@router.post("/confirmations/{application_id}/accept", response={200: Anything, **ERRORS},
             operation_id="confirmation_accept")
def confirmation_accept(request: HttpRequest, application_id: DisputeId) -> Anything:
    """The court files the application and gives it a case number."""
    return application_out(confirmation.confirmation_accept(actor=_viewer(request),
                                                            application_id=application_id))


class DecideIn(Schema):
    expected_version: Version
    confirm: StrictBool
    attested: list[text(40)] = Field(default_factory=list, max_length=10)  # type: ignore[valid-type]
    reasons: text(4000) = ""  # type: ignore[valid-type]


@router.post("/confirmations/{application_id}/ruling", response={200: Anything, **ERRORS},
             operation_id="confirmation_decide")
def confirmation_decide(request: HttpRequest, application_id: DisputeId,
                        payload: DecideIn) -> Anything:
    """The judge confirms the agreement valid or rejects the application with reasons."""
    return application_out(confirmation.confirmation_decide(
        actor=_viewer(request), application_id=application_id,
        expected_version=payload.expected_version, confirm=payload.confirm,
        attested=list(payload.attested), reasons=payload.reasons), checklist=True)


# --- performance ---

class PaymentOut(Schema):
    id: int
    reference: str
    paid_on: dt.date
    amount: str
    source: str
    source_label: str
    surplus_intended: bool  # the recorder stated that the debtor meant to pay more
    reversed_at: dt.datetime | None  # reversed by the desk: it counts no more
    reversed_by: str
    reversal_reason: str


class PaymentRecordedOut(PaymentOut):
    surplus: str  # of this payment, beyond everything owed: to refund


def payment_out(p: Payment) -> Anything:
    return {"id": p.pk, "reference": p.reference, "paid_on": p.paid_on,
            "amount": f"{p.amount:.2f}", "source": p.source,
            "source_label": p.get_source_display(), "surplus_intended": p.surplus_intended,
            "reversed_at": p.reversed_at.astimezone(clock.TZ) if p.reversed_at else None,
            "reversed_by": str(p.reversed_by or "") if p.reversed_at else "",
            "reversal_reason": p.reversal_reason}


class InstalmentOut(Schema):
    number: int
    due_on: dt.date  # after default: the day of acceleration, for those not yet due then
    scheduled_on: dt.date | None  # the agreed due date, when acceleration moved it
    amount: str
    paid: str
    status: str
    status_label: str
    paid_late: bool


class LateDaysOut(Schema):
    number: int
    start: dt.date = Field(alias="from")
    to: dt.date
    base: str
    days: int


class BreakdownOut(Schema):
    principal: str
    interest: str
    arrears: str
    revived: str
    late_interest: str
    costs: str
    interest_not_accrued: str = "0.00"
    late_days: list[LateDaysOut] = Field(default_factory=list)


class EnforcementOut(Schema):
    status: str
    accelerated_on: dt.date
    as_of: dt.date
    total: str
    breakdown: BreakdownOut
    last_day: dt.date
    document_id: int | None


class CreditRepairOut(Schema):
    letter_id: int
    confirmed_at: dt.datetime | None


class FollowUpOut(Schema):
    id: int
    due_on: dt.date
    method: str
    done_at: dt.datetime | None
    note: str
    cancelled_at: dt.datetime | None  # enforcement applied for: no more visits
    cancel_reason: str


class PerformanceOut(Schema):
    as_of: dt.date
    total_due: str
    total_paid: str
    outstanding: str
    overdue: str
    surplus: str
    to_refund: str  # paid beyond everything owed (after default, with the revived and
    # doubled interest): the debtor's money
    instalments: list[InstalmentOut]
    payments: list[PaymentOut]  # the first page; payments_list gives every page
    payments_count: int
    enforcement: EnforcementOut | None
    credit_repair: CreditRepairOut | None
    follow_ups: list[FollowUpOut]


@router.get("/disputes/{dispute_id}/performance", response={200: PerformanceOut, **ERRORS},
            operation_id="performance_get", by_alias=True)
def performance_get(request: HttpRequest, dispute_id: DisputeId) -> Anything:
    """Every instalment's standing today, the first page of payments, what is to refund,
    and any enforcement or credit repair."""
    dispute = dispute_get_for(_viewer(request), dispute_id)
    account = performance.account_of(dispute)
    if account is None:
        raise RecordNotFound("协议尚未生效，无履行记录", "no effective agreement")
    enforcement = Enforcement.objects.filter(dispute=dispute).first()
    repair = getattr(dispute, "credit_repair", None)
    payments = performance.payments_of(dispute)
    return {
        "as_of": account.on, "total_due": f"{account.total_due:.2f}",
        "total_paid": f"{account.total_paid:.2f}", "outstanding": f"{account.outstanding:.2f}",
        "overdue": f"{account.overdue_amount:.2f}", "surplus": f"{account.surplus:.2f}",
        "to_refund": f"{performance.to_refund(dispute):.2f}",
        "instalments": [{"number": s.due.number, "due_on": s.due.due_on,
                         "scheduled_on": s.scheduled_on,
                         "amount": f"{s.due.amount:.2f}", "paid": f"{s.paid:.2f}",
                         "status": s.status.value, "status_label": s.status.label,
                         "paid_late": s.paid_late} for s in account.standings],
        "payments": [payment_out(p) for p in payments[:PAYMENTS_PAGE]],
        "payments_count": payments.count(),
        "enforcement": None if enforcement is None else {
            "status": enforcement.status, "accelerated_on": enforcement.accelerated_on,
            "as_of": enforcement.as_of, "total": f"{enforcement.total:.2f}",
            "breakdown": enforcement.breakdown, "last_day": enforcement.last_day,
            "document_id": enforcement.document_id},
        "credit_repair": None if repair is None else {
            "letter_id": repair.letter_id, "confirmed_at": repair.confirmed_at},
        "follow_ups": [{"id": f.pk, "due_on": f.due_on, "method": f.method,
                        "done_at": f.done_at, "note": f.note, "cancelled_at": f.cancelled_at,
                        "cancel_reason": f.cancel_reason}
                       for f in FollowUp.objects.filter(dispute=dispute).order_by("due_on")],
    }


PAYMENTS_PAGE = 50


class PaymentPage(Schema):
    limit: Annotated[int, Field(ge=1, le=200)] = PAYMENTS_PAGE
    offset: Annotated[int, Field(ge=0, le=10**7)] = 0


class PaymentListOut(Schema):
    count: int
    items: list[PaymentOut]


@router.get("/disputes/{dispute_id}/payments", response={200: PaymentListOut, **ERRORS},
            operation_id="payments_list")
def payments_list(request: HttpRequest, dispute_id: DisputeId,
                  page: Query[PaymentPage]) -> Anything:
    """The dispute's payments by date, a page at a time (``limit``, ``offset``)."""
    dispute = dispute_get_for(_viewer(request), dispute_id)
    rows = performance.payments_of(dispute)
    return {"count": rows.count(),
            "items": [payment_out(p) for p in rows[page.offset:page.offset + page.limit]]}


class PaymentIn(Schema):
    reference: text(100, min_length=1)  # type: ignore[valid-type]
    paid_on: dt.date
    amount: Money
    surplus_intended: StrictBool = False  # the debtor meant to pay more than is owed


@router.post("/disputes/{dispute_id}/payments", response={200: PaymentRecordedOut,
                                                          201: PaymentRecordedOut, **ERRORS},
             operation_id="payment_record")
def payment_record(request: HttpRequest, dispute_id: DisputeId,
                   payload: PaymentIn) -> Status[Anything]:
    """Record a payment under the institution's reference: 201 when new, 200 when the same
    reference was recorded before (nothing changes). More than is owed is refused
    (``payment_exceeds_outstanding``) unless ``surplus_intended``; ``surplus`` is then
    the part to refund."""
    done = paying.payment_record(actor=_viewer(request), dispute_id=dispute_id,
                                 reference=payload.reference, paid_on=payload.paid_on,
                                 amount=Decimal(payload.amount), source=Payment.Source.API,
                                 surplus_intended=payload.surplus_intended)
    return Status(201 if done.created else 200,
                  {**payment_out(done.payment), "surplus": f"{done.surplus:.2f}"})


class ReversalIn(Schema):
    reason: text(300, min_length=1)  # type: ignore[valid-type]


@router.post("/payments/{payment_id}/reversal", response={200: PaymentOut, **ERRORS},
             operation_id="payment_reverse")
def payment_reverse(request: HttpRequest, payment_id: DisputeId,
                    payload: ReversalIn) -> Anything:
    """The desk reverses a payment recorded in error or returned by the bank, with the
    reason: the record stays, marked, and counts no more (a performed dispute performs
    again; in default the amount to enforce is recomputed)."""
    return payment_out(paying.payment_reverse(actor=_viewer(request), payment_id=payment_id,
                                              reason=payload.reason))


class ImportErrorOut(Schema):
    line: int
    message: str


class ImportRowOut(Schema):
    line: int
    dispute: str
    reference: str
    status: str  # created, repeated, refused, not_recorded (the file had other errors)
    status_label: str
    code: str  # the error's code when refused
    message: str
    surplus: str


class ImportOut(Schema):
    created: int
    repeated: int
    errors: list[ImportErrorOut]
    rows: list[ImportRowOut]


@router.post("/institutions/{institution_id}/payments.csv", response={200: ImportOut, **ERRORS},
             operation_id="payments_import")
def payments_import(request: HttpRequest, institution_id: DisputeId,
                    file: File[UploadedFile]) -> Anything:
    """Import a CSV of payments (dispute, reference, paid_on, amount, and optionally
    surplus_intended), each line under the rules of one payment, each answered in
    ``rows``. All or nothing; a file sent twice records nothing the second time."""
    viewer = _viewer(request)
    institution = Organization.objects.filter(pk=institution_id).first()
    problem = performance.importer_problem(viewer, institution)
    if problem or institution is None:
        raise PermissionDenied(problem, "not an agent of this institution")
    done = paying.payments_file(actor=viewer, institution=institution,
                                data=file.read(paying.MAX_CSV + 1))
    return {"created": done.created, "repeated": done.repeated,
            "errors": [{"line": n, "message": m} for n, m in done.errors],
            "rows": [{"line": a.line, "dispute": a.dispute, "reference": a.reference,
                      "status": a.status.value, "status_label": a.status.label,
                      "code": a.code, "message": a.message, "surplus": f"{a.surplus:.2f}"}
                     for a in done.rows]}


class EnforceIn(Schema):
    expected_version: Version


@router.post("/disputes/{dispute_id}/enforcement", response={200: Anything, **ERRORS},
             operation_id="enforcement_apply")
def enforcement_apply(request: HttpRequest, dispute_id: DisputeId, payload: EnforceIn) -> Anything:
    """The creditor applies for enforcement; the amount is recomputed to today."""
    e = paying.enforcement_apply(actor=_viewer(request), dispute_id=dispute_id,
                                 expected_version=payload.expected_version)
    return {"status": e.status, "total": f"{e.total:.2f}", "breakdown": e.breakdown,
            "as_of": e.as_of.isoformat(), "last_day": e.last_day.isoformat(),
            "document_id": e.document_id}


class NoteIn(Schema):
    note: text(300) = ""  # type: ignore[valid-type]


@router.post("/disputes/{dispute_id}/credit-repair/confirm", response={200: Anything, **ERRORS},
             operation_id="credit_repair_confirm")
def credit_repair_confirm(request: HttpRequest, dispute_id: DisputeId, payload: NoteIn) -> Anything:
    """The institution confirms the debtor's credit record was corrected."""
    done = paying.credit_repair_confirm(actor=_viewer(request), dispute_id=dispute_id,
                                        note=payload.note)
    return {"confirmed_at": done.confirmed_at.isoformat() if done.confirmed_at else None,
            "note": done.note}


# --- documents ---

def document_out(d: Document) -> Anything:
    return {"id": d.pk, "kind": d.kind, "title": d.title, "template_version": d.template_version,
            "docx_sha256": d.docx_sha256, "pdf_sha256": d.pdf_sha256,
            "created_at": d.created_at.astimezone(clock.TZ).isoformat()}


@router.get("/disputes/{dispute_id}/documents", response={200: list[Anything], **ERRORS},
            operation_id="documents_list")
def documents_list(request: HttpRequest, dispute_id: DisputeId) -> list[Anything]:
    """The dispute's generated documents with their digests."""
    dispute = dispute_get_for(_viewer(request), dispute_id)
    return [document_out(d) for d in Document.objects.filter(dispute=dispute).order_by("seq")]


@router.get("/documents/{document_id}/{fmt}", response={200: None, **ERRORS},
            operation_id="document_download")
def document_download(request: HttpRequest, document_id: DisputeId, fmt: str) -> FileResponse:
    """The document as Word (``docx``) or PDF (``pdf``)."""
    missing = RecordNotFound("文书不存在", "no such document")
    found = record_get_for(_viewer(request), Document.objects.all(), document_id, missing)
    if fmt not in ("docx", "pdf"):
        raise missing
    field = found.docx if fmt == "docx" else found.pdf
    return FileResponse(field.open("rb"), as_attachment=True,
                        filename=f"{found.title}.{fmt}")
