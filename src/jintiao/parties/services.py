"""Writes of parties: identity validated by the domain, stored hashed and encrypted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from jintiao import clock
from jintiao.bulk import bulk_insert
from jintiao.domain import identity
from jintiao.domain import particulars as rules
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.parties import crypto
from jintiao.parties.models import Party, PartyKind


class PartyInvalid(DomainError):
    code = ErrorCode.PARTY_INVALID


@dataclass(frozen=True)
class PartyInput:
    """What intake knows of a party: kind, name, identity number, optional phone, and the
    particulars a court writes (domain.particulars) — a person's sex and birth date may be
    left out (the ID number says them), an entity's legal representative or principal."""

    kind: PartyKind
    name: str
    id_number: str
    phone: str = ""
    address: str = ""  # 住所 (domicile)
    id_type: str = ""  # default: resident ID for a person, credit code for an entity
    sex: str = ""
    birth_date: dt.date | None = None
    ethnicity: str = ""
    residence: str = ""  # 经常居住地, where it differs from the domicile
    occupation: str = ""
    rep_role: str = ""
    rep_name: str = ""
    rep_title: str = ""
    rep_id_number: str = ""


# The particulars every interface takes under these names (web form, API, files).
PARTICULARS = ("address", "id_type", "sex", "birth_date", "ethnicity", "residence",
               "occupation", "rep_role", "rep_name", "rep_title", "rep_id_number")


@dataclass(frozen=True)
class CheckedParty:
    """A party's input once its name, identity number, phone and particulars have passed
    their checks; ``particulars`` holds the model's fields as they are to be stored."""

    kind: PartyKind
    name: str
    number: str
    masked: str
    phone: str
    address: str
    particulars: dict[str, Any] = field(default_factory=dict)


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
    day = on or clock.today()
    try:
        kept = _particulars(data, number, day)
    except rules.ParticularsInvalid as exc:
        raise PartyInvalid(exc.message, exc.message_en, party=name, **exc.details) from None
    return CheckedParty(PartyKind(data.kind), name, number, masked, phone,
                        _text(data.address, "address", "住所"), kept)


def _text(value: str, field: str, label: str, limit: int = rules.ADDRESS_MAX) -> str:
    """A free-text particular printed on court filings: without invisible characters and
    within its column."""
    if not value.strip():
        return ""
    try:
        text = identity.validate_name(value, label=label)
    except identity.NameInvalid as exc:
        raise PartyInvalid(exc.message, exc.message_en, code=exc.code, field=field,
                           **exc.details) from None
    if len(text) > limit:
        raise PartyInvalid(f"{label}不能超过{limit}个字", f"{field} too long", field=field)
    return text


