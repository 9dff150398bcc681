"""Policy versions attached to organisation nodes, and the editable holiday calendar."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jintiao.orgs.models import Organization


class PolicyVersion(models.Model):
    """One version of a node's rules (:class:`jintiao.domain.policy.Policy` as JSON).

    Versions are never edited: a change is a new version with its own validity window, and
    a dispute keeps the version it was accepted under. ``sources`` holds each rule's legal
    or policy source (field → text); ``source`` is the version's own basis (the document
    that adopted it). The row is its own audit record: who published it and when, what it
    changed against the version then in force (``changes``, as the publisher confirmed
    it), and the version whose window it closed with that version's end before. A version
    withdrawn before it took effect keeps its row, marked, and applies to nothing.
    """

    organization = models.ForeignKey(Organization, models.PROTECT, related_name="policies",
                                     verbose_name=_("适用单位"))
    version = models.PositiveIntegerField(_("版本"))
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    data = models.JSONField(_("规则"))
    source = models.TextField(_("依据"), blank=True)
    sources = models.JSONField(_("各项规则的依据"), default=dict, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                     blank=True, related_name="+", verbose_name=_("发布人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    changes = models.JSONField(_("与发布时生效版本的差异"), default=list, blank=True)
    closes = models.PositiveIntegerField(_("结束的版本"), null=True, blank=True)
    closed_valid_to = models.DateField(_("该版本原失效日期"), null=True, blank=True)
    # a version withdrawn before it took effect (no dispute can hold it): kept, never applied
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                     blank=True, related_name="+", verbose_name=_("撤回人"))
    withdrawn_reason = models.CharField(_("撤回理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("规则版本")
        verbose_name_plural = _("规则版本")
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"],
                                    name="policy_version_unique"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True)
                                   | Q(valid_to__gt=F("valid_from")),
                                   name="policy_valid_window"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} v{self.version}"


class CalendarDay(models.Model):
    """An administrator's override of the official calendar: a holiday or a working day."""

    day = models.DateField(_("日期"), unique=True)
    working = models.BooleanField(_("是否上班"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.working else '休息'}"


class CalendarYear(models.Model):
    """A year whose full official schedule has been entered: deadlines in it are final."""

    year = models.PositiveIntegerField(_("年份"), unique=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("已录入放假安排的年份")
        verbose_name_plural = _("已录入放假安排的年份")

    def __str__(self) -> str:
        return str(self.year)
