"""Judicial confirmation in batches (issue 20 §6): the desk sends several joint applications
to one court; the judge reviews the court's applications on one page — each with its
checklist, the alike ones grouped — and rules on each, or confirms a group's complete ones
together. Thin: the single services decide every application, :mod:`jintiao.confirmation.
batch` loops over them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jintiao.confirmation import batch
from jintiao.confirmation import selectors as court_selectors
from jintiao.confirmation import services as confirmation
from jintiao.disputes.access import (
    PermissionDenied,
    RecordNotFound,
    court_for_review,
    may_batch_apply,
)
from jintiao.domain.confirmation import JUDGE_ONLY, judge_items
from jintiao.domain.errors import DomainError
from jintiao.orgs.models import Organization, User
from jintiao.web.forms import loop as forms
from jintiao.web.views.common import attempt, submit, viewer_of


def _picks(values: list[str]) -> dict[int, int | None]:
    """``id:version`` values (a row as the user saw it) as ids with their versions."""
    found: dict[int, int | None] = {}
    for value in values:
        pk, _sep, version = value.partition(":")
        if pk.isascii() and pk.isdigit():
            found[int(pk)] = int(version) if version.isascii() and version.isdigit() else None
    return found


def _court_or_refuse(viewer: User, court_id: int) -> Organization:
    """The court the judge reviews: 404 for one the viewer is not of, 403 for its clerks."""
    try:
        return court_for_review(viewer, court_id)
    except RecordNotFound:
        raise Http404(_("记录不存在或无权查看")) from None
    except PermissionDenied as refused:
        raise Forbidden(refused.message) from None


def _back(court_id: int, batch_id: str, anchor: str = "") -> HttpResponse:
    url = reverse("web:court_review", kwargs={"court_id": court_id})
    if batch_id.isascii() and batch_id.isdigit():
        url += f"?batch={batch_id}"
    return redirect(f"{url}#{anchor}" if anchor else url)


# --- the desk ---

@login_required
@require_http_methods(["GET", "POST"])
def confirmation_batch_new(request: HttpRequest) -> HttpResponse:
    """The desk picks agreed disputes ready for one court and sends them as one batch."""
    viewer = viewer_of(request)
    if not may_batch_apply(viewer):
        raise Http404(_("无权批量申请司法确认"))
    courts = court_selectors.batch_courts(viewer)
    if request.method == "POST":
        court_id = request.POST.get("court", "")
        picked = _picks(request.POST.getlist("pick"))
        made = attempt(request, lambda: batch.confirmation_batch_apply(
            actor=viewer, court_id=int(court_id) if court_id.isdigit() else 0,
            disputes=picked), _("已提交批量申请"))
        if made is not None:
            return redirect("web:confirmation_batch", batch_id=made.pk)
        return redirect(reverse("web:confirmation_batch_new") + f"?court={court_id}")
    asked = request.GET.get("court", "")
    court = next((c for c in courts if str(c.pk) == asked), courts[0] if courts else None)
    return render(request, "web/court/batch_new.html", {
        "courts": courts, "court": court,
        "candidates": court_selectors.batch_candidates(viewer, court) if court else []})


@login_required
@require_GET
def confirmation_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    """What became of each dispute of a batch the viewer sent."""
    viewer = viewer_of(request)
    try:
        found = court_selectors.desk_batch_get_for(viewer, batch_id)
    except RecordNotFound:
        raise Http404(_("记录不存在或无权查看")) from None
    outcomes = found.outcomes
    return render(request, "web/court/batch.html", {
        "batch": found, "done": [o for o in outcomes if o["status"] == "ok"],
        "refused": [o for o in outcomes if o["status"] != "ok"]})


# --- the judge ---

@login_required
@require_GET
def court_review(request: HttpRequest, court_id: int) -> HttpResponse:
    """The court's applications on one page, the alike ones grouped, each ruled on by
    itself or a group's complete ones together."""
    viewer = viewer_of(request)
    court = _court_or_refuse(viewer, court_id)
    chosen = None
    asked = request.GET.get("batch", "")
    if asked.isascii() and asked.isdigit():
        try:
            chosen = court_selectors.batch_get_for(court, int(asked))
        except RecordNotFound:
            raise Http404(_("记录不存在或无权查看")) from None
    queue = court_selectors.review_queue(court, chosen)
    context: dict[str, Any] = {
        "court": court, "batch": chosen, "queue": queue,
        "batches": court_selectors.batches_of(court), "judge_only": JUDGE_ONLY,
        "groups": [{
            "group": g, "ready": [i for i in g.items if i.ready],
            "rows": [(i, forms.DecideForm(initial={"expected_version": i.version},
                                          auto_id=f"app{i.application.pk}-%s"))
                     for i in g.items]} for g in queue.groups],
    }
    return render(request, "web/court/review.html", context)


@login_required
@require_POST
def court_review_decide(request: HttpRequest, court_id: int,
                        application_id: int) -> HttpResponse:
    """One application ruled on from the review page, by the single ruling service."""
    viewer = viewer_of(request)
    _court_or_refuse(viewer, court_id)
    submit(request, forms.DecideForm(request.POST), lambda d: confirmation.confirmation_decide(
        actor=viewer, application_id=application_id, expected_version=d["expected_version"],
        confirm=d["decision"] == "confirm", attested=list(d["attested"]),
        reasons=d["reasons"]), _("已作出裁定"))
    return _back(court_id, request.POST.get("batch", ""), f"app-{application_id}")


@login_required
@require_POST
def court_review_confirm_group(request: HttpRequest, court_id: int) -> HttpResponse:
    """Confirm a group's applications whose checklist is complete, each by the single
    ruling service in its own transaction; the ones refused are listed with why."""
    viewer = viewer_of(request)
    _court_or_refuse(viewer, court_id)
    picked = {pk: v for pk, v in _picks(request.POST.getlist("application")).items()
              if v is not None}
    attested = [a for a in request.POST.getlist("attested") if a in judge_items()]
    _said(request, lambda: batch.confirmation_batch_confirm(
        actor=viewer, court_id=court_id, applications=picked, attested=attested),
        _("已裁定确认 %(n)s 件"))
    return _back(court_id, request.POST.get("batch", ""))


@login_required
@require_POST
def applications_docket(request: HttpRequest) -> HttpResponse:
    """Docket the applications ticked on the home page's list, each by the single service
    in its own transaction; the ones refused are listed with why (issue 20 §6)."""
    viewer = viewer_of(request)
    picked = [int(v) for v in request.POST.getlist("application")
              if v.isascii() and v.isdigit() and 0 < int(v) < 2**63]
    _said(request, lambda: batch.confirmation_batch_accept(actor=viewer, applications=picked),
          _("已立案 %(n)s 件"))
    return redirect(reverse("web:home") + "#docket")


def _said(request: HttpRequest, call: Callable[[], list[batch.Outcome]], done: str) -> None:
    """Run one batch of the court's and say what became of it: how many were done
    (``done`` with ``%(n)s``), each refusal with its number and why, or the batch's own
    refusal."""
    try:
        outcomes = call()
    except DomainError as refused:
        messages.error(request, refused.message)
        return
    count = sum(1 for o in outcomes if o.ok)
    if count:
        messages.success(request, done % {"n": count})
    for o in outcomes:
        if not o.ok:
            messages.error(request, f"{o.number or _('申请')}：{o.message}")
