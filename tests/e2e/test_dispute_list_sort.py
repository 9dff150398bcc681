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
