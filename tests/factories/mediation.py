"""Disputes for the mediation workbench beyond the shared ones: an enterprise debtor."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from types import SimpleNamespace

from jintiao.disputes.models import Channel, Dispute, DisputeType, PartyRole
from jintiao.disputes.services import dispute_intake
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import Track
from jintiao.mediation.services import action_apply
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PartyInput
from tests.factories import credit_code

# Credit codes far above the intake serial's, so no two disputes' parties are confused.
_serial = itertools.count(5_000_000)


def company_debt(desk: SimpleNamespace) -> Dispute:
    """A small-business loan of ``desk.branch`` to a trading company (an enterprise debtor),
    under mediation by ``desk.mediator``: 200,000.00 principal and 31,208.40 interest."""
    made = dispute_intake(
        actor=desk.clerk, committee=desk.committee, channel=Channel.INSTITUTION_APPLICATION,
        dispute_type=DisputeType.ENTERPRISE_LOAN,
        claim=ClaimBreakdown(as_of=dt.date(2026, 6, 30), principal=Decimal("200000.00"),
                             interest=Decimal("31208.40")),
        parties=[(PartyInput(PartyKind.ENTITY, "某银行凯里支行", credit_code(next(_serial))),
                  PartyRole.CREDITOR),
                 (PartyInput(PartyKind.ENTITY, "凯里某商贸有限公司", credit_code(next(_serial)),
                             phone="13912345678"), PartyRole.DEBTOR)],
        institution=desk.branch, court=desk.court).dispute
    made = action_apply(actor=desk.clerk, dispute_id=made.pk, action=Action.ACCEPT,
                        expected_version=1, notice_served=True)
    return action_apply(actor=desk.director, dispute_id=made.pk, action=Action.ASSIGN,
                        expected_version=made.version, track=Track.SIMPLE,
                        mediators=[desk.mediator])