def _particulars(data: PartyInput, number: str, on: dt.date) -> dict[str, Any]:
    """The particulars to store for a checked number (see :func:`party_check`)."""
    person = PartyKind(data.kind) is PartyKind.PERSON
    try:
        id_type = rules.IdType(data.id_type or (rules.IdType.RESIDENT_ID if person
                                                else rules.IdType.USCC))
    except ValueError:
        raise rules.ParticularsInvalid("证件类型无效", "unknown id type",
                                       field="id_type") from None
    if person != (id_type in rules.PERSON_ID_TYPES):
        raise rules.ParticularsInvalid(f"{'自然人' if person else '单位'}不能使用{id_type.label}",
                                       "id type does not fit the party's kind", field="id_type")
    if person:
        problem = rules.id_type_problem(id_type, number)
        if problem:
            raise rules.ParticularsInvalid(problem, "number does not fit the id type",
                                           field="id_type")
        checked = identity.check_resident_id(number, on=on)
        if checked.sex is None or checked.birth_date is None:  # pragma: no cover - validated
            raise PartyInvalid("证件号码无效", "invalid number", field="id_number")
        facts = rules.person_facts(sex_in_id=checked.sex, born_in_id=checked.birth_date,
                                   sex=data.sex, birth_date=data.birth_date,
                                   ethnicity=data.ethnicity)
        if data.rep_name or data.rep_id_number:
            raise rules.ParticularsInvalid("自然人没有法定代表人；代理人请在委托代理人中登记",
                                           "a person has no legal representative",
                                           field="rep_name")
        return {"id_type": id_type.value, "sex": facts.sex, "birth_date": facts.birth_date,
                "ethnicity": facts.ethnicity,
                "residence": rules.residence_kept(
                    data.address, _text(data.residence, "residence", "经常居住地")),
                "occupation": _text(data.occupation, "occupation", "职业或工作单位", 200)}
    if data.sex or data.birth_date or data.ethnicity:
        raise rules.ParticularsInvalid("单位没有性别、出生日期和民族", "an entity has no sex",
                                       field="sex")
    kept: dict[str, Any] = {"id_type": id_type.value, "rep_name": "", "rep_title": "",
                            "rep_role": "", "rep_id_cipher": "", "rep_id_masked": ""}
    rep_name = data.rep_name.strip()
    if not rep_name:
        if data.rep_id_number or data.rep_title:
            raise rules.ParticularsInvalid("请填写法定代表人或主要负责人的姓名",
                                           "representative's name missing", field="rep_name")
        return kept
    try:
        kept["rep_name"] = identity.validate_name(rep_name, label="法定代表人或主要负责人姓名")
    except identity.NameInvalid as exc:
        raise rules.ParticularsInvalid(exc.message, exc.message_en,
                                       field="rep_name") from None
    try:
        kept["rep_role"] = rules.RepRole(data.rep_role or rules.RepRole.LEGAL_REP).value
    except ValueError:
        raise rules.ParticularsInvalid("代表人身份应为法定代表人或主要负责人", "unknown rep role",
                                       field="rep_role") from None
    kept["rep_title"] = _text(data.rep_title, "rep_title", "职务", 100)
    if data.rep_id_number.strip():
        try:
            rep_number = identity.validate_resident_id(data.rep_id_number, on=on)
        except identity.IdentityInvalid as exc:
            raise rules.ParticularsInvalid(exc.message, exc.message_en,
                                           field="rep_id_number") from None
        kept["rep_id_cipher"] = crypto.encrypt(rep_number)
        kept["rep_id_masked"] = identity.mask_id_number(rep_number)
    return kept


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
        return _filled(found, checked)
    phone = checked.phone
    try:
        with transaction.atomic():
            return Party.objects.create(
                kind=checked.kind, name=checked.name, id_hash=key,
                id_cipher=crypto.encrypt(checked.number), id_masked=checked.masked,
                phone_hash=crypto.lookup_hash(phone) if phone else "",
                phone_cipher=crypto.encrypt(phone) if phone else "",
                phone_masked=identity.mask_mobile(phone) if phone else "",
                address=checked.address, **checked.particulars,
            )
    except IntegrityError:  # created concurrently by another intake
        return Party.objects.get(id_hash=key)


def parties_get_or_create(checked: Sequence[CheckedParty]) -> list[Party]:
    """The parties of these identity numbers, in the order given, the new ones created
    together (a file's rows name the same creditor and often the same guarantor): one read
    of those known, one insert of the others, each new one as its first appearance gives it
    with what later ones add (as :func:`party_get_or_create` one after another would).
    Call inside the caller's transaction; a party created meanwhile by another intake ends
    it in an ``IntegrityError``, which intake tries again."""
    keys = [crypto.lookup_hash(c.number) for c in checked]
    known = Party.objects.in_bulk(set(keys), field_name="id_hash")
    new: dict[str, Party] = {}
    for key, c in zip(keys, checked, strict=True):
        if key in known:
            _filled(known[key], c)
        elif key in new:
            for name, value in _blanks(new[key], c).items():
                setattr(new[key], name, value)
        else:
            phone = c.phone
            new[key] = Party(
                kind=c.kind, name=c.name, id_hash=key, id_cipher=crypto.encrypt(c.number),
                id_masked=c.masked, phone_hash=crypto.lookup_hash(phone) if phone else "",
                phone_cipher=crypto.encrypt(phone) if phone else "",
                phone_masked=identity.mask_mobile(phone) if phone else "",
                address=c.address, **c.particulars)
    if new:
        # inserted in the order of their keys, whoever writes: two files naming the same new
        # people in other orders would otherwise wait on each other's unique keys for ever
        bulk_insert(Party, [new[key] for key in sorted(new)])
    return [known.get(key) or new[key] for key in keys]


def _blanks(found: Party, checked: CheckedParty) -> dict[str, Any]:
    """What ``checked`` gives that ``found`` lacks of the particulars."""
    given = {"address": checked.address, **checked.particulars}
    blank = {name: value for name, value in given.items()
             if value not in ("", None) and getattr(found, name) in ("", None)
             and not (name == "rep_id_masked" and found.rep_id_cipher)}
    if blank.get("rep_id_cipher") is None:
        blank.pop("rep_id_masked", None)
    return blank


def _filled(found: Party, checked: CheckedParty) -> Party:
    """A party known before, with what it lacked of the particulars now given: a later
    file completes the record and never overwrites it (a change is an edit on the case
    file, with its version and its event)."""
    blank = _blanks(found, checked)
    if blank:
        Party.objects.filter(pk=found.pk).update(**blank)
        for name, value in blank.items():
            setattr(found, name, value)
    return found
