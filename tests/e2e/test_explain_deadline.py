"""Browser test: a mediator opens “how computed” under the mediation deadline and sees the
day it started, the limit with its policy version and legal source, and the National Day
holidays it skipped by name; on a phone the opened panel fits the screen."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from jintiao import clock
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import SOURCES, Track
from jintiao.mediation.services import action_apply
from tests.e2e.conftest import log_in
from tests.factories import intake

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


@pytest.fixture
def before_national_day(desk):
    """A dispute assigned on Monday 2026-09-28: its 7 working days (simple track) run across
    the National Day holidays (1–7 October 2026, Saturday 10 October worked in exchange)."""
    with clock.pinned(dt.datetime(2026, 9, 28, 10, tzinfo=clock.TZ)):
        dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
                         court=desk.court)
        dispute = action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                               expected_version=1, notice_served=True)
        return action_apply(actor=desk.director, dispute_id=dispute.pk, action=Action.ASSIGN,
                            expected_version=dispute.version, track=Track.SIMPLE,
                            mediators=[desk.mediator])


def test_the_mediator_opens_how_the_deadline_was_computed(desk, before_national_day,
                                                          live_server, new_page, shots):
    assert before_national_day.deadline == dt.date(2026, 10, 13)
    mediator = new_page()
    log_in(mediator, live_server.url, desk.mediator.username, PASSWORD)
    mediator.goto(f"{live_server.url}/disputes/{before_national_day.pk}/mediation/")

    panel = mediator.locator("#deadline-explain")
    expect(panel).to_be_visible()
    body = panel.locator(".explain-body")
    expect(body).to_be_hidden()  # folded until asked
    panel.locator("summary").click()
    expect(body).to_be_visible()

    def step(label: str):
        return body.locator("ol.explain-steps > li").filter(
            has=mediator.locator(f"b.explain-label:text-is('{label}')"))

    expect(step("起算日")).to_contain_text("2026-09-28（星期一）")
    expect(step("起算日")).to_contain_text("起算日当日不计入期间")
    limit = step("期限")
    expect(limit).to_contain_text("简易程序调解期限")
    expect(limit).to_contain_text("7个工作日")
    expect(limit).to_contain_text(f"第{before_national_day.policy_version.version}版")
    expect(limit).to_contain_text(SOURCES["mediation_simple_limit"])
    skipped = step("不计入的休息日").locator(".explain-items li")
    expect(skipped.filter(has_text="国庆节")).to_have_count(7)
    expect(skipped.first).to_have_text("2026-10-01（星期四） 国庆节")
    expect(skipped.last).to_contain_text("2026-10-11（星期日）")
    expect(step("计入的调休上班日")).to_contain_text(
        "2026-10-10（星期六） 国庆节调休上班")
    expect(body.locator(".explain-result")).to_contain_text("2026-10-13（星期二）")
    mediator.screenshot(path=str(shots / "deadline-explained.png"), full_page=True)

    phone = new_page(width=375, height=800)
    log_in(phone, live_server.url, desk.mediator.username, PASSWORD)
    phone.goto(f"{live_server.url}/disputes/{before_national_day.pk}/")
    phone.locator("#deadline-explain summary").click()
    expect(phone.locator("#deadline-explain .explain-body")).to_contain_text("国庆节")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
