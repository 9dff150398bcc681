"""A party's full identity number and mobile, shown to a role that needs them on an explicit
request with a reason — the one rule the page and the API both call.

Each reveal is on the dispute's timeline (``party.revealed``, for the desk and the
supervisors above it: whose data, which numbers, why) and so in the supervisors' list of who
saw whose data; the number itself is never in the event, a log or a cache
(《个人信息保护法》 Arts. 6, 51).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import PermissionDenied, Standing, standing_of
from jintiao.disputes.models import DisputeParty
from jintiao.disputes.services import dispute_lock
from jintiao.domain import events
from jintiao.domain.disclosure import RevealInvalid, reveal_request
from jintiao.orgs.models import User
from jintiao.parties import crypto
from jintiao.timeline.services import event_append


@dataclass(frozen=True)
class Revealed:
    """What was shown: ``None`` for a field not asked for."""

    party_row_id: int
    name: str
    id_number: str | None
    phone: str | None


@transaction.atomic
def party_reveal(*, actor: User, dispute_id: int, party_row_id: int, fields: Iterable[str],
                 reason: str, note: str) -> Revealed:
    """Show ``actor`` the party's full ``fields`` (``id_number``, ``phone``) for ``reason``
    (a code of :data:`jintiao.domain.disclosure.REASONS`) and ``note``, and put the request
    on the timeline.

    :raises DisputeNotFound: missing or not visible to ``actor``
    :raises PermissionDenied: not the committee's desk or the court's judges and clerks, or
        a party row of another dispute
    :raises RevealInvalid: no field, a reason not on the list, a note too short, too long or
        holding a number; a mobile asked for that is not on file
    """
    dispute = dispute_lock(actor, dispute_id)
    standing_of(actor, dispute).require(Standing.may_reveal_identity,
                                        "查看当事人完整证件号码和手机号码")
    row = (DisputeParty.objects.filter(pk=party_row_id, dispute=dispute)
           .select_related("party").first())
    if row is None:
        raise PermissionDenied("所选当事人不属于该纠纷", "not a party of this dispute")
    asked = reveal_request(fields, reason, note)
    party = row.party
    if "phone" in asked.fields and not party.phone_cipher:
        raise RevealInvalid(f"{party.name}没有登记手机号码", "no mobile on file", field="fields")
    shown = Revealed(
        party_row_id=row.pk, name=party.name,
        id_number=crypto.decrypt(party.id_cipher) if "id_number" in asked.fields else None,
        phone=crypto.decrypt(party.phone_cipher) if "phone" in asked.fields else None)
    event_append(dispute=dispute, type=events.PARTY_REVEALED, actor=actor, at=clock.now(),
                 state_before=dispute.state, state_after=dispute.state,
                 params={"party_row": row.pk, "name": party.name, "role": row.role,
                         "fields": list(asked.fields), "labels": asked.labels,
                         "reason": asked.reason, "reason_label": asked.reason_label,
                         "note": asked.note})
    return shown
