"""``JINTIAO_REPLICA_URL``: a PostgreSQL replica of the primary gets the primary's options
and is never migrated; anything else stops the platform with the variable's name (issue 19
§2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.deploy.conftest import production_env, run

PRIMARY = "postgres://nobody@127.0.0.1:1/none"


def test_a_replica_gets_the_primary_s_options(tmp_path: Path):
    env = production_env(tmp_path, DATABASE_URL=PRIMARY,
                         JINTIAO_REPLICA_URL="postgres://reader@10.0.0.9:5432/jintiao")
    done = run(["manage", "shell", "-c",
                "import json; from django.conf import settings; from django.db import router; "
                "r = settings.DATABASES['replica']; "
                "print(json.dumps([settings.REPLICA_DATABASE, r['HOST'], r['USER'], "
                "r['OPTIONS'].get('options'), "
                "router.allow_migrate('replica', 'disputes'), "
                "router.allow_migrate('default', 'disputes')]))"], env, timeout=120)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [
        "replica", "10.0.0.9", "reader", "-c random_page_cost=1.1", False, True], \
        done.stderr[-2000:]


@pytest.mark.parametrize("replica", ["sqlite:////tmp/copy.sqlite3", "mysql://a@b/c"])
def test_a_replica_that_is_not_postgresql_stops_the_platform(tmp_path: Path, replica: str):
    env = production_env(tmp_path, DATABASE_URL=PRIMARY, JINTIAO_REPLICA_URL=replica)
    done = run(["manage", "check"], env, timeout=120)
    assert done.returncode != 0
    assert "JINTIAO_REPLICA_URL" in done.stderr
