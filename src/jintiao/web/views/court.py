"""The judge's review page: the application, the checklist the system evaluated, the items
only the judge can attest, and the ruling."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jintiao.confirmation import joined
from jintiao.confirmation import selectors as court
from jintiao.confirmation import services as confirmation
from jintiao.confirmation.models import Application
from jintiao.disputes.access import standing_of
from jintiao.documents.models import Document
from jintiao.domain.confirmation import Verdict
from jintiao.web.forms import loop as forms
from jintiao.web.views.common import agreement_shown, attempt, submit, viewer_of
from jintiao.web.views.mediation_rows import found_or_404, header


@login_required
@require_GET
def confirmation_page(request: HttpRequest, application_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    app = found_or_404(lambda: court.application_get_for(viewer, application_id))
    dispute = app.dispute
    me = standing_of(viewer, dispute)
    checks = court.review(app)
    context = header(me)
    context.update({
        "app": app, "checks": checks,
        # the court and the desk review them side by side; a bank reads its own alone
        "filed_with": joined.filed_with(app)
        if me.desk or me.may_accept_application(app.court) or me.may_rule(app.court) else [],
        "system_ok": not [c for c in checks if c.verdict in (Verdict.UNMET, Verdict.PENDING)],
        "preview": agreement_shown(viewer, app.agreement),
        "may_accept": me.may_accept_application(app.court)
        and app.status == Application.Status.FILED,
        "accept_by": (court.acceptance_due(app) if app.status == Application.Status.FILED
                      else None),
        "decide_form": forms.DecideForm(initial={"expected_version": dispute.version})
        if me.may_rule(app.court) and app.status == Application.Status.ACCEPTED else None,
        "documents": Document.objects.filter(dispute=dispute).order_by("-seq"),
    })
    return render(request, "web/loop/confirmation.html", context)


@login_required
@require_POST
def confirmation_accept(request: HttpRequest, application_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    found_or_404(lambda: court.application_get_for(viewer, application_id))
    attempt(request, lambda: confirmation.confirmation_accept(
        actor=viewer, application_id=application_id), _("已立案受理"))
    return redirect("web:confirmation", application_id=application_id)


@login_required
@require_POST
def confirmation_decide(request: HttpRequest, application_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    found_or_404(lambda: court.application_get_for(viewer, application_id))
    submit(request, forms.DecideForm(request.POST), lambda d: confirmation.confirmation_decide(
        actor=viewer, application_id=application_id, expected_version=d["expected_version"],
        confirm=d["decision"] == "confirm", attested=list(d["attested"]),
        reasons=d["reasons"]), _("已作出裁定"))
    return redirect("web:confirmation", application_id=application_id)
