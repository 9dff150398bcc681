"""The director's assignment page: triage by the rule's suggestion, the ranked mediators."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jintiao.domain.assignment import Ranked
from jintiao.domain.lifecycle import Action, State
from jintiao.domain.policy import Track
from jintiao.mediation import selectors, services
from jintiao.orgs.models import User
from jintiao.web.forms import mediation as forms
from jintiao.web.forms.assignment import CandidateSearchForm
from jintiao.web.views.common import attempt, standing_or_404, submit, viewer_of, visible_or_404
from jintiao.web.views.mediation_rows import back_to, header

CANDIDATES_PER_PAGE = 20

# --- assignment ---


def _expertise(user: User) -> str:
    profile = getattr(user, "mediator_profile", None)
    return "、".join(selectors.expertise_labels(profile.expertise if profile else ()))


def _candidate_row(r: Ranked, found: selectors.Candidates, ranks: dict[int, int]
                   ) -> dict[str, Any]:
    user = found.users[r.candidate.key]
    return {"id": r.candidate.key, "name": r.candidate.name, "score": r.score,
            "rank": ranks[r.candidate.key], "load": r.candidate.open_load,
            "capacity": r.candidate.capacity, "reasons": r.reasons,
            "org": user.organization, "expertise": _expertise(user)}

@login_required
@require_GET
def assignment_page(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """The director's triage and the ranked mediators, conflicted ones apart with why."""
    me = standing_or_404(viewer_of(request), dispute_id)
    dispute = me.dispute
    if not me.may_direct():
        raise Http404(_("只有调委会主任可以分案"))
    facts_disputed = request.GET.get("facts_disputed") == "on"
    asked = request.GET.get("evaluation_requested") == "on"
    suggestion = selectors.triage_suggestion(dispute, facts_disputed=facts_disputed,
                                             evaluation_requested=asked)
    search = CandidateSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    found = selectors.mediator_candidates(dispute, query=query)
    context = header(me)
    team = context["team"]
    on_team = {m.user_id for m in team}
    # the team stays in the form whatever the search or page, so a change keeps them
    # unless unticked; the others are searched and paged
    others = [r for r in found.ranked if r.candidate.key not in on_team]
    page = Paginator(others, CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
    ranks = {r.candidate.key: n for n, r in enumerate(found.ranked, 1)}
    context.update({
        "suggestion": suggestion,
        "triage_form": forms.TriageForm(initial={
            "expected_version": dispute.version, "facts_disputed": facts_disputed,
            "evaluation_requested": asked})
        if dispute.state == State.ACCEPTED else None,
        "search": search, "query": query, "page": page,
        "page_query": urlencode({"q": query}) if query else "",
        "team_rows": [{"id": m.user_id, "name": str(m.user), "lead": m.lead,
                       "org": m.user.organization} for m in team],
        "ranked": [_candidate_row(r, found, ranks) for r in page.object_list],
        "default_lead": (found.ranked[0].candidate.key
                         if not team and found.ranked and not query and page.number == 1
                         else None),
        "excluded": [{"id": e.candidate.key, "name": e.candidate.name, "reasons": e.reasons,
                      "org": found.users[e.candidate.key].organization,
                      "expertise": _expertise(found.users[e.candidate.key])}
                     for e in found.excluded],
        "on_team": on_team,
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
    submit(request, forms.TriageForm(request.POST), lambda data: services.dispute_triage(
        actor=viewer, dispute_id=dispute_id, expected_version=data["expected_version"],
        facts_disputed=data["facts_disputed"], evaluation_requested=data["evaluation_requested"],
        track=Track(data["track"]) if data["track"] else None, reason=data["reason"]),
        _("已确定程序"), _("提交的内容不完整或格式不正确"))
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
    return back_to(dispute_id)
