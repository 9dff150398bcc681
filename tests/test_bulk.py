"""Writing many rows: a statement a batch on SQLite as on PostgreSQL, and the cycle
collector paused only while a file is written."""

from __future__ import annotations

import gc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jintiao.bulk import ROWS, bulk_insert, collector_paused
from jintiao.orgs.models import Organization


def test_the_collector_runs_again_once_the_last_caller_leaves():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer caller is still inside
    assert gc.isenabled()

    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018 - a failure inside
    assert gc.isenabled()


def test_a_collector_off_before_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.django_db
def test_rows_are_inserted_a_statement_a_batch_whatever_the_database():
    features = connection.features
    before = features.max_query_params
    rows = [
        Organization(name=f"机构{n}", kind="committee", region_code="522601", path=f"/bulk{n}/")
        for n in range(ROWS + 1)
    ]

    with CaptureQueriesContext(connection) as captured:
        made = bulk_insert(Organization, rows)

    inserts = [q for q in captured if q["sql"].startswith("INSERT")]
    assert len(inserts) == 2  # ROWS, then one
    assert all(o.pk for o in made)
    assert features.max_query_params == before  # as Django had it, outside
