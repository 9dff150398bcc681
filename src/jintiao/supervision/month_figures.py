"""Keeping the per-month figures (``MonthFigures``, ``MonthWorkingDays``) equal to what the
disputes' figures rows say (issue 19 §2).

What a set of disputes counts in a month is read from their figures rows with the
measures' own aggregates (:func:`jintiao.supervision.selectors.statistics.
measure_aggregates`) — the rule lives once. :func:`jintiao.supervision.services.
figures_refresh` takes what the disputes it rebuilds counted before and what they count
after, and adds the difference to the months: a few hundred rows read, however many
disputes the months hold (recomputing each month touched from all its disputes cost 25 ms
a month at 100,000 disputes, a second for ten disputes changed). A difference that would
leave a month below zero cannot come from consistent months: that month is recomputed from
all its disputes instead, and :func:`months_rebuild_all` recomputes every month.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet

from jintiao.disputes.models import Dispute
from jintiao.domain.figures import ReportPeriod
from jintiao.orgs.models import Organization
from jintiao.supervision.models import DisputeFigures, MonthFigures, MonthWorkingDays
from jintiao.supervision.selectors.statistics import (
    BY_KEY,
    DIMENSION_COLUMN,
    GRAIN,
    MEASURE_FIELDS,
    MEASURES,
    WHEN_FIELDS,
    dimension_value,
    measure_aggregates,
    measure_flags,
    touching,
)

WRITE_BATCH = 2000
ADD_BATCH = 300  # rows a statement: 300 × 28 values, well inside SQLite's limit
# (month, committee id, node path, dimension, value) and (month, committee id, node path,
# working days): one stored row each
FiguresKey = tuple[dt.date, int, str, str, str]
DaysKey = tuple[dt.date, int, str, int]


@dataclass
class Counted:
    """What some disputes count in some months: a vector of the measures per row key,
    and disputes per working-days key."""

    figures: dict[FiguresKey, list[int]] = field(default_factory=dict)
    days: dict[DaysKey, int] = field(default_factory=dict)

    def minus(self, other: Counted) -> Counted:
        width = len(MEASURE_FIELDS)
        out = Counted()
        for key in self.figures.keys() | other.figures.keys():
            mine, theirs = self.figures.get(key, [0] * width), other.figures.get(key, [0] * width)
            vector = [a - b for a, b in zip(mine, theirs, strict=True)]
            if any(vector):
                out.figures[key] = vector
        for day in self.days.keys() | other.days.keys():
            n = self.days.get(day, 0) - other.days.get(day, 0)
            if n:
                out.days[day] = n
        return out

    @property
    def cells(self) -> set[tuple[int, dt.date]]:
        return ({(k[1], k[0]) for k in self.figures} | {(k[1], k[0]) for k in self.days})


def first_day(day: dt.date) -> dt.date:
    return day.replace(day=1)


def lock_committees(dispute_ids: Iterable[int]) -> None:
    """Lock the committees of the disputes (and of their figures rows, should one have
    moved) in one order, ``FOR NO KEY UPDATE`` — intake's foreign keys to them still pass:
    two refreshes then never add one dispute's difference twice, or to a stale month."""
    ids = list(dispute_ids)
    committees = (set(Dispute.objects.filter(pk__in=ids).values_list("committee_id", flat=True))
                  | set(DisputeFigures.objects.filter(pk__in=ids)
                        .values_list("committee_id", flat=True)))
    list(Organization.objects.select_for_update(no_key=True).filter(pk__in=committees)
         .order_by("pk").values_list("pk", flat=True))


def counted(dispute_ids: Iterable[int]) -> Counted:
    """What the disputes' figures rows count now, in whichever months, read in one query:
    each row with its dates and, per measure, whether it meets the measure's condition
    (:func:`jintiao.supervision.selectors.statistics.measure_flags`, the same ``Q``), put
    in the month of the measure's date here. A few rows, so no grouped query a month
    (74 of them, a second's compiling, for 100 disputes); the months rebuilt from all
    their disputes are counted in SQL (:func:`_count_month`) and both agree
    (tests/supervision/test_month_figures.py)."""
    found = Counted()
    width = len(MEASURES)
    amounts = sorted({m.amount for m in MEASURES if m.amount})
    concluded = BY_KEY["concluded"]
    for r in (DisputeFigures.objects.filter(pk__in=list(dispute_ids))
              .values(*GRAIN, "node_path", *WHEN_FIELDS, *amounts, "working_days")
              .annotate(**measure_flags())):
        months: dict[dt.date, list[int]] = {}
        for i, m in enumerate(MEASURES):
            day = r[m.when]
            if day is None or not r.get(f"w_{m.key}", True):
                continue
            months.setdefault(first_day(day), [0] * width)[i] += r[m.amount] if m.amount else 1
        for month, vector in months.items():
            for dimension, column in DIMENSION_COLUMN.items():
                key = (month, r["committee_id"], r["node_path"], str(dimension),
                       dimension_value(r[column]))
                into = found.figures.setdefault(key, [0] * width)
                for i, v in enumerate(vector):
                    into[i] += v
        day = r[concluded.when]
        if day is not None and r["working_days"] is not None and r.get(
                f"w_{concluded.key}", True):
            days: DaysKey = (first_day(day), r["committee_id"], r["node_path"],
                             r["working_days"])
            found.days[days] = found.days.get(days, 0) + 1
    return found


