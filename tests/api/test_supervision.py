"""The figures over the API: for supervisors of the node, money as strings, the same
numbers as the statistics page, 404 for a node outside the caller's tree."""

from __future__ import annotations

import pytest

from jintiao import clock
from jintiao.domain.figures import ReportPeriod
from tests.api.client import Api

pytestmark = pytest.mark.django_db


def month() -> str:
    return str(ReportPeriod.month_of(clock.today()))


def test_the_supervisor_reads_the_figures_of_their_tree(world, cases):
    got = Api(world.supervisor).get("/supervision/statistics", period=month())
    assert got.status_code == 200
    body = got.json()
    assert body["node"] == world.prefecture.pk
    found = {f["key"]: f["value"] for f in body["figures"]}
    assert (found["received"], found["accepted"]) == ("2", "1")
    assert found["amount_involved"].count(".") == 1  # yuan with fen, as a string
    assert body["funnel"][0]["stage"] == "invited"
    county = Api(world.county_supervisor).get("/supervision/statistics", period=month())
    assert {f["key"]: f["value"] for f in county.json()["figures"]}["received"] == "1"


@pytest.mark.parametrize(("persona", "node", "status"), [
    ("county_supervisor", "prefecture", 404), ("director", "prefecture", 404),
    ("director", "other_committee", 404), ("mediator", None, 404), ("agent", None, 404),
    ("judge", None, 404), ("supervisor", "county", 200), ("director", "committee", 200)])
def test_other_nodes_and_other_roles_get_nothing(world, cases, persona, node, status):
    query = {"period": month()} | ({"node": getattr(world, node).pk} if node else {})
    got = Api(getattr(world, persona)).get("/supervision/statistics", **query)
    assert got.status_code == status
    if status == 404:
        assert got.json()["code"] == "not_found"


def test_a_bad_period_is_a_clear_error(world):
    got = Api(world.supervisor).get("/supervision/statistics", period="2026-13")
    assert got.status_code == 400
    assert got.json()["code"] == "period_invalid"
    assert "统计期间" in got.json()["message"]
