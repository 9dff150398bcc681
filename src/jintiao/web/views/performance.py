"""Performance: the instalments and what is paid, payments, the enforcement application,
credit repair and follow-up visits; the institution's payments file; documents; the demo's
SMS outbox."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jintiao.disputes.access import (
    DisputeNotFound,
    RecordNotFound,
    payments_import_problem,
    record_get_for,
    supervises_everything,
)
from jintiao.documents.dossier import dossier_pdf
from jintiao.documents.integrity import (
    FileMissing,
    RecordAltered,
    document_file,
    document_html,
)
from jintiao.documents.models import Document
from jintiao.domain.errors import DomainError
from jintiao.domain.lifecycle import State
from jintiao.domain.money import format_amount
from jintiao.domain.performance import OUTSTANDING_LABELS
from jintiao.outreach.selectors import outbox_for, purpose_label
from jintiao.performance import explain as explaining
from jintiao.performance import selectors as performance
from jintiao.performance import services as paying
from jintiao.performance.models import Enforcement, FollowUp, Payment
from jintiao.web.forms import loop as forms
from jintiao.web.views.common import attempt, standing_or_404, submit, viewer_of, visible_or_404
from jintiao.web.views.errors import file_missing
from jintiao.web.views.mediation_rows import found_or_404, header

PAYING_STATES = (State.PERFORMING, State.DEFAULTED, State.ENFORCEMENT)
OUTBOX_ROWS = 50
PAYMENTS_PAGE = 50


@login_required
@require_GET
def performance_page(request: HttpRequest, dispute_id: int) -> HttpResponse:
    me = standing_or_404(viewer_of(request), dispute_id)
    dispute = me.dispute
    context = header(me)
    account = performance.account_of(dispute)
    refund = performance.to_refund(dispute) if account else Decimal("0.00")
    enforcement = Enforcement.objects.filter(dispute=dispute).first()
    state = State(dispute.state)
    payments = Paginator(performance.payments_of(dispute), PAYMENTS_PAGE).get_page(
        request.GET.get("page"))
    context.update({
        "account": account, "money": format_amount,
        "rows": [{"s": s, "amount": format_amount(s.due.amount), "paid": format_amount(s.paid),
                  "unpaid": format_amount(s.unpaid)} for s in account.standings]
        if account else [],
        "totals": {k: format_amount(getattr(account, k)) for k in
                   ("total_due", "total_paid", "outstanding", "overdue_amount")}
        if account else {},
        "to_refund": format_amount(refund) if refund else "",
        "payments": [{"p": p, "amount": format_amount(p.amount)}
                     for p in payments.object_list],
        "payments_page": payments,
        "reversal_form": forms.ReversalForm() if me.may_mediate() and state in paying.REVERSIBLE
        else None,
        "accelerated": state in (State.DEFAULTED, State.ENFORCEMENT) or bool(
            account and any(s.scheduled_on for s in account.standings)),
        "payment_form": forms.PaymentForm() if me.may_record_payment()
        and state in PAYING_STATES else None,
        "enforcement": enforcement if state in (State.DEFAULTED, State.ENFORCEMENT) else None,
        "enforcement_total": format_amount(enforcement.total) if enforcement else "",
        "enforcement_rows": _breakdown_rows(enforcement) if enforcement else [],
        "may_enforce": (me.may_act_as_creditor() and state == State.DEFAULTED
                        and performance.confirmation_of(dispute) is not None),
        "may_import": me.agent,
        "repair": getattr(dispute, "credit_repair", None),
        "may_confirm_repair": me.may_act_as_creditor(),
        "follow_ups": FollowUp.objects.filter(dispute=dispute).order_by("due_on"),
        "follow_form": forms.FollowUpForm() if me.may_mediate() else None,
        "may_review": me.may_review_performance() and state == State.PERFORMING,
        "confirmation": performance.confirmation_of(dispute),
        "account_explain": explaining.account_explained(dispute) if account else None,
        "enforcement_explain": explaining.enforcement_explained(dispute)
        if enforcement and state in (State.DEFAULTED, State.ENFORCEMENT) else None,
    })
    return render(request, "web/loop/performance.html", context)


def _breakdown_rows(e: Enforcement) -> list[tuple[str, str]]:
    return [(label, format_amount(Decimal(e.breakdown[k])))
            for k, label in OUTSTANDING_LABELS.items() if e.breakdown.get(k) not in (None, "0.00")]


def _back(dispute_id: int, anchor: str = "") -> HttpResponse:
    url = reverse("web:performance", kwargs={"dispute_id": dispute_id})
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_POST
def payment_record(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    done = submit(request, forms.PaymentForm(request.POST), lambda d: paying.payment_record(
        actor=viewer, dispute_id=dispute_id, reference=d["reference"], paid_on=d["paid_on"],
        amount=d["amount"], surplus_intended=d["surplus_intended"]), _("已登记还款"))
    if done is not None and not done.created and done.payment.reversed_at is not None:
        messages.info(request, _("该流水号的还款已登记并已冲正，未重新记账"))
    elif done is not None and not done.created:
        messages.info(request, _("该流水号已登记过，未重复记账"))
    elif done is not None and done.surplus:
        messages.info(request, _("其中多付%(s)s元，应退还当事人") % {
            "s": format_amount(done.surplus)})
    return _back(dispute_id, "payments")


@login_required
@require_POST
def payment_reverse(request: HttpRequest, payment_id: int) -> HttpResponse:
    """The desk reverses a payment, with the reason; the record stays, marked."""
    viewer = viewer_of(request)
    payment = found_or_404(lambda: record_get_for(
        viewer, Payment.objects.all(), payment_id,
        RecordNotFound("还款记录不存在", "no such payment")))
    submit(request, forms.ReversalForm(request.POST), lambda d: paying.payment_reverse(
        actor=viewer, payment_id=payment_id, reason=d["reason"]), _("已冲正该笔还款"),
        invalid=_("须写明冲正原因"))
    return _back(payment.dispute_id, "payments")


@login_required
@require_POST
def performance_review(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    attempt(request, lambda: paying.performance_review(actor=viewer, dispute_id=dispute_id),
            _("已检查履行情况"))
    return _back(dispute_id)


@login_required
@require_POST
def enforcement_apply(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.VersionForm(request.POST), lambda d: paying.enforcement_apply(
        actor=viewer, dispute_id=dispute_id, expected_version=d["expected_version"]),
        _("已生成强制执行申请书并提交"))
    return _back(dispute_id, "enforcement")


@login_required
@require_POST
def credit_repair_confirm(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.NoteForm(request.POST), lambda d: paying.credit_repair_confirm(
        actor=viewer, dispute_id=dispute_id, note=d["note"]), _("已确认征信记录更正"))
    return _back(dispute_id, "repair")


@login_required
@require_POST
def follow_up_record(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visit = found_or_404(lambda: record_get_for(viewer, FollowUp.objects.all(), follow_up_id,
                                                RecordNotFound("回访计划不存在", "no such visit")))
    submit(request, forms.FollowUpForm(request.POST), lambda d: paying.follow_up_record(
        actor=viewer, follow_up_id=follow_up_id, method=d["method"], note=d["note"]),
        _("已登记回访"))
    return _back(visit.dispute_id, "follow-ups")


@login_required
@require_http_methods(["GET", "POST"])
def payments_import(request: HttpRequest) -> HttpResponse:
    """An institution's payments file: all or nothing, and nothing twice."""
    viewer = viewer_of(request)
    node = viewer.organization
    problem = payments_import_problem(viewer, node)
    if problem or node is None:
        raise Forbidden(problem)
    form = forms.CsvForm(request.POST or None, request.FILES or None)
    result: Any = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = paying.payments_file(actor=viewer, institution=node,
                                          data=upload.read(paying.MAX_CSV + 1))
        except DomainError as exc:  # too large, not UTF-8: nothing recorded
            messages.error(request, exc.message)
        else:
            if result.errors:
                messages.error(request, _("文件有错误，未登记任何还款"))
            else:
                messages.success(request, _("已登记%(n)d笔，重复%(r)d笔") % {
                    "n": result.created, "r": result.repeated})
    return render(request, "web/loop/payments_import.html", {"form": form, "result": result})


