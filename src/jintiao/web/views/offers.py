"""Answers to offers, withdrawal, approvals beyond an agent's authority, blind bounds."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jintiao.disputes.access import standing_of
from jintiao.domain.errors import DomainError
from jintiao.mediation import selectors, services
from jintiao.mediation.models import BlindRound, Offer
from jintiao.orgs.models import User
from jintiao.web.forms import mediation as forms
from jintiao.web.views.common import attempt, mistakes, submit, viewer_of, visible_or_404
from jintiao.web.views.mediation_rows import OfferPage, back_to, found_or_404, offer_row

# --- offers, approvals, blind bounds ---

@login_required
@require_POST
def offer_answer(request: HttpRequest, offer_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    offer = found_or_404(lambda: selectors.offer_get_for(viewer, offer_id))
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的内容不完整或格式不正确"))
    elif form.cleaned_data["answer"] == "accept":
        attempt(request, lambda: services.offer_accept(
            actor=viewer, offer_id=offer_id, side=form.cleaned_data["side"]), _("已接受方案"))
    else:
        attempt(request, lambda: services.offer_reject(
            actor=viewer, offer_id=offer_id, side=form.cleaned_data["side"],
            reason=form.cleaned_data["reason"]), _("已拒绝方案"))
    return back_to(offer.dispute_id, "offers")


@login_required
@require_POST
def offer_withdraw(request: HttpRequest, offer_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    offer = found_or_404(lambda: selectors.offer_get_for(viewer, offer_id))
    submit(request, forms.WithdrawForm(request.POST), lambda data: services.offer_withdraw(
        actor=viewer, offer_id=offer_id, reason=data["reason"]), _("已撤回方案"),
        _("撤回方案须写明理由"))
    return back_to(offer.dispute_id, "offers")


@login_required
@require_POST
def approval_request(request: HttpRequest, offer_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    offer = found_or_404(lambda: selectors.offer_get_for(viewer, offer_id))
    made = attempt(request, lambda: services.approval_request(actor=viewer, offer_id=offer_id),
                   _("已报请上级审批"))
    if made is not None:
        messages.info(request, _("审批人：%(name)s") % {"name": made.approver})
    return back_to(offer.dispute_id, "offers")


def _row(viewer: User, offer: Offer) -> dict[str, Any]:
    """An offer waiting for approval, as its approver reads it on the dispute's page."""
    me = standing_of(viewer, offer.dispute)
    return offer_row(me, offer, OfferPage.of(me))


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """What waits on the approver, with what each plan asks beyond the agent's authority."""
    viewer = viewer_of(request)
    waiting = list(selectors.approvals_waiting_for(viewer)
                   .select_related("offer__dispute__committee")
                   .prefetch_related("offer__approvals__approver"))
    rows = [{"id": a.pk, "dispute": a.offer.dispute, "offer": _row(viewer, a.offer),
             "excesses": [e["text"] for e in a.excesses], "requested_by": str(a.requested_by),
             "at": a.requested_at} for a in waiting]
    return render(request, "web/mediation/approvals.html", {
        "rows": rows, "form": forms.ApprovalDecisionForm(),
        "decided": selectors.approvals_decided_by(viewer)[:20]})


@login_required
@require_POST
def approval_decide(request: HttpRequest, approval_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    submit(request, forms.ApprovalDecisionForm(request.POST),
           lambda data: services.approval_decide(
               actor=viewer, approval_id=approval_id, approve=data["grant"],
               reason=data["reason"]), _("已审批"), _("请选择是否同意并写明审批意见"))
    return redirect("web:approvals")


@login_required
@require_POST
def blind_bound(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    form = forms.BoundForm(request.POST)
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return back_to(dispute_id, "blind")
    try:
        bound = form.bound()
    except DomainError as exc:
        messages.error(request, exc.message)
        return back_to(dispute_id, "blind")
    done = attempt(request, lambda: services.blind_bound_enter(
        actor=viewer, dispute_id=dispute_id, bound=bound), _("已提交底线（对任何人保密）"))
    if done is not None and done.outcome != BlindRound.Outcome.WAITING:
        messages.info(request, BlindRound.Outcome(done.outcome).label)
    return back_to(dispute_id, "blind")
