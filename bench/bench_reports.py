"""Report benchmark: the prefecture's monthly report over the synthetic disputes that
``jintiao bench seed --cases N`` adds, against one hand-written SQL aggregate of the same
figures over the same rows.

Run on PostgreSQL (``DATABASE_URL``) after seeding, e.g.::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench jintiao manage migrate
    DATABASE_URL=... jintiao bench seed --cases 1000000
    DATABASE_URL=... python bench/bench_reports.py [--period 2026-11]

Figures are printed, never asserted. The raw query and the ORM's must agree; the script
says so before it times anything.
"""

from __future__ import annotations

import argparse
import os
import statistics as stats
import time
from collections.abc import Callable
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jintiao.config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from jintiao import clock  # noqa: E402
from jintiao.demo.scale import PREFECTURE  # noqa: E402
from jintiao.domain.figures import ReportPeriod  # noqa: E402
from jintiao.domain.money import to_fen  # noqa: E402
from jintiao.orgs.models import Organization  # noqa: E402
from jintiao.supervision import reports, selectors  # noqa: E402
from jintiao.supervision.models import DisputeFigures  # noqa: E402

# The headline figures, written by hand: one pass, FILTER per figure, over the rows with a
# date in the month under the prefecture — what a careful analyst would type.
RAW = """
SELECT
  count(*) FILTER (WHERE received_on BETWEEN %(s)s AND %(e)s),
  count(*) FILTER (WHERE accepted_on BETWEEN %(s)s AND %(e)s),
  count(*) FILTER (WHERE declined_on BETWEEN %(s)s AND %(e)s),
  count(*) FILTER (WHERE concluded_on BETWEEN %(s)s AND %(e)s),
  count(*) FILTER (WHERE concluded_on BETWEEN %(s)s AND %(e)s AND outcome = 'settled'),
  count(*) FILTER (WHERE concluded_on BETWEEN %(s)s AND %(e)s
                   AND outcome IN ('failed', 'unreachable')),
  count(*) FILTER (WHERE concluded_on BETWEEN %(s)s AND %(e)s AND outcome = 'unreachable'),
  count(*) FILTER (WHERE concluded_on BETWEEN %(s)s AND %(e)s AND outcome = 'withdrawn'),
  count(*) FILTER (WHERE concluded_on BETWEEN %(s)s AND %(e)s AND within_deadline),
  count(*) FILTER (WHERE concluded_on BETWEEN %(s)s AND %(e)s AND deadline IS NOT NULL),
  coalesce(sum(claim_fen) FILTER (WHERE accepted_on BETWEEN %(s)s AND %(e)s), 0),
  coalesce(sum(claim_fen) FILTER (WHERE concluded_on BETWEEN %(s)s AND %(e)s
                                  AND outcome = 'settled'), 0),
  coalesce(sum(agreed_fen) FILTER (WHERE concluded_on BETWEEN %(s)s AND %(e)s
                                   AND outcome = 'settled'), 0),
  count(*) FILTER (WHERE concluded_on BETWEEN %(s)s AND %(e)s AND outcome = 'settled'
                   AND confirmed_on IS NOT NULL),
  count(*) FILTER (WHERE confirmed_on BETWEEN %(s)s AND %(e)s),
  coalesce(sum(claim_fen) FILTER (WHERE confirmed_on BETWEEN %(s)s AND %(e)s), 0),
  count(*) FILTER (WHERE performed_on BETWEEN %(s)s AND %(e)s),
  count(*) FILTER (WHERE defaulted_on BETWEEN %(s)s AND %(e)s),
  count(*) FILTER (WHERE enforcement_on BETWEEN %(s)s AND %(e)s),
  coalesce(sum(saved_fen) FILTER (WHERE concluded_on BETWEEN %(s)s AND %(e)s
                                  AND outcome = 'settled'), 0),
  count(*) FILTER (WHERE concluded_on BETWEEN %(s)s AND %(e)s AND outcome = 'settled'
                   AND distressed),
  coalesce(sum(claim_fen) FILTER (WHERE concluded_on BETWEEN %(s)s AND %(e)s
                                  AND outcome = 'settled' AND distressed), 0),
  count(*) FILTER (WHERE credit_repaired_on BETWEEN %(s)s AND %(e)s)
FROM supervision_disputefigures
WHERE node_path LIKE %(path)s
  AND (received_on BETWEEN %(s)s AND %(e)s OR accepted_on BETWEEN %(s)s AND %(e)s
       OR declined_on BETWEEN %(s)s AND %(e)s OR concluded_on BETWEEN %(s)s AND %(e)s
       OR confirmed_on BETWEEN %(s)s AND %(e)s OR performed_on BETWEEN %(s)s AND %(e)s
       OR defaulted_on BETWEEN %(s)s AND %(e)s OR enforcement_on BETWEEN %(s)s AND %(e)s
       OR credit_repaired_on BETWEEN %(s)s AND %(e)s)
"""


def best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best and median seconds of ``repeat`` calls after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times), stats.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--period", help="统计期间，默认上一个完整月份")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("run on PostgreSQL: set DATABASE_URL")
    node = Organization.objects.get(name=PREFECTURE, parent=None)
    period = (ReportPeriod.parse(args.period) if args.period
              else ReportPeriod.month_of(clock.today()).previous)
    params = {"s": period.start, "e": period.end, "path": node.path + "%"}

    def raw() -> tuple[int, ...]:
        with connection.cursor() as cursor:
            cursor.execute(RAW, params)
            return tuple(cursor.fetchone())

    orm = selectors.tally(node, period)
    keys = [m.key for m in selectors.MEASURES]
    expected = tuple(to_fen(Decimal(orm[k])) if m.amount else orm[k]
                     for k, m in zip(keys, selectors.MEASURES, strict=True))
    assert raw() == expected, (raw(), expected)

    rows = DisputeFigures.objects.filter(node_path__startswith=node.path).count()
    in_period = DisputeFigures.objects.filter(node_path__startswith=node.path).filter(
        selectors.touching(period.start, period.end)).count()
    print(f"disputes under {node.name}: {rows:,}; with a date in {period}: {in_period:,}")
    made = reports.report_build(node, period)
    cases = [
        ("raw SQL: the headline figures, one aggregate", raw),
        ("ORM: the same figures (selectors.tally)", lambda: selectors.tally(node, period)),
        ("statistics: totals, working days, funnel, 8 breakdowns",
         lambda: selectors.statistics(node, period)),
        ("monthly report: statistics + previous + year ago + 13-month trend",
         lambda: reports.report_build(node, period)),
        ("its three charts (SVG)", lambda: (made.chart_trend(), made.chart_counties(),
                                            made.chart_funnel())),
    ]
    results = {}
    for label, fn in cases:
        low, mid = best(fn, args.repeat)
        results[label] = low
        print(f"{label:70s} best {low * 1e3:8.1f} ms   median {mid * 1e3:8.1f} ms")
    baseline = results[cases[0][0]]
    print(f"ratio ORM figures / raw SQL:        {results[cases[1][0]] / baseline:5.2f}×")
    print(f"ratio monthly report / raw SQL:     {results[cases[3][0]] / baseline:5.2f}×")
    total = results[cases[3][0]] + results[cases[4][0]]
    print(f"monthly report with charts:         {total * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()
