"""What the queue's machinery keeps beside django-tasks-db's own task rows: the scheduler's
claims (one per job and slot, so two schedulers never queue the same run twice), each run of
a job (when, what it did, how it ended) and the workers' leases (a heartbeat; a task whose
worker fell silent is taken up again)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SlotClaim(models.Model):
    """A scheduler's claim on one run of a job: the unique row is the lock, so of two
    schedulers (two hosts, or a cron line beside the loop) one queues the run and the other
    finds the row and does nothing."""

    job = models.CharField(_("任务"), max_length=32)
    slot = models.DateTimeField(_("计划时间"))
    claimed_at = models.DateTimeField(_("排队时间"))
    claimed_by = models.CharField(_("调度进程"), max_length=128)
    task_id = models.CharField(_("队列任务编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("调度记录")
        verbose_name_plural = _("调度记录")
        ordering = ["-slot", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"],
                                               name="jobs_one_claim_per_job_and_slot")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class JobRun(models.Model):
    """One run of one job, by a worker, the scheduler's in-process backend or ``jintiao jobs
    run``: written when it starts (so a run that never ends shows), finished with its count
    or its error; a run whose worker died is marked interrupted when its lease expires."""

    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("成功")
        FAILED = "failed", _("失败")
        INTERRUPTED = "interrupted", _("中断（工作进程失联）")

    job = models.CharField(_("任务"), max_length=32)
    day = models.DateField(_("业务日期"))
    slot = models.DateTimeField(_("计划时间"), null=True, blank=True)
    task_id = models.CharField(_("队列任务编号"), max_length=64, blank=True)
    attempt = models.PositiveSmallIntegerField(_("第几次尝试"), default=1)
    worker = models.CharField(_("运行进程"), max_length=128, blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    status = models.CharField(_("结果"), max_length=12, choices=Status.choices,
                              default=Status.RUNNING)
    done = models.PositiveIntegerField(_("处理件数"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("失败件数"), default=0)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("任务运行记录")
        verbose_name_plural = _("任务运行记录")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobs_run_job_started_idx"),
                   models.Index(fields=["task_id"], name="jobs_run_task_idx")]

    def __str__(self) -> str:
        return f"{self.job} {self.day} {self.status}"


class WorkerLease(models.Model):
    """A live ``jintiao worker``: its heartbeat renews the lease on whatever it runs. Gone
    silent for longer than the lease, its running task is queued again (or failed, after
    too many deaths) by whichever worker or scheduler notices first."""

    worker_id = models.CharField(_("工作进程编号"), max_length=64, unique=True)
    host = models.CharField(_("主机"), max_length=128)
    pid = models.PositiveIntegerField(_("进程号"))
    started_at = models.DateTimeField(_("启动时间"))
    beat_at = models.DateTimeField(_("最近心跳"), db_index=True)
    task_id = models.CharField(_("正在运行的任务"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("工作进程")
        verbose_name_plural = _("工作进程")
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
