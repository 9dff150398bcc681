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


class Dimension(models.TextChoices):
    """What a month's figures are broken down by; each sorts every dispute exactly once,
    so each dimension's rows of a committee's month add up to its totals."""

    CHANNEL = "channel", _("来源渠道")
    DISPUTE_TYPE = "dispute_type", _("纠纷类型")
    INSTITUTION = "institution", _("金融机构")
    MEDIATOR = "mediator", _("主调解员")


class MonthFigures(models.Model):
    """One committee's figures of one month for one value of one dimension (its channel
    ``online``, its institution ``17``, no lead mediator ``""``): each measure of
    :data:`jintiao.supervision.selectors.statistics.MEASURES` counted (or summed, in fen)
    over the month, a column per measure.

    A month, quarter or year is the sum of its months, and a report's breakdowns are each
    one dimension, so a report reads a few hundred of these rows a month instead of every
    dispute of the period (issue 19 §2). Derived, never edited:
    :mod:`jintiao.supervision.month_figures` recomputes a committee's month whenever a
    dispute counted in it is rebuilt from the figures backlog."""

    month = models.DateField(help_text="the month's first day")
    committee = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    node_path = models.CharField(max_length=255)
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    value = models.CharField(max_length=32, blank=True,
                             help_text="the channel or type, or the id of the institution "
                                       "or mediator; empty for none")
    n_received = models.BigIntegerField(default=0)
    n_accepted = models.BigIntegerField(default=0)
    n_declined = models.BigIntegerField(default=0)
    n_concluded = models.BigIntegerField(default=0)
    n_settled = models.BigIntegerField(default=0)
    n_failed = models.BigIntegerField(default=0)
    n_unreachable = models.BigIntegerField(default=0)
    n_withdrawn = models.BigIntegerField(default=0)
    n_within_deadline = models.BigIntegerField(default=0)
    n_with_deadline = models.BigIntegerField(default=0)
    n_amount_involved = models.BigIntegerField(default=0)
    n_amount_settled = models.BigIntegerField(default=0)
    n_amount_agreed = models.BigIntegerField(default=0)
    n_settled_confirmed = models.BigIntegerField(default=0)
    n_confirmed = models.BigIntegerField(default=0)
    n_amount_confirmed = models.BigIntegerField(default=0)
    n_performed = models.BigIntegerField(default=0)
    n_defaulted = models.BigIntegerField(default=0)
    n_enforcement = models.BigIntegerField(default=0)
    n_fees_saved = models.BigIntegerField(default=0)
    n_distressed = models.BigIntegerField(default=0)
    n_amount_distressed = models.BigIntegerField(default=0)
    n_credit_repaired = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("月度统计数据")
        verbose_name_plural = _("月度统计数据")
        indexes = [models.Index(fields=["month", "node_path"], name="month_figures_month")]
        constraints = [
            models.UniqueConstraint(fields=["committee", "month", "dimension", "value",
                                            "node_path"], name="month_figures_once"),
            models.CheckConstraint(condition=Q(dimension__in=[d.value for d in Dimension]),
                                   name="month_figures_dimension_known"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.committee_id}"


class MonthWorkingDays(models.Model):
    """How many disputes a committee concluded in a month after each number of working
    days: the spread (mean, median, 90th percentile) of any run of months, exactly, from
    a few hundred rows (``domain.figures.spread_counted``)."""

    month = models.DateField(help_text="the month's first day")
    committee = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    node_path = models.CharField(max_length=255)
    working_days = models.IntegerField()
    disputes = models.IntegerField()  # never below zero: a refresh that would, recomputes

    class Meta:
        verbose_name = _("月度办理天数分布")
        verbose_name_plural = _("月度办理天数分布")
        indexes = [models.Index(fields=["month", "node_path"], name="month_days_month")]
        constraints = [models.UniqueConstraint(
            fields=["committee", "month", "working_days", "node_path"], name="month_days_once")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.committee_id}: {self.working_days}"


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
