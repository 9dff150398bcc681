"""Browser tests of two corrections at the payments desk: the bank records more than is owed,
saying the debtor meant it, and the page shows the surplus to refund; the mediator reverses a
payment returned by the bank, with the reason, and the record stays, marked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from jintiao import clock
from jintiao.disputes.models import Channel
from jintiao.domain.lifecycle import Action, State
from jintiao.domain.plans import PlanOptions
from jintiao.domain.policy import Track
from jintiao.domain.schedules import Method
from jintiao.mediation.services import action_apply
from jintiao.performance.models import Payment
from jintiao.performance.services import payment_record
from tests.e2e.conftest import log_in
from tests.factories import intake
from tests.helpers import CHARGES_SINCE, accept_plan, agree, confirm

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


@pytest.fixture
def confirmed_today(desk):
    """A card debt confirmed today on 12 instalments, the first due in three weeks: nothing
    is late whatever day the test runs."""
    d = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
               court=desk.court, channel=Channel.COURT_DELEGATED)
    d = action_apply(actor=desk.clerk, dispute_id=d.pk, action=Action.ACCEPT,
                     expected_version=1, notice_served=True)
    d = action_apply(actor=desk.director, dispute_id=d.pk, action=Action.ASSIGN,
                     expected_version=d.version, track=Track.SIMPLE, mediators=[desk.mediator])
    first_due = clock.today() + dt.timedelta(days=21)
    accept_plan(desk, d, PlanOptions(Method.FLAT, 12, first_due, label="12期"))
    agree(desk, d, CHARGES_SINCE)
    confirm(desk, d)
    d.refresh_from_db()
    assert d.state == State.PERFORMING
    return d


def terms(dispute) -> dict:
    return dispute.agreements.get(status="effective").content["terms"]


def test_the_bank_pays_more_than_is_owed_on_purpose_and_sees_the_surplus_to_refund(
        desk, confirmed_today, live_server, page):
    d = confirmed_today
    over = Decimal(terms(d)["total"]) + Decimal("88.00")
    log_in(page, live_server.url, desk.agent.username, PASSWORD)
    page.goto(f"{live_server.url}/disputes/{d.pk}/performance/")
    form = page.locator("#payments form")
    form.locator("input[name=reference]").fill("TX-ALL")
    form.locator("input[name=paid_on]").fill(clock.today().isoformat())
    form.locator("input[name=amount]").fill(f"{over:.2f}")
    form.locator("button[type=submit]").click()
    expect(page.locator(".msg.error")).to_contain_text("多付88.00元")
    assert not Payment.objects.filter(dispute=d).exists()

    form = page.locator("#payments form")
    form.locator("input[name=reference]").fill("TX-ALL")
    form.locator("input[name=paid_on]").fill(clock.today().isoformat())
    form.locator("input[name=amount]").fill(f"{over:.2f}")
    form.locator("input[name=surplus_intended]").check()
    form.locator("button[type=submit]").click()

    expect(page.locator(".msg.success")).to_contain_text("已登记还款")
    expect(page.locator("main")).to_contain_text("其中多付88.00元，应退还当事人")
    expect(page.locator("#to-refund")).to_contain_text("88.00")
    expect(page.locator("#payments")).to_contain_text("含多付，应退还")
    expect(page.locator(".badge")).to_have_text("已履行完毕")
    page.goto(f"{live_server.url}/")  # the letter now waits on the bank
    expect(page.locator("#credit-repairs")).to_contain_text(d.number)


def test_the_mediator_reverses_a_payment_the_bank_returned_with_the_reason(
        desk, confirmed_today, live_server, page):
    d = confirmed_today
    one = Decimal(terms(d)["schedule"][0]["payment"])
    paid = payment_record(actor=desk.agent, dispute_id=d.pk, reference="TX-1",
                          paid_on=clock.today(), amount=one).payment
    log_in(page, live_server.url, desk.mediator.username, PASSWORD)
    page.goto(f"{live_server.url}/disputes/{d.pk}/performance/")
    expect(page.locator("table.schedule tbody tr").first).to_contain_text("已还清")

    row = page.locator(f"#payment-{paid.pk}")
    row.locator("input[name=reason]").fill("银行退回：扣款账户已冻结，款项未实际入账")
    row.locator("button").click()

    expect(page.locator(".msg.success")).to_contain_text("已冲正该笔还款")
    row = page.locator(f"#payment-{paid.pk}")
    expect(row).to_contain_text("冲正：银行退回：扣款账户已冻结，款项未实际入账")
    expect(row.locator("s").first).to_have_text("TX-1")
    expect(page.locator("table.schedule tbody tr").first).to_contain_text("待还")
    page.goto(f"{live_server.url}/disputes/{d.pk}/")
    expect(page.locator("main")).to_contain_text("银行退回：扣款账户已冻结，款项未实际入账")
    paid.refresh_from_db()
    assert paid.reversed_by == desk.mediator
