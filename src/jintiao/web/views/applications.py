"""The committee's queue of applications made on the portal (issue 21 §1): read one, open
its files, take it in through the intake form (pre-filled from it) or decline it with a
reason. Who handles which is the access module's (``may_take_applications``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jintiao.disputes.access import RecordNotFound
from jintiao.portal import applications
from jintiao.portal.models import Application
from jintiao.web.views.common import attempt, viewer_of


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    rows = applications.applications_for(viewer)
    status = request.GET.get("status", Application.Status.SUBMITTED)
    if status in Application.Status.values:
        rows = rows.filter(status=status)
    return render(request, "web/applications/list.html", {
        "rows": rows[:200], "status": status, "statuses": Application.Status.choices})


def _found(request: HttpRequest, application_id: int) -> Application:
    try:
        return applications.application_for(viewer_of(request), application_id)
    except RecordNotFound:
        raise Http404(_("申请不存在或无权查看")) from None


@login_required
@require_GET
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    found = _found(request, application_id)
    return render(request, "web/applications/detail.html",
                  {"a": found, "files": found.files.order_by("pk")})


@login_required
@require_GET
def application_file(request: HttpRequest, application_id: int, file_id: int) -> HttpResponse:
    _found(request, application_id)
    try:
        stored, data = applications.application_file(viewer_of(request), file_id)
    except RecordNotFound:
        raise Http404(_("附件不存在或无权查看")) from None
    if stored.application_id != application_id:
        raise Http404(_("附件不存在或无权查看"))
    response = HttpResponse(data, content_type=stored.content_type)
    # the applicant's own name for it, its kind's ending kept (RFC 6266 / 5987 for Chinese)
    name = stored.name.rsplit(".", 1)[0] or f"附件{file_id}"
    response["Content-Disposition"] = content_disposition_header(
        False, f"{name}{applications.FILE_TYPES[stored.content_type]}") or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def application_decline(request: HttpRequest, application_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    reason = request.POST.get("reason", "")[:600]
    done = attempt(request, lambda: applications.application_decline(
        actor=viewer, application_id=application_id, reason=reason),
        _("已不予受理，理由已短信告知申请人"))
    if done is None:
        return redirect("web:application_detail", application_id=application_id)
    messages.info(request, _("可在“不予受理”中查看"))
    return redirect("web:application_list")
