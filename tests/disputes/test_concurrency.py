"""Dispute numbers stay unique and gapless when intake runs in parallel."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from tests.factories import intake

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers; the race needs PostgreSQL")
def test_parallel_intake_takes_each_number_once(world):
    def file_some(_: int) -> list[int]:
        try:
            return [intake(actor=world.clerk, committee=world.committee).seq for _ in range(5)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        seqs = [seq for batch in pool.map(file_some, range(6)) for seq in batch]

    assert sorted(seqs) == list(range(1, 31))


def test_parallel_repeats_of_one_reference_create_one_dispute(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")

    def file_same(_: int) -> int:
        try:
            return intake(actor=world.agent, committee=world.committee,
                          institution=world.branch, external_ref="BULK-42", serial=42).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(file_same, range(12)))

    assert len(ids) == 1


def test_two_files_at_once_take_each_number_once_and_keep_every_chain(world):
    """Two element tables filed at the same moment (issue 20 §3): every number taken once,
    the bank's party and a debtor both files name created once, each reference once, each
    dispute's chain whole."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    from jintiao.disputes.intake_batch import Outcome, dispute_intake_many
    from jintiao.disputes.models import Dispute
    from jintiao.parties.models import Party
    from jintiao.timeline.services import audit_verify
    from tests.disputes.test_intake_batch import item

    def file_many(first: int) -> list[Outcome]:
        try:
            # rows 1..40 and 21..60: twenty references (and debtors) in both files
            items = [item(world, n) for n in range(first, first + 40)]
            return [r.outcome for r in dispute_intake_many(
                actor=world.agent, items=items, all_or_nothing=False)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = [o for batch in pool.map(file_many, (1, 21)) for o in batch]

    assert outcomes.count(Outcome.CREATED) == 60
    assert outcomes.count(Outcome.EXISTING) == 20
    assert sorted(Dispute.objects.values_list("seq", flat=True)) == list(range(1, 61))
    assert Dispute.objects.values("external_ref").distinct().count() == 60
    assert Party.objects.filter(kind="entity").count() == 1
    assert Party.objects.count() == 61
    assert audit_verify() == (60, [])
