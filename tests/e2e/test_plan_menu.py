"""Browser test of the standard plan menu (issue 20 §5): the bank's approver opens the menu
from the home page, sees their own authority, publishes a two-line menu — 12 months free of
interest, and 24 months with half the penalty interest waived on condition — and reads it
back with their name; a line beyond their authority is refused in words and changes nothing.
The page is photographed for docs/plan-menu.png."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from jintiao.mediation.models import MenuItem
from jintiao.orgs.models import Organization, User
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


@pytest.fixture(autouse=True)
def named(desk):
    """A named approver at a bank with a real-looking name, as the screenshot shows them."""
    User.objects.filter(pk=desk.approver.pk).update(first_name="分行审批人周涛")
    Organization.objects.filter(pk=desk.bank.pk).update(name="某国有商业银行黔东南分行")
    desk.approver.refresh_from_db()
    desk.bank.refresh_from_db()


def test_the_approver_publishes_a_two_line_menu_from_the_home_page(desk, live_server, page,
                                                                   shots):
    log_in(page, live_server.url, desk.approver.username, PASSWORD)
    page.click("#plan-menu-link")
    expect(page.locator("h1")).to_contain_text("标准还款方案")
    expect(page.locator("#menu-empty")).to_be_visible()
    expect(page.locator("#my-authority")).to_contain_text("不超过 60 个月")

    # a 72-month line is beyond the approver's own 60: refused in words, nothing published
    page.fill("#id_menu-0-label", "72期免息")
    page.fill("#id_menu-0-periods", "72")
    page.click("#menu-publish")
    expect(page.locator("#menu-refused")).to_contain_text(
        "标准还款方案“72期免息”超出您的授权：还款期限：方案为72个月，授权为60个月")
    assert not MenuItem.objects.exists()

    page.fill("#id_menu-0-label", "12期免息")
    page.fill("#id_menu-0-periods", "12")
    page.fill("#id_menu-1-label", "24期免息，罚息减半（违约恢复）")
    page.fill("#id_menu-1-periods", "24")
    page.fill("#id_menu-1-charge_waiver_ratio", "50")
    for n in range(1, 5):  # only the penalty interest (罚息, the first part) is halved
        page.uncheck(f"#id_menu-1-waiver_parts_{n}")
    page.click("#menu-publish")

    expect(page.locator(".msg.success")).to_contain_text("已发布标准还款方案，共 2 项")
    lines = page.locator("#menu-lines tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text("12期免息")
    expect(lines.nth(0)).to_contain_text("不减免")
    expect(lines.nth(1)).to_contain_text("24期免息，罚息减半（违约恢复）")
    expect(lines.nth(1)).to_contain_text("50%（罚息）")
    expect(lines.nth(1)).to_contain_text("是，违约时恢复")
    expect(lines.nth(1)).to_contain_text("分行审批人周涛")
    # the form starts again from what was published
    expect(page.locator("#id_menu-1-charge_waiver_ratio")).to_have_value("50")
    page.screenshot(path=str(shots / "plan-menu.png"), full_page=True)

    halved = MenuItem.objects.get(institution=desk.bank, periods=24)
    assert halved.charge_waiver_ratio == D("0.5")
    assert halved.waiver_parts == ["penalty_interest"]
    assert halved.published_by_id == desk.approver.pk
