"""The desk's outreach page (reaching each party, the contact log, texts, service,
alternate contacts, closing as unreachable), the committee's texts and the supervisors'
contact report."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jintiao import clock
from jintiao.disputes.access import committees_drafting_texts, may_approve_texts, may_supervise
from jintiao.disputes.models import Dispute, PartyRole
from jintiao.mediation.selectors import policy_of
from jintiao.outreach import selectors, services
from jintiao.web.forms import outreach as forms
from jintiao.web.views.common import attempt, standing_or_404, submit, viewer_of, visible_or_404
from jintiao.web.views.mediation_rows import header


def _parties(dispute: Dispute, *, creditors: bool) -> list[tuple[int, str]]:
    return [(r.party_id, f"{r.get_role_display()} {r.party.name}")
            for r in dispute.party_rows.select_related("party").order_by("pk")
            if creditors or r.role != PartyRole.CREDITOR]


def _forms(dispute: Dispute, data: Any = None) -> dict[str, Any]:
    debtors = _parties(dispute, creditors=False)
    parties = debtors + [p for p in _parties(dispute, creditors=True) if p not in debtors]
    return {
        "contact_form": forms.ContactForm(data, parties=debtors),
        "text_form": forms.TextForm(data, parties=debtors, templates=[
            (t.pk, f"{t.name}（{t.get_purpose_display()}）")
            for t in selectors.templates_for(dispute)], numbers=[
            (a.pk, f"{a.party.name} 备用 {a.value_masked}")
            for a in selectors.alternate_mobiles_of(dispute)]),
        "serve_form": forms.ServeForm(data, parties=parties, subjects=[
            (s.subject, s.title) for s in selectors.servables(dispute)]),
        "alternate_form": forms.AlternateForm(data, parties=debtors),
    }


@login_required
@require_GET
def outreach_page(request: HttpRequest, dispute_id: int) -> HttpResponse:
    me = standing_or_404(viewer_of(request), dispute_id)
    dispute = me.dispute
    if not me.may_read_outreach():
        raise Http404(_("记录不存在或无权查看"))
    desk = me.may_serve()
    context = header(me)
    alternates = selectors.alternates_by_party(dispute)
    context.update({
        "desk": desk, "reach": [(r, alternates.get(r.row.party_id, []))
                                for r in selectors.reach_of(dispute)],
        "contacts": selectors.contacts_of(dispute)[:200],
        "services": selectors.services_of(dispute),
        "policy": policy_of(dispute),
        **(_forms(dispute) if desk else {}),
    })
    return render(request, "web/loop/outreach.html", context)


def _back(dispute_id: int) -> HttpResponse:
    return redirect(reverse("web:outreach", kwargs={"dispute_id": dispute_id}))


def _post(request: HttpRequest, dispute_id: int, form_name: str,
          call: Any, done: str) -> HttpResponse:
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    submit(request, _forms(dispute, request.POST)[form_name], lambda d: call(viewer, d), done)
    return _back(dispute_id)


@login_required
@require_POST
def contact(request: HttpRequest, dispute_id: int) -> HttpResponse:
    return _post(request, dispute_id, "contact_form", lambda viewer, d: services.contact_record(
        actor=viewer, dispute_id=dispute_id, party_id=d["party"], channel=d["channel"],
        outcome=d["outcome"], inbound=d["inbound"], to=d["to"], note=d["note"], at=d["at"]),
        _("已记录联系情况"))


@login_required
@require_POST
def text(request: HttpRequest, dispute_id: int) -> HttpResponse:
    return _post(request, dispute_id, "text_form", lambda viewer, d: services.message_send(
        actor=viewer, dispute_id=dispute_id, party_id=d["party"], template_id=d["template"],
        contact_id=d["contact"]),
        _("短信已发送（附核验码）"))


@login_required
@require_POST
def serve(request: HttpRequest, dispute_id: int) -> HttpResponse:
    return _post(request, dispute_id, "serve_form", lambda viewer, d: services.notice_serve(
        actor=viewer, dispute_id=dispute_id, party_id=d["party"], subject=d["subject"],
        channel=d["channel"], result=d["result"], address=d["address"],
        evidence=d["evidence"]), _("已登记送达"))


@login_required
@require_POST
def alternate(request: HttpRequest, dispute_id: int) -> HttpResponse:
    return _post(request, dispute_id, "alternate_form",
                 lambda viewer, d: services.alternate_contact_add(
                     actor=viewer, dispute_id=dispute_id, party_id=d["party"], kind=d["kind"],
                     value=d["value"], source=d["source"], note=d["note"]),
                 _("已登记备用联系方式"))


@login_required
@require_POST
def unreachable(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.UnreachableForm(request.POST), lambda d: services.unreachable_close(
        actor=viewer, dispute_id=dispute_id, party_id=d["party"],
        expected_version=d["expected_version"]), _("已以当事人无法联系为由终止调解"))
    return _back(dispute_id)


@login_required
@require_POST
def alternate_retire(request: HttpRequest, dispute_id: int, contact_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.RetireForm(request.POST), lambda d: services.alternate_contact_retire(
        actor=viewer, dispute_id=dispute_id, contact_id=contact_id, reason=d["reason"]),
        _("已停用该联系方式"))
    return _back(dispute_id)


@login_required
def templates(request: HttpRequest) -> HttpResponse:
    """The committee's texts: drafts by its staff, approval by its director."""
    viewer = viewer_of(request)
    committees = list(committees_drafting_texts(viewer))
    if not committees:
        raise Http404(_("记录不存在或无权查看"))
    form = forms.TemplateForm(request.POST or None,
                              committees=[(c.pk, c.name) for c in committees])
    if request.method == "POST":
        submit(request, form, lambda d: services.template_create(
            actor=viewer, committee_id=d["committee"], name=d["name"], purpose=d["purpose"],
            body=d["body"]), _("模板已保存，待调委会主任审核"))
        return redirect("web:templates")
    return render(request, "web/loop/templates.html", {
        "form": form, "rows": [(t, may_approve_texts(viewer, t.committee))
                               for t in selectors.templates_of(committees)]})


@login_required
@require_POST
def template_approve(request: HttpRequest, template_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    attempt(request, lambda: services.template_approve(actor=viewer, template_id=template_id),
            _("模板已审核通过"))
    return redirect("web:templates")


@login_required
@require_POST
def template_retire(request: HttpRequest, template_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    attempt(request, lambda: services.template_retire(actor=viewer, template_id=template_id),
            _("模板已停用"))
    return redirect("web:templates")


@login_required
@require_GET
def contact_report(request: HttpRequest) -> HttpResponse:
    """Supervisors: contacts per mediator and institution, flags for collection patterns."""
    viewer = viewer_of(request)
    if not may_supervise(viewer):
        raise Http404(_("记录不存在或无权查看"))
    today = clock.today()
    form = forms.ReportForm(request.GET or {"since": today.replace(day=1), "until": today})
    since, until = ((form.cleaned_data["since"], form.cleaned_data["until"])
                    if form.is_valid() else (today.replace(day=1), today))
    by_mediator, by_institution = selectors.contact_report(viewer, since, until)
    return render(request, "web/loop/contact_report.html", {
        "form": form, "since": since, "until": until, "by_mediator": by_mediator,
        "by_institution": by_institution})
