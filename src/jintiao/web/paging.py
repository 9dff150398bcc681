"""Pages of a long list whose count stays cheap: exact up to ``cap`` rows, beyond that the
database's own estimate, said to be one, and pages only as deep as ``cap`` rows. Counting
every one of 100,000 visible disputes cost a supervisor's list more than reading its page
(bench/bench_load.py); nobody reads page 2,000 of a list — they narrow it with a filter."""

from __future__ import annotations

import json
import math
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

CAP = 2000


def estimate(rows: QuerySet[Any]) -> int | None:
    """The planner's estimate of how many rows the query yields (PostgreSQL; else None)."""
    connection = connections[rows.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = rows.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class CappedPaginator(Paginator[Any]):
    """A paginator over a queryset that counts at most ``cap`` + 1 rows.

    ``estimated`` is true when there are more: ``count`` is then the planner's estimate
    (at least ``cap`` + 1) and the pages end after ``cap`` rows."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap or CAP
        self.estimated = False
        self.approximate: int | None = None  # the planner's figure, when it gave one

    @cached_property
    def count(self) -> int:
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        found = rows.order_by()[:self.cap + 1].count()
        if found <= self.cap:
            return found
        self.estimated = True
        guess = estimate(rows)
        self.approximate = max(guess, self.cap + 1) if guess is not None else None
        return self.approximate or self.cap + 1

    @cached_property
    def num_pages(self) -> int:
        counted = self.count  # first: counting is what finds whether it is an estimate
        if self.estimated:
            counted = min(counted, self.cap)
        if counted == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(counted / self.per_page))
