"""任务队列: the background work as the platform's administrator sees it — the queue's
depth, each job's times and last runs, the workers and their heartbeats. Administrators
only (the page names hosts and failures, nothing about disputes)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jintiao.disputes.access import supervises_everything
from jintiao.jobs import selectors
from jintiao.web.views.common import viewer_of


@login_required
@require_GET
def jobs_status(request: HttpRequest) -> HttpResponse:
    if not supervises_everything(viewer_of(request)):
        raise Http404(_("记录不存在或无权查看"))
    return render(request, "web/jobs/status.html", {
        "depth": selectors.queue_depth(), "jobs": selectors.job_statuses(),
        "workers": selectors.workers(), "runs": selectors.recent_runs()})
