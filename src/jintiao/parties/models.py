"""Parties: natural persons and legal entities, stored once and matched by identity number."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTITY = "entity", _("法人或其他组织")


class Party(models.Model):
    """A person or entity that can appear in many disputes.

    The identity number (resident ID or credit code) is kept as a keyed hash for matching,
    ciphertext for roles that need it, and a masked form for display; never in clear.
    """

    kind = models.CharField(_("类别"), max_length=16, choices=PartyKind.choices)
    name = models.CharField(_("姓名或名称"), max_length=200)
    id_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_cipher = models.TextField(editable=False)
    id_masked = models.CharField(_("证件号码"), max_length=32, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("手机号码"), max_length=16, blank=True, editable=False)
    address = models.CharField(_("住所"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")

    def __str__(self) -> str:
        return self.name
