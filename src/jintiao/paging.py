"""Reading a long list at the cost of the page, not of the table (issue 19 §1).

Two tools every list shares, the workbench's and the API's:

- a **capped count**: exact up to :data:`CAP` rows, beyond that PostgreSQL's own estimate,
  said to be one (counting every one of a million visible disputes cost more than reading
  the page; nobody reads page 2,000 — they narrow the list with a filter);
- a **keyset cursor**: the next page starts after the last row's sort key and id, so page
  5,000 costs what page 1 does, where an offset reads and throws away every row before it.

Like :mod:`jintiao.clock` it sits below the apps: any of them may use it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections
from django.db.models import Model, Q, QuerySet

from jintiao.domain.errors import DomainError, ErrorCode

CAP = 2000

M = TypeVar("M", bound=Model)


def estimate(rows: QuerySet[Any]) -> int | None:
    """The planner's estimate of how many rows the query yields (PostgreSQL; else None)."""
    connection = connections[rows.db]
    if connection.vendor != "postgresql":
        return None
    try:
        sql, params = rows.order_by().query.sql_with_params()
    except EmptyResultSet:  # a condition no row can meet (an empty list of nodes)
        return 0
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


@dataclass(frozen=True)
class Counted:
    """How many rows a list holds: ``count`` is exact unless ``estimated``; then it is the
    planner's figure (``approximate``, at least ``cap`` + 1) or, where the database gives
    none (SQLite), ``cap`` + 1 — "more than ``cap``"."""

    count: int
    estimated: bool
    approximate: int | None
    cap: int


def capped_count(rows: QuerySet[Any], cap: int | None = None) -> Counted:
    """Count at most ``cap`` + 1 rows of ``rows``; estimate beyond that."""
    cap = cap or CAP
    found = rows.order_by()[:cap + 1].count()
    if found <= cap:
        return Counted(found, False, None, cap)
    guess = estimate(rows)
    approximate = max(guess, cap + 1) if guess is not None else None
    return Counted(approximate or cap + 1, True, approximate, cap)


class CursorInvalid(DomainError):
    code = ErrorCode.CURSOR_INVALID


class PageTooDeep(DomainError):
    code = ErrorCode.PAGE_TOO_DEEP


@dataclass(frozen=True)
class Keyset:
    """An order a list is paged through by cursor: ``field`` one way, ties by primary key
    the same way; an index on (field, id) serves it both ways. ``field`` must not be null
    (a missing value has no place to resume from)."""

    field: str
    descending: bool

    def order(self, rows: QuerySet[M]) -> QuerySet[M]:
        sign = "-" if self.descending else ""
        return rows.order_by(f"{sign}{self.field}", f"{sign}pk")

    def after(self, rows: QuerySet[M], cursor: str | None) -> QuerySet[M]:
        """``rows`` (ordered by :meth:`order`) from the row after the cursor's on."""
        if not cursor:
            return rows
        return self.beyond(rows, *self._decode(rows, cursor))

    def beyond(self, rows: QuerySet[M], value: Any, pk: int) -> QuerySet[M]:
        """``rows`` (ordered by :meth:`order`) from the one after the row whose key is
        ``value`` and ``pk`` on."""
        # (field ≤ v) and (field < v or pk < p): the first part bounds the index scan, where
        # the OR alone would make PostgreSQL filter the whole index
        near, far = ("lte", "lt") if self.descending else ("gte", "gt")
        return rows.filter(**{f"{self.field}__{near}": value}).filter(
            Q(**{f"{self.field}__{far}": value}) | Q(**{f"pk__{far}": pk}))

    def cursor_of(self, row: Model | Mapping[str, Any]) -> str:
        """The cursor that resumes after ``row`` (a model, or a ``values()`` row with
        ``pk``)."""
        if isinstance(row, Mapping):
            value, pk = row[self.field], row["pk"]
        else:
            value, pk = getattr(row, self.field), row.pk
        if isinstance(value, dt.date | Decimal):
            value = str(value)
        body = json.dumps([self.field, value, pk], ensure_ascii=False, separators=(",", ":"))
        return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")

    def _decode(self, rows: QuerySet[Any], cursor: str) -> tuple[Any, int]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            field, value, pk = json.loads(raw.decode())
            if field != self.field or not isinstance(pk, int) or isinstance(pk, bool):
                raise ValueError(field)
            value = rows.model._meta.get_field(self.field).to_python(value)
        except (ValueError, TypeError, ValidationError, binascii.Error) as exc:
            raise CursorInvalid("翻页位置（cursor）无效，请从第一页重新读取",
                                "invalid cursor; start again from the first page",
                                field="cursor") from exc
        return value, pk


def keyset_page(rows: QuerySet[Any], keyset: Keyset, cursor: str | None,
                limit: int, offset: int = 0) -> tuple[list[Any], str | None]:
    """One page of ``rows`` in ``keyset``'s order after ``cursor`` (or ``offset`` rows
    in, bounded by the caller), and the cursor of the next page (None when this one is the
    last)."""
    found = list(keyset.after(keyset.order(rows), cursor)[offset:offset + limit + 1])
    more = len(found) > limit
    found = found[:limit]
    return found, keyset.cursor_of(found[-1]) if more else None
