"""Sign a party in to the portal the way a person does: a code from the outbox (their
phone) and their identity number."""

from __future__ import annotations

import datetime as dt

from jintiao import clock
from jintiao.disputes.models import Dispute
from jintiao.messaging.selectors import outbox_code
from jintiao.parties.crypto import decrypt
from jintiao.parties.models import Party
from jintiao.portal.models import SignInCode
from jintiao.portal.services import sign_in, sign_in_code_send


def daytime() -> dt.datetime:
    """Ten o'clock today: contacts are allowed whatever hour the tests run at."""
    return clock.now().replace(hour=10, minute=0, second=0, microsecond=0)


def phone_of(party: Party) -> str:
    return decrypt(party.phone_cipher)


def id_of(party: Party) -> str:
    return decrypt(party.id_cipher)


def debtor_of(dispute: Dispute) -> Party:
    return dispute.party_rows.get(role="debtor").party


def party_sign_in(party: Party, *, consent: bool = True):
    """The party's portal user, signed in with a fresh code from their phone."""
    SignInCode.objects.all().update(sent_at=clock.now() - dt.timedelta(minutes=2))
    sign_in_code_send(phone=phone_of(party))
    code = outbox_code(phone_of(party))
    assert code is not None
    return sign_in(phone=phone_of(party), code=code, id_number=id_of(party),
                   consent_e_service=consent)
