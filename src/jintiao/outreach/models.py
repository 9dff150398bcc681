"""Records of reaching the parties: who was contacted how and with what result, which
document was served on whom by which channel, the texts a committee has vetted, and the
verification codes that let anyone check a text is real."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jintiao.disputes.models import Dispute
from jintiao.documents.models import Document
from jintiao.domain.outreach import (
    ContactChannel,
    ContactOutcome,
    ServiceChannel,
    ServiceResult,
)
from jintiao.orgs.models import Organization
from jintiao.parties.models import Party


def _choices(enum: type[ContactChannel] | type[ContactOutcome] | type[ServiceChannel]
             | type[ServiceResult]) -> list[tuple[str, str]]:
    return [(m.value, m.label) for m in enum]


class MessageTemplate(models.Model):
    """A text the committee has vetted. Mediators send only approved templates, so no text
    threatens, names a court or a regulator falsely, or pressures relatives."""

    class Purpose(models.TextChoices):
        INVITATION = "invitation", _("调解邀请")
        SESSION = "session", _("调解时间通知")
        NOTICE = "notice", _("文书送达")
        SIGNING = "signing", _("签署协议提示")
        REMINDER = "reminder", _("履行提醒")
        GENERAL = "general", _("一般联系")

    class Status(models.TextChoices):
        DRAFT = "draft", _("待审核")
        APPROVED = "approved", _("已审核")
        RETIRED = "retired", _("已停用")

    committee = models.ForeignKey(Organization, models.PROTECT, related_name="templates",
                                  verbose_name=_("调委会"))
    name = models.CharField(_("名称"), max_length=60)
    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices)
    body = models.TextField(_("正文"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                    blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                   blank=True, related_name="+")
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信模板")
        verbose_name_plural = _("短信模板")
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"],
                                    name="template_name_per_committee"),
            models.CheckConstraint(condition=~Q(status="approved") | Q(approved_at__isnull=False),
                                   name="template_approved_has_time"),
            models.CheckConstraint(condition=~Q(status="retired") | Q(retired_at__isnull=False),
                                   name="template_retired_has_time"),
        ]

    def __str__(self) -> str:
        return self.name


class Verification(models.Model):
    """The code printed in a text, so its receiver can check on the public page that the
    committee really sent it (and to whom, masked)."""

    code = models.CharField(_("核验码"), max_length=8, unique=True)
    committee = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="verifications")
    to_masked = models.CharField(_("接收号码或邮箱"), max_length=120)
    purpose = models.CharField(_("用途"), max_length=32)
    sent_at = models.DateTimeField(_("发送时间"))

    class Meta:
        verbose_name = _("短信核验码")
        verbose_name_plural = _("短信核验码")

    def __str__(self) -> str:
        return self.code


class ContactAttempt(models.Model):
    """One entry of the mediator's contact log: a call, text, visit or letter to a party (or
    one of their alternate contacts), or the party getting in touch, with its outcome.
    Outbound attempts count against the policy's caps for that person, except paper
    service of a document (``legal_service``), which is no collection contact."""

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="contacts")
    party = models.ForeignKey(Party, models.PROTECT, related_name="contacts")
    channel = models.CharField(_("方式"), max_length=16, choices=_choices(ContactChannel))
    outcome = models.CharField(_("结果"), max_length=16, choices=_choices(ContactOutcome))
    inbound = models.BooleanField(_("当事人主动联系"), default=False)
    # paper service (in person, by post, through the township node): logged for the reach
    # path, but no collection contact — neither capped nor counted against the caps
    legal_service = models.BooleanField(_("送达文书"), default=False)
    at = models.DateTimeField(_("时间"))
    to = models.CharField(_("联系对象"), max_length=120, blank=True)  # masked number or place
    note = models.CharField(_("情况记录"), max_length=500, blank=True)
    template = models.ForeignKey(MessageTemplate, models.PROTECT, null=True, blank=True,
                                 related_name="+")
    verification = models.OneToOneField(Verification, models.PROTECT, null=True, blank=True,
                                        related_name="contact")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        indexes = [models.Index(fields=["party", "at"], name="contact_party_at")]

    def __str__(self) -> str:
        return f"{self.dispute} {self.party} {self.get_channel_display()}"


class AlternateContact(models.Model):
    """Another way to reach a party: a number from the institution's file, a relative's or
    guarantor's number the party gave, an address the township node found. Kept encrypted,
    shown masked; marked unusable once it proves wrong."""

    class Source(models.TextChoices):
        INSTITUTION = "institution", _("金融机构提供")
        PARTY = "party", _("当事人提供")
        GUARANTOR = "guarantor", _("担保人或亲属提供")
        TOWNSHIP = "township", _("乡镇（街道）节点核实")
        DESK = "desk", _("调解员核实")

    class Kind(models.TextChoices):
        MOBILE = "mobile", _("手机")
        LANDLINE = "landline", _("固定电话")
        EMAIL = "email", _("电子邮箱")
        ADDRESS = "address", _("地址")

    party = models.ForeignKey(Party, models.CASCADE, related_name="alternate_contacts")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    value_cipher = models.TextField(editable=False)
    value_masked = models.CharField(_("联系方式"), max_length=120)
    value_hash = models.CharField(max_length=64, db_index=True, editable=False)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    usable = models.BooleanField(_("可用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        verbose_name = _("备用联系方式")
        verbose_name_plural = _("备用联系方式")
        constraints = [models.UniqueConstraint(fields=["party", "kind", "value_hash"],
                                               name="alternate_contact_once")]

    def __str__(self) -> str:
        return f"{self.party} {self.value_masked}"


class Service(models.Model):
    """One attempt to serve something on a party (送达) — a document, a session invitation,
    a plan on the table, the agreement to sign — with its evidence; ``served`` is the
    policy's verdict on this attempt when it was recorded."""

    document = models.ForeignKey(Document, models.CASCADE, null=True, blank=True,
                                 related_name="services")
    subject = models.CharField(max_length=32)  # "document:12", "session:3", "offer:5"…
    title = models.CharField(_("送达内容"), max_length=200)
    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="services")
    party = models.ForeignKey(Party, models.PROTECT, related_name="services")
    channel = models.CharField(_("送达方式"), max_length=16, choices=_choices(ServiceChannel))
    result = models.CharField(_("结果"), max_length=16, choices=_choices(ServiceResult))
    address = models.CharField(_("送达地址"), max_length=120, blank=True)  # masked
    evidence = models.CharField(_("送达凭证"), max_length=300, blank=True)
    served = models.BooleanField(_("视为送达"), default=False)
    at = models.DateTimeField(_("时间"))
    verification = models.OneToOneField(Verification, models.PROTECT, null=True, blank=True,
                                        related_name="service")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("送达记录")
        verbose_name_plural = _("送达记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.title} → {self.party}"
