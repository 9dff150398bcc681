"""Joint mediation on the workbench (issue 21 §2): the desk joins the debtor's disputes
from the mediation page, then builds the consolidated plan on the joint page — a preview
of the shares and of each creditor's part, then the parts put on each dispute's table.
Thin: the rules are ``jintiao.domain.joint``'s through ``mediation.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jintiao.confirmation import joined
from jintiao.disputes.access import RecordNotFound, Standing
from jintiao.domain.errors import DomainError
from jintiao.domain.lifecycle import State
from jintiao.domain.money import format_amount
from jintiao.mediation import selectors, services
from jintiao.mediation.models import JointMediation
from jintiao.web.forms import loop as loop_forms
from jintiao.web.forms import mediation as forms
from jintiao.web.views.common import (
    as_previewed,
    attempt,
    mistakes,
    previewed_mark,
    viewer_of,
    visible_or_404,
)
from jintiao.web.views.mediation_rows import back_to


def joint_card(me: Standing) -> dict[str, Any]:
    """What the mediation page shows: the joint mediation the dispute is in (the desk links
    to it; a creditor reads only that its debtor's debts are mediated together), or the
    debtor's other disputes the desk could join with it."""
    dispute = me.dispute
    joint = selectors.joint_of(dispute)
    joinable = (selectors.joinable_with(me.user, dispute)
                if joint is None and me.may_mediate() and dispute.state == State.MEDIATING
                else [])
    choices = [(d.pk, f"{d.number} · {d.institution or ''} · "
                      f"{format_amount(selectors.claim_of(d).total)}元") for d in joinable]
    return {"joint": joint if me.active else None, "joint_desk": me.desk,
            "join_form": forms.JoinForm(choices=choices) if choices else None}


@login_required
@require_POST
def joint_create(request: HttpRequest, dispute_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    dispute = visible_or_404(viewer, dispute_id)
    choices = [(d.pk, d.number) for d in selectors.joinable_with(viewer, dispute)]
    form = forms.JoinForm(request.POST, choices=choices)
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return back_to(dispute_id, "joint")
    data = form.cleaned_data
    made = attempt(request, lambda: services.joint_create(
        actor=viewer, dispute_ids=[dispute_id, *(int(pk) for pk in data["disputes"])],
        sessions=data["sessions"], agreement_form=data["agreement_form"]),
        _("已纳入联合调解，请制定合并还款方案"))
    if made is None:
        return back_to(dispute_id, "joint")
    return redirect("web:joint", joint_id=made.pk)


def _joint(request: HttpRequest, joint_id: int) -> JointMediation:
    try:
        return selectors.joint_for(viewer_of(request), joint_id)
    except RecordNotFound:
        raise Http404(_("联合调解不存在或无权查看")) from None


def _parts(joint: JointMediation, data: Any = None) -> list[tuple[Any, forms.JointPartForm]]:
    """Each member still being mediated with its part's form (as last put forward, or as
    posted)."""
    out = []
    for m in selectors.joint_mediating(joint):  # a member agreed, or gone, takes no share
        stored = selectors.PartTerms.of(m.terms, m)
        initial = {"secured": stored.secured, "method": stored.method,
                   "agreed_share": stored.agreed_share * 100 if stored.agreed_share else None,
                   "annual_rate": stored.annual_rate * 100 if stored.annual_rate else None,
                   "waive": list(stored.waive), "periods": stored.periods}
        out.append((m, forms.JointPartForm(data, prefix=f"m{m.dispute_id}", initial=initial)))
    return out


def _terms(parts: list[tuple[Any, forms.JointPartForm]]) -> dict[int, Any]:
    terms = {}
    for m, f in parts:
        d = f.cleaned_data
        terms[m.dispute_id] = selectors.PartTerms(
            secured=d["secured"], agreed_share=d["agreed_share"], method=d["method"],
            annual_rate=d["annual_rate"] or Decimal(0), waive=tuple(d["waive"]),
            periods=d["periods"])
    return terms


@login_required
@require_http_methods(["GET", "POST"])
def joint_page(request: HttpRequest, joint_id: int) -> HttpResponse:
    """The joint mediation: its disputes and their parts, the plan's form, a preview."""
    viewer = viewer_of(request)
    joint = _joint(request, joint_id)
    posted = request.method == "POST"
    if posted and not _mediating(joint):  # found trying it: a post still made a preview
        messages.error(request, _("联合调解的各纠纷已不在调解中，不能再计算或提出合并方案"))
        return redirect("web:joint", joint_id=joint.pk)
    plan_form = forms.JointPlanForm(request.POST if posted else None, initial={
        "rule": joint.rule, "amount": joint.amount, "first_due": joint.first_due})
    parts = _parts(joint, request.POST if posted else None)
    preview = None
    if posted and plan_form.is_valid() and all(f.is_valid() for _m, f in parts):
        data = plan_form.cleaned_data
        choice = {"rule": data["rule"] or None, "amount": data["amount"],
                  "first_due": data["first_due"]}
        send = request.POST.get("step") == "send"
        if send and not as_previewed(request):  # changed since the preview: show it first
            messages.warning(request, _("合并方案的条件已修改，请核对新的计算结果后再提出"))
            send = False
        if send:
            done = attempt(request, lambda: services.joint_plan_propose(
                actor=viewer, joint_id=joint.pk, parts=_terms(parts),
                beyond_budget=bool(request.POST.get("beyond_budget")), **choice),
                _("合并还款方案已提出，各债权人在各自纠纷中答复"))
            if done is not None:
                return redirect("web:joint", joint_id=joint.pk)
        else:
            try:
                plan, _members = services.joint_plan(joint, _terms(parts), **choice)
                preview = selectors.plan_summary(plan)
                preview["previewed"] = previewed_mark(request)
                preview["months"] = [(m.due_on, [format_amount(x) for x in m.payments],
                                      format_amount(m.total)) for m in plan.months[:3]]
            except DomainError as exc:
                messages.error(request, exc.message)
    elif posted:
        messages.error(request, mistakes(plan_form) or _("请检查各债权人的条件"))
    return render(request, "web/mediation/joint.html", {
        "joint": joint, "plan_form": plan_form, "parts": parts, "preview": preview,
        "status": selectors.joint_parts(joint), "shown": preview or joint.plan or None,
        "budget": selectors.joint_budget_shown(joint), "mediating": _mediating(joint),
        "meetings": selectors.joint_sessions(joint),
        "session_form": forms.JointSessionForm()
        if joint.sessions == JointMediation.Sessions.JOINT and _mediating(joint) else None,
        "confirmation": _confirmation_card(joint)})


def _mediating(joint: JointMediation) -> bool:
    """Whether a plan can still be put forward: a member is still being mediated."""
    return any(m.dispute.state == State.MEDIATING
               for m in joint.members.select_related("dispute"))


def _confirmation_card(joint: JointMediation) -> dict[str, Any] | None:
    """The one application for judicial confirmation: the applications filed, and for the
    agreements waiting to be applied for — whose signatures or addresses are missing, which
    members are still being mediated, the courts competent — the form."""
    batches = [(b, b.applications.select_related("dispute").order_by("dispute__number"))
               for b in joined.filings(joint)]
    ready = joined.filable(joint)
    if not batches and not ready:
        return None  # nothing agreed yet: the plan is still being made
    courts = joined.competent_courts(joint) if ready else []
    return {"filings": batches, "ready": ready, "waiting": joined.waiting(joint) if ready else [],
            "courts": courts,
            "unsigned": joined.unsigned(joint, courts[0]) if courts else [],
            "form": loop_forms.CourtForm(courts=[(c.pk, c.name) for c in courts])
            if courts else None}


@login_required
@require_POST
def joint_confirmation_apply(request: HttpRequest, joint_id: int) -> HttpResponse:
    """File the joint mediation's one application with the court chosen."""
    viewer = viewer_of(request)
    joint = _joint(request, joint_id)
    form = loop_forms.CourtForm(request.POST, courts=[
        (c.pk, c.name) for c in joined.competent_courts(joint)])
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return redirect("web:joint", joint_id=joint.pk)
    attempt(request, lambda: joined.joined_apply(actor=viewer, joint_id=joint.pk,
                                                 court_id=form.cleaned_data["court"]),
            _("已向法院一并提交联合调解各协议的司法确认申请"))
    return redirect("web:joint", joint_id=joint.pk)


@login_required
@require_POST
def joint_session(request: HttpRequest, joint_id: int) -> HttpResponse:
    """Call the joint meeting: one session on every member's table."""
    viewer = viewer_of(request)
    joint = _joint(request, joint_id)
    form = forms.JointSessionForm(request.POST)
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return redirect("web:joint", joint_id=joint.pk)
    d = form.cleaned_data
    attempt(request, lambda: services.joint_session_schedule(
        actor=viewer, joint_id=joint.pk, mode=d["mode"], starts_at=d["starts_at"],
        place=d["place"], online_link=d["online_link"]),
        _("已合并安排调解会议，各纠纷的当事人均已列为参加人"))
    return redirect("web:joint", joint_id=joint.pk)
