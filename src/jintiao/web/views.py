"""Workbench pages: thin views over the selectors and the one lifecycle service.

Each view loads through the visibility selectors (a hidden dispute is a 404 like a
missing one), makes at most one service call, and renders plain context.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jintiao import clock
from jintiao.disputes import selectors
from jintiao.disputes.models import STATE_CHOICES, TRACK_CHOICES, DisputeType, PartyRole
from jintiao.disputes.selectors import DisputeNotFound, dispute_get_for
from jintiao.disputes.services import CLAIM_FIELDS, dispute_apply_action
from jintiao.domain import lifecycle
from jintiao.domain.errors import DomainError
from jintiao.domain.lifecycle import Action, Role, State
from jintiao.domain.money import amount_in_words, format_amount
from jintiao.domain.policy import Track
from jintiao.orgs.models import User
from jintiao.orgs.selectors import user_roles

CLAIM_LABELS = dict(zip(CLAIM_FIELDS, ("本金", "利息", "罚息", "复利", "违约金", "费用", "其他"),
                        strict=True))


class DisputeFilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *STATE_CHOICES])
    dispute_type = forms.ChoiceField(label="类型", required=False,
                                     choices=[("", "全部"), *DisputeType.choices])
    q = forms.CharField(label="搜索", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": "编号、当事人、概要"}))
    overdue = forms.BooleanField(label="仅看超期", required=False)

    def clean_q(self) -> str:
        value: str = self.cleaned_data["q"]
        if "\x00" in value:
            raise forms.ValidationError("搜索内容含有无效字符")
        return value


class DisputeActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a.value, a.label) for a in Action])
    expected_version = forms.IntegerField(min_value=1, max_value=2**31)
    reason = forms.CharField(required=False, max_length=2000)
    track = forms.ChoiceField(required=False, choices=[("", "—"), *TRACK_CHOICES])
    mediator = forms.IntegerField(required=False, min_value=1, max_value=2**53)
    notice_served = forms.BooleanField(required=False)
    attest = forms.BooleanField(required=False)


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    """The viewer's disputes with filters, 50 a page."""
    viewer = _viewer(request)
    form = DisputeFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {"state": data["state"] or None, "dispute_type": data["dispute_type"] or None,
                   "text": data["q"] or None,
                   "overdue_on": clock.today() if data["overdue"] else None}
    rows = selectors.dispute_list(viewer, **filters)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    today = clock.today()
    items = [{
        "id": d.pk, "number": d.number, "state": State(d.state).label,
        "type": d.get_dispute_type_display(), "committee": d.committee.name,
        "institution": d.institution.name if d.institution else "",
        "debtors": "、".join(r.party.name for r in d.party_rows.all()
                            if r.role == PartyRole.DEBTOR),
        "total": format_amount(sum((getattr(d, f) for f in CLAIM_FIELDS), Decimal(0))),
        "deadline": d.deadline, "overdue": bool(d.deadline and d.deadline < today),
        "received_on": d.received_on,
    } for d in page.object_list]
    return render(request, "web/disputes/list.html",
                  {"form": form, "page": page, "items": items, "count": page.paginator.count,
                   "roles": [r.label for r in sorted(user_roles(viewer))]})


@login_required
def dispute_detail(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """One dispute: parties, claim, deadline, timeline and the actions open to the viewer."""
    viewer = _viewer(request)
    try:
        dispute = dispute_get_for(viewer, dispute_id)
    except DisputeNotFound:
        raise Http404("纠纷不存在或无权查看") from None
    roles = user_roles(viewer)
    actions = []
    for role in sorted(roles):
        for action in lifecycle.available_actions(State(dispute.state), role):
            if action.value not in {a["value"] for a in actions}:
                guards = [lifecycle.GUARD_LABELS[g] for t in lifecycle.transitions_for(action)
                          if role in t.roles for g in t.guards]
                actions.append({"value": action.value, "label": action.label,
                                "guards": sorted(set(guards))})
    total = sum((getattr(dispute, f) for f in CLAIM_FIELDS), Decimal(0))
    mediators = []
    if Action.ASSIGN.value in {a["value"] for a in actions}:
        mediators = list(User.objects.filter(organization=dispute.committee,
                                              role_rows__role=Role.MEDIATOR).order_by("username"))
    context = {
        "d": dispute, "state": State(dispute.state).label,
        "parties": [{"name": r.party.name, "role": r.get_role_display(),
                     "id": r.party.id_masked, "phone": r.party.phone_masked}
                    for r in dispute.party_rows.all()],
        "claim": [(CLAIM_LABELS[f], format_amount(getattr(dispute, f)))
                  for f in CLAIM_FIELDS if getattr(dispute, f)],
        "total": format_amount(total), "total_words": amount_in_words(total),
        "events": [_event_row(e) for e in dispute.events.select_related("actor").order_by("seq")],
        "actions": actions, "tracks": [(t.value, t.label) for t in Track],
        "mediators": mediators,
    }
    return render(request, "web/disputes/detail.html", context)


def _event_row(event: Any) -> dict[str, Any]:
    """A timeline row in words: 受理, 已登记 → 已受理, not dispute.accept, received → accepted."""
    verb = event.type.removeprefix("dispute.")
    label = "登记收案" if verb == "received" else (
        Action(verb).label if verb in Action._value2member_map_ else event.type)
    state = {s.value: s.label for s in State}
    return {"at": event.at, "label": label, "actor": str(event.actor or ""),
            "before": state.get(event.state_before, ""), "after": state.get(event.state_after, ""),
            "changed": event.state_before != event.state_after,
            "reason": event.params.get("reason", ""), "deadline": event.meta.get("deadline"),
            "hash": event.hash}


@login_required
@require_POST
def dispute_action(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """Apply one action through the service; refusals come back as a message, not an error."""
    viewer = _viewer(request)
    form = DisputeActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "提交的内容不完整或格式不正确")
        return redirect("web:dispute_detail", dispute_id=dispute_id)
    data = form.cleaned_data
    action = Action(data["action"])
    attested: list[str] = []
    if data["attest"]:
        attested = [g for t in lifecycle.transitions_for(action) for g in t.guards]
    mediators = list(User.objects.filter(pk=data["mediator"])) if data["mediator"] else []
    try:
        dispute_apply_action(actor=viewer, dispute_id=dispute_id, action=action,
                             expected_version=data["expected_version"], reason=data["reason"],
                             track=Track(data["track"]) if data["track"] else None,
                             mediators=mediators, notice_served=data["notice_served"],
                             attested=attested)
    except DisputeNotFound:
        raise Http404("纠纷不存在或无权查看") from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{action.label}")
    return redirect("web:dispute_detail", dispute_id=dispute_id)
