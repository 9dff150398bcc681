"""Browser tests drive Debian's chromium (never a downloaded browser) against a live server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
DOCS = Path(__file__).resolve().parents[2] / "docs"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                              reason="chromium is not installed (apt-get install chromium)")
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM use meanwhile
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser):
    """A fresh browser context per call: one signed-in person each, side by side."""

    def make(width: int = 1280, height: int = 900):
        page = browser.new_context(locale="zh-CN", viewport={"width": width,
                                                             "height": height}).new_page()
        page.set_default_timeout(15_000)
        return page

    return make


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('工作台')")


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: docs/ with ``JINTIAO_UPDATE_DOCS=1`` (``make screenshots``),
    otherwise a temporary folder, so a test run leaves the work tree clean."""
    if os.environ.get("JINTIAO_UPDATE_DOCS") == "1":
        DOCS.mkdir(exist_ok=True)
        return DOCS
    return tmp_path


def round_the_clock(*disputes) -> None:
    """Let the disputes' rules allow contact at any hour: the live server's batches run in
    threads the test's pinned clock does not reach, so a test texting a party would fail
    after 21:00 in Beijing (the hours have their own tests)."""
    for d in disputes:
        version = d.policy_version
        version.data = {**version.data, "contact_day_starts_hour": 0,
                        "contact_day_ends_hour": 24}
        version.save(update_fields=["data"])


def portal_log_in(page, url: str, party) -> None:
    """The party signs in to the portal on ``page`` with the code their phone received and
    their identity number, and opens their (first) dispute."""
    from jintiao.messaging.selectors import outbox_code
    from tests.portal.helpers import id_of, phone_of

    page.goto(f"{url}/p/login/")
    page.fill("input[name=phone]", phone_of(party))
    page.click("button:has-text('获取验证码')")
    page.fill("input[name=code]", outbox_code(phone_of(party)))
    page.fill("input[name=id_number]", id_of(party))
    page.click("button:has-text('登录')")
    page.locator("a.card.item").click()
