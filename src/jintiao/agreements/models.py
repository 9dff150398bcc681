"""Agreements, their signatures and the one-time codes that bind a signer to a version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jintiao.disputes.models import Dispute, DisputeParty, DisputeRepresentative
from jintiao.documents.models import Document
from jintiao.mediation.models import Offer


class Agreement(models.Model):
    """One version of a dispute's agreement. ``content`` is everything the agreement says
    (parties, facts, terms, the full schedule); ``digest`` its SHA-256, which every
    signature binds. A change makes a new version and supersedes this one, so signatures
    on it no longer count."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待签署")
        SIGNED = "signed", _("已签署，待盖章")
        EFFECTIVE = "effective", _("已生效")
        SUPERSEDED = "superseded", _("已被新版本取代")

    dispute = models.ForeignKey(Dispute, models.CASCADE, related_name="agreements")
    offer = models.ForeignKey(Offer, models.PROTECT, related_name="agreements")
    version = models.PositiveIntegerField(_("版本"))
    content = models.JSONField()
    digest = models.CharField(max_length=64)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    sealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                  blank=True, related_name="+")
    effective_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    document = models.ForeignKey(Document, models.PROTECT, null=True, blank=True,
                                 related_name="+")

    class Meta:
        verbose_name = _("调解协议")
        verbose_name_plural = _("调解协议")
        constraints = [
            models.UniqueConstraint(fields=["dispute", "version"], name="agreement_version"),
            models.UniqueConstraint(fields=["dispute"], condition=~Q(status="superseded"),
                                    name="agreement_one_current"),
            models.CheckConstraint(condition=~Q(status="effective")
                                   | (Q(effective_at__isnull=False) & Q(sealed_by__isnull=False)),
                                   name="agreement_effective_sealed"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute} 协议第{self.version}版"


class Signature(models.Model):
    """A signer's e-signature on one version: who, when, from which client, over which
    digest, proven by which one-time code (Electronic Signature Law Art. 13)."""

    agreement = models.ForeignKey(Agreement, models.CASCADE, related_name="signatures")
    party_row = models.ForeignKey(DisputeParty, models.PROTECT, null=True, blank=True,
                                  related_name="+")
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                 blank=True, related_name="+")
    representative = models.ForeignKey(DisputeRepresentative, models.PROTECT, null=True,
                                       blank=True, related_name="+")
    signer_name = models.CharField(_("签署人"), max_length=200)
    capacity = models.CharField(_("签署身份"), max_length=100)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                  blank=True, related_name="+")
    digest = models.CharField(max_length=64)
    signed_at = models.DateTimeField(_("签署时间"))
    client_ip = models.CharField(max_length=64, blank=True)
    client_agent = models.CharField(max_length=300, blank=True)
    code = models.OneToOneField("SigningCode", models.PROTECT, related_name="signature")

    class Meta:
        verbose_name = _("电子签名")
        verbose_name_plural = _("电子签名")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party_row"],
                                    condition=Q(party_row__isnull=False),
                                    name="signature_once_per_party"),
            models.UniqueConstraint(fields=["agreement", "mediator"],
                                    condition=Q(mediator__isnull=False),
                                    name="signature_once_per_mediator"),
            models.CheckConstraint(condition=Q(party_row__isnull=True, mediator__isnull=False)
                                   | Q(party_row__isnull=False, mediator__isnull=True),
                                   name="signature_party_or_mediator"),
        ]


class SigningCode(models.Model):
    """A one-time code sent to a signer's verified mobile for one version. Only a keyed
    hash of the code is stored; it expires, and a few wrong tries burn it."""

    agreement = models.ForeignKey(Agreement, models.CASCADE, related_name="codes")
    party_row = models.ForeignKey(DisputeParty, models.PROTECT, null=True, blank=True,
                                  related_name="+")
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                 blank=True, related_name="+")
    representative = models.ForeignKey(DisputeRepresentative, models.PROTECT, null=True,
                                       blank=True, related_name="+")
    signer_name = models.CharField(max_length=200)
    capacity = models.CharField(max_length=100)
    phone_masked = models.CharField(max_length=16)
    code_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("签署验证码")
        verbose_name_plural = _("签署验证码")
