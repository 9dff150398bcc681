"""The dispute list sorted: by date received, deadline, number, amount or state, either way,
from the sort box or a column's heading; an unknown key ignored; the pages, the filters and
the htmx results keep the order."""

from __future__ import annotations

import re

import pytest

from jintiao.disputes.models import Dispute
from tests.factories import intake
from tests.web.test_views import client_for


@pytest.fixture
def amounts(world):
    """Three disputes of 5,000, 900,000 and 200,000 principal, in that order of intake."""
    return [intake(actor=world.clerk, committee=world.committee, principal=p)
            for p in ("5000.00", "900000.00", "200000.00")]


def numbers(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<a href="/disputes/\d+/">([^<]+)</a>', body)


def test_the_list_sorts_by_amount_both_ways_and_says_so(world, amounts):
    small, big, mid = (d.number for d in amounts)
    client = client_for(world.clerk)
    up = client.get("/disputes/?sort=amount").content.decode()
    assert numbers(up) == [small, mid, big]
    assert '<option value="amount" selected>' in up
    assert re.search(r'<th scope="col"[^>]*aria-sort="ascending">\s*<a href="\?sort=-amount"', up)
    down = client.get("/disputes/?sort=-amount").content.decode()
    assert numbers(down) == [big, mid, small]
    assert re.search(r'<th scope="col"[^>]*aria-sort="descending">\s*<a href="\?sort=amount"', down)


def test_an_unknown_sort_is_ignored_and_the_filters_still_apply(world, amounts):
    small, big, mid = (d.number for d in amounts)
    client = client_for(world.clerk)
    newest_first = numbers(client.get("/disputes/").content.decode())
    assert newest_first == [mid, big, small]
    for junk in ("price", "-", "amount\x00", "x" * 5000):
        page = client.get("/disputes/", {"sort": junk, "q": small})
        assert page.status_code == 200
        assert numbers(page.content.decode()) == [small]  # the search was kept


def test_the_pages_and_the_htmx_results_keep_the_order(world, amounts):
    for n in range(50):  # 53 in all: two pages
        intake(actor=world.clerk, committee=world.committee, principal=f"{1000 + n}.00")
    client = client_for(world.clerk)
    first = client.get("/disputes/?sort=-amount&state=received").content.decode()
    assert 'href="?sort=-amount&amp;state=received&amp;page=2"' in first
    assert numbers(first)[0] == amounts[1].number
    second = client.get("/disputes/?sort=-amount&state=received&page=2",
                        headers={"HX-Request": "true", "HX-Target": "results"}).content.decode()
    assert "<html" not in second
    assert numbers(second)[-1] == Dispute.objects.get(principal="1000.00").number
    assert 'hx-get="?sort=-amount&amp;state=received&amp;page=1"' in second
