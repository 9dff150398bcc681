"""The rules (规则配置) on the web (issue 21 §5): the nodes whose rules the viewer reads and
the ones they publish for, a node's versions with every value and its source, and the
administrator's form — fill in the values and sources, see the difference from the version
in force, then confirm. Thin: who reads and who publishes is orgs.selectors', the checks
and the difference policies.services.policy_draft's, the writing policy_publish's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jintiao import clock
from jintiao.domain.errors import DomainError
from jintiao.domain.policy import DEFAULT_POLICY, SOURCES, Policy
from jintiao.orgs.models import Organization, User
from jintiao.orgs.selectors import may_publish_policy, policy_nodes_managed_by
from jintiao.policies import selectors, services
from jintiao.policies.models import PolicyVersion
from jintiao.web.forms.policies import PolicyVersionForm, WithdrawForm
from jintiao.web.views.common import mistakes, viewer_of


def _node(viewer: User, organization_id: int) -> Organization:
    try:
        return selectors.policy_node_for(viewer, organization_id)
    except selectors.PolicyNodeNotFound:
        raise Http404(_("单位不存在或无权查看其规则")) from None


def _in_force(node: Organization, on: dt.date) -> tuple[PolicyVersion | None, Policy]:
    try:
        return selectors.policy_for(node, on=on)
    except selectors.PolicyMissing:
        return None, DEFAULT_POLICY


def _version(row: PolicyVersion, today: dt.date) -> dict[str, Any]:
    withdrawn = row.withdrawn_at is not None
    return {"row": row, "name": row.data.get("name", ""), "table_id": f"changes-{row.version}",
            "withdrawn": withdrawn,
            "in_force": not withdrawn and row.valid_from <= today and (
                row.valid_to is None or today < row.valid_to),
            "scheduled": not withdrawn and row.valid_from > today}


@login_required
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    """The nodes the viewer publishes rules for, each with the version in force there
    today, and every version the viewer may read."""
    viewer = viewer_of(request)
    today = clock.today()
    nodes = list(policy_nodes_managed_by(viewer))
    in_force = selectors.policies_in_force(nodes, on=today)
    managed = []
    for node in nodes:
        row = in_force[node.pk]
        managed.append({"node": node, "row": row,
                        "inherited": row is not None and row.organization_id != node.pk})
    versions = [_version(r, today) for r in selectors.policy_versions_visible_to(viewer)]
    if not managed and not versions:
        raise Forbidden(_("您没有可以查看的规则配置"))
    return render(request, "web/policies/list.html",
                  {"managed": managed, "versions": versions, "today": today})


@login_required
@require_GET
def policy_node(request: HttpRequest, organization_id: int) -> HttpResponse:
    """A node's rules: the version in force today (its own or inherited) with every value
    and its source, and the node's own versions with what each changed."""
    viewer = viewer_of(request)
    node = _node(viewer, organization_id)
    today = clock.today()
    row, _policy = _in_force(node, today)
    own = list(selectors.policy_versions_visible_to(viewer, organization=node)
               .order_by("-version"))
    publishes = may_publish_policy(viewer, node)
    # the latest version not yet in force may be withdrawn (policies.services.policy_withdraw)
    latest = next((r for r in own if r.withdrawn_at is None), None)
    withdrawable = latest.version if publishes and latest and latest.valid_from > today else 0
    return render(request, "web/policies/node.html", {
        "node": node, "row": row, "today": today,
        "rules": selectors.rule_values(row) if row is not None else [],
        "inherited": row is not None and row.organization_id != node.pk,
        "versions": [{**_version(r, today), "rules": selectors.rule_values(r),
                      "withdraw": WithdrawForm(auto_id=f"withdraw-{r.version}-%s")
                      if r.version == withdrawable else None} for r in own],
        "publishes": publishes})


