"""The dispute's mediation page, and the posts made from it: sessions, their records,
notes and attachments, recusals, the debtor's budget and consents to extend."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jintiao import clock
from jintiao.disputes.access import standing_of
from jintiao.disputes.models import PartyRole
from jintiao.documents.integrity import MISSING_ADVICE
from jintiao.domain.lifecycle import State
from jintiao.domain.policy import Track
from jintiao.mediation import selectors, services
from jintiao.mediation.models import Offer, Session, Side
from jintiao.orgs.models import User
from jintiao.performance import explain as explaining
from jintiao.web.forms import mediation as forms
from jintiao.web.views.common import standing_or_404, submit, viewer_of, visible_or_404
from jintiao.web.views.errors import file_missing
from jintiao.web.views.hardship import pause_card
from jintiao.web.views.joint import joint_card
from jintiao.web.views.mediation_rows import (
    OfferPage,
    back_to,
    blind_rounds,
    found_or_404,
    header,
    offer_row,
    party_choices,
    session_row,
    staff_choices,
)

logger = logging.getLogger(__name__)


@login_required
@require_GET
def mediation_page(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Everything of one dispute's mediation the viewer may see, with the forms their part
    in it allows."""
    me = standing_or_404(viewer_of(request), dispute_id)
    dispute = me.dispute
    context = header(me)
    mediating = dispute.state == State.MEDIATING
    open_ = dispute.state in (State.ACCEPTED, State.MEDIATING)
    party_rows = party_choices(dispute)
    team = context["team"]
    budget = selectors.budget_of(dispute)
    policy = selectors.policy_of(dispute)
    offers = list(selectors.offers_for(me))
    offer_page = OfferPage.of(me)
    recusable = [(r.pk, f"{r.get_role_display()} {r.party.name}")
                 for r in dispute.party_rows.all() if me.may_request_recusal(r.pk, r.role)]
    extensions_left = selectors.extensions_left(dispute)
    enterprise = selectors.debtor_is_entity(dispute, budget)
    context.update({
        "deadline_explain": explaining.deadline_explained(dispute),
        "sessions": [session_row(me, s, mediating, team) for s in selectors.sessions_for(me)],
        "session_form": forms.SessionForm(party_rows=party_rows, initial={
            "starts_at": clock.now().replace(second=0, microsecond=0)})
        if me.may_mediate() and mediating and not context["deadline"]["overdue"] else None,
        "offers": [offer_row(me, o, offer_page) for o in offers],
        "accepted": next((o for o in offers if o.status == Offer.Status.ACCEPTED), None),
        "blind": blind_rounds(me, mediating),
        "budget": budget if me.desk else None,
        "enterprise": enterprise,
        "budget_form": forms.BudgetForm(debtors=party_choices(dispute, PartyRole.DEBTOR),
                                        initial={"dependants": budget.dependants
                                                 if budget and not enterprise else 0})
        if me.may_mediate() and open_ else None,
        "consents": list(selectors.consents_of(dispute)) if me.desk else [],
        "consent_form": forms.ConsentForm(party_rows=party_choices(
            dispute, PartyRole.CREDITOR, PartyRole.DEBTOR))
        if me.may_mediate() and mediating else None,
        "extensions_used": selectors.extensions_used(dispute),
        "extensions_allowed": policy.max_extensions,
        "extension_days": policy.extension_limit,
        "may_extend": me.may_direct() and mediating and extensions_left > 0
        and selectors.pause_running(dispute) is None,  # a paused period needs none
        "may_fail": me.may_mediate() and mediating,
        "recusals": list(selectors.recusals_of(dispute)) if me.active else [],
        "recusal_form": forms.RecusalForm(
            mediators=[(m.user_id, str(m.user)) for m in team], party_rows=recusable)
        if recusable and team and open_ else None,
        "decision_form": forms.DecisionForm() if me.may_direct() else None,
        "evaluations": selectors.evaluations_of(dispute).count(),
        "on_evaluation": dispute.track == Track.EVALUATION,
        **pause_card(me),
        **joint_card(me),
    })
    return render(request, "web/mediation/page.html", context)
