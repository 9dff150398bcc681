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
