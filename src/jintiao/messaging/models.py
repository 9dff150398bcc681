"""The outbox: every text the platform sends, as the default SMS backend records it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jintiao.parties.crypto import decrypt


class OutboxMessage(models.Model):
    """A text message as sent. Number and text are kept encrypted (a text may carry a
    signing code), with a masked number for lists; the demo's outbox page decrypts the text
    so a code can be read without a phone."""

    @property
    def body(self) -> str:
        return decrypt(self.body_cipher)

    phone_cipher = models.TextField(editable=False)
    phone_masked = models.CharField(_("手机号码"), max_length=16)
    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    body_cipher = models.TextField(editable=False)  # codes inside: encrypted at rest
    purpose = models.CharField(_("用途"), max_length=32)
    created_at = models.DateTimeField(_("发送时间"))
    backend = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("短信")
        verbose_name_plural = _("短信发件箱")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.phone_masked} {self.purpose}"
