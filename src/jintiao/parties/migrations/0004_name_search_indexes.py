"""A party's name found on an index by its start (a surname, a two-character name) and by
any fragment of three characters or more (pg_trgm), on PostgreSQL (issue 19 §1); SQLite
searches without them. The extension pg_trgm is trusted (PostgreSQL 13+): the database's
owner may create it; where the platform's role may not, a DBA runs
``CREATE EXTENSION pg_trgm`` once before migrating (README, "Province scale")."""

from django.db import migrations

from jintiao.search import postgres_indexes

INDEXES = {
    "party_name_prefix": "parties_party (name varchar_pattern_ops)",
    "party_name_trgm": "parties_party USING gin (name gin_trgm_ops)",
}


class Migration(migrations.Migration):

    dependencies = [
        ("parties", "0003_particulars"),
    ]

    operations = [postgres_indexes(INDEXES)]
