"""The agreement's court checklist as the desk reads it (agreements.selectors.checklist_of):
after the seal the window names the day the agreement took effect and the last day to apply,
from the dispute's policy and the holiday calendar."""

from __future__ import annotations

from jintiao import clock
from jintiao.agreements.selectors import checklist_of
from jintiao.domain import periods
from jintiao.domain.confirmation import Verdict
from jintiao.mediation.selectors import policy_of
from jintiao.policies.selectors import working_calendar
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree


def test_after_the_seal_the_checklist_says_when_the_agreement_took_effect(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agreement = agree(desk, mediating, CHARGES_SINCE)
    effective_on = agreement.effective_at.astimezone(clock.TZ).date()
    last_day = periods.deadline(effective_on, policy_of(mediating).confirmation_application_limit,
                                working_calendar()).due_on
    window = next(c for c in checklist_of(agreement) if c.code == "window")
    assert "尚未生效" not in window.detail
    assert window.detail == f"协议{effective_on}生效，待申请；申请期限至{last_day}"
    assert window.verdict is Verdict.PENDING
    signatures = next(c for c in checklist_of(agreement) if c.code == "signatures")
    assert signatures.verdict is Verdict.MET