@login_required
@require_GET
def document_view(request: HttpRequest, document_id: int) -> HttpResponse:
    doc = _document(request, document_id)
    try:
        html = document_html(doc, actor=viewer_of(request))
    except RecordAltered as refused:
        messages.error(request, refused.message)
        return redirect("web:dispute_detail", dispute_id=doc.dispute_id)
    return render(request, "web/loop/document.html", {
        "doc": doc, "html": mark_safe(html)})  # noqa: S308 - rendered from escaped blocks


@login_required
@require_GET
def document_download(request: HttpRequest, document_id: int,
                      fmt: str) -> HttpResponse | FileResponse:
    """The file as stored, re-hashed first: one edited on disk is refused, and the person
    is taken back to the dispute with the reason (the alert is on its timeline)."""
    viewer = viewer_of(request)
    try:
        doc, data = document_file(actor=viewer, document_id=document_id, fmt=fmt)
    except FileMissing as gone:  # visible, but its file is lost: say so (a 404, never a 500)
        kept = Document.objects.filter(pk=document_id).values_list("dispute_id", flat=True)
        return file_missing(request, gone.message, kept.first())
    except RecordNotFound:
        raise Http404(_("记录不存在或无权查看")) from None
    except RecordAltered as refused:
        messages.error(request, refused.message)
        kept = Document.objects.filter(pk=document_id).values_list("dispute_id", flat=True)
        return redirect("web:dispute_detail", dispute_id=kept.get())
    return FileResponse(io.BytesIO(data), as_attachment=fmt == "docx",
                        filename=f"{doc.title}-{doc.dispute.number}.{fmt}")


