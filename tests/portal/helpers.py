"""Sign a party in to the portal the way a person does: a code from the outbox (their
phone) and their identity number; add the other people a party may be: a guarantor, a
representative."""

from __future__ import annotations

import datetime as dt

from jintiao import clock
from jintiao.disputes.models import Dispute, DisputeParty, PartyRole
from jintiao.disputes.services import representative_appoint
from jintiao.domain.representation import Authority, Relation
from jintiao.messaging.selectors import outbox_code
from jintiao.parties.crypto import decrypt
from jintiao.parties.models import Party
from jintiao.parties.services import PartyInput, party_get_or_create
from jintiao.portal.models import SignInCode
from jintiao.portal.services import sign_in, sign_in_code_send
from tests.factories import SCAN, resident_id


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


def add_guarantor(dispute: Dispute, n: int = 555) -> DisputeParty:
    """A guarantor on the dispute, with a mobile of their own."""
    party = party_get_or_create(PartyInput("person", "担保人王某", resident_id(n),
                                           phone=f"1360000{n:04d}"))
    return DisputeParty.objects.create(dispute=dispute, party=party, role=PartyRole.GUARANTOR)


def appoint_representative(w, dispute: Dispute, authority: Authority, n: int = 778) -> Party:
    """A relative appointed at the desk to represent the debtor with ``authority``."""
    row = dispute.party_rows.get(role="debtor")
    person = PartyInput("person", "代理人赵某", resident_id(n), phone=f"1350000{n:04d}")
    dispute.refresh_from_db()
    representative_appoint(actor=w.clerk, dispute_id=dispute.pk,
                           expected_version=dispute.version, party_row_id=row.pk,
                           person=person, relation=Relation.RELATIVE, authority=authority,
                           signed_on=clock.today() - dt.timedelta(days=1), scan=SCAN)
    return party_get_or_create(person)
