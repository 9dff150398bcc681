"""A failed mediation going back to court (undisputed facts, their confirmations, the
transfer), and the notices and forms the desk makes from the dispute page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jintiao.documents.models import Document
from jintiao.domain.lifecycle import Action, State
from jintiao.mediation import selectors as mediation_selectors
from jintiao.mediation import services
from jintiao.mediation.models import UndisputedFacts
from jintiao.performance import paperwork
from jintiao.web.forms import loop as forms
from jintiao.web.views.common import standing_or_404, submit, viewer_of, visible_or_404
from jintiao.web.views.failure_package import package_card
from jintiao.web.views.mediation_rows import consent_card, header


@login_required
@require_GET
def failure_page(request: HttpRequest, dispute_id: int) -> HttpResponse:
    me = standing_or_404(viewer_of(request), dispute_id)
    dispute = me.dispute
    context = header(me)
    record = UndisputedFacts.objects.filter(dispute=dispute).first()
    open_ = me.may_mediate() and State(dispute.state) in mediation_selectors.AFTER_FAILURE
    confirmed = {c.party_row_id: c for c in record.confirmations.all()} if record else {}
    context.update({
        "record": record, "open": open_,
        "facts_form": forms.FactsForm(initial={
            "facts": "\n".join(record.facts) if record else "",
            "disputed": record.disputed if record else "",
            "none_reason": record.none_reason if record else ""}) if open_ else None,
        "parties": [{"row": r, "confirmed": confirmed.get(r.pk)}
                    for r in dispute.party_rows.select_related("party").order_by("pk")],
        "complete": mediation_selectors.facts_complete(dispute),
        "documents": Document.objects.filter(dispute=dispute).order_by("-seq"),
        "consents": consent_card(
            dispute, desk=me.may_mediate(), purpose="remediate",
            title=_("重新调解"),
            help_text=_("法院驳回确认申请后，双方同意的，可以重新调解变更原协议或达成新协议；"
                        "被驳回的方案随之撤回。"),
            action="remediate", label=_("双方同意，重新调解"))
        if dispute.state == State.CONFIRMATION_REJECTED else None,
        "failure_package": package_card(me),
    })
    return render(request, "web/loop/failure.html", context)


def _back(dispute_id: int) -> HttpResponse:
    return redirect(reverse("web:failure", kwargs={"dispute_id": dispute_id}))


@login_required
@require_POST
def facts_record(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.FactsForm(request.POST), lambda d: services.undisputed_facts_record(
        actor=viewer, dispute_id=dispute_id, facts=d["facts"].splitlines(),
        disputed=d["disputed"], none_reason=d["none_reason"]), _("已记载无争议事实"))
    return _back(dispute_id)


@login_required
@require_POST
def facts_confirm(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.ConfirmFactsForm(request.POST), lambda d:
           services.undisputed_facts_confirm(actor=viewer, dispute_id=dispute_id,
                                             party_row_id=d["party_row"], how=d["how"]),
           _("已登记当事人确认"))
    return _back(dispute_id)


@login_required
@require_POST
def transfer(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.VersionForm(request.POST), lambda d: services.action_apply(
        actor=viewer, dispute_id=dispute_id, action=Action.TRANSFER,
        expected_version=d["expected_version"]), _("已转入诉讼，速裁期限开始计算"))
    return _back(dispute_id)


@login_required
@require_POST
def notice(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    made = submit(request, forms.NoticeForm(request.POST), lambda d: paperwork.paper_generate(
        actor=viewer, dispute_id=dispute_id, kind=d["kind"], document_id=d.get("document")),
        _("已制作文书"))
    if made is not None:
        return redirect("web:document", document_id=made.pk)
    return redirect("web:dispute_detail", dispute_id=dispute_id)


