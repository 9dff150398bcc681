"""The background work in the admin, read-only: the runs of each job (with the queue's depth
above the list), the scheduler's claims and the workers' leases. django-tasks-db lists the
queue's own task rows beside them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from jintiao.disputes.admin import ReadOnlyAdmin
from jintiao.jobs import runs, selectors
from jintiao.jobs.models import JobRun, SlotClaim, WorkerLease


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("label", "day", "slot", "status", "done", "failures", "started_at",
                    "finished_at", "worker", "attempt")
    list_filter = ("status", "job")
    change_list_template = "admin/jobs/jobrun/change_list.html"

    @admin.display(description="任务", ordering="job")
    def label(self, run: JobRun) -> str:
        return runs.label(run.job)

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        context = {**(extra_context or {}), "depth": selectors.queue_depth(),
                   "workers": selectors.workers()}
        return super().changelist_view(request, context)  # type: ignore[return-value]


@admin.register(SlotClaim)
class SlotClaimAdmin(ReadOnlyAdmin):
    list_display = ("label", "slot", "claimed_at", "claimed_by", "task_id")
    list_filter = ("job",)

    @admin.display(description="任务", ordering="job")
    def label(self, claim: SlotClaim) -> str:
        return runs.label(claim.job)


@admin.register(WorkerLease)
class WorkerLeaseAdmin(ReadOnlyAdmin):
    list_display = ("host", "pid", "worker_id", "started_at", "beat_at", "task_id")