def months_apply(change: Counted) -> None:
    """Add ``change`` to the stored months (in the caller's transaction, its committees
    locked by :func:`lock_committees`): each row added to in the database, or inserted;
    a row left all zero is dropped. A month the change would take below zero cannot come
    from consistent months: it is recomputed from all its disputes instead."""
    if not change.figures and not change.days:
        return
    _add(MonthFigures, ("month", "committee", "node_path", "dimension", "value"),
         MEASURE_FIELDS, [(*key, *vector) for key, vector in change.figures.items()])
    _add(MonthWorkingDays, ("month", "committee", "node_path", "working_days"),
         ("disputes",), [(*key, n) for key, n in change.days.items()])
    cells = change.cells  # a superset of them, cheaper to name than each pair
    where = Q(committee_id__in={c for c, _m in cells}, month__in={m for _c, m in cells})
    below = reduce(operator.or_, (Q(**{f"{f}__lt": 0}) for f in MEASURE_FIELDS))
    broken = (set(MonthFigures.objects.filter(where).filter(below)
                  .values_list("committee_id", "month"))
              | set(MonthWorkingDays.objects.filter(where, disputes__lt=0)
                    .values_list("committee_id", "month")))
    MonthFigures.objects.filter(where, **dict.fromkeys(MEASURE_FIELDS, 0)).delete()
    MonthWorkingDays.objects.filter(where, disputes=0).delete()
    months_recompute(broken)


def _add(model: Any, keys: tuple[str, ...], values: tuple[str, ...],
         rows: list[tuple[Any, ...]]) -> None:
    """Add each row's values to the stored row with its keys, or insert it: one
    ``INSERT … ON CONFLICT … DO UPDATE SET v = v + excluded.v`` (PostgreSQL and SQLite
    alike) on the model's unique constraint, instead of reading the rows to write them."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    key_columns = [model._meta.get_field(k).column for k in keys]
    value_columns = [model._meta.get_field(v).column for v in values]
    columns = ", ".join(qn(c) for c in (*key_columns, *value_columns))
    marks = ", ".join(["%s"] * (len(keys) + len(values)))
    add = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in value_columns)
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 - the model's own names
    tail = (f" ON CONFLICT ({', '.join(qn(c) for c in key_columns)}) DO UPDATE SET {add}")
    month = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        for i in range(0, len(rows), ADD_BATCH):  # a statement of many rows, not one each
            part = rows[i:i + ADD_BATCH]
            cursor.execute(head + ", ".join([f"({marks})"] * len(part)) + tail,
                           [v for r in part for v in (month(r[0]), *r[1:])])


def months_recompute(cells: set[tuple[int, dt.date]]) -> int:
    """Recompute each committee's month from all its disputes' figures rows; return how
    many rows were written (in the caller's transaction, the committees locked)."""
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
    itself, a migration added the tables, or the definitions changed); return how many
    rows were written. The models are parameters so the migration that made the tables
    can fill them."""
    month_model.objects.all().delete()
    days_model.objects.all().delete()
    bounds = figures_model.objects.aggregate(
        **{f"first_{f}": Min(f) for f in WHEN_FIELDS}, **{f"last_{f}": Max(f) for f in WHEN_FIELDS})
    firsts = [v for k, v in bounds.items() if k.startswith("first_") and v is not None]
    lasts = [v for k, v in bounds.items() if k.startswith("last_") and v is not None]
    if not firsts:
        return 0
    month, last = ReportPeriod.month_of(min(firsts)), ReportPeriod.month_of(max(lasts))
    written = 0
    while month.start <= last.start:
        written += _month_write(month.start, figures_model.objects.all(), month_model,
                                days_model)
        month = month.following
    return written


def _count_month(month: dt.date, source: QuerySet[Any], into: Counted) -> None:
    """Add what ``source``'s rows count in the month to ``into``: one grouped query at
    the finest grain, summed here into each dimension's rows, and one for the working
    days."""
    start, end = month, ReportPeriod.month_of(month).end
    for r in (source.filter(touching(start, end)).values(*GRAIN, "node_path").order_by()
              .annotate(**measure_aggregates(start, end))):
        vector = [int(r[k]) for k in MEASURE_FIELDS]
        if not any(vector):
            continue
        for dimension, column in DIMENSION_COLUMN.items():
            key = (month, r["committee_id"], r["node_path"], str(dimension),
                   dimension_value(r[column]))
            found = into.figures.setdefault(key, [0] * len(vector))
            for i, v in enumerate(vector):
                found[i] += v
    for r in (source.filter(BY_KEY["concluded"].condition(start, end),
                            working_days__isnull=False)
              .values("committee_id", "node_path", "working_days").order_by()
              .annotate(n=Count("pk"))):
        days: DaysKey = (month, r["committee_id"], r["node_path"], r["working_days"])
        into.days[days] = into.days.get(days, 0) + r["n"]


def _month_write(month: dt.date, source: QuerySet[Any], month_model: Any = MonthFigures,
                 days_model: Any = MonthWorkingDays) -> int:
    """Write the month's rows of the committees ``source`` holds (their old rows are
    gone)."""
    found = Counted()
    _count_month(month, source, found)
    rows = [month_model(month=m, committee_id=c, node_path=p, dimension=d, value=v,
                        **dict(zip(MEASURE_FIELDS, vector, strict=True)))
            for (m, c, p, d, v), vector in found.figures.items()]
    spread = [days_model(month=m, committee_id=c, node_path=p, working_days=w, disputes=n)
              for (m, c, p, w), n in found.days.items()]
    month_model.objects.bulk_create(rows, batch_size=WRITE_BATCH)
    days_model.objects.bulk_create(spread, batch_size=WRITE_BATCH)
    return len(rows) + len(spread)