@login_required
@require_GET
def dossier_download(request: HttpRequest, dispute_id: int) -> HttpResponse | FileResponse:
    """The dispute's file (卷宗) as one PDF: cover, contents and every document, each
    re-hashed first; one altered document refuses the whole file, with the reason."""
    viewer = viewer_of(request)
    try:
        dispute, data = dossier_pdf(actor=viewer, dispute_id=dispute_id)
    except DisputeNotFound:
        raise Http404(_("纠纷不存在或无权查看")) from None
    except (RecordAltered, RecordNotFound) as refused:
        messages.error(request, refused.message)
        return redirect("web:dispute_detail", dispute_id=dispute_id)
    return FileResponse(io.BytesIO(data), as_attachment=True,
                        filename=f"调解卷宗-{dispute.number}.pdf")


def _document(request: HttpRequest, document_id: int) -> Document:
    return found_or_404(lambda: record_get_for(
        viewer_of(request), Document.objects.select_related("dispute"), document_id,
        RecordNotFound("文书不存在", "no such document")))


def outbox_open_to(request: HttpRequest) -> bool:
    """The outbox stands in for phones in the demo (``DEBUG``); otherwise administrators
    only, and only while the outbox is the SMS backend."""
    viewer = viewer_of(request)
    if not settings.SMS_BACKEND.endswith("OutboxBackend"):
        return False
    return settings.DEBUG or supervises_everything(viewer)


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    if not outbox_open_to(request):
        raise Http404(_("页面不存在"))
    rows = outbox_for(viewer_of(request))
    return render(request, "web/loop/outbox.html", {
        "rows": [(m, purpose_label(m.purpose)) for m in rows[:OUTBOX_ROWS]]})
