"""What each dispute contributes to the supervisors' figures, one row per dispute.

Every date a figure counts by has its own index: a period's report reads only the rows
with a date in the period (one bitmap of index ranges), never the whole tree's history.

The row is derived, never edited: :func:`jintiao.supervision.services.figures_refresh`
folds it from the dispute's timeline (``domain.figures``) whenever the dispute has new
events. Amounts are kept in fen as integers so sums are exact on every database.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jintiao.disputes.models import Dispute
from jintiao.domain.figures import Outcome
from jintiao.domain.money import from_fen
from jintiao.orgs.models import Organization

OUTCOME_CHOICES = [(o.value, o.label) for o in Outcome]


class DisputeFigures(models.Model):
    dispute = models.OneToOneField(Dispute, models.CASCADE, primary_key=True,
                                   related_name="figures")
    seq = models.PositiveIntegerField(help_text="the last event folded in")
    committee = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    node_path = models.CharField(max_length=255, db_index=True)
    channel = models.CharField(max_length=32)
    dispute_type = models.CharField(max_length=32)
    institution = models.ForeignKey(Organization, models.PROTECT, null=True, related_name="+")
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                 related_name="+")
    claim_fen = models.BigIntegerField(default=0)
    agreed_fen = models.BigIntegerField(default=0)
    saved_fen = models.BigIntegerField(default=0)
    distressed = models.BooleanField(default=False)
    outcome = models.CharField(max_length=16, choices=OUTCOME_CHOICES,
                               default=Outcome.PENDING.value)
    received_on = models.DateField(null=True, db_index=True)
    accepted_on = models.DateField(null=True, db_index=True)
    declined_on = models.DateField(null=True, db_index=True)
    concluded_on = models.DateField(null=True, db_index=True)
    deadline = models.DateField(null=True)
    within_deadline = models.BooleanField(null=True)
    working_days = models.IntegerField(null=True)
    confirmed_on = models.DateField(null=True, db_index=True)
    performed_on = models.DateField(null=True, db_index=True)
    defaulted_on = models.DateField(null=True, db_index=True)
    enforcement_on = models.DateField(null=True, db_index=True)
    credit_repaired_on = models.DateField(null=True, db_index=True)
    # the reach funnel, each stage reached by itself or a stage that implies it
    # (domain.figures.IMPLIED_BY); confirmed and performed are the two dates above
    invited_on = models.DateField(null=True)
    contacted_on = models.DateField(null=True)
    engaged_on = models.DateField(null=True)
    agreed_on = models.DateField(null=True)
    performing_on = models.DateField(null=True)

    class Meta:
        verbose_name = _("纠纷统计数据")
        verbose_name_plural = _("纠纷统计数据")
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=[o.value for o in Outcome]),
                                   name="figures_outcome_known"),
            models.CheckConstraint(condition=Q(claim_fen__gte=0) & Q(agreed_fen__gte=0)
                                   & Q(saved_fen__gte=0), name="figures_amounts_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}"

    @property
    def claim_yuan(self) -> Decimal:
        return from_fen(self.claim_fen)


class SpotCheck(models.Model):
    """One quarter's quality check under a node: the stated size and seed make the draw
    reproducible (domain.spotchecks.draw)."""

    node = models.ForeignKey(Organization, models.PROTECT, related_name="spot_checks",
                             verbose_name=_("组织单位"))
    year = models.PositiveIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    per_committee = models.PositiveSmallIntegerField(_("每个调委会抽查件数"))
    seed = models.CharField(_("随机种子"), max_length=64)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("抽取时间"))

    class Meta:
        verbose_name = _("季度抽查")
        verbose_name_plural = _("季度抽查")
        constraints = [
            models.UniqueConstraint(fields=["node", "year", "quarter"],
                                    name="spot_check_once_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4),
                                   name="spot_check_quarter_1_4"),
            models.CheckConstraint(condition=Q(per_committee__gte=1)
                                   & Q(per_committee__lte=50),
                                   name="spot_check_size_1_50"),
        ]

    def __str__(self) -> str:
        return f"{self.node} {self.year}年第{self.quarter}季度抽查"


class SpotCheckItem(models.Model):
    """One drawn dispute, its reviewer and, once reviewed, the checklist and findings."""

    spot_check = models.ForeignKey(SpotCheck, models.CASCADE, related_name="items")
    dispute = models.ForeignKey(Dispute, models.PROTECT, related_name="spot_check_items")
    committee = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                 related_name="spot_check_items", verbose_name=_("检查人"))
    answers = models.JSONField(_("检查结果"), default=dict)
    findings = models.TextField(_("发现的问题"), blank=True)
    reviewed_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查案件")
        verbose_name_plural = _("抽查案件")
        constraints = [models.UniqueConstraint(fields=["spot_check", "dispute"],
                                               name="spot_check_item_once")]

    def __str__(self) -> str:
        return f"{self.spot_check}: {self.dispute}"

    @property
    def failed(self) -> list[str]:
        return [k for k, v in self.answers.items() if v is False]


class ExportState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("正在导出")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未完成")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (.xlsx)"


class LedgerExport(models.Model):
    """A ledger export too large to answer in the request: written by a background task
    (:mod:`jintiao.supervision.tasks`) to a file, its progress kept here, the file offered
    to the one who asked once every row is in it — never a part of it (issue 19 §3)."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT,
                                     related_name="+", verbose_name=_("导出人"))
    node = models.ForeignKey(Organization, models.PROTECT, related_name="+",
                             verbose_name=_("所属单位"))
    filters = models.JSONField(_("筛选条件"), default=dict)
    format = models.CharField(_("格式"), max_length=8, choices=ExportFormat.choices)
    state = models.CharField(_("状态"), max_length=16, choices=ExportState.choices,
                             default=ExportState.QUEUED)
    rows_total = models.PositiveIntegerField(_("预计行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    sheets = models.PositiveSmallIntegerField(_("工作表数"), default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", max_length=300, blank=True)
    size = models.BigIntegerField(_("文件大小"), default=0)
    error = models.TextField(_("未完成原因"), blank=True)
    requested_at = models.DateTimeField(_("申请时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("台账导出")
        verbose_name_plural = _("台账导出")
        indexes = [models.Index(fields=["requested_by", "-requested_at"],
                                name="ledger_export_by_user")]
        constraints = [
            models.CheckConstraint(condition=Q(format__in=[f.value for f in ExportFormat]),
                                   name="ledger_export_format_known"),
            models.CheckConstraint(condition=Q(state__in=[s.value for s in ExportState]),
                                   name="ledger_export_state_known"),
            # a file is offered only when the export finished: never a part of one
            models.CheckConstraint(condition=Q(file="") | Q(state=ExportState.DONE),
                                   name="ledger_export_file_only_when_done"),
        ]

    def __str__(self) -> str:
        return f"台账导出 {self.pk}（{self.get_state_display()}）"

    @property
    def in_progress(self) -> bool:
        """Queued or being written: its page keeps asking how far it is."""
        return self.state in (ExportState.QUEUED, ExportState.RUNNING)

    @property
    def percent(self) -> int:
        """How far it is, 0–100 (100 only when done: the estimate may be short)."""
        if self.state == ExportState.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
