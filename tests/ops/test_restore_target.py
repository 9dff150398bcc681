"""What a restore may write into (issue 18 §5): an empty database of this version's tables
only. Another program's table — which the restore would drop, or SQLite's restore would
overwrite with the whole file — and rows of any table but those ``migrate`` writes itself
refuse it before anything is touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from jintiao.ops import databases
from jintiao.ops.backup import database_contents, known_tables
from jintiao.ops.databases import BackupInvalid

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger():
    """A table another program keeps in the same database."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE crm_customers (id integer PRIMARY KEY, name text)")
    return "crm_customers"


def test_a_freshly_migrated_database_may_be_restored_into():
    assert database_contents() == []


def test_known_tables_are_every_table_migrate_makes():
    assert set(connection.introspection.table_names()) <= known_tables()
    assert {"django_migrations", "jintiao_cache", "disputes_dispute",
            "timeline_event"} <= known_tables()


def test_another_programs_table_is_named(stranger):
    assert database_contents() == ["不属于金调通的表 crm_customers"]


def test_rows_of_a_table_that_is_not_jintiaos_own_are_named():
    Group.objects.create(name="外部系统的组")
    assert database_contents() == ["表 auth_group 中1条"]


def test_loading_stops_at_another_programs_table_and_drops_nothing(stranger, tmp_path):
    dump = tmp_path / ("database.sqlite3" if connection.vendor == "sqlite"
                       else "database.pgdump")
    dump.write_bytes(b"")
    with pytest.raises(BackupInvalid) as refused:
        databases.load(Path(dump), connection.vendor, known_tables())
    assert "不属于金调通的表（crm_customers）" in refused.value.message
    assert stranger in connection.introspection.table_names()
    assert "disputes_dispute" in connection.introspection.table_names()


def test_the_cache_table_is_ours_whichever_cache_is_configured(settings):
    """A deployment that moved its cache to Redis keeps the table migrate made."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "jintiao_cache" in known_tables()
    assert database_contents() == []