@login_required
@require_POST
def policy_withdraw(request: HttpRequest, organization_id: int, version: int) -> HttpResponse:
    """Withdraw the node's latest version before it takes effect, with a reason."""
    viewer = viewer_of(request)
    node = _node(viewer, organization_id)
    row = PolicyVersion.objects.filter(organization=node, version=version).first()
    if row is None:
        raise Http404(_("规则版本不存在"))
    if not may_publish_policy(viewer, node):
        raise Forbidden(_("只有本单位或上级单位的管理员可以撤回规则"))
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, mistakes(form))
    else:
        try:
            services.policy_withdraw(actor=viewer, version=row,
                                     reason=form.cleaned_data["reason"])
        except DomainError as exc:  # nothing was written
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已撤回第%(n)d版；原版本继续适用") % {"n": row.version})
    return redirect(reverse("web:policy_node", args=[node.pk]))


def _start_of_form(node: Organization, today: dt.date) -> tuple[dt.date, Policy, dict[str, str]]:
    """Where a new version starts from: the latest of today and the start of a version the
    node has scheduled, and the values and sources in force there then."""
    last = (PolicyVersion.objects.filter(organization=node, withdrawn_at__isnull=True)
            .order_by("-valid_from").first())
    on = max(today, last.valid_from) if last is not None else today
    row, policy = _in_force(node, on)
    sources = {**SOURCES, **(row.sources if row is not None else {})}
    return on, policy, sources


@login_required
@require_http_methods(["GET", "POST"])
def policy_new(request: HttpRequest, organization_id: int) -> HttpResponse:
    """The administrator's form for a new version of ``node``'s rules, filled in from the
    version in force. ``preview`` shows what would change (nothing is written); ``confirm``
    publishes it; a refusal shows the domain's words at the form, nothing written."""
    viewer = viewer_of(request)
    node = _node(viewer, organization_id)
    if not may_publish_policy(viewer, node):
        raise Forbidden(_("只有本单位或上级单位的管理员可以发布规则"))
    today = clock.today()
    if request.method == "GET":
        on, policy, sources = _start_of_form(node, today)
        initial = PolicyVersionForm.initial_from(policy, sources)
        initial["valid_from"] = on + dt.timedelta(days=1) if on > today else on
        return _form_page(request, node, PolicyVersionForm(initial=initial))
    form = PolicyVersionForm(request.POST)
    if not form.is_valid():
        return _form_page(request, node, form, status=400)
    if "edit" in request.POST:  # back from the preview to the form, as it was typed
        return _form_page(request, node, form)
    data = form.cleaned_data
    asked: dict[str, Any] = {"organization": node, "valid_from": data["valid_from"],
                             "valid_to": data["valid_to"], "values": form.values(),
                             "name": data["name"], "sources": form.sources(),
                             "source": data["source"], "actor": viewer}
    try:
        if "confirm" not in request.POST:
            draft = services.policy_draft(**asked)
            return render(request, "web/policies/preview.html",
                          {"node": node, "form": form, "draft": draft})
        # the preview's fingerprint: a publication since then shows the new difference
        # (none posted: no preview was seen, so the preview is shown first)
        made = services.policy_publish(**asked,
                                       previewed=request.POST.get("previewed", "")[:64] or "-")
    except services.PolicyPreviewStale as exc:  # show the difference as it is now
        messages.warning(request, exc.message)
        draft = services.policy_draft(**asked)
        return render(request, "web/policies/preview.html",
                      {"node": node, "form": form, "draft": draft}, status=409)
    except DomainError as exc:  # nothing was written: the form stays as typed
        return _form_page(request, node, form, refused=exc,
                          status=403 if isinstance(exc, services.PolicyNotYours) else 400)
    messages.success(request, _("已发布“%(node)s”规则第%(n)d版，自%(day)s起生效") % {
        "node": node.name, "n": made.version, "day": made.valid_from.isoformat()})
    return redirect(reverse("web:policy_node", args=[node.pk]))


def _form_page(request: HttpRequest, node: Organization, form: PolicyVersionForm, *,
               refused: DomainError | None = None, status: int = 200) -> HttpResponse:
    today = clock.today()
    row, _policy = _in_force(node, today)
    return render(request, "web/policies/new.html", {
        "node": node, "form": form, "row": row, "today": today,
        "inherited": row is not None and row.organization_id != node.pk,
        "refused": refused.message if refused else "",
        "refused_field": (refused.details.get("field", "") if refused else ""),
    }, status=status)
