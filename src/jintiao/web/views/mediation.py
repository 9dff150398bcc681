"""Mediation workbench pages: assignment, the dispute's mediation page (deadline, team,
sessions, offers, blind bounds), the plan designer, neutral evaluation and approvals.

Every page loads through the visibility selectors and shows each form only to those whose
part in the mediation allows it; every post is one service call, whose refusal comes
back as a message and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jintiao import clock
from jintiao.disputes.models import Dispute, PartyRole
from jintiao.domain.errors import DomainError
from jintiao.domain.lifecycle import Action, Role, State
from jintiao.domain.money import amount_in_words, format_amount
from jintiao.domain.plans import PlanFigures, PlanOptions
from jintiao.domain.policy import Track
from jintiao.domain.schedules import METHOD_LABELS, Method
from jintiao.mediation import convert, selectors, services
from jintiao.mediation.models import Approval, BlindRound, Offer, Session, Side
from jintiao.mediation.selectors import RecordNotFound
from jintiao.orgs.models import User
from jintiao.orgs.selectors import user_roles
from jintiao.web.forms import mediation as forms
from jintiao.web.views.common import attempt, viewer_of, visible_or_404

PLAN_COLUMNS = 3
T = TypeVar("T")
DEFAULT_TERMS = (12, 24, 36)


def _money(value: Any) -> str:
    return "" if value in (None, "") else format_amount(Decimal(str(value)))


def _found(get: Callable[[], T]) -> T:
    """A record through its visibility gate; hidden or missing is the same 404."""
    try:
        return get()
    except RecordNotFound:
        raise Http404(_("记录不存在或无权查看")) from None


def _back(dispute_id: int, anchor: str = "") -> HttpResponse:
    url = reverse("web:mediation", kwargs={"dispute_id": dispute_id})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _party_rows(dispute: Dispute, *roles: str) -> list[tuple[int, str]]:
    return [(r.pk, f"{r.get_role_display()} {r.party.name}") for r in dispute.party_rows.all()
            if not roles or r.role in roles]


def _deadline(dispute: Dispute) -> dict[str, Any]:
    """The mediation deadline as every mediation page shows it."""
    today = clock.today()
    due = dispute.deadline
    return {"due": due, "provisional": dispute.deadline_provisional,
            "overdue": bool(due and due < today), "days_left": (due - today).days if due else None,
            "days_over": (today - due).days if due else None,
            "mediating": dispute.state == State.MEDIATING}


def _header(viewer: User, dispute: Dispute) -> dict[str, Any]:
    part = selectors.part_of(viewer, dispute)
    return {"d": dispute, "state": State(dispute.state).label, "part": part,
            "deadline": _deadline(dispute), "total": format_amount(selectors.claim_of(dispute)
                                                                   .total),
            "team": selectors.team_of(dispute),
            "may_assign": part.director and dispute.state in (State.ACCEPTED, State.MEDIATING)}


# --- the dispute's mediation page ---

def _offer_row(viewer: User, dispute: Dispute, offer: Offer, part: selectors.Part,
               mediating: bool) -> dict[str, Any]:
    f = offer.figures
    if offer.status == Offer.Status.OPEN:  # still on the table: against today's budget
        f = convert.figures_to_json(selectors.figures_for(
            dispute, convert.options_from_json(offer.options), Decimal(f["discount_rate"])))
    f = convert.figures_for(f, desk=part.desk)
    open_shared = mediating and offer.status == Offer.Status.OPEN and not offer.side
    pending = [a for a in offer.approvals.all() if a.status == Approval.Status.PENDING]
    excess = (selectors.creditor_excesses(viewer, offer, dispute)
              if open_shared and part.creditor else [])
    approved = any(a.status == Approval.Status.APPROVED for a in offer.approvals.all())
    return {
        "id": offer.pk, "seq": offer.seq, "by": offer.get_by_display(),
        "private": offer.get_side_display() if offer.side else "",
        "label": offer.label, "method": METHOD_LABELS[Method(offer.method)],
        "answers": offer.answers.seq if offer.answers else None,
        "status": offer.get_status_display(), "status_value": offer.status,
        "instalments": f["instalments"], "term": f["term_months"],
        "regular": _money(f["regular_payment"]), "peak": _money(f["peak_payment"]),
        "total": _money(f["total_paid"]), "interest": _money(f["total_interest"]),
        "waived": _money(f["waived_total"]), "conditional": _money(f["conditional_waived"]),
        "pv": _money(f["present_value"]), "affordable": f["affordable"],
        "first_due": f["first_due"], "last_due": f["last_due"],
        "warnings": [*f["warnings"], *f.get("affordability_reasons", []),
                     *(["（债务人未申报收入，按当地最低工资标准估算）"]
                       if f["income_presumed"] and f.get("affordability_reasons") else [])],
        "revival": f["revival_clause"], "at": offer.created_at,
        "creditor_accepted": offer.creditor_accepted_at is not None,
        "debtor_accepted": offer.debtor_accepted_at is not None,
        "approvals": [{"status": a.get_status_display(),  # the bank's own business
                       "approver": str(a.approver) if part.creditor else "",
                       "reason": a.reason if part.creditor else ""}
                      for a in offer.approvals.all()],
        "may_answer_creditor": open_shared and part.creditor and not offer.creditor_accepted_at
        and (not excess or approved),
        "may_reject_creditor": open_shared and part.creditor,
        "may_answer_debtor": open_shared and part.desk and not offer.debtor_accepted_at,
        "may_withdraw": mediating and offer.status in (Offer.Status.OPEN, Offer.Status.ACCEPTED)
        and (part.desk or (part.creditor and offer.by == Offer.By.CREDITOR
                           and offer.status == Offer.Status.OPEN)),
        "excesses": [e.sentence for e in excess] if not approved else [],
        "may_ask_approval": bool(excess) and not approved and not pending
        and Role.AGENT in user_roles(viewer),
        "waiting_approval": bool(pending),
    }


def _session_row(viewer: User, session: Session, part: selectors.Part,
                 mediating: bool) -> dict[str, Any]:
    invited = [(a.party_row.pk, f"{a.party_row.get_role_display()} {a.party_row.party.name}")
               for a in session.attendance.all() if a.party_row is not None]
    present = [a.party_row_id for a in session.attendance.all() if a.attended]
    scheduled = session.status == Session.Status.SCHEDULED
    return {
        "id": session.pk, "seq": session.seq, "mode": session.get_mode_display(),
        "back_to_back": session.mode == Session.Mode.BACK_TO_BACK,
        "starts_at": session.starts_at, "place": session.place, "link": session.online_link,
        "status": session.get_status_display(), "record": session.record,
        "attendance": [{"name": name, "attended": next(
            (a.attended for a in session.attendance.all() if a.party_row_id == pk), None)}
            for pk, name in invited],
        "staff": [str(a.user) for a in session.attendance.all() if a.user_id],
        "notes": [{"side": n.get_side_display(), "text": n.text, "author": str(n.author),
                   "at": n.created_at} for n in selectors.caucus_notes_for(viewer, session)],
        "attachments": [{"id": a.pk, "name": a.name, "kind": a.get_kind_display(),
                         "size": a.size, "sha256": a.sha256, "private": a.get_side_display()}
                        for a in selectors.attachments_for(viewer, session)],
        "record_form": forms.RecordForm(invited=invited, initial={"present": present})
        if part.desk and scheduled and session.starts_at <= clock.now() else None,
        "note_form": forms.NoteForm() if part.desk else None,
        "attachment_form": forms.AttachmentForm() if part.desk else None,
    }


def _blind(dispute: Dispute, part: selectors.Part, mediating: bool) -> dict[str, Any]:
    shown = selectors.blind_rounds_for(dispute)
    rounds: list[dict[str, Any]] = list(shown["rounds"])  # type: ignore[call-overload]
    labels = dict(BlindRound.Outcome.choices)
    for r in rounds:
        r["label"] = labels[r["outcome"]]
    done = any(r["outcome"] == "overlap" for r in rounds)
    left = int(str(shown["rounds_allowed"])) - len(
        [r for r in rounds if r["outcome"] != "waiting"])
    open_round = next((r for r in rounds if r["outcome"] == "waiting"), None)
    may = mediating and not done and (left > 0 or open_round is not None)
    return {
        "rounds": rounds, "allowed": shown["rounds_allowed"], "left": max(left, 0),
        "done": done,
        "creditor_form": forms.BoundForm(initial={"side": Side.CREDITOR})
        if may and part.creditor and not (open_round and open_round["creditor_entered"])
        else None,
        "debtor_form": forms.BoundForm(initial={"side": Side.DEBTOR})
        if may and part.desk and not (open_round and open_round["debtor_entered"]) else None,
    }


@login_required
@require_GET
def mediation_page(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Everything of one dispute's mediation the viewer may see, with the forms their part
    in it allows."""
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    context = _header(viewer, dispute)
    part: selectors.Part = context["part"]
    mediating = dispute.state == State.MEDIATING
    party_rows = _party_rows(dispute)
    team = context["team"]
    budget = selectors.budget_of(dispute)
    policy = selectors.policy_of(dispute)
    offers = list(selectors.offers_for(viewer, dispute).prefetch_related("approvals__approver"))
    context.update({
        "sessions": [_session_row(viewer, s, part, mediating)
                     for s in selectors.sessions_of(viewer, dispute)
                     .select_related("dispute").prefetch_related("attendance__party_row")],
        "session_form": forms.SessionForm(party_rows=party_rows, initial={
            "starts_at": clock.now().replace(second=0, microsecond=0)})
        if part.desk and mediating and not context["deadline"]["overdue"] else None,
        "offers": [_offer_row(viewer, dispute, o, part, mediating) for o in offers],
        "accepted": next((o for o in offers if o.status == Offer.Status.ACCEPTED), None),
        "blind": _blind(dispute, part, mediating),
        "budget": budget if part.desk else None,
        "budget_form": forms.BudgetForm(debtors=_party_rows(dispute, PartyRole.DEBTOR),
                                        initial={"dependants": budget.dependants if budget
                                                 else 0})
        if part.desk and dispute.state in (State.ACCEPTED, State.MEDIATING) else None,
        "consents": list(selectors.consents_of(dispute)) if part.desk else [],
        "consent_form": forms.ConsentForm(party_rows=_party_rows(
            dispute, PartyRole.CREDITOR, PartyRole.DEBTOR))
        if part.desk and mediating else None,
        "extensions_used": selectors.extensions_used(dispute),
        "extensions_allowed": policy.max_extensions,
        "extension_days": policy.extension_limit,
        "may_extend": part.director and mediating,
        "may_fail": part.desk and mediating,
        "recusals": list(selectors.recusals_of(dispute)) if part.active else [],
        "recusal_form": forms.RecusalForm(
            mediators=[(m.user_id, str(m.user)) for m in team],
            party_rows=party_rows if part.desk else _party_rows(dispute, PartyRole.CREDITOR))
        if part.active and team and dispute.state in (State.ACCEPTED, State.MEDIATING)
        else None,
        "decision_form": forms.DecisionForm() if part.director else None,
        "evaluations": selectors.evaluations_of(dispute).count(),
        "on_evaluation": dispute.track == Track.EVALUATION,
    })
    return render(request, "web/mediation/page.html", context)


