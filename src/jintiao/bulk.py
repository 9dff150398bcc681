"""Writing many rows in few statements (a bank's file of 10,000 payments and their events),
without Python's cycle collector walking them again and again.

Like :mod:`jintiao.clock` it sits below the apps: any of them may use it.
"""

from __future__ import annotations

import gc
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

ROWS = 2000  # rows a statement: a few statements a file, each quick for SQLite to prepare

_M = TypeVar("_M", bound=Model)
_UNSET = object()
_pausing = 0  # the callers inside collector_paused, in every thread
_resume = False  # whether the collector ran before the first of them
_lock = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Inside, Python's cycle collector does not run (reference counting still frees what
    each line leaves). A file's rows, events and answers are long-lived containers by the
    ten thousand, and each full collection they set off walks every object of the process:
    half of a 10,000-line file's time. It runs again, as before, once the last caller
    leaves (calls may nest, and come from several threads)."""
    global _pausing, _resume
    with _lock:
        if _pausing == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pausing += 1
    try:
        yield
    finally:
        with _lock:
            _pausing -= 1
            if _pausing == 0 and _resume:
                gc.enable()


def bulk_insert(model: type[_M], rows: Sequence[_M], **options: Any) -> list[_M]:
    """``model``'s ``bulk_create`` of ``rows`` (``options`` as it takes them), a statement
    of :data:`ROWS` rows on SQLite as on PostgreSQL, so a file's statements are the same
    few whatever its lines up to that."""
    with _sqlite_variables():
        return model._default_manager.bulk_create(rows, batch_size=ROWS, **options)


@contextmanager
def _sqlite_variables() -> Iterator[None]:
    """Inside, Django lets a statement on SQLite hold as many variables as the library
    does: Django 5.2 assumes SQLite's old compile-time default of 999 (83 payments a
    statement, 120 statements for a file's 10,000), where the library says 32,766 or more
    (Django 6.0 reads it too). Nothing changes on PostgreSQL."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    features = connection.features
    before = vars(features).get("max_query_params", _UNSET)
    features.max_query_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    try:
        yield
    finally:
        if before is _UNSET:
            del features.max_query_params
        else:
            features.max_query_params = before
