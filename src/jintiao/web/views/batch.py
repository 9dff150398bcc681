"""Batch work from the dispute list (issue 20 §4): the clerk accepts, the director assigns,
many disputes in one action — the ones ticked, the page, or every one the filter finds (up
to :data:`~jintiao.mediation.batch.MAX_DISPUTES`). An assignment shows the proposed team
per dispute before the director confirms; every batch then shows its progress and, once
done, what was done and why each refusal. Thin: the batch service decides everything."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jintiao.disputes import selectors
from jintiao.disputes.access import RecordNotFound, may_batch, may_send_menus
from jintiao.domain.errors import DomainError
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import Track
from jintiao.mediation import batch
from jintiao.mediation.models import BatchItem, BatchRun
from jintiao.orgs.models import User
from jintiao.outreach import batch as outreach_batch
from jintiao.portfolio import batch as portfolio_batch
from jintiao.portfolio import selectors as portfolio
from jintiao.web.forms.portfolio import MenuBatchForm
from jintiao.web.views.common import attempt, mistakes, viewer_of
from jintiao.web.views.disputes import list_filters


def _picks(values: list[str]) -> dict[int, int | None]:
    """``id:version`` values (a row as the actor saw it) as ids with their versions."""
    found: dict[int, int | None] = {}
    for value in values:
        pk, _sep, version = value.partition(":")
        if pk.isascii() and pk.isdigit() and 0 < int(pk) < 2**63:  # a key the column holds
            seen = int(version) if version.isascii() and version.isdigit() else None
            found[int(pk)] = seen if seen is not None and seen < 2**31 else None
    return found


def _matching(viewer: User, query: str) -> list[int]:
    """The ids of every dispute the list's filter ``query`` finds, in the list's order, one
    more than a batch takes at most (so that too many is seen, not cut off)."""
    given = QueryDict(query)
    _form, filters = list_filters(viewer, given)
    rows = selectors.dispute_list(viewer, **filters, sort=selectors.sort_of(given.get("sort")))
    return list(rows.values_list("pk", flat=True)[:batch.MAX_DISPUTES + 1])


def _back(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("filter", "")
    return redirect(reverse("web:dispute_list") + (f"?{QueryDict(query).urlencode()}"
                                                   if query else ""))


def _chosen(request: HttpRequest, viewer: User) -> tuple[list[int], dict[int, int]] | None:
    """The disputes a batch from the list names — ticked rows, the page, or all the filter
    finds — with the versions the rows showed; None (a message said why) when none or too
    many."""
    scope = request.POST.get("scope", "picked")
    if scope == "filter":
        ids = _matching(viewer, request.POST.get("filter", ""))
        versions: dict[int, int] = {}
        if len(ids) > batch.MAX_DISPUTES:
            messages.error(request, _("符合筛选条件的纠纷超过 %(n)s 件，"
                                      "请用筛选条件缩小范围后再批量办理")
                           % {"n": f"{batch.MAX_DISPUTES:,}"})
            return None
    else:
        picked = _picks(request.POST.getlist("on_page" if scope == "page" else "pick"))
        ids = list(picked)
        versions = {pk: v for pk, v in picked.items() if v is not None}
    if not ids:
        messages.error(request, _("请先勾选要办理的纠纷"))
        return None
    return ids, versions


@login_required
@require_POST
def batch_start(request: HttpRequest) -> HttpResponse:
    """Start a batch from the list: ticked rows, the page, or all the filter finds."""
    viewer = viewer_of(request)
    try:
        action = Action(request.POST.get("action", ""))
    except ValueError:
        messages.error(request, _("请选择批量受理或批量分派"))
        return _back(request)
    if not may_batch(viewer, action):
        raise Http404(_("无权批量办理"))
    chosen = _chosen(request, viewer)
    if chosen is None:
        return _back(request)
    ids, versions = chosen
    texting = action is Action.ACCEPT and request.POST.get("notice_by_text") == "on"

    def start() -> BatchRun:
        if texting:  # each dispute's options notice texted as it is accepted
            return outreach_batch.accept_run_start(actor=viewer, dispute_ids=ids,
                                                   versions=versions)
        return batch.batch_run_start(actor=viewer, action=action, dispute_ids=ids,
                                     versions=versions,
                                     notice_served=request.POST.get("notice_served") == "on")

    run = attempt(request, start, _("已提交批量分派方案，请确认") if action is Action.ASSIGN
                  else _("已提交批量受理"))
    if run is None:
        return _back(request)
    return redirect("web:batch_detail", run_id=run.pk)


@login_required
@require_POST
def menu_batch_start(request: HttpRequest) -> HttpResponse:
    """Send the standard plan menu to the debtors of the disputes chosen on the list (issue
    20 §5): each dispute through the single send, its refusal listed on the batch's page."""
    viewer = viewer_of(request)
    if not may_send_menus(viewer):
        raise Http404(_("无权批量办理"))
    form = MenuBatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, mistakes(form))
        return _again(request)
    chosen = _chosen(request, viewer)
    if chosen is None:
        return _again(request)
    ids, _versions = chosen  # a menu goes on what the dispute is when it is sent
    data = form.cleaned_data
    try:
        run = portfolio_batch.menu_run_start(
            actor=viewer, dispute_ids=ids, reply_by=data["reply_by"],
            performance_manner=data["performance_manner"], text=data["text"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return _again(request, {str(exc.details.get("field", "")): exc.message})
    messages.success(request, _("已提交批量发送标准还款方案"))
    return redirect("web:batch_detail", run_id=run.pk)


MENU_RETRY = "menu_batch_retry"  # the session's copy of a menu batch refused before it ran


def _again(request: HttpRequest, errors: dict[str, str] | None = None) -> HttpResponse:
    """Back to the list as it was — the rows ticked, the terms typed, each mistake at its
    field — for a batch refused before it ran: a desk with forty ticks does not tick them
    again (read once by :func:`menu_retry`)."""
    request.session[MENU_RETRY] = {
        "picks": [p.partition(":")[0] for p in request.POST.getlist("pick")][:batch.MAX_DISPUTES],
        "data": {k: request.POST.get(k, "")[:2000] for k in MenuBatchForm.base_fields},
        "errors": {k: v for k, v in (errors or {}).items() if k in MenuBatchForm.base_fields}}
    return _back(request)


def menu_retry(request: HttpRequest) -> tuple[set[int], MenuBatchForm | None]:
    """The ticks and the bound form of a menu batch refused a moment ago (once), if any."""
    kept = request.session.pop(MENU_RETRY, None)
    if not isinstance(kept, dict):
        return set(), None
    form = MenuBatchForm(kept.get("data") or {}, auto_id="menu-%s")
    form.is_valid()
    for field, message in (kept.get("errors") or {}).items():
        if field in form.fields and field not in form.errors:
            form.add_error(field, message)
    picks = {int(p) for p in kept.get("picks") or [] if p.isascii() and p.isdigit()}
    return picks, form


def _run_of(viewer: User, run_id: int) -> BatchRun:
    try:
        return batch.batch_run_for(viewer, run_id)
    except RecordNotFound:
        raise Http404(_("记录不存在或无权查看")) from None


def _item_row(item: BatchItem, names: dict[int, str]) -> dict[str, Any]:
    why = item.why if isinstance(item.why, dict) else {}
    return {"id": item.dispute_ref, "number": item.number, "status": item.status,
            "code": item.code, "message": item.message,
            "track": Track(item.track).label if item.track else "",
            "track_suggested": item.track_suggested, "track_why": why.get("track", []),
            "lead": names.get(item.lead_id or 0, ""), "lead_why": why.get("lead", [])}


def _context(run: BatchRun) -> dict[str, Any]:
    items = list(run.items.order_by("seq"))
    names = {u.pk: str(u) for u in User.objects.filter(
        pk__in={i.lead_id for i in items if i.lead_id})}
    rows = [_item_row(i, names) for i in items]
    finished = sum(1 for i in items if i.status != BatchItem.Status.PENDING)
    return {"run": run, "rows": rows, "finished": finished,
            "percent": finished * 100 // run.total if run.total else 100,
            "done": [r for r in rows if r["status"] == "done"],
            "refused": [r for r in rows if r["status"] == "refused"],
            "proposed": [r for r in rows if r["lead"]],
            "unassignable": [r for r in rows if not r["lead"]],
            "uptake": (portfolio.uptake_of(run) if run.action == BatchRun.Action.MENU
                       else None)}


@login_required
@require_GET
def batch_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """The batch's page: the proposal to confirm, the progress (polled while it runs), or
    what was done and why each refusal. The actor's own batches only."""
    run = _run_of(viewer_of(request), run_id)
    context = _context(run)
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "batch-status":
        return render(request, "web/batch/_status.html", context)
    return render(request, "web/batch/run.html", context)


@login_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    """The viewer's own batches, newest first: where the desk comes back to a batch's
    progress, its refusals and a menu's uptake."""
    viewer = viewer_of(request)
    runs = list(BatchRun.objects.filter(actor=viewer).order_by("-created_at", "-pk")
                .annotate(done=Count("items", filter=Q(items__status=BatchItem.Status.DONE)),
                          refused=Count("items",
                                        filter=Q(items__status=BatchItem.Status.REFUSED)))[:100])
    return render(request, "web/batch/list.html", {"runs": runs})


@login_required
@require_POST
def batch_confirm(request: HttpRequest, run_id: int) -> HttpResponse:
    """The director confirms the proposed assignment: it runs as proposed."""
    viewer = viewer_of(request)
    run = _run_of(viewer, run_id)
    attempt(request, lambda: batch.batch_run_confirm(actor=viewer, run_id=run.pk),
            _("已确认批量分派"))
    return redirect("web:batch_detail", run_id=run.pk)
