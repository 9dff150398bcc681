"""The stored months (MonthFigures, MonthWorkingDays) a report sums: always what the
disputes' own figures rows count, kept so through the backlog cell by cell, and what the
reports read (issue 19 §2)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.db.models import F

from jintiao import clock
from jintiao.demo.seed import load_demo
from jintiao.disputes.models import Dispute
from jintiao.domain import figures
from jintiao.domain.figures import ReportPeriod
from jintiao.orgs.models import Organization, OrgKind
from jintiao.supervision import month_figures, reports, selectors, services
from jintiao.supervision.models import DisputeFigures, MonthFigures, MonthWorkingDays
from jintiao.timeline.models import FiguresBacklog


@pytest.fixture
def demo(db):
    load_demo(synthetic=60)
    return Organization.objects.get(parent=None, kind=OrgKind.LEADING_GROUP)


def _stored() -> tuple[list[tuple], list[tuple]]:
    months = sorted(MonthFigures.objects.values_list(
        "month", "committee_id", "node_path", "dimension", "value",
        *(f"n_{m.key}" for m in selectors.MEASURES)))
    days = sorted(MonthWorkingDays.objects.values_list(
        "month", "committee_id", "node_path", "working_days", "disputes"))
    return months, days


def _rows_spread(node: Organization, period: ReportPeriod) -> figures.Spread:
    return figures.spread(
        d for d in selectors.figures_under(node)
        .filter(concluded_on__gte=period.start, concluded_on__lte=period.end)
        .values_list("working_days", flat=True) if d is not None)


def _agree(node: Organization, period: ReportPeriod) -> None:
    assert selectors.tally(node, period) == selectors.tally_between(
        node, period.start, period.end), (node.name, period)
    stats = selectors.statistics(node, period)
    assert stats.working_days == _rows_spread(node, period)
    for key, groups in stats.breakdowns.items():  # each dimension sorts every dispute once
        for measure in selectors.MEASURES:
            assert sum(g.tally[measure.key] for g in groups) == stats.totals[measure.key], key
    for key, rows in stats.funnel_by.items():
        assert tuple(map(sum, zip(*(r.counts for r in rows), strict=True))) == stats.funnel \
            or not stats.funnel[0], key


def test_every_stored_month_is_what_the_disputes_rows_count(demo):
    today = clock.today()
    county = Organization.objects.filter(parent=demo, kind=OrgKind.LEADING_GROUP).first()
    periods = [*ReportPeriod.month_of(today).trailing(14), ReportPeriod.quarter_of(today),
               ReportPeriod(today.year, figures.PeriodKind.YEAR)]
    for period in periods:
        for node in (demo, county):
            _agree(node, period)
    assert MonthFigures.objects.count() > 20
    assert MonthWorkingDays.objects.exists()
    # what the migration does on a database that already has figures rows
    kept = _stored()
    MonthFigures.objects.all().delete()
    MonthWorkingDays.objects.all().delete()
    assert month_figures.months_rebuild_all() == len(kept[0]) + len(kept[1])
    assert _stored() == kept


def test_a_dispute_moved_to_another_month_leaves_the_old_one_and_counts_in_the_new(demo):
    dispute = (Dispute.objects.filter(received_on__lte=clock.today() - dt.timedelta(days=70))
               .order_by("pk").first())
    was = ReportPeriod.month_of(dispute.received_on)
    earlier = dispute.received_on - dt.timedelta(days=62)  # a paper filing, two months back
    now = ReportPeriod.month_of(earlier)
    before = (selectors.tally(demo, was)["received"], selectors.tally(demo, now)["received"])
    Dispute.objects.filter(pk=dispute.pk).update(received_on=earlier)
    FiguresBacklog.objects.create(dispute=dispute, seq=1)
    services.figures_refresh()
    assert selectors.tally(demo, was)["received"] == before[0] - 1
    assert selectors.tally(demo, now)["received"] == before[1] + 1
    for period in (was, now):
        _agree(demo, period)
    # cell by cell through the backlog, or all at once: the same rows
    kept = _stored()
    month_figures.months_rebuild_all()
    assert _stored() == kept


def test_a_month_out_of_step_is_recomputed_rather_than_taken_below_zero(demo):
    dispute = (Dispute.objects.filter(received_on__lte=clock.today() - dt.timedelta(days=70))
               .order_by("pk").first())
    was = ReportPeriod.month_of(dispute.received_on)
    right = selectors.tally(demo, was)["received"]
    # someone zeroed the committee's month (a restore gone wrong, a hand edit)
    MonthFigures.objects.filter(month=was.start, committee=dispute.committee_id).update(
        n_received=0)
    assert selectors.tally(demo, was)["received"] < right
    Dispute.objects.filter(pk=dispute.pk).update(
        received_on=dispute.received_on - dt.timedelta(days=62))
    FiguresBacklog.objects.create(dispute=dispute, seq=1)
    services.figures_refresh()   # -1 on a zero: the month is counted again from its disputes
    assert selectors.tally(demo, was)["received"] == right - 1
    _agree(demo, was)


def test_the_reports_read_the_stored_months(demo):
    """Not the disputes' rows: a month's stored row out of step shows in the report (and
    a rebuild puts it back)."""
    period = ReportPeriod.month_of(clock.today()).previous
    row = (MonthFigures.objects.filter(month=period.start, dimension="channel")
           .order_by("pk").first())
    received = selectors.statistics(demo, period).totals["received"]
    year_received = selectors.tally(demo, ReportPeriod(period.year, figures.PeriodKind.YEAR))
    MonthFigures.objects.filter(pk=row.pk).update(n_received=F("n_received") + 5)
    assert selectors.statistics(demo, period).totals["received"] == received + 5
    report = reports.report_build(demo, period)
    assert report.trend[-1][1]["received"] == 0     # the trend names a few figures only
    assert [t["accepted"] for _p, t in report.trend][-1] == report.stats.totals["accepted"]
    assert selectors.tally(demo, ReportPeriod(period.year, figures.PeriodKind.YEAR))[
        "received"] == year_received["received"] + (5 if period.year == clock.today().year
                                                     else 0)
    month_figures.months_rebuild_all()
    assert selectors.statistics(demo, period).totals["received"] == received


def test_no_figures_no_months(db):
    assert DisputeFigures.objects.count() == 0
    assert month_figures.months_rebuild_all() == 0
    assert month_figures.months_recompute(set()) == 0


def test_a_period_s_statistics_cost_the_same_queries_however_many_disputes(
        demo, django_assert_max_num_queries):
    period = ReportPeriod(clock.today().year, figures.PeriodKind.YEAR)
    with django_assert_max_num_queries(8):
        stats = selectors.statistics(demo, period)
    assert stats.totals["received"] > 0
    assert stats.breakdowns["committee"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_a_period_s_months_are_read_from_the_month_index(demo):
    rows = selectors.months_under(demo, ReportPeriod.month_of(clock.today()))
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_class SET reltuples = 200000, relpages = 8000, "
                       "relallvisible = 8000 "
                       "WHERE oid = 'supervision_monthfigures'::regclass")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "month_figures_month" in plan, plan


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_of_the_same_disputes_at_once_add_their_change_once(world, cases,
                                                                          monkeypatch):
    """Both read what the disputes counted before either writes (held at a barrier, which
    the committee's lock keeps the second from reaching): without the lock both would add
    the same change, and the month would count each dispute twice."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    services.figures_refresh()
    month = ReportPeriod.month_of(clock.today())
    before = selectors.tally(world.prefecture, month)["received"]
    earlier = clock.today() - dt.timedelta(days=40)
    for dispute in cases:
        Dispute.objects.filter(pk=dispute.pk).update(received_on=earlier)
        FiguresBacklog.objects.create(dispute=dispute, seq=dispute.events_seq)
    gate = threading.Barrier(2, timeout=3)
    real = month_figures.counted
    calls = threading.local()

    def held(ids):
        found = real(ids)
        if not getattr(calls, "once", False):   # "before", not "after"
            calls.once = True
            with contextlib.suppress(threading.BrokenBarrierError):
                gate.wait()
        return found
    monkeypatch.setattr(month_figures, "counted", held)

    def refresh(_: int) -> None:
        try:
            services.figures_refresh()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(refresh, range(2)))
    assert selectors.tally(world.prefecture, month)["received"] == before - 2
    assert selectors.tally(world.prefecture, ReportPeriod.month_of(earlier))["received"] == 2
    _agree(world.prefecture, month)


def test_the_dashboard_asks_the_year_for_its_counties_not_its_funnel(demo):
    """The dashboard shows the year by county only; the year's reach funnel read a
    quarter of a second of accepted disputes at 1,000,000 for nothing (bench-scale)."""
    year = ReportPeriod(clock.today().year, figures.PeriodKind.YEAR)
    full = selectors.statistics(demo, year)
    bare = selectors.statistics(demo, year, funnel=False)
    assert full.funnel[0] > 0
    assert set(bare.funnel) == {0}
    assert bare.funnel_by == {"channel": [], "institution": []}
    assert bare.totals == full.totals
    assert bare.breakdowns == full.breakdowns
    board = selectors.dashboard(demo, clock.today())
    assert list(board.counties) == list(full.breakdowns["child"])
