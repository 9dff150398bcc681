"""Writes of parties: identity validated by the domain, stored hashed and encrypted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from jintiao import clock
from jintiao.domain import identity
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.parties import crypto
from jintiao.parties.models import Party, PartyKind


class PartyInvalid(DomainError):
    code = ErrorCode.PARTY_INVALID


@dataclass(frozen=True)
class PartyInput:
    """What intake knows of a party: kind, name, identity number, optional phone."""

    kind: PartyKind
    name: str
    id_number: str
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class CheckedParty:
    """A party's input once its name, identity number and phone have passed their checks."""

    kind: PartyKind
    name: str
    number: str
    masked: str
    phone: str
    address: str


def party_check(data: PartyInput, *, on: dt.date | None = None) -> CheckedParty:
    """Check a party as typed, writing nothing: a name that prints as itself, a valid
    resident ID number (a person: born by ``on``, the caller's today, by default the
    clock's) or credit code (an entity), and a mainland mobile when a phone is given.

    :raises PartyInvalid: with ``field`` (``name``, ``id_number``, ``phone``) and the
        domain's ``reason``; an invisible character in the name has code ``name_invalid``
    """
    if not data.name.strip():
        raise PartyInvalid("当事人姓名或名称不能为空", "party name is required", field="name")
    try:
        name = identity.validate_name(data.name, label=f"当事人姓名或名称“{_shown(data.name)}”")
    except identity.NameInvalid as exc:
        raise PartyInvalid(exc.message, exc.message_en, code=exc.code, field="name",
                           **exc.details) from None
    field = "id_number"
    try:
        if PartyKind(data.kind) is PartyKind.PERSON:
            number = identity.validate_resident_id(data.id_number, on=on or clock.today())
            masked = identity.mask_id_number(number)
        else:
            number = identity.validate_credit_code(data.id_number)
            masked = identity.mask_credit_code(number)
        field = "phone"
        phone = identity.validate_mobile(data.phone) if data.phone else ""
    except identity.IdentityInvalid as exc:
        raise PartyInvalid(exc.message, exc.message_en, reason=exc.details.get("reason", ""),
                           party=name, field=field) from None
    return CheckedParty(PartyKind(data.kind), name, number, masked, phone, data.address)


def _shown(name: str) -> str:
    """The name as a reader would see it, without the characters that are refused."""
    return "".join(c for c in name if c.isprintable()).strip()


def party_get_or_create(data: PartyInput | CheckedParty, *, on: dt.date | None = None) -> Party:
    """Return the party with this identity number, creating it if it is new (checked by
    :func:`party_check` as of ``on`` unless it already was).

    :raises PartyInvalid: the input fails :func:`party_check`
    """
    checked = data if isinstance(data, CheckedParty) else party_check(data, on=on)
    key = crypto.lookup_hash(checked.number)
    found = Party.objects.filter(id_hash=key).first()
    if found is not None:
        return found
    phone = checked.phone
    try:
        with transaction.atomic():
            return Party.objects.create(
                kind=checked.kind, name=checked.name, id_hash=key,
                id_cipher=crypto.encrypt(checked.number), id_masked=checked.masked,
                phone_hash=crypto.lookup_hash(phone) if phone else "",
                phone_cipher=crypto.encrypt(phone) if phone else "",
                phone_masked=identity.mask_mobile(phone) if phone else "",
                address=checked.address,
            )
    except IntegrityError:  # created concurrently by another intake
        return Party.objects.get(id_hash=key)
