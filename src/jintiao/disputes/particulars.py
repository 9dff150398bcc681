"""Writes of a party's particulars on the case file: the desk completes or corrects what
intake took (a bank's file rarely carries a debtor's ethnicity or domicile), checked by the
same rules as intake, under the party's version so that two clerks do not overwrite each
other.

A party is one person across disputes: a correction made from one dispute is the person's,
and is on the timeline of the dispute it was made from (which fields, never their values).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import PermissionDenied, Standing, standing_of
from jintiao.disputes.models import DisputeParty, DisputeRepresentative
from jintiao.disputes.services import DisputeConflict, dispute_lock
from jintiao.domain import events, identity
from jintiao.orgs.models import User
from jintiao.parties import crypto
from jintiao.parties.models import Party, PartyKind
from jintiao.parties.services import PartyInput, PartyInvalid, party_check
from jintiao.timeline.services import event_append

# What the desk may change, by PartyInput's names, with the labels the event and the
# conflict message name. The name and the number are the party's identity: a wrong one is
# a new intake, not an edit.
EDITABLE = {
    "phone": "手机号码", "address": "住所", "id_type": "证件类型", "sex": "性别",
    "birth_date": "出生日期", "ethnicity": "民族", "residence": "经常居住地",
    "occupation": "职业或工作单位", "rep_role": "代表人身份", "rep_name": "法定代表人或主要负责人",
    "rep_title": "职务", "rep_id_number": "代表人证件号码",
}


def current(party: Party) -> PartyInput:
    """The party's record as an input (numbers decrypted: for the services' checks only)."""
    return PartyInput(
        kind=PartyKind(party.kind), name=party.name, id_number=crypto.decrypt(party.id_cipher),
        phone=crypto.decrypt(party.phone_cipher) if party.phone_cipher else "",
        address=party.address, id_type=party.id_type, sex=party.sex,
        birth_date=party.birth_date, ethnicity=party.ethnicity, residence=party.residence,
        occupation=party.occupation, rep_role=party.rep_role, rep_name=party.rep_name,
        rep_title=party.rep_title,
        rep_id_number=crypto.decrypt(party.rep_id_cipher) if party.rep_id_cipher else "")


@transaction.atomic
def party_update(*, actor: User, dispute_id: int, party_row_id: int, expected_version: int,
                 changes: dict[str, Any]) -> Party:
    """Change a party's particulars (``changes`` by :data:`EDITABLE`'s names; a name not
    given is kept) as of the party's ``expected_version``.

    :raises DisputeNotFound: missing or not visible to ``actor``
    :raises PermissionDenied: not the committee's desk
    :raises PartyInvalid: a field that fails intake's checks, or one that is not editable
        (``field`` names it)
    :raises DisputeConflict: the party changed since ``expected_version``
    """
    now = clock.now()
    dispute = dispute_lock(actor, dispute_id)
    standing_of(actor, dispute).require(Standing.may_edit_particulars, "更正当事人基本情况")
    row = (DisputeParty.objects.filter(pk=party_row_id, dispute=dispute)
           .select_related("party").first())
    if row is None:
        raise PermissionDenied("所选当事人不属于该纠纷", "not a party of this dispute")
    party = Party.objects.select_for_update().get(pk=row.party_id)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise PartyInvalid(f"不能在此更改：{'、'.join(unknown)}"
                           "（姓名和证件号码有误的，请重新登记）",
                           "not an editable particular", field=unknown[0])
    if party.version != expected_version:
        raise DisputeConflict(
            f"{party.name}的基本情况已被他人修改（当前第{party.version}版），请刷新后重试",
            "the party changed since it was read", expected=expected_version,
            current=party.version)
    before = current(party)
    if before.phone and changes.get("phone", before.phone) != before.phone:
        # the mobile is where sign-in and signing codes go: replacing it from the desk
        # would let whoever types it sign as the party (Electronic Signature Law Art. 13)
        raise PartyInvalid("手机号码已登记，不能在此变更；"
                           "当事人更换号码的，须本人持身份证件到场核验",
                           "a registered mobile is not replaced from the desk", field="phone")
    wanted = dataclasses.replace(before, **changes)
    checked = party_check(wanted, on=now.astimezone(clock.TZ).date())
    phone = checked.phone
    fields: dict[str, Any] = {
        "address": checked.address, **checked.particulars,
        "phone_hash": crypto.lookup_hash(phone) if phone else "",
        "phone_cipher": crypto.encrypt(phone) if phone else "",
        "phone_masked": identity.mask_mobile(phone) if phone else "",
    }
    if checked.particulars.get("rep_id_cipher") and wanted.rep_id_number == before.rep_id_number:
        fields.pop("rep_id_cipher")  # the same number: keep its ciphertext (and its mask)
        fields.pop("rep_id_masked", None)
    changed = [name for name in EDITABLE
               if getattr(wanted, name) != getattr(before, name)]
    for name, value in fields.items():
        setattr(party, name, value)
    party.version += 1
    party.save()
    event_append(dispute=dispute, type=events.PARTY_UPDATED, actor=actor, at=now,
                 state_before=dispute.state, state_after=dispute.state,
                 params={"party_row": row.pk, "name": party.name, "fields": changed,
                         "labels": [EDITABLE[n] for n in changed], "version": party.version})
    return party


def representative_scan_read(*, actor: User, representative: DisputeRepresentative) -> None:
    """Note on the timeline who read a power of attorney's scan — it carries the parties'
    numbers in full (PIPL Arts. 51, 55) — for the desk and the supervisors."""
    with transaction.atomic():
        dispute = dispute_lock(actor, representative.party_row.dispute_id)
        event_append(dispute=dispute, type=events.RECORD_READ, actor=actor,
                     at=clock.now(), state_before=dispute.state, state_after=dispute.state,
                     params={"kind": "power_of_attorney_scan",
                             "title": f"授权委托书扫描件（{representative.person.name}）",
                             "representative": representative.pk})
