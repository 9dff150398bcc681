"""The outbox: every text the platform sends, as the default SMS backend records it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jintiao.parties.crypto import decrypt


class OutboxMessage(models.Model):
    """A text message or e-mail as sent. Address and text are kept encrypted (a text may
    carry a signing code), with a masked address for lists; the demo's outbox page decrypts
    the text so a code can be read without a phone."""

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")

    @property
    def body(self) -> str:
        return decrypt(self.body_cipher)

    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices,
                               default=Channel.SMS)
    to_cipher = models.TextField(editable=False)
    to_masked = models.CharField(_("接收地址"), max_length=120)
    to_hash = models.CharField(max_length=64, db_index=True, editable=False)
    body_cipher = models.TextField(editable=False)  # codes inside: encrypted at rest
    purpose = models.CharField(_("用途"), max_length=32)
    created_at = models.DateTimeField(_("发送时间"))
    backend = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("短信")
        verbose_name_plural = _("短信发件箱")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.to_masked} {self.purpose}"
