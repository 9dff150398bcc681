"""The court checklist (domain/confirmation.py): what the confirmation window says before
and after the agreement takes effect."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal as D

from jintiao.domain.confirmation import AgreementFacts, Signatory, Verdict, checklist

FACTS = AgreementFacts(
    matter_is_money_claim=True,
    parties=(Signatory("某银行", "债权人", True, True), Signatory("张某", "债务人", True, True)),
    facts_stated=True, total=D("1200.00"), total_in_words="人民币壹仟贰佰元整",
    schedule=((1, dt.date(2027, 1, 20), D("600.00")), (2, dt.date(2027, 2, 20), D("600.00"))),
    acceleration_missed=2, performance_manner="按期存入还款账户", principal=D("1200.00"),
    settled_charges=D("0.00"), charges_since=None, charges_as_of=dt.date(2026, 12, 1),
    plan_rate=D("0"), annual_cost_cap=D("0.24"), mediator_signed=True)


def window(facts: AgreementFacts):
    return next(c for c in checklist(facts) if c.code == "window")


def test_before_the_seal_the_window_waits_for_the_agreement_to_take_effect():
    check = window(FACTS)
    assert check.verdict is Verdict.PENDING
    assert check.detail == "协议尚未生效"


def test_a_sealed_agreement_is_never_said_not_to_have_taken_effect():
    """Once sealed the agreement has taken effect: the window says so, with its last day when
    the caller knows it, and never 协议尚未生效 (issue 16)."""
    sealed = replace(FACTS, sealed=True, effective_on=dt.date(2026, 12, 1))
    check = window(sealed)
    assert check.verdict is Verdict.PENDING
    assert "尚未生效" not in check.detail
    assert check.detail.startswith("协议2026-12-01生效")
    known = window(replace(sealed, window_ends=dt.date(2026, 12, 31)))
    assert known.detail == "协议2026-12-01生效，待申请；申请期限至2026-12-31"


def test_an_application_inside_the_window_meets_it_and_one_after_does_not():
    filed = replace(FACTS, sealed=True, effective_on=dt.date(2026, 12, 1),
                    window_ends=dt.date(2026, 12, 31), applied_on=dt.date(2026, 12, 31))
    assert window(filed).verdict is Verdict.MET
    late = replace(filed, applied_on=dt.date(2027, 1, 1))
    assert window(late).verdict is Verdict.UNMET
