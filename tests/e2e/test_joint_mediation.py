"""Joint mediation in the browser (issue 21 §2): the mediator joins the debtor's card and
loan disputes from the mediation page, previews the consolidated plan — the one budget's
6,000 a month shared between the two banks — and puts it forward."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jintiao.mediation.models import JointMediation, Offer
from jintiao.mediation.services import budget_declare
from tests.e2e.conftest import log_in
from tests.mediation.test_joint import FIRST

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' own


def test_the_desk_joins_two_disputes_and_builds_the_consolidated_plan(
        desk, mediating, second_loan, live_server, page, shots):
    budget_declare(actor=desk.mediator, dispute_id=mediating.pk,
                   party_row_id=mediating.party_rows.get(role="debtor").pk,
                   monthly_income="12000", other_obligations="0", dependants=1)
    log_in(page, live_server.url, desk.mediator.username, PASSWORD)
    page.goto(f"{live_server.url}/disputes/{mediating.pk}/mediation/")
    joint = page.locator("#joint")
    expect(joint).to_contain_text(second_loan.number)
    joint.locator(f"input[value='{second_loan.pk}']").check()
    joint.locator("button:has-text('纳入联合调解')").click()
    expect(page.locator("h1")).to_contain_text("联合调解")
    expect(page.locator("#joint-budget")).to_contain_text("每月最多可用于还款 6,000.00 元")
    page.fill("input[name=first_due]", FIRST.isoformat())
    page.click("button:has-text('计算合并方案')")
    shown = page.locator("#joint-shown")
    expect(shown).to_contain_text("合并方案（预览，尚未提出）")
    expect(shown).to_contain_text(mediating.number)
    expect(shown).to_contain_text(second_loan.number)
    page.screenshot(path=str(shots / "joint-plan.png"), full_page=True)
    page.click("#joint-send")
    expect(page.locator("#joint-shown")).to_contain_text("已提出的合并方案（第1版）")
    expect(page.locator("#joint-status")).to_contain_text("待答复")
    assert JointMediation.objects.count() == 1
    assert Offer.objects.filter(status=Offer.Status.OPEN).count() == 2


def test_the_desk_files_the_joint_mediations_one_application(
        desk, mediating, second_loan, both_agreed, live_server, page, shots):
    from jintiao.confirmation.models import Application
    from tests.helpers import apply, other_side

    apply(desk, mediating)
    apply(other_side(desk), second_loan)
    log_in(page, live_server.url, desk.mediator.username, PASSWORD)
    page.goto(f"{live_server.url}/disputes/{mediating.pk}/agreement/")
    page.click("#joint-note a")  # the member's agreement page points to the joint page
    card = page.locator("#joint-confirmation")
    expect(card).to_contain_text("司法确认（一并申请）")
    expect(page.locator("#joint-plan")).to_have_count(0)  # the plans are agreed
    page.screenshot(path=str(shots / "joint-confirmation.png"), full_page=True)
    card.locator("#joint-apply").click()
    expect(page.locator("p.msg").first).to_contain_text("已向法院一并提交")
    card = page.locator("#joint-confirmation")
    expect(card).to_contain_text(mediating.number)
    expect(card).to_contain_text(second_loan.number)
    expect(card).to_contain_text("已申请，待法院受理")
    assert Application.objects.count() == 2
