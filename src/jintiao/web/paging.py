"""Pages of a long list whose count stays cheap: exact up to ``cap`` rows, beyond that the
database's own estimate, said to be one, and pages only as deep as ``cap`` rows. Counting
every one of 100,000 visible disputes cost a supervisor's list more than reading its page
(bench/bench_load.py); nobody reads page 2,000 of a list — they narrow it with a filter."""

from __future__ import annotations

import math
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from jintiao import paging


class CappedPaginator(Paginator[Any]):
    """A paginator over a queryset that counts at most ``cap`` + 1 rows.

    ``estimated`` is true when there are more: ``count`` is then the planner's estimate
    (at least ``cap`` + 1) and the pages end after ``cap`` rows."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap or paging.CAP
        self.estimated = False
        self.approximate: int | None = None  # the planner's figure, when it gave one

    @cached_property
    def count(self) -> int:
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        counted = paging.capped_count(rows, self.cap)
        self.estimated, self.approximate = counted.estimated, counted.approximate
        return counted.count

    @cached_property
    def num_pages(self) -> int:
        counted = self.count  # first: counting is what finds whether it is an estimate
        if self.estimated:
            counted = min(counted, self.cap)
        if counted == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(counted / self.per_page))

    @property
    def approximate_shown(self) -> str:
        """The estimate grouped as 103,430 (the Chinese locale's number format groups
        nothing); empty without one."""
        return f"{self.approximate:,}" if self.approximate else ""

    @property
    def cap_shown(self) -> str:
        return f"{self.cap:,}"
