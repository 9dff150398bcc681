"""The agreement page: the draft and its court checklist, signing with one-time codes, the
director's seal, and the joint application for judicial confirmation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jintiao.agreements import integrity as agreement_integrity
from jintiao.agreements import selectors as agreements
from jintiao.agreements import services as signing
from jintiao.agreements.content import Draft
from jintiao.agreements.models import Agreement, SigningCode
from jintiao.confirmation import selectors as court
from jintiao.confirmation import services as confirmation
from jintiao.disputes.access import Standing
from jintiao.disputes.models import DisputeRepresentative
from jintiao.documents.models import Document
from jintiao.domain.lifecycle import Action, State
from jintiao.mediation import selectors as mediation_selectors
from jintiao.mediation.models import Offer
from jintiao.web.forms import loop as forms
from jintiao.web.views.common import (
    agreement_shown,
    standing_or_404,
    submit,
    viewer_of,
    visible_or_404,
)
from jintiao.web.views.mediation_rows import consent_card, found_or_404, header
from jintiao.web.views.statements import applicants_card


def _back(dispute_id: int, anchor: str = "") -> HttpResponse:
    url = reverse("web:agreement", kwargs={"dispute_id": dispute_id})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _signer_rows(me: Standing, agreement: Agreement) -> list[dict[str, Any]]:
    live = {(c.party_row_id, c.mediator_id): c for c in SigningCode.objects.filter(
        agreement=agreement, used_at__isnull=True).order_by("sent_at")}
    rows = []
    for n, s in enumerate(agreements.signers_of(agreement), 1):
        code = live.get((s.party_row.pk if s.party_row else None,
                         s.mediator.pk if s.mediator else None))
        may = (agreement.status == Agreement.Status.DRAFT
               and not agreements.code_problem(me, s))
        reps = [(r.pk, f"{r.person.name}（{r.get_authority_display()}）")
                for r in DisputeRepresentative.objects.filter(party_row=s.party_row)
                .select_related("person")] if s.party_row and not s.is_entity else []
        rows.append({
            "key": s.key, "name": s.name, "capacity": s.capacity, "signature": s.signature,
            "may_ask": may and s.signature is None,
            "code_to": code.phone_masked if code else "",
            "may_enter": (may and s.signature is None and code is not None
                          and (code.requested_by_id == me.user.pk or me.desk)),
            # one pair of forms per signer: ids of their own, so each label finds its field
            "ask_form": forms.CodeForm(initial={"signer": s.key}, representatives=reps,
                                       auto_id=f"ask{n}-%s"),
            "sign_form": forms.SignForm(initial={"signer": s.key}, auto_id=f"sign{n}-%s"),
        })
    return rows


@login_required
@require_GET
def agreement_page(request: HttpRequest, dispute_id: int) -> HttpResponse:
    me = standing_or_404(viewer_of(request), dispute_id)
    dispute = me.dispute
    context = header(me)
    current = agreements.current(dispute)
    accepted = Offer.objects.filter(dispute=dispute, status=Offer.Status.ACCEPTED).first()
    may_draft = (me.may_draft_agreement() and dispute.state == State.MEDIATING
                 and accepted is not None)
    initial: dict[str, Any] = {"expected_version": dispute.version, "facts": dispute.summary,
                               "charges_since": dispute.charges_since}
    # an altered agreement is shown nowhere on the page: not in the preview, not as the
    # next version's starting text, not in the checklist
    altered = current is not None and bool(agreement_integrity.problem_of(current))
    if current is not None and not altered:
        c = current.content
        initial.update(facts=c["facts"], responsibility=c["responsibility"],
                       other_terms=c["other_terms"], charges_since=c["charges_since"],
                       performance_manner=c["terms"]["performance_manner"],
                       acceleration_missed=c["terms"]["acceleration_missed"])
    joined = mediation_selectors.joint_of(dispute)
    may_apply = me.may_take(Action.APPLY_CONFIRMATION)
    applicants = (applicants_card(me, request.GET.get("court"))
                  if dispute.state == State.AGREED and (me.committee_desk or me.creditor)
                  else None)
    context.update({
        "agreement": current, "accepted": accepted,
        "preview": agreement_shown(me.user, current) if current else "",
        "checks": agreements.checklist_of(current) if current and not altered else (),
        "signers": _signer_rows(me, current) if current else [],
        "versions": agreements.versions_of(dispute),
        "draft_form": forms.DraftForm(initial=initial) if may_draft else None,
        "may_seal": (me.may_seal() and current is not None
                     and current.status == Agreement.Status.SIGNED),
        "apply_form": forms.ApplyForm(initial={
            "expected_version": dispute.version,
            # the court whose signatures the card shows is the one the button files to
            **({"court": applicants["court"].pk} if applicants else {})}, courts=[
            (c.pk, c.name) for c in court.competent_courts(dispute)])
        if may_apply and joined is None else None,  # a joint's member: on the joint page
        "applications": court.applications_of(dispute),
        "applicants": applicants,
        # a joint mediation's member: its agreements go to the court in one application
        "joint": joined if may_apply and me.may_mediate() else None,
        "consents": consent_card(
            dispute, desk=me.may_mediate(), purpose="waive_confirmation",
            title=_("不经司法确认直接履行"),
            help_text=_("双方均同意不申请司法确认的，可直接进入履行；未经确认的协议不能直接申请"
                        "强制执行。"),
            action="perform_without_confirmation", label=_("双方同意，直接履行"))
        if dispute.state == State.AGREED else None,
        "documents": Document.objects.filter(dispute=dispute).order_by("-seq"),
    })
    return render(request, "web/loop/agreement.html", context)


@login_required
@require_POST
def agreement_draft(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    submit(request, forms.DraftForm(request.POST), lambda d: signing.agreement_draft(
        actor=viewer, dispute_id=dispute_id, expected_version=d["expected_version"],
        draft=Draft(facts=d["facts"], performance_manner=d["performance_manner"],
                    charges_since=d["charges_since"],
                    acceleration_missed=d["acceleration_missed"],
                    responsibility=d["responsibility"], other_terms=d["other_terms"])),
        _("已生成协议草案，请核对“法院能否确认”清单"))
    return _back(dispute_id)


@login_required
@require_POST
def signing_code(request: HttpRequest, agreement_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    agreement = found_or_404(lambda: agreements.agreement_get_for(viewer, agreement_id))
    form = forms.CodeForm(request.POST, representatives=[
        (r.pk, "") for r in DisputeRepresentative.objects.filter(
            party_row__dispute=agreement.dispute)])
    submit(request, form, lambda d: signing.signing_code_send(
        actor=viewer, agreement_id=agreement_id, signer=d["signer"],
        representative_id=d["representative"]), _("验证码已发送至签署人登记的手机"))
    return _back(agreement.dispute_id, "signers")


@login_required
@require_POST
def agreement_sign(request: HttpRequest, agreement_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    agreement = found_or_404(lambda: agreements.agreement_get_for(viewer, agreement_id))
    submit(request, forms.SignForm(request.POST), lambda d: signing.agreement_sign(
        actor=viewer, agreement_id=agreement_id, signer=d["signer"], code=d["code"],
        client_ip=request.META.get("REMOTE_ADDR", ""),
        client_agent=request.META.get("HTTP_USER_AGENT", "")), _("已签署"))
    return _back(agreement.dispute_id, "signers")


@login_required
@require_POST
def agreement_seal(request: HttpRequest, agreement_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    agreement = found_or_404(lambda: agreements.agreement_get_for(viewer, agreement_id))
    submit(request, forms.VersionForm(request.POST), lambda d: signing.agreement_seal(
        actor=viewer, agreement_id=agreement_id, expected_version=d["expected_version"]),
        _("已加盖调委会电子印章，调解协议生效"))
    return _back(agreement.dispute_id)


@login_required
@require_POST
def confirmation_apply(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    form = forms.ApplyForm(request.POST, courts=[(c.pk, c.name)
                                                 for c in court.competent_courts(dispute)])
    made = submit(request, form, lambda d: confirmation.confirmation_apply(
        actor=viewer, dispute_id=dispute_id, expected_version=d["expected_version"],
        court_id=d["court"]), _("已向法院提交司法确认申请"))
    if made is not None:
        return redirect("web:confirmation", application_id=made.pk)
    return _back(dispute_id)
