"""Personal numbers at rest: a keyed hash to match on, ciphertext for the roles that need
the number, and a mask for everyone else (PIPL Art. 51; DESIGN.md §7).

The key comes from settings (``JINTIAO_PII_KEY``); rotating it means re-encrypting, which
a later command will do. Nothing here logs a number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"jintiao:{purpose}:{settings.PII_KEY}".encode()).digest()


def lookup_hash(value: str) -> str:
    """Return the keyed hash that finds a party by number without storing the number."""
    return hmac.new(_key("lookup"), value.encode(), hashlib.sha256).hexdigest()


def encrypt(value: str) -> str:
    """Encrypt ``value`` for storage."""
    return Fernet(base64.urlsafe_b64encode(_key("fernet"))).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a stored value (only for roles that need the full number)."""
    return Fernet(base64.urlsafe_b64encode(_key("fernet"))).decrypt(token.encode()).decode()


def encrypt_bytes(data: bytes) -> bytes:
    """Encrypt a file kept for a while (a bank's element table: full numbers in every row)."""
    return Fernet(base64.urlsafe_b64encode(_key("fernet"))).encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    """The file :func:`encrypt_bytes` kept.

    :raises cryptography.fernet.InvalidToken: not one it kept (or another key's)
    """
    return Fernet(base64.urlsafe_b64encode(_key("fernet"))).decrypt(token)
