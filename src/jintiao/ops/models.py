"""What the platform keeps about running itself."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyFingerprint(models.Model):
    """The fingerprint — never the value — of a key the data depends on, as it was when the
    data was first written with it (:mod:`jintiao.ops.keys`). A start with another key is
    refused instead of silently failing to decrypt, sign in or verify."""

    name = models.CharField(_("密钥"), max_length=32, primary_key=True)
    fingerprint = models.CharField(_("指纹"), max_length=64, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("密钥指纹")
        verbose_name_plural = _("密钥指纹")

    def __str__(self) -> str:
        return f"{self.name} {self.fingerprint[:12]}"
