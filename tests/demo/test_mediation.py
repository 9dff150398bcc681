"""The demo's standard plan menus waive what their labels say."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN
from decimal import Decimal as D

from jintiao.demo.mediation import BANK_MENU, UNION_MENU
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.plans import options_from_menu

# Scenario S1's claim, with some compound interest so a waiver can go to the wrong part.
CLAIM = ClaimBreakdown(as_of=dt.date(2026, 10, 13), principal=D("200311.62"),
                       interest=D("31208.40"), penalty_interest=D("12630.11"),
                       compound_interest=D("2000.00"), fees=D("6127.00"))
FIRST = dt.date(2026, 11, 20)


def waived(label: str) -> list[tuple[str, D]]:
    item = next(i for i in (*BANK_MENU, *UNION_MENU) if i.label == label)
    return [(w.part, w.amount) for w in options_from_menu(CLAIM, item, FIRST).waivers]


def test_half_the_penalty_interest_is_waived_by_the_half_penalty_item():
    """“罚息减半”: half of the penalty interest (to the yuan, in the creditor's favour),
    conditionally, and nothing of the interest, compound interest or fees."""
    half = (CLAIM.penalty_interest / 2).quantize(D("1"), ROUND_DOWN)
    assert waived("24期免息，罚息减半（违约恢复）") == [("penalty_interest", half)]


def test_the_waive_penalty_items_waive_the_penalty_interest_and_only_it():
    """“减免罚息”: the whole penalty interest, to the fen."""
    assert waived("36期免息，减免罚息（违约恢复）") == [("penalty_interest", D("12630.11"))]
    assert waived("24期，减免罚息（违约恢复）") == [("penalty_interest", D("12630.11"))]


def test_interest_free_items_waive_nothing():
    assert waived("12期免息") == []
    assert waived("6期") == []
