"""The dispute list through the API pages at the cost of a page however deep (issue 19 §1):
a cursor resumes after the last row's (received_on, id), the offset stops at the count's
cap, and a count past the cap is an estimate that says so."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock, paging
from jintiao.disputes.models import Dispute
from tests.api.client import Api
from tests.factories import intake

DAYS = [3, 1, 1, 1, 0, 2, 1]  # days before today each dispute was received: ties on purpose


@pytest.fixture
def seven(world):
    made = []
    for back in DAYS:
        d = intake(actor=world.clerk, committee=world.committee, institution=world.branch)
        Dispute.objects.filter(pk=d.pk).update(
            received_on=clock.today() - dt.timedelta(days=back))
        made.append(d.pk)
    return made


def newest_first() -> list[int]:
    return list(Dispute.objects.order_by("-received_on", "-pk").values_list("pk", flat=True))


def test_the_cursor_walks_the_whole_list_once_in_order(world, seven):
    api, seen, cursor, pages = Api(world.clerk), [], None, 0
    while True:
        body = api.get("/disputes", **{"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        assert body["count"] == 7
        assert body["count_estimated"] is False
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == newest_first()
    assert pages == 4


def test_offset_pages_agree_with_the_cursor(world, seven):
    api = Api(world.clerk)
    first = api.get("/disputes", **{"limit": 3}).json()
    second = api.get("/disputes", **{"limit": 3, "offset": 3}).json()
    by_cursor = api.get("/disputes", **{"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [i["id"] for i in second["items"]] == [i["id"] for i in by_cursor["items"]]
    assert second["next_cursor"] == by_cursor["next_cursor"]
    last = api.get("/disputes", **{"limit": 3, "offset": 6}).json()
    assert (len(last["items"]), last["next_cursor"]) == (1, None)


def test_a_cursor_shows_only_what_the_viewer_may_see(world, seven):
    """A cursor is a place in the list, not a grant: another committee's clerk given ours
    still reads only their own disputes (none)."""
    cursor = Api(world.clerk).get("/disputes", **{"limit": 1}).json()["next_cursor"]
    theirs = Api(world.other_clerk).get("/disputes", **{"cursor": cursor}).json()
    assert theirs["items"] == []
    assert theirs["count"] == 0


def test_the_offset_stops_at_the_cap(world, seven):
    response = Api(world.clerk).get("/disputes", **{"offset": paging.CAP + 1})
    assert response.status_code == 400
    assert response.json()["code"] == "page_too_deep"
    assert "next_cursor" in response.json()["message"]
    assert Api(world.clerk).get("/disputes", **{"offset": paging.CAP}).status_code == 200


@pytest.mark.parametrize("cursor", [
    "nonsense", "!!!", "W10", "WyJudW1iZXIiLCIyMDI2LTAxLTAxIiwxXQ",  # another field's
    "WyJyZWNlaXZlZF9vbiIsIm5vdCBhIGRhdGUiLDFd",  # not a date
    "WyJyZWNlaXZlZF9vbiIsIjIwMjYtMDEtMDEiLCIxIl0",  # an id that is not a number
])
def test_a_cursor_the_list_did_not_give_is_refused_with_its_code(world, seven, cursor):
    response = Api(world.clerk).get("/disputes", **{"cursor": cursor})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "cursor_invalid"
    assert "从第一页重新读取" in body["message"]


def test_cursor_and_offset_together_are_refused(world, seven):
    cursor = Api(world.clerk).get("/disputes", **{"limit": 1}).json()["next_cursor"]
    response = Api(world.clerk).get("/disputes", **{"cursor": cursor, "offset": 1})
    assert (response.status_code, response.json()["code"]) == (400, "cursor_invalid")


def test_a_count_past_the_cap_is_an_estimate_and_says_so(world, seven, monkeypatch):
    monkeypatch.setattr(paging, "CAP", 3)
    body = Api(world.clerk).get("/disputes", **{"limit": 2}).json()
    assert body["count_estimated"] is True
    assert body["count"] >= 4  # PostgreSQL's estimate, or "more than 3" on SQLite
    filtered = Api(world.clerk).get("/disputes", **{"limit": 2, "q": "张"}).json()
    assert filtered["count_estimated"] is True
    narrowed = Api(world.clerk).get("/disputes", **{"state": "declined"}).json()
    assert (narrowed["count"], narrowed["count_estimated"]) == (0, False)


def test_each_listed_dispute_is_what_its_own_endpoint_gives(world, mediating, desk):
    """The list answers its items without validating them again (issue 19 §1): they must
    still fit the published schema and equal, field for field, the dispute's own answer —
    parties, representatives, standing, actions."""
    from jintiao.api.schemas import DisputeListOut
    from tests.disputes.test_representatives import appoint

    appoint(world, Dispute.objects.get(pk=mediating.pk))
    for viewer in (world.clerk, world.mediator, world.agent, world.supervisor):
        api = Api(viewer)
        body = api.get("/disputes", limit=200).json()
        DisputeListOut.model_validate(body)
        assert body["items"]
        assert any(p["representatives"] for i in body["items"] for p in i["parties"])
        for item in body["items"]:
            own = api.get(f"/disputes/{item['id']}").json()
            # how its deadline was computed is the dispute's own answer only (issue 21 §6)
            assert "explain" not in item
            own.pop("explain", None)
            assert item == own, (viewer, item["id"])