@login_required
@require_POST
def recusal_request(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    form = forms.RecusalForm(request.POST, mediators=[
        (m.user_id, str(m.user)) for m in selectors.team_of(dispute)],
        party_rows=party_choices(dispute))
    submit(request, form, lambda data: services.recusal_request(
        actor=viewer, dispute_id=dispute_id, mediator_id=data["mediator"],
        party_row_id=data["party_row"], reason=data["reason"]), _("已登记回避申请"),
        _("请选择调解员、申请人并写明理由"))
    return back_to(dispute_id, "recusals")


@login_required
@require_POST
def recusal_decide(request: HttpRequest, recusal_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    recusal = found_or_404(lambda: selectors.recusal_get_for(viewer, recusal_id))
    submit(request, forms.DecisionForm(request.POST), lambda data: services.recusal_decide(
        actor=viewer, recusal_id=recusal_id, grant=data["grant"], reason=data["reason"]),
        _("已作出回避决定"), _("请写明决定理由"))
    return back_to(recusal.dispute_id, "recusals")
# --- sessions ---

@login_required
@require_POST
def session_schedule(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    form = forms.SessionForm(request.POST, party_rows=party_choices(dispute))
    submit(request, form, lambda data: services.session_schedule(
        actor=viewer, dispute_id=dispute_id, mode=Session.Mode(data["mode"]),
        starts_at=data["starts_at"], party_row_ids=data["parties"], place=data["place"],
        online_link=data["online_link"]), _("已安排调解"), _("请填写调解方式和时间"))
    return back_to(dispute_id, "sessions")


def _session_or_404(viewer: User, session_id: int) -> Session:
    return found_or_404(lambda: selectors.session_get_for(viewer, session_id))


@login_required
@require_POST
def session_record(request: HttpRequest, session_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    session = _session_or_404(viewer, session_id)
    invited = [(a.party_row_id, "") for a in session.attendance.all() if a.party_row_id]
    staff = staff_choices(standing_of(viewer, session.dispute), session,
                          selectors.team_of(session.dispute))
    submit(request, forms.RecordForm(request.POST, invited=invited, staff=staff),
           lambda data: services.session_record(
               actor=viewer, session_id=session_id, record=data["record"],
               attended={pk: pk in data["present"] for pk, _label in invited},
               staff_attended={pk: pk in data.get("staff", []) for pk, _name in staff}),
           _("已记录调解笔录"), _("调解笔录不能为空"))
    return back_to(session.dispute_id, f"session-{session.seq}")


@login_required
@require_POST
def session_cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    session = _session_or_404(viewer, session_id)
    submit(request, forms.CancelForm(request.POST), lambda data: services.session_cancel(
        actor=viewer, session_id=session_id, reason=data["reason"]),
        _("已取消该次调解"), _("请写明取消的理由"))
    return back_to(session.dispute_id, f"session-{session.seq}")


@login_required
@require_POST
def session_reschedule(request: HttpRequest, session_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    session = _session_or_404(viewer, session_id)
    submit(request, forms.RescheduleForm(request.POST), lambda data: services.session_reschedule(
        actor=viewer, session_id=session_id, starts_at=data["starts_at"], place=data["place"],
        online_link=data["online_link"]), _("已改期，请重新通知当事人"), _("请填写新的调解时间"))
    return back_to(session.dispute_id, f"session-{session.seq}")


@login_required
@require_POST
def session_record_correct(request: HttpRequest, session_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    session = _session_or_404(viewer, session_id)
    submit(request, forms.CorrectionForm(request.POST),
           lambda data: services.session_record_correct(
               actor=viewer, session_id=session_id, record=data["record"],
               reason=data["reason"]),
           _("已更正调解笔录，原笔录已保留"), _("请填写更正后的笔录和更正理由"))
    return back_to(session.dispute_id, f"session-{session.seq}")


@login_required
@require_POST
def caucus_note(request: HttpRequest, session_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    session = _session_or_404(viewer, session_id)
    submit(request, forms.NoteForm(request.POST), lambda data: services.caucus_note_add(
        actor=viewer, session_id=session_id, side=Side(data["side"]), text=data["text"]),
        _("已记录背对背谈话（仅该方及调解员可见）"), _("请选择哪一方并填写谈话记录"))
    return back_to(session.dispute_id, f"session-{session.seq}")


@login_required
@require_POST
def attachment_upload(request: HttpRequest, session_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    session = _session_or_404(viewer, session_id)
    submit(request, forms.AttachmentForm(request.POST, request.FILES),
           lambda data: services.attachment_add(
               actor=viewer, session_id=session_id, kind=data["kind"],
               name=data["file"].name or "", content=data["file"], side=data["side"]),
           _("已上传附件"), _("请选择要上传的文件"))
    return back_to(session.dispute_id, f"session-{session.seq}")


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse | FileResponse:
    """An attachment, to those who may read it only (another side's is missing)."""
    viewer = viewer_of(request)
    found = found_or_404(lambda: selectors.attachment_get_for(viewer, attachment_id))
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:  # a restore without the stored files: say so, never a 500
        logger.error("Attachment %s: its stored file %r is missing", found.pk, found.file.name)
        return file_missing(request, f"附件《{found.name}》的文件在文件存储中找不到，"
                                     f"{MISSING_ADVICE}", found.session.dispute_id)
    return FileResponse(handle, as_attachment=True, filename=found.name)


# --- budget, consents ---

@login_required
@require_POST
def budget(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    form = forms.BudgetForm(request.POST, debtors=party_choices(dispute, PartyRole.DEBTOR))
    submit(request, form, lambda data: services.budget_declare(
        actor=viewer, dispute_id=dispute_id, party_row_id=data["party_row"],
        monthly_income=data["monthly_income"],
        other_obligations=data["other_obligations"] or Decimal(0),
        dependants=data["dependants"], monthly_cash_flow=data["monthly_cash_flow"]),
        _("已登记债务人收支情况"))
    return back_to(dispute_id, "budget")


@login_required
@require_POST
def consent(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    form = forms.ConsentForm(request.POST, party_rows=party_choices(dispute))
    purpose = request.POST.get("purpose") or "extension"
    what = selectors.CONSENT_PURPOSES.get(purpose, ("", ""))[1]
    submit(request, form, lambda data: services.consent_record(
        actor=viewer, dispute_id=dispute_id, party_row_id=data["party_row"], how=data["how"],
        given_on=data["given_on"], purpose=data["purpose"]),
        _("已登记当事人同意%(what)s") % {"what": what}, _("请选择当事人并写明同意方式和日期"))
    if purpose == "remediate":
        return redirect(reverse("web:failure", kwargs={"dispute_id": dispute_id}) + "#consents")
    if purpose == "waive_confirmation":
        return redirect(reverse("web:agreement", kwargs={"dispute_id": dispute_id})
                        + "#consents")
    return back_to(dispute_id, "deadline")
