"""A party's name found on an index by its start (a surname, a two-character name) and by
any fragment of three characters or more (pg_trgm), on PostgreSQL (issue 19 §1); SQLite
searches without them. The extension pg_trgm is trusted (PostgreSQL 13+): the database's
owner may create it; where the platform's role may not, a DBA runs
``CREATE EXTENSION pg_trgm`` once before migrating (README, "Province scale")."""

from typing import Any

from django.db import migrations

INDEXES = {
    "party_name_prefix": "parties_party (name varchar_pattern_ops)",
    "party_name_trgm": "parties_party USING gin (name gin_trgm_ops)",
}


def _create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def _drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("parties", "0003_particulars"),
    ]

    operations = [migrations.RunPython(_create, _drop, elidable=False)]
