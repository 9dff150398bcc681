"""SMS backends: the interface and the default, which writes to the outbox table.

A real gateway is a class with the same ``send`` named in ``JINTIAO_SMS_BACKEND``.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from jintiao import clock
from jintiao.domain.identity import mask_mobile
from jintiao.messaging.models import OutboxMessage
from jintiao.parties.crypto import encrypt, lookup_hash


class SmsBackend(Protocol):
    def send(self, phone: str, body: str, *, purpose: str) -> bool | None:
        """Send the text; True when the gateway confirms delivery to the phone, False when
        it reports failure, None when it does not know yet."""


class OutboxBackend:
    """Keeps every message in :class:`OutboxMessage` and sends nothing; the outbox stands
    for the phone, so a kept text counts as delivered."""

    def send(self, phone: str, body: str, *, purpose: str) -> bool | None:
        OutboxMessage.objects.create(
            phone_cipher=encrypt(phone), phone_masked=mask_mobile(phone),
            phone_hash=lookup_hash(phone), body_cipher=encrypt(body), purpose=purpose,
            created_at=clock.now(), backend=type(self).__name__)
        return True


def sms_backend() -> SmsBackend:
    path = getattr(settings, "SMS_BACKEND", "jintiao.messaging.backends.OutboxBackend")
    backend: SmsBackend = import_string(path)()
    return backend