# --- assignment ---

@login_required
@require_GET
def assignment_page(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """The director's triage and the ranked mediators, conflicted ones apart with why."""
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    if not selectors.is_director_of(viewer, dispute):
        raise Http404(_("只有调委会主任可以分案"))
    facts_disputed = request.GET.get("facts_disputed") == "on"
    asked = request.GET.get("evaluation_requested") == "on"
    suggestion = selectors.triage_suggestion(dispute, facts_disputed=facts_disputed,
                                             evaluation_requested=asked)
    found = selectors.mediator_candidates(dispute)
    context = _header(viewer, dispute)
    context.update({
        "suggestion": suggestion,
        "triage_form": forms.TriageForm(initial={
            "expected_version": dispute.version, "facts_disputed": facts_disputed,
            "evaluation_requested": asked})
        if dispute.state == State.ACCEPTED else None,
        "ranked": [{"id": r.candidate.key, "name": r.candidate.name, "score": r.score,
                    "load": r.candidate.open_load, "capacity": r.candidate.capacity,
                    "reasons": r.reasons,
                    "org": found.users[r.candidate.key].organization}
                   for r in found.ranked],
        "excluded": [{"id": e.candidate.key, "name": e.candidate.name, "reasons": e.reasons,
                      "org": found.users[e.candidate.key].organization}
                     for e in found.excluded],
        "on_team": {m.user_id for m in context["team"]},
    })
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "suggestion":
        return render(request, "web/mediation/_suggestion.html", context)
    return render(request, "web/mediation/assignment.html", context)


@login_required
@require_POST
def triage(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    form = forms.TriageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的内容不完整或格式不正确"))
    else:
        data = form.cleaned_data
        attempt(request, lambda: services.dispute_triage(
            actor=viewer, dispute_id=dispute_id, expected_version=data["expected_version"],
            facts_disputed=data["facts_disputed"],
            evaluation_requested=data["evaluation_requested"],
            track=Track(data["track"]) if data["track"] else None, reason=data["reason"]),
            _("已确定程序"))
    return redirect("web:assignment", dispute_id=dispute_id)


def _people(ids: list[int]) -> list[User]:
    found = User.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


@login_required
@require_POST
def assign(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Assign the team (accepted dispute) or change it (under mediation)."""
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    ids = [int(v) for v in request.POST.getlist("others") if v.isascii() and v.isdigit()]
    form = forms.AssignForm(request.POST, candidates=[(i, str(i)) for i in ids])
    if not form.is_valid():
        messages.error(request, _("请选择主调解员"))
        return redirect("web:assignment", dispute_id=dispute_id)
    data = form.cleaned_data
    lead, others = _people([data["lead"]]), _people(
        [i for i in data["others"] if i != data["lead"]])
    if not lead:
        messages.error(request, _("所选调解员不存在"))
        return redirect("web:assignment", dispute_id=dispute_id)
    if dispute.state == State.ACCEPTED:
        done = attempt(request, lambda: services.action_apply(
            actor=viewer, dispute_id=dispute_id, action=Action.ASSIGN,
            expected_version=data["expected_version"], mediators=[*lead, *others]),
            _("已指派调解员"))
    else:
        done = attempt(request, lambda: services.mediators_change(
            actor=viewer, dispute_id=dispute_id, expected_version=data["expected_version"],
            lead=lead[0], others=others, reason=data["reason"]), _("已调整调解员"))
    if done is None:
        return redirect("web:assignment", dispute_id=dispute_id)
    return _back(dispute_id)


@login_required
@require_POST
def recusal_request(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    form = forms.RecusalForm(request.POST, mediators=[
        (m.user_id, str(m.user)) for m in selectors.team_of(dispute)],
        party_rows=_party_rows(dispute))
    if not form.is_valid():
        messages.error(request, _("请选择调解员、申请人并写明理由"))
        return _back(dispute_id, "recusals")
    data = form.cleaned_data
    attempt(request, lambda: services.recusal_request(
        actor=viewer, dispute_id=dispute_id, mediator_id=data["mediator"],
        party_row_id=data["party_row"], reason=data["reason"]), _("已登记回避申请"))
    return _back(dispute_id, "recusals")


@login_required
@require_POST
def recusal_decide(request: HttpRequest, recusal_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    recusal = _found(lambda: selectors.recusal_get_for(viewer, recusal_id))
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明决定理由"))
    else:
        attempt(request, lambda: services.recusal_decide(
            actor=viewer, recusal_id=recusal_id, grant=form.cleaned_data["grant"],
            reason=form.cleaned_data["reason"]), _("已作出回避决定"))
    return _back(recusal.dispute_id, "recusals")


# --- sessions ---

@login_required
@require_POST
def session_schedule(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    form = forms.SessionForm(request.POST, party_rows=_party_rows(dispute))
    if not form.is_valid():
        messages.error(request, _("请填写调解方式和时间"))
        return _back(dispute_id, "sessions")
    data = form.cleaned_data
    attempt(request, lambda: services.session_schedule(
        actor=viewer, dispute_id=dispute_id, mode=Session.Mode(data["mode"]),
        starts_at=data["starts_at"], party_row_ids=data["parties"], place=data["place"],
        online_link=data["online_link"]), _("已安排调解"))
    return _back(dispute_id, "sessions")


def _session_or_404(viewer: User, session_id: int) -> Session:
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        raise Http404(_("记录不存在或无权查看"))
    visible_or_404(viewer, session.dispute_id)
    return session


@login_required
@require_POST
def session_record(request: HttpRequest, session_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    session = _session_or_404(viewer, session_id)
    invited = [(a.party_row_id, "") for a in session.attendance.all() if a.party_row_id]
    form = forms.RecordForm(request.POST, invited=invited)
    if not form.is_valid():
        messages.error(request, _("调解笔录不能为空"))
    else:
        present = set(form.cleaned_data["present"])
        attempt(request, lambda: services.session_record(
            actor=viewer, session_id=session_id, record=form.cleaned_data["record"],
            attended={pk: pk in present for pk, _label in invited}), _("已记录调解笔录"))
    return _back(session.dispute_id, f"session-{session.seq}")


@login_required
@require_POST
def caucus_note(request: HttpRequest, session_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    session = _session_or_404(viewer, session_id)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择哪一方并填写谈话记录"))
    else:
        attempt(request, lambda: services.caucus_note_add(
            actor=viewer, session_id=session_id, side=Side(form.cleaned_data["side"]),
            text=form.cleaned_data["text"]), _("已记录背对背谈话（仅该方及调解员可见）"))
    return _back(session.dispute_id, f"session-{session.seq}")


@login_required
@require_POST
def attachment_upload(request: HttpRequest, session_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    session = _session_or_404(viewer, session_id)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件"))
    else:
        upload = form.cleaned_data["file"]
        attempt(request, lambda: services.attachment_add(
            actor=viewer, session_id=session_id, kind=form.cleaned_data["kind"],
            name=upload.name or "", content=upload, side=form.cleaned_data["side"]),
            _("已上传附件"))
    return _back(session.dispute_id, f"session-{session.seq}")


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """An attachment, to those who may read it only (another side's is missing)."""
    viewer = viewer_of(request)
    found = _found(lambda: selectors.attachment_get_for(viewer, attachment_id))
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


# --- budget, consents ---

@login_required
@require_POST
def budget(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    form = forms.BudgetForm(request.POST, debtors=_party_rows(dispute, PartyRole.DEBTOR))
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values()
                                         for e in errors))
    else:
        data = form.cleaned_data
        attempt(request, lambda: services.budget_declare(
            actor=viewer, dispute_id=dispute_id, party_row_id=data["party_row"],
            monthly_income=data["monthly_income"],
            other_obligations=data["other_obligations"] or Decimal(0),
            dependants=data["dependants"]), _("已登记债务人收支情况"))
    return _back(dispute_id, "budget")


@login_required
@require_POST
def consent(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    form = forms.ConsentForm(request.POST, party_rows=_party_rows(dispute))
    if not form.is_valid():
        messages.error(request, _("请选择当事人并写明同意方式和日期"))
    else:
        data = form.cleaned_data
        attempt(request, lambda: services.consent_record(
            actor=viewer, dispute_id=dispute_id, party_row_id=data["party_row"],
            how=data["how"], given_on=data["given_on"]), _("已登记当事人同意延长期限"))
    return _back(dispute_id, "deadline")


# --- offers, approvals, blind bounds ---

@login_required
@require_POST
def offer_answer(request: HttpRequest, offer_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    offer = _found(lambda: selectors.offer_get_for(viewer, offer_id))
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
    return _back(offer.dispute_id, "offers")


@login_required
@require_POST
def offer_withdraw(request: HttpRequest, offer_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    offer = _found(lambda: selectors.offer_get_for(viewer, offer_id))
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("撤回方案须写明理由"))
    else:
        attempt(request, lambda: services.offer_withdraw(
            actor=viewer, offer_id=offer_id, reason=form.cleaned_data["reason"]),
            _("已撤回方案"))
    return _back(offer.dispute_id, "offers")


@login_required
@require_POST
def approval_request(request: HttpRequest, offer_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    offer = _found(lambda: selectors.offer_get_for(viewer, offer_id))
    made = attempt(request, lambda: services.approval_request(actor=viewer, offer_id=offer_id),
                   _("已报请上级审批"))
    if made is not None:
        messages.info(request, _("审批人：%(name)s") % {"name": made.approver})
    return _back(offer.dispute_id, "offers")


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """What waits on the approver, with what each plan asks beyond the agent's authority."""
    viewer = viewer_of(request)
    waiting = list(selectors.approvals_waiting_for(viewer)
                   .select_related("offer__dispute__committee"))
    rows = [{"id": a.pk, "dispute": a.offer.dispute, "offer": _offer_row(
        viewer, a.offer.dispute, a.offer, selectors.part_of(viewer, a.offer.dispute), False),
        "excesses": [e["text"] for e in a.excesses], "requested_by": str(a.requested_by),
        "at": a.requested_at} for a in waiting]
    return render(request, "web/mediation/approvals.html", {
        "rows": rows, "form": forms.ApprovalDecisionForm(),
        "decided": selectors.approvals_decided_by(viewer)[:20]})


@login_required
@require_POST
def approval_decide(request: HttpRequest, approval_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    form = forms.ApprovalDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择是否同意并写明审批意见"))
    else:
        attempt(request, lambda: services.approval_decide(
            actor=viewer, approval_id=approval_id, approve=form.cleaned_data["grant"],
            reason=form.cleaned_data["reason"]), _("已审批"))
    return redirect("web:approvals")


@login_required
@require_POST
def blind_bound(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    visible_or_404(viewer, dispute_id)
    form = forms.BoundForm(request.POST)
    try:
        bound = form.bound() if form.is_valid() else None
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(dispute_id, "blind")
    if bound is None:
        messages.error(request, "；".join(str(e) for errors in form.errors.values()
                                         for e in errors) or _("底线不完整"))
        return _back(dispute_id, "blind")
    done = attempt(request, lambda: services.blind_bound_enter(
        actor=viewer, dispute_id=dispute_id, bound=bound), _("已提交底线（对任何人保密）"))
    if done is not None and done.outcome != BlindRound.Outcome.WAITING:
        messages.info(request, BlindRound.Outcome(done.outcome).label)
    return _back(dispute_id, "blind")


# --- the plan designer ---

def _menu_columns(dispute: Dispute) -> list[PlanOptions]:
    """The plans the designer opens with: the institution's standard menu, else three
    interest-free terms, all from the same day next month."""
    first_due = selectors.due_day_default(clock.today())
    menu = selectors.menu_plans(dispute, first_due)[:PLAN_COLUMNS]
    return menu or [PlanOptions(Method.FLAT, n, first_due, label=_("%(n)d期等额") % {"n": n})
                    for n in DEFAULT_TERMS]


def _figures_row(f: PlanFigures, *, desk: bool) -> dict[str, Any]:
    """A compared plan; what it says of the debtor's money (the most they can pay, why a
    plan is beyond them) only for the desk."""
    reasons = list(f.affordability.reasons) if f.affordability and desk else []
    return {
        "method": METHOD_LABELS[f.options.method], "instalments": len(f.schedule.instalments),
        "term": f.term_months, "first_due": f.schedule.first_due_on,
        "last_due": f.schedule.last_due_on, "regular": format_amount(f.regular_payment),
        "peak": format_amount(f.peak_payment), "total": format_amount(f.total_paid),
        "total_words": amount_in_words(f.total_paid),
        "interest": format_amount(f.total_interest), "waived": format_amount(f.waived_total),
        "conditional": format_amount(f.conditional_waived),
        "pv": format_amount(f.present_value), "affordable": f.affordable,
        "max_payment": format_amount(f.affordability.max_payment)
        if f.affordability and desk else "",
        "presumed": f.income_presumed and desk, "revival": f.revival_clause(),
        "warnings": [w for w in f.warnings
                     if not f.affordability or w not in f.affordability.reasons] + reasons,
        "rows": [{"n": i.number, "due": i.due_on, "principal": format_amount(i.principal),
                  "interest": format_amount(i.interest), "arrears": format_amount(i.arrears),
                  "payment": format_amount(i.payment), "balance": format_amount(i.remaining)}
                 for i in f.schedule.instalments],
    }


def _hidden(form: forms.PlanForm, options: PlanOptions | None) -> list[tuple[str, str]]:
    """A column's values as hidden inputs, so the plan compared is the plan proposed."""
    if isinstance(form.data, QueryDict):
        return [(k, v) for k in sorted(form.data) if k.startswith(f"{form.prefix}-")
                for v in form.data.getlist(k)]
    if options is None:
        return []
    out = []
    for name, value in forms.plan_initial(options).items():
        if value in ("", None, False):
            continue
        out.append((f"{form.prefix}-{name}", "on" if value is True else str(value)))
    return out


@login_required
@require_http_methods(["GET", "POST"])
def plans(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Up to three plans side by side on the dispute's claim and the debtor's budget;
    posting one of them puts that plan on the table as an offer."""
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    rate_form = forms.ProposeForm(request.GET or None)
    given = rate_form.is_valid() and rate_form.cleaned_data["discount_rate"] is not None
    rate = (rate_form.cleaned_data["discount_rate"] if given
            else selectors.policy_of(dispute).plan_discount_rate)
    if request.method == "POST":
        return _propose(request, viewer, dispute)
    desk = selectors.sees_everything(viewer, dispute)
    submitted = any(k.endswith("-method") for k in request.GET)
    initial = [] if submitted else _menu_columns(dispute)
    results: list[dict[str, Any]] = []
    for i in range(PLAN_COLUMNS):
        form = forms.PlanForm(
            request.GET if submitted else None, prefix=f"p{i}",
            initial=forms.plan_initial(initial[i]) if i < len(initial)
            else {"first_due": selectors.due_day_default(clock.today()),
                  "method": Method.FLAT.value})
        options = initial[i] if i < len(initial) else None
        if submitted:  # a column left without a term is not compared
            options = form.options() if form.is_valid() else None
        entry: dict[str, Any] = {"form": form, "figures": None, "error": "", "index": i,
                                 "hidden": _hidden(form, options)}
        if options is not None:
            try:
                entry["figures"] = _figures_row(selectors.figures_for(dispute, options, rate),
                                                desk=desk)
            except DomainError as exc:
                entry["error"] = exc.message
        results.append(entry)
    part = selectors.part_of(viewer, dispute)
    claim = selectors.claim_of(dispute)
    budget = selectors.budget_of(dispute)
    context = _header(viewer, dispute)
    context.update({
        "columns": results, "rate": rate * 100, "rate_form": rate_form,
        "claim_parts": [(label, format_amount(amount)) for _n, label, amount in claim.parts()
                        if amount],
        "waivable": [name for name, _label, amount in claim.parts() if amount],
        "budget": budget if part.desk else None, "has_budget": budget is not None,
        "may_propose": dispute.state == State.MEDIATING and part.active,
        "propose_form": forms.ProposeForm(auto_id=False, open_offers=_open_offers(viewer,
                                                                                  dispute)),
    })
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "comparison":
        return render(request, "web/mediation/_comparison.html", context)
    return render(request, "web/mediation/plans.html", context)


def _open_offers(viewer: User, dispute: Dispute) -> list[tuple[int, str]]:
    """Offers a new plan may answer (a counter-offer keeps the history)."""
    return [(o.pk, _("回应方案%(n)d") % {"n": o.seq})
            for o in selectors.offers_for(viewer, dispute).filter(status=Offer.Status.OPEN)]


def _propose(request: HttpRequest, viewer: User, dispute: Dispute) -> HttpResponse:
    """Put the posted column on the table, in the name the proposer may use."""
    try:
        index = int(request.POST.get("propose", ""))
    except ValueError:
        index = -1
    column = forms.PlanForm(request.POST, prefix=f"p{index}")
    choice = forms.ProposeForm(request.POST, open_offers=_open_offers(viewer, dispute))
    if not 0 <= index < PLAN_COLUMNS or not column.is_valid() or not choice.is_valid():
        messages.error(request, _("方案填写不完整或格式不正确，未提出"))
        return redirect("web:plans", dispute_id=dispute.pk)
    data = choice.cleaned_data
    rate = data["discount_rate"] if data["discount_rate"] is not None \
        else selectors.policy_of(dispute).plan_discount_rate
    by = data["on_behalf_of"] if selectors.part_of(viewer, dispute).desk else "creditor"
    side = ""
    if data["private"]:
        side = "creditor" if by == "creditor" else "debtor" if by == "debtor" else ""
    made = attempt(request, lambda: services.offer_propose(
        actor=viewer, dispute_id=dispute.pk, options=column.options(), discount_rate=rate,
        on_behalf_of=by, side=side, answers_id=data["answers"]), _("已提出方案"))
    if made is None:
        return redirect("web:plans", dispute_id=dispute.pk)
    return _back(dispute.pk, "offers")


# --- neutral evaluation ---

@login_required
@require_http_methods(["GET", "POST"])
def evaluation(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """The expert's evaluation and both paths in money; printable."""
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    part = selectors.part_of(viewer, dispute)
    shared = [(o.pk, f"方案{o.seq} {o.label}") for o in selectors.offers_for(viewer, dispute)
              if not o.side]
    may_record = (part.expert and dispute.track == Track.EVALUATION
                  and dispute.state == State.MEDIATING)
    form = forms.EvaluationForm(request.POST or None, offers=shared)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, "；".join(str(e) for errors in form.errors.values()
                                             for e in errors))
        else:
            data = form.cleaned_data
            attempt(request, lambda: services.evaluation_record(
                actor=viewer, dispute_id=dispute_id, assessment=data["assessment"],
                contract_annual_rate=data["contract_annual_rate"],
                discount_rate=data["discount_rate"]
                if data["discount_rate"] is not None
                else selectors.policy_of(dispute).plan_discount_rate,
                offer_id=data["offer"]), _("已出具中立评估意见"))
        return redirect("web:evaluation", dispute_id=dispute_id)
    policy = selectors.policy_of(dispute)
    context = _header(viewer, dispute)
    context.update({
        "evaluations": [_evaluation_row(e) for e in selectors.evaluations_of(dispute)],
        "form": form if may_record else None,
        "policy": {"litigation": policy.expected_litigation_months,
                   "enforcement": policy.expected_enforcement_months,
                   "recovery": policy.expected_recovery_rate * 100,
                   "lawyer_rate": policy.lawyer_fee_rate * 100,
                   "lawyer_min": format_amount(policy.lawyer_fee_minimum),
                   "cap": policy.annual_cost_cap * 100},
    })
    return render(request, "web/mediation/evaluation.html", context)


def _evaluation_row(e: Any) -> dict[str, Any]:
    p = e.paths
    return {
        "expert": str(e.expert), "at": e.created_at, "assessment": e.assessment,
        "offer": e.offer.seq if e.offer else None, "summary": p["summary"],
        "offer_label": e.offer.label if e.offer else "",
        "rate": Decimal(p["accrual_rate"]) * 100, "discount": Decimal(p["discount_rate"]) * 100,
        "rows": [(label, _money(p[key])) for label, key in (
            ("债权总额", "claim_total"), ("诉讼期间继续计收的利息", "accrued_interest"),
            ("案件受理费", "acceptance_fee"), ("申请执行费", "enforcement_fee"),
            ("迟延履行期间加倍债务利息", "late_performance_interest"),
            ("债权人律师费（估算）", "lawyer_fee"), ("执行时应付总额", "owed_at_recovery"))],
        "creditor": (_money(p["creditor_litigation_value"]),
                     _money(p["creditor_settlement_value"])),
        "debtor": (_money(p["debtor_litigation_cost"]), _money(p["debtor_settlement_cost"])),
        "months": p["litigation_months"] + p["enforcement_months"],
    }
