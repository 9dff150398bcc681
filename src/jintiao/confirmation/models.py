"""Applications for judicial confirmation and the court's ruling on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jintiao.agreements.models import Agreement
from jintiao.disputes.models import Dispute
from jintiao.documents.models import Document
from jintiao.orgs.models import Organization


class Application(models.Model):
    """A joint application to confirm an effective agreement, and what the court did."""

    class Status(models.TextChoices):
        FILED = "filed", _("已申请，待法院受理")
        ACCEPTED = "accepted", _("法院已受理，审查中")
        CONFIRMED = "confirmed", _("裁定确认协议有效")
        REJECTED = "rejected", _("裁定驳回申请")

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="confirmations")
    agreement = models.ForeignKey(Agreement, models.PROTECT, related_name="confirmations")
    court = models.ForeignKey(Organization, models.PROTECT, related_name="+",
                              verbose_name=_("受理法院"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.FILED)
    applicants = models.JSONField(_("申请人"))  # party rows; jointly, by the signed commitment
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("申请时间"))
    window_ends = models.DateField(_("申请期限"))
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                    blank=True, related_name="+")
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    case_number = models.CharField(_("案号"), max_length=64, blank=True)
    decide_by = models.DateField(_("审查期限"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)
    attested = models.JSONField(_("法官认定事项"), default=list)
    reasons = models.TextField(_("理由"), blank=True)
    application_document = models.ForeignKey(Document, models.PROTECT, null=True, blank=True,
                                             related_name="+")
    ruling_document = models.ForeignKey(Document, models.PROTECT, null=True, blank=True,
                                        related_name="+")

    class Meta:
        verbose_name = _("司法确认申请")
        verbose_name_plural = _("司法确认申请")
        constraints = [
            models.UniqueConstraint(fields=["agreement"], condition=Q(status__in=[
                "filed", "accepted", "confirmed"]), name="confirmation_one_live_per_agreement"),
            models.UniqueConstraint(fields=["court", "case_number"],
                                    condition=~Q(case_number=""),
                                    name="confirmation_case_number_per_court"),
        ]

    def __str__(self) -> str:
        return self.case_number or f"{self.dispute} 司法确认申请"


class CaseCounter(models.Model):
    """The last confirmation case number a court issued in a year."""

    court = models.ForeignKey(Organization, models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["court", "year"],
                                               name="confirmation_counter_unique")]


class ConfirmationBatch(models.Model):
    """Joint applications the committee's desk sent to one court together (issue 20 §6),
    so the judge can review them on one page. Each application was filed by the single
    service in its own transaction; ``outcomes`` keeps what became of every dispute picked,
    refusals with their code and message."""

    court = models.ForeignKey(Organization, models.PROTECT, related_name="+",
                              verbose_name=_("受理法院"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("申请时间"))
    applications = models.ManyToManyField(Application, related_name="batches", blank=True)
    outcomes = models.JSONField(_("各纠纷结果"), default=list)
    # a joint mediation's one application listing every agreement (issue 21 §2): filed all
    # together or not at all, the same 申请书 on each dispute's file
    joint = models.ForeignKey("mediation.JointMediation", models.PROTECT, null=True,
                              blank=True, related_name="confirmations",
                              verbose_name=_("联合调解"))

    class Meta:
        verbose_name = _("司法确认批量申请")
        verbose_name_plural = _("司法确认批量申请")

    def __str__(self) -> str:
        return f"{self.court} 批量申请 {self.pk}"
