"""Searching text by part of it on an index (issue 19 §1).

PostgreSQL answers ``ILIKE '%…%'`` from a ``gin_trgm_ops`` index (the extension pg_trgm,
made by the migrations that add those indexes); Django's own ``icontains`` compares
``UPPER(column)`` instead, which no index on the column serves. The lookup ``ilike``
asks for ILIKE on PostgreSQL and falls back to LIKE elsewhere (SQLite's LIKE already
ignores the case of ASCII letters, and Chinese has none).

A trigram needs three characters: a shorter fragment finds nothing on the index, so the
callers search one or two characters only where a prefix or an exact value will do
(:data:`TRIGRAM`).

Like :mod:`jintiao.clock` it sits below the apps: any of them may use it.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Lookup, TextField
from django.db.models.sql.compiler import SQLCompiler

TRIGRAM = 3  # the fewest characters a trigram index can find a fragment by


class ILikeContains(Lookup):
    """``field__ilike=fragment``: the field contains ``fragment``, any case, as written
    (``%`` and ``_`` in it are matched as themselves)."""

    lookup_name = "ilike"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        return "%s", [f"%{connection.ops.prep_for_like_query(value)}%"]

    def _sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper,
             operator: str) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} {operator} {rhs} ESCAPE '\\'", (*lhs_params, *rhs_params)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return self._sql(compiler, connection, "LIKE")

    def as_postgresql(self, compiler: SQLCompiler,
                      connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        return self._sql(compiler, connection, "ILIKE")


CharField.register_lookup(ILikeContains)
TextField.register_lookup(ILikeContains)


def postgres_indexes(indexes: dict[str, str]) -> migrations.RunPython:
    """A migration's operation that makes ``indexes`` (name → ``table USING … (…)``) on
    PostgreSQL with the extension pg_trgm, and drops them when unapplied; nothing on SQLite,
    which searches without them. The migrations that add search indexes share it."""

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, target in indexes.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)
