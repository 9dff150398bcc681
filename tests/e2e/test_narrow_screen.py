"""Browser test on a 375 px phone screen: the dispute list and the mediation page never
scroll sideways as a whole — the navigation wraps, a wide table scrolls inside its own box."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from jintiao import clock
from jintiao.mediation.models import Session
from jintiao.mediation.services import session_schedule
from tests.e2e.conftest import log_in
from tests.factories import intake

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password
WIDTH = 375


def page_overflow(page) -> int:
    """How far the page is wider than the screen, in CSS pixels (0: no sideways scroll)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_list_and_the_mediation_page_fit_a_phone(desk, mediating, live_server, new_page,
                                                     shots):
    for n in range(3):
        intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
               principal=f"{1000 + n}.00")
    session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                     mode=Session.Mode.BACK_TO_BACK,
                     starts_at=clock.now() - dt.timedelta(hours=1),
                     party_row_ids=list(mediating.party_rows.values_list("pk", flat=True)),
                     place="凯里市综治中心调解室")
    phone = new_page(width=WIDTH, height=800)
    log_in(phone, live_server.url, desk.mediator.username, PASSWORD)
    assert page_overflow(phone) <= 0

    phone.goto(f"{live_server.url}/disputes/")
    expect(phone.locator("#results table.grid")).to_be_visible()
    assert page_overflow(phone) <= 0
    wrap = phone.locator("#results .table-wrap").first
    box = wrap.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert box[0] > box[1]  # the table is wider than the screen and scrolls in its box
    nav = phone.locator("header.top nav")
    assert nav.evaluate("e => e.scrollWidth <= e.clientWidth")  # the links wrap
    phone.screenshot(path=str(shots / "list-phone.png"), full_page=True)

    phone.goto(f"{live_server.url}/disputes/{mediating.pk}/mediation/")
    expect(phone.locator(".session").first).to_be_visible()
    assert page_overflow(phone) <= 0
    phone.screenshot(path=str(shots / "mediation-phone.png"), full_page=True)


@pytest.mark.parametrize("where", [
    "/", "/disputes/{pk}/", "/disputes/{pk}/assignment/", "/disputes/{pk}/performance/",
    "/disputes/{pk}/outreach/"])
def test_the_desk_pages_fit_a_phone(desk, performing, live_server, new_page, where):
    """Regression: the two-column pages (the dispute, the assignment, the performance page)
    were wider than a phone: a grid column would not shrink below its widest table or
    number, so the whole page scrolled sideways."""
    phone = new_page(width=WIDTH, height=800)
    log_in(phone, live_server.url, desk.mediator.username, PASSWORD)
    phone.goto(live_server.url + where.format(pk=performing.pk))
    expect(phone.locator("main h1").first).to_be_visible()
    assert page_overflow(phone) <= 0, where
