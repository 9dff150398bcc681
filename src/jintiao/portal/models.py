"""One-time sign-in codes for the party portal, kept only as keyed hashes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
