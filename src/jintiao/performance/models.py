"""Payments and what follows them. Instalment standings are not stored: they are computed
from the agreement's schedule and these payments (jintiao.domain.performance)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jintiao.agreements.models import Agreement
from jintiao.disputes.models import Dispute
from jintiao.documents.models import Document
from jintiao.orgs.models import Organization


class Payment(models.Model):
    """A payment the institution reports, under its own reference: the same reference twice
    is the same payment, so a file sent again changes nothing, and a bank's transaction
    reference is one payment, so it is booked against one dispute only (``bank`` is the
    top of the creditor institution's tree, whose references are unique across its
    branches). A payment beyond what is owed is taken only when the recorder states the
    surplus was meant (it is then the debtor's money, to refund); ``surplus_intended``
    marks such a payment, and only such a one (the statement on a payment within what was
    owed is not kept).

    A payment recorded in error, or returned by the bank, is reversed by the desk with a
    reason: the row stays, marked, and counts no more; its reference may then be booked
    again, corrected."""

    class Source(models.TextChoices):
        DESK = "desk", _("手工录入")
        API = "api", _("接口")
        CSV = "csv", _("文件导入")

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="payments")
    agreement = models.ForeignKey(Agreement, models.PROTECT, related_name="payments")
    reference = models.CharField(_("机构流水号"), max_length=100)
    bank = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("流水号所属金融机构"))
    paid_on = models.DateField(_("还款日期"))
    amount: models.DecimalField[Decimal, Decimal] = models.DecimalField(
        _("金额"), max_digits=18, decimal_places=2)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    surplus_intended = models.BooleanField(_("多付应退"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    reversed_at = models.DateTimeField(_("冲正时间"), null=True, blank=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                    blank=True, related_name="+")
    reversal_reason = models.CharField(_("冲正原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("还款记录")
        verbose_name_plural = _("还款记录")
        ordering = ["paid_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "reference"],
                                    condition=Q(reversed_at__isnull=True),
                                    name="payment_reference_per_dispute"),
            models.UniqueConstraint(fields=["bank", "reference"],
                                    condition=Q(reversed_at__isnull=True),
                                    name="payment_reference_once_per_bank"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(reversed_at__isnull=True, reversal_reason="")
                | (Q(reversed_at__isnull=False) & ~Q(reversal_reason="")),
                name="payment_reversal_has_reason"),
        ]


class Reminder(models.Model):
    """A reminder sent for one instalment; one per instalment and kind, so the job that
    sends them can run twice."""

    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", _("到期前提醒")
        OVERDUE = "overdue", _("逾期提醒")

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="reminders")
    instalment = models.PositiveIntegerField(_("期次"))
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sent_at = models.DateTimeField()
    to_masked = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dispute", "instalment", "kind"],
                                               name="reminder_once")]


class FollowUp(models.Model):
    """A follow-up visit (回访) scheduled during performance, and what it found; the visits
    still to make when the creditor applies to enforce are cancelled, with the reason."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话回访")
        VISIT = "visit", _("上门回访")
        ONLINE = "online", _("线上回访")

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("计划回访日期"))
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices, blank=True)
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                blank=True, related_name="+")
    note = models.TextField(_("回访情况"), blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        constraints = [models.UniqueConstraint(fields=["dispute", "due_on"],
                                               name="follow_up_once_a_day")]


class Enforcement(models.Model):
    """What default leaves the creditor: the amount outstanding, the last day to apply, and
    the application once filed."""

    class Status(models.TextChoices):
        PREPARED = "prepared", _("已生成，待申请")
        FILED = "filed", _("已申请强制执行")

    dispute = models.OneToOneField(Dispute, models.CASCADE, related_name="enforcement")
    agreement = models.ForeignKey(Agreement, models.PROTECT, related_name="+")
    accelerated_on = models.DateField(_("加速到期日"))
    as_of = models.DateField(_("计算至"))
    breakdown = models.JSONField(_("未履行金额明细"))
    total: models.DecimalField[Decimal, Decimal] = models.DecimalField(
        _("未履行金额"), max_digits=18, decimal_places=2)
    last_day = models.DateField(_("申请执行期限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.PREPARED)
    document = models.ForeignKey(Document, models.PROTECT, null=True, blank=True,
                                 related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                 blank=True, related_name="+")
    filed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("强制执行")
        verbose_name_plural = _("强制执行")


class CreditRepair(models.Model):
    """After full performance: the letter to the institution and its confirmation that the
    credit record was corrected; withdrawn if a payment is reversed, replaced when the plan
    is paid in full again."""

    dispute = models.OneToOneField(Dispute, models.CASCADE, related_name="credit_repair")
    letter = models.ForeignKey(Document, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                     blank=True, related_name="+")
    note = models.CharField(_("更正情况"), max_length=300, blank=True)
    # a payment reversed after completion withdraws the letter: the plan is not paid in full
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    # the daily job's reminder once the policy's time to confirm has passed
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("征信修复")
        verbose_name_plural = _("征信修复")
