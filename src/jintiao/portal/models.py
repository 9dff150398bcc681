"""One-time sign-in codes for the party portal, kept only as keyed hashes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jintiao.disputes.models import DisputeType


class SignInCode(models.Model):
    """A code texted to a mobile for signing in; the number is kept as its lookup hash only,
    so a list of codes tells nobody who tried to sign in."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    ip_hash = models.CharField(max_length=64, db_index=True, blank=True)  # who asked
    code_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录验证码")
        verbose_name_plural = _("登录验证码")


class SignInThrottle(models.Model):
    """One row per mobile number asked for, locked while a code is issued, so requests for
    the same number are counted one after another (the hourly and daily limits hold under
    concurrent requests)."""

    phone_hash = models.CharField(max_length=64, unique=True)


class Application(models.Model):
    """A person's application for mediation made on the portal (人民调解申请书, after the
    MOJ 人民调解文书格式: the applicant's particulars, the other side, the facts, what is
    asked), its identity checked by a code to the mobile and the identity number. The
    committee's clerk takes it in as a dispute like any other channel, or declines it with
    the reason texted to the applicant. Identity number and mobile are kept encrypted, with
    masks for the lists."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待处理")
        TAKEN = "taken", _("已登记")
        DECLINED = "declined", _("不予受理")

    class Side(models.TextChoices):
        DEBTOR = "debtor", _("借款人、持卡人等债务人")
        CREDITOR = "creditor", _("向金融机构主张权利的一方")

    committee = models.ForeignKey("orgs.Organization", models.PROTECT, related_name="+",
                                  verbose_name=_("申请的调委会"))
    name = models.CharField(_("申请人"), max_length=100)
    id_cipher = models.TextField()
    id_masked = models.CharField(_("身份证号码"), max_length=24)
    phone_cipher = models.TextField()
    phone_masked = models.CharField(_("手机号码"), max_length=16)
    address = models.CharField(_("住所"), max_length=200)
    side = models.CharField(_("申请人地位"), max_length=16, choices=Side.choices)
    institution = models.ForeignKey("orgs.Organization", models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("对方金融机构"))
    other_name = models.CharField(_("对方名称"), max_length=200)
    dispute_type = models.CharField(_("纠纷类型"), max_length=32)
    amount = models.DecimalField(_("争议金额"), max_digits=14, decimal_places=2, null=True,
                                 blank=True)
    facts = models.TextField(_("纠纷事实"))
    requests = models.TextField(_("申请事项"))
    consent_e_service = models.BooleanField(_("同意电子送达"), default=False)
    identity_note = models.CharField(_("身份核实提示"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("提交时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decline_reason = models.CharField(_("不予受理的理由"), max_length=500, blank=True)
    dispute = models.OneToOneField("disputes.Dispute", models.PROTECT, null=True, blank=True,
                                   related_name="application")

    class Meta:
        verbose_name = _("网上调解申请")
        verbose_name_plural = _("网上调解申请")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="taken", dispute__isnull=False)
                           | ~models.Q(status="taken")),
                name="application_taken_has_dispute"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="application_amount_positive"),
        ]

    @property
    def dispute_type_label(self) -> str:
        try:
            return str(DisputeType(self.dispute_type).label)
        except ValueError:
            return self.dispute_type

    @property
    def number(self) -> str:
        """The number the applicant is told: 网申 and the year of submission and the row."""
        return f"网申{self.submitted_at:%Y}-{self.pk:06d}"

    def __str__(self) -> str:
        return self.number


class ApplicationFile(models.Model):
    """A file the applicant attached (evidence, the contract, a statement), kept encrypted
    through the storage API; its SHA-256 is of the file as uploaded."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="files")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to="applications/%Y/%m/")
