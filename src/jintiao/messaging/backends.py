"""SMS and e-mail backends: the interfaces and the defaults, which write to the outbox.

A real SMS gateway is a class with the same ``send`` named in ``JINTIAO_SMS_BACKEND``; a real
mail server is Django's ``EMAIL_BACKEND`` (``JINTIAO_EMAIL_BACKEND``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
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
            to_cipher=encrypt(phone), to_masked=mask_mobile(phone),
            to_hash=lookup_hash(phone), body_cipher=encrypt(body), purpose=purpose,
            created_at=clock.now(), backend=type(self).__name__)
        return True


def mask_email(address: str) -> str:
    """``wu@example.cn`` → ``w***@example.cn``."""
    name, _at, domain = address.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"


class OutboxEmailBackend(BaseEmailBackend):
    """Django's e-mail interface, kept in the outbox like the texts; a real server is the
    standard ``EMAIL_BACKEND`` setting (SMTP)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            for address in message.recipients():
                OutboxMessage.objects.create(
                    channel=OutboxMessage.Channel.EMAIL, to_cipher=encrypt(address),
                    to_masked=mask_email(address), to_hash=lookup_hash(address.lower()),
                    body_cipher=encrypt(f"{message.subject}\n{message.body}"),
                    purpose=message.extra_headers.get("X-Jintiao-Purpose", "email")[:32],
                    created_at=clock.now(), backend=type(self).__name__)
                sent += 1
        return sent


def sms_backend() -> SmsBackend:
    path = getattr(settings, "SMS_BACKEND", "jintiao.messaging.backends.OutboxBackend")
    backend: SmsBackend = import_string(path)()
    return backend
