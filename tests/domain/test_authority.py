"""Institution authority: what a standard menu item asks, against an approver's limits."""

from __future__ import annotations

from decimal import Decimal as D

from jintiao.domain.authority import AuthorityLimits, PlanAsks, excesses
from jintiao.domain.plans import MenuItem
from jintiao.domain.schedules import Method

APPROVER = AuthorityLimits(max_charge_waiver_ratio=D("0.60"), max_term_months=36,
                           min_annual_rate=D("0.03"))


def test_a_menu_item_asks_its_term_rate_and_at_most_its_waiver_ratio():
    """Without a claim, an item's waiver is judged by the most it can give up: its ratio of
    the charges (a ratio of a part of them never gives up more)."""
    item = MenuItem("24期，罚息减半", 24, Method.EQUAL_INSTALLMENT, D("0.04"),
                    charge_waiver_ratio=D("0.5"), waiver_parts=("penalty_interest",))
    asks = PlanAsks.of_menu(item)
    assert asks == PlanAsks(charge_waiver_ratio=D("0.5"), principal_waiver_ratio=D(0),
                            term_months=24, annual_rate=D("0.04"), deferral_months=0)
    assert excesses(asks, APPROVER) == []


def test_a_menu_item_beyond_the_limits_says_which():
    item = MenuItem("60期免息，费息全免", 60, charge_waiver_ratio=D("1"))
    found = excesses(PlanAsks.of_menu(item), APPROVER)
    assert [e.limit for e in found] == ["max_charge_waiver_ratio", "max_term_months",
                                        "min_annual_rate"]
