"""The PostgreSQL connection prices random reads as on SSDs or memory (1.1, not the
spinning-disk 4), or the planner reads whole tables to find one page's parties (issue 19
§1); the operator may change it or leave it to the server, and a value that is not a
positive number stops the platform with the variable's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from tests.deploy.conftest import production_env, run


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
@pytest.mark.django_db
def test_the_connection_prices_random_reads_for_ssds():
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


@pytest.mark.parametrize("value", ["abc", "-1", "0", "1;drop", "1e9"])
def test_a_cost_that_is_not_a_positive_number_stops_the_platform(tmp_path: Path, value: str):
    env = production_env(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
                         JINTIAO_PG_RANDOM_PAGE_COST=value)
    done = run(["manage", "check"], env, timeout=120)
    assert done.returncode != 0
    assert "JINTIAO_PG_RANDOM_PAGE_COST" in done.stderr


@pytest.mark.parametrize(("value", "options"), [("", None), ("2", "-c random_page_cost=2")])
def test_the_operator_sets_it_or_leaves_it_to_the_server(tmp_path: Path, value, options):
    env = production_env(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
                         JINTIAO_PG_RANDOM_PAGE_COST=value)
    done = run(["manage", "shell", "-c",
                "from django.conf import settings; "
                "print(repr(settings.DATABASES['default'].get('OPTIONS', {}).get('options')))"],
               env, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == repr(options), done.stderr[-2000:]
