"""Supervision's figures read from the replica when one is configured, everything else from
the primary (jintiao.replica, issue 19 §2). The test run's ``replica`` alias is a mirror
of the test database: a second connection to it, as a replica is a second server."""

from __future__ import annotations

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from jintiao import clock
from jintiao.domain.figures import PeriodKind, ReportPeriod
from jintiao.supervision import reports, selectors, services
from jintiao.supervision.models import DisputeFigures

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def _reads(call):
    """What ``call`` returned and the SQL it sent to the primary and to the replica."""
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as replica:
        found = call()
    return found, [q["sql"] for q in primary], [q["sql"] for q in replica]


@pytest.fixture
def replica_on(settings):
    settings.REPLICA_DATABASE = "replica"
    return settings


def test_figures_are_read_on_the_replica_and_written_on_the_primary(world, cases, replica_on):
    month = ReportPeriod.month_of(clock.today())
    _n, wrote, _r = _reads(services.figures_refresh)
    assert any("supervision_monthfigures" in q for q in wrote)   # the months kept current
    assert DisputeFigures.objects.count() == 2
    stats, primary, replica = _reads(lambda: selectors.statistics(world.prefecture, month))
    assert stats.totals["received"] == 2
    assert stats.totals["accepted"] == 1
    assert not primary
    assert any("supervision_monthfigures" in q for q in replica)
    board, primary, replica = _reads(lambda: selectors.dashboard(world.prefecture,
                                                                 clock.today()))
    assert board.this_year["received"] == 2
    assert not primary
    assert replica
    report, primary, replica = _reads(lambda: reports.report_build(world.prefecture, month))
    assert report.stats.totals == stats.totals
    assert not primary
    assert replica
    year, primary, replica = _reads(lambda: selectors.tally(
        world.county, ReportPeriod(clock.today().year, PeriodKind.YEAR)))
    assert year["accepted"] == 1
    assert not primary
    assert replica


def test_inside_a_transaction_the_figures_are_read_where_they_were_written(world, cases,
                                                                           replica_on):
    """A caller that just wrote in its transaction reads its own writes: a replica would
    not have them yet."""
    month = ReportPeriod.month_of(clock.today())
    with transaction.atomic():
        services.figures_refresh()
        stats, primary, replica = _reads(lambda: selectors.statistics(world.prefecture, month))
    assert stats.totals["received"] == 2
    assert primary
    assert not replica


def test_without_a_replica_everything_is_read_on_the_primary(world, cases, settings):
    settings.REPLICA_DATABASE = None
    services.figures_refresh()
    stats, primary, replica = _reads(lambda: selectors.statistics(
        world.prefecture, ReportPeriod.month_of(clock.today())))
    assert stats.totals["received"] == 2
    assert primary
    assert not replica


def test_other_reads_stay_on_the_primary(world, cases, replica_on):
    from jintiao.disputes.selectors import dispute_list

    rows, primary, replica = _reads(lambda: list(dispute_list(world.supervisor)))
    assert len(rows) == 2
    assert primary
    assert not replica


def test_the_statistics_page_reads_the_replica(world, cases, replica_on, client):
    client.force_login(world.supervisor)
    with CaptureQueriesContext(connections["replica"]) as replica:
        page = client.get("/statistics/")
    assert page.status_code == 200
    assert any("supervision_monthfigures" in q["sql"] for q in replica)
