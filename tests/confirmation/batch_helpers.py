"""Agreed disputes of the branch, ready (or not) for a batch of joint applications."""

from __future__ import annotations

from jintiao.disputes.models import Dispute
from jintiao.domain.lifecycle import Action
from jintiao.domain.plans import PlanOptions
from jintiao.domain.policy import Track
from jintiao.mediation.services import action_apply
from tests.factories import flat, intake
from tests.helpers import CHARGES_SINCE, accept_plan, agree, apply


def agreed(w, options: PlanOptions | None = None, *, signed: bool = True) -> Dispute:
    """A Kaili dispute of the branch delegated by ``w.court``, mediated by ``w.mediator``
    to a sealed agreement on ``options`` (12 flat instalments); ``signed``: every applicant
    has signed the joint application to ``w.court``."""
    dispute = intake(actor=w.clerk, committee=w.committee, institution=w.branch,
                     court=w.court)
    dispute = action_apply(actor=w.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                           expected_version=1, notice_served=True)
    dispute = action_apply(actor=w.director, dispute_id=dispute.pk, action=Action.ASSIGN,
                           expected_version=dispute.version, track=Track.SIMPLE,
                           mediators=[w.mediator])
    accept_plan(w, dispute, options or flat(12))
    agree(w, dispute, CHARGES_SINCE)
    if signed:
        apply(w, dispute)
    dispute.refresh_from_db()
    return dispute
