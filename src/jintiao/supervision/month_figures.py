"""Keeping the per-month figures (``MonthFigures``, ``MonthWorkingDays``) equal to what the
disputes' figures rows say, one cell — a committee's month — at a time (issue 19 §2).

A cell is recomputed from the figures rows with the measures' own aggregates
(:func:`jintiao.supervision.selectors.statistics.measure_aggregates`), never adjusted by
increments, so a month's row can only say what the disputes say: the rule lives once, and
a cell recomputed twice is the same. :func:`jintiao.supervision.services.figures_refresh`
recomputes the cells of every dispute it rebuilds, before and after the rebuild (a dispute
whose conclusion moved from October to November leaves both months).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Min, QuerySet

from jintiao.orgs.models import Organization
from jintiao.supervision.models import DisputeFigures, MonthFigures, MonthWorkingDays
from jintiao.supervision.selectors.statistics import (
    BY_KEY,
    DIMENSION_COLUMN,
    GRAIN,
    MEASURES,
    WHEN_FIELDS,
    dimension_value,
    measure_aggregates,
    touching,
)

Cell = tuple[int, dt.date]  # a committee's id and the first day of a month
WRITE_BATCH = 2000


def first_day(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_day(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def cells_of(dispute_ids: Iterable[int]) -> set[Cell]:
    """The cells the disputes' figures rows count in now: each month one of their dates
    (:data:`WHEN_FIELDS`) falls in, at their committee."""
    found: set[Cell] = set()
    for committee_id, *dates in (DisputeFigures.objects.filter(pk__in=list(dispute_ids))
                                 .values_list("committee_id", *WHEN_FIELDS)):
        found.update((committee_id, first_day(d)) for d in dates if d is not None)
    return found


def months_recompute(cells: set[Cell]) -> int:
    """Recompute each cell from the figures rows; return how many rows were written.

    Runs in the caller's transaction, after the figures rows changed. The cells'
    committees are locked first (``FOR NO KEY UPDATE``: intake's foreign keys to them
    still pass), so two refreshes never recompute one cell from two snapshots."""
    if not cells:
        return 0
    committees = sorted({c for c, _m in cells})
    list(Organization.objects.select_for_update(no_key=True).filter(pk__in=committees)
         .order_by("pk").values_list("pk", flat=True))
    by_month: dict[dt.date, set[int]] = defaultdict(set)
    for committee_id, month in cells:
        by_month[month].add(committee_id)
    written = 0
    for month, ids in sorted(by_month.items()):
        MonthFigures.objects.filter(month=month, committee_id__in=ids).delete()
        MonthWorkingDays.objects.filter(month=month, committee_id__in=ids).delete()
        written += _month_write(month, DisputeFigures.objects.filter(committee_id__in=ids))
    return written


@transaction.atomic
def months_rebuild_all(figures_model: Any = DisputeFigures, month_model: Any = MonthFigures,
                       days_model: Any = MonthWorkingDays) -> int:
    """Recompute every month from the figures rows (after the seeder wrote figures rows
    itself, or a migration added the tables); return how many rows were written. The
    models are parameters so the migration that made the tables can fill them."""
    month_model.objects.all().delete()
    days_model.objects.all().delete()
    bounds = figures_model.objects.aggregate(
        **{f"first_{f}": Min(f) for f in WHEN_FIELDS}, **{f"last_{f}": Max(f) for f in WHEN_FIELDS})
    firsts = [v for k, v in bounds.items() if k.startswith("first_") and v is not None]
    lasts = [v for k, v in bounds.items() if k.startswith("last_") and v is not None]
    if not firsts:
        return 0
    month, last = first_day(min(firsts)), first_day(max(lasts))
    written = 0
    while month <= last:
        written += _month_write(month, figures_model.objects.all(), month_model, days_model)
        month = last_day(month) + dt.timedelta(days=1)
    return written


def _month_write(month: dt.date, source: QuerySet[Any], month_model: Any = MonthFigures,
                 days_model: Any = MonthWorkingDays) -> int:
    """Write the month's rows of the committees ``source`` holds (their old rows are gone):
    one grouped query at the finest grain, summed here into each dimension's rows, and one
    for the working days."""
    start, end = month, last_day(month)
    keys = [f"n_{m.key}" for m in MEASURES]
    sums: dict[tuple[Any, ...], list[int]] = {}
    for r in (source.filter(touching(start, end)).values(*GRAIN, "node_path").order_by()
              .annotate(**measure_aggregates(start, end))):
        vector = [int(r[k]) for k in keys]
        if not any(vector):
            continue
        for dimension, column in DIMENSION_COLUMN.items():
            cell = (r["committee_id"], r["node_path"], dimension, dimension_value(r[column]))
            found = sums.setdefault(cell, [0] * len(keys))
            for i, v in enumerate(vector):
                found[i] += v
    rows = [month_model(month=month, committee_id=committee_id, node_path=path,
                        dimension=dimension, value=value, **dict(zip(keys, vector, strict=True)))
            for (committee_id, path, dimension, value), vector in sums.items()]
    days = (source.filter(BY_KEY["concluded"].condition(start, end), working_days__isnull=False)
            .values("committee_id", "node_path", "working_days").order_by()
            .annotate(n=Count("pk")))
    spread = [days_model(month=month, committee_id=r["committee_id"], node_path=r["node_path"],
                         working_days=r["working_days"], disputes=r["n"]) for r in days]
    month_model.objects.bulk_create(rows, batch_size=WRITE_BATCH)
    days_model.objects.bulk_create(spread, batch_size=WRITE_BATCH)
    return len(rows) + len(spread)
