"""Browser test: a clerk logs in, filters the list, opens a dispute and accepts it.

Drives Debian's chromium (never a downloaded browser) against a live server.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.factories import intake

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "dispute-page.png"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                       reason="chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM use meanwhile
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


def test_clerk_logs_in_filters_opens_and_accepts(world, live_server, page):
    dispute = intake(actor=world.clerk, committee=world.committee, institution=world.branch,
                     principal="200311.62")
    intake(actor=world.clerk, committee=world.committee)

    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", world.clerk.username)
    page.fill("input[name=password]", "pass-for-tests")
    page.click("button[type=submit]")
    page.wait_for_selector("text=纠纷列表")

    page.select_option("select[name=state]", "received")
    page.fill("input[name=q]", dispute.number)
    page.click("text=筛选")
    rows = page.locator("table.grid tbody tr")
    assert rows.count() == 1

    page.click(f"text={dispute.number}")
    page.wait_for_selector("text=可执行的操作")
    assert page.locator("text=231,520.02").count() >= 1  # claim total shown with separators
    form = page.locator("form.action", has=page.locator("input[value=accept]"))
    form.locator("input[name=notice_served]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已受理")
    assert page.locator(".badge").inner_text() == "已受理"
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
