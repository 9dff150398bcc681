"""Browser test of the dispute list's order: the sort box reloads the results in place
(htmx) with its own address, a column heading sorts and, clicked again, reverses, and the
next page and a filter keep the order."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.factories import intake

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


def test_the_clerk_sorts_the_list_and_the_pages_keep_the_order(world, live_server, page):
    made = [intake(actor=world.clerk, committee=world.committee, principal=f"{1000 + n}.00")
            for n in range(52)]
    biggest = intake(actor=world.clerk, committee=world.committee, principal="990000.00")
    smallest, newest = made[0], biggest
    log_in(page, live_server.url, world.clerk.username, PASSWORD)
    page.click("nav >> text=纠纷列表")
    first_cell = page.locator("#results table.grid tbody tr").first.locator("td").first
    expect(first_cell).to_have_text(newest.number)  # newest received first

    page.select_option("select[name=sort]", "amount")  # htmx reloads the results
    expect(first_cell).to_have_text(smallest.number)
    assert "sort=amount" in page.url

    page.click("#results th >> text=标的额（元）")  # largest first
    expect(first_cell).to_have_text(biggest.number)
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("标的额")
    page.click("#results th >> text=标的额（元）")  # and back
    expect(first_cell).to_have_text(smallest.number)

    page.click("#results >> text=下一页")
    expect(page.locator("#results .pager")).to_contain_text("第 2 / 2 页")
    expect(page.locator("#results table.grid tbody tr").last.locator("td").first) \
        .to_have_text(biggest.number)
    assert "sort=amount" in page.url
    assert "page=2" in page.url

    page.fill("input[name=q]", biggest.number)
    page.press("input[name=q]", "Enter")
    expect(page.locator("#results table.grid tbody tr")).to_have_count(1)
    assert "sort=amount" in page.url  # the filter kept the order
    expect(page.locator("select[name=sort]")).to_have_value("amount")


def test_a_list_longer_than_it_counts_says_so_and_its_pages_stop_there(world, live_server,
                                                                      page, monkeypatch):
    """Past the count's cap the list says its count is an estimate (or a floor) and how
    far it lists; a page asked for beyond that is the last one listed."""
    from django.db import connection

    from jintiao import paging
    from jintiao.web.views import disputes as views

    monkeypatch.setattr(paging, "CAP", 3)
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    for _ in range(5):
        intake(actor=world.clerk, committee=world.committee)
    log_in(page, live_server.url, world.clerk.username, PASSWORD)
    page.goto(f"{live_server.url}/disputes/?page=999")
    count = page.locator("#results p.count")
    expect(count).to_contain_text("只列出前 3 件，请用上面的条件缩小范围")
    expect(count).to_contain_text("件（估计数）" if connection.vendor == "postgresql"
                                  else "超过 3 件")
    expect(page.locator("#results .pager")).to_contain_text("第 3 / 3 页")
    page.select_option("select[name=state]", "received")  # all five: still past the cap
    expect(page.locator("#results .pager")).to_contain_text("/ 3 页")
