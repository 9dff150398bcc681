"""Supervision's figures read from a replica of the database, when one is configured
(``JINTIAO_REPLICA_URL``, issue 19 §2): a province's reports and dashboards then cost the
primary nothing but the writes that keep the figures current.

Only what a function wrapped in :func:`replica_reads` reads goes there, and only outside
a transaction: inside one, the caller may have just written what it reads, and a replica
would not have it yet. Everything else — every write, every other read — stays on the
primary. A replica lags by the time its primary's changes take to arrive (seconds): a
report read from it may not yet show the last few seconds' work.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

ALIAS = "replica"
_reading: ContextVar[bool] = ContextVar("jintiao_replica_reads", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def configured() -> str | None:
    """The replica's alias when one is configured, else None."""
    alias: str | None = getattr(settings, "REPLICA_DATABASE", None)
    return alias if alias and alias in settings.DATABASES else None


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads made inside go to the replica, if there is one and no transaction is open."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def on_replica(function: Callable[P, R]) -> Callable[P, R]:
    """The function's reads are made on the replica (:func:`replica_reads`). Its result
    must be read in full inside it: a lazy query set left to the caller would be read on
    the primary, when the caller evaluates it."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_reads():
            return function(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """Django's database router: reads inside :func:`replica_reads` to the replica, the
    rest to the primary (None: Django's default)."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = configured()
        if alias and _reading.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return alias
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # the replica is a copy of the primary: an object read from either is the same row
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {DEFAULT_DB_ALIAS, ALIAS} else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # the replica follows its primary's schema; migrating it would be refused anyway
        return False if db == ALIAS else None
