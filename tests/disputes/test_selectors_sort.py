"""The dispute list in the order asked for (disputes.selectors.dispute_list ``sort``): by date
received, deadline, number, amount or state, either way; an unknown key is ignored (newest
received first, as without one); undated deadlines last both ways."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao.disputes.models import Dispute
from jintiao.disputes.selectors import SORTS, dispute_list, sort_of
from jintiao.domain.lifecycle import Action
from jintiao.mediation.services import action_apply
from tests.factories import intake


@pytest.fixture
def three(world):
    """a: received 2026-03-01, 200,000 + interest, due 2026-07-10, accepted;
    b: received 2026-01-15, 5,000 + interest, no deadline, received;
    c: received 2026-02-10, 900,000 + interest, due 2026-06-20, received."""
    a = intake(actor=world.clerk, committee=world.committee, principal="200000.00")
    b = intake(actor=world.clerk, committee=world.committee, principal="5000.00")
    c = intake(actor=world.clerk, committee=world.committee, principal="900000.00")
    action_apply(actor=world.clerk, dispute_id=a.pk, action=Action.ACCEPT, expected_version=1,
                 notice_served=True)
    for d, received, due in ((a, dt.date(2026, 3, 1), dt.date(2026, 7, 10)),
                             (b, dt.date(2026, 1, 15), None),
                             (c, dt.date(2026, 2, 10), dt.date(2026, 6, 20))):
        Dispute.objects.filter(pk=d.pk).update(received_on=received, deadline=due)
    return a, b, c


def order(world, sort):
    return [d.pk for d in dispute_list(world.clerk, sort=sort)]


def test_each_key_sorts_both_ways(world, three):
    a, b, c = (d.pk for d in three)
    assert order(world, "received") == [b, c, a]
    assert order(world, "-received") == [a, c, b]
    assert order(world, "deadline") == [c, a, b]   # undated last
    assert order(world, "-deadline") == [a, c, b]  # undated last this way too
    assert order(world, "number") == [a, b, c]     # numbered as they came in
    assert order(world, "-number") == [c, b, a]
    assert order(world, "amount") == [b, a, c]
    assert order(world, "-amount") == [c, a, b]
    assert order(world, "state") == [b, c, a]     # the lifecycle's order: received first
    assert order(world, "-state") == [a, c, b]


@pytest.mark.parametrize("unknown", [None, "", "pk", "--amount", "amount;drop", "-", "Amount"])
def test_an_unknown_key_is_ignored(world, three, unknown):
    a, b, c = (d.pk for d in three)
    assert sort_of(unknown) == "-received"
    assert order(world, unknown) == [a, c, b]


def test_every_key_has_a_label_both_ways():
    assert {k.lstrip("-") for k in SORTS} == {"received", "deadline", "number", "amount",
                                               "state"}
    assert len(SORTS) == 10
    assert all(label for label in SORTS.values())
