"""Reads of the outbox, for the demo and the tests that stand in for people's phones."""

from __future__ import annotations

import re

from jintiao.messaging.models import OutboxMessage
from jintiao.parties.crypto import lookup_hash

_CODE = re.compile(r"验证码(\d{6})")


def outbox_code(phone: str) -> str | None:
    """The code of the newest text with a code sent to ``phone``, as its owner reads it."""
    for message in OutboxMessage.objects.filter(to_hash=lookup_hash(phone)).order_by("-pk"):
        found = _CODE.search(message.body)
        if found:
            return found.group(1)
    return None
