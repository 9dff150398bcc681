"""Writes of parties: identity validated by the domain, stored hashed and encrypted."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

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


def party_get_or_create(data: PartyInput) -> Party:
    """Return the party with this identity number, creating it if it is new.

    A person needs a valid resident ID number and an entity a valid credit code; a phone,
    when given, must be a mainland mobile number.

    :raises PartyInvalid: a missing name or an invalid number, with the domain's reason
    """
    if not data.name.strip():
        raise PartyInvalid("当事人姓名或名称不能为空", "party name is required")
    try:
        if PartyKind(data.kind) is PartyKind.PERSON:
            number = identity.validate_resident_id(data.id_number)
            masked = identity.mask_id_number(number)
        else:
            number = identity.validate_credit_code(data.id_number)
            masked = identity.mask_credit_code(number)
        phone = identity.validate_mobile(data.phone) if data.phone else ""
    except identity.IdentityInvalid as exc:
        raise PartyInvalid(exc.message, exc.message_en, reason=exc.details.get("reason", ""),
                           party=data.name) from None
    key = crypto.lookup_hash(number)
    found = Party.objects.filter(id_hash=key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Party.objects.create(
                kind=data.kind, name=data.name.strip(), id_hash=key,
                id_cipher=crypto.encrypt(number), id_masked=masked,
                phone_hash=crypto.lookup_hash(phone) if phone else "",
                phone_cipher=crypto.encrypt(phone) if phone else "",
                phone_masked=identity.mask_mobile(phone) if phone else "",
                address=data.address,
            )
    except IntegrityError:  # created concurrently by another intake
        return Party.objects.get(id_hash=key)
