"""Portfolio offers in the browser (issue 20 §5): the mediator ticks disputes on the list
and sends them the bank's standard menu; the batch page lists what was sent; a debtor on
a phone reads the plans, chooses one and signs the agreement it drafts; the mediator's
batch page then shows who opened, chose which plan and signed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jintiao.agreements.models import Agreement
from jintiao.disputes.models import Dispute
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import Track
from jintiao.mediation.services import action_apply, menu_publish
from jintiao.messaging.selectors import outbox_code
from jintiao.portfolio.models import MenuOffer
from tests.e2e.conftest import log_in, round_the_clock
from tests.factories import intake
from tests.portal.helpers import debtor_of, id_of, phone_of
from tests.portfolio.test_menu_offers import MANNER, MENU, SINCE

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password
PHONE = {"width": 390, "height": 844}


def assigned(desk):
    d = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
               charges_since=SINCE)
    d = action_apply(actor=desk.clerk, dispute_id=d.pk, action=Action.ACCEPT,
                     expected_version=d.version, notice_served=True)
    return action_apply(actor=desk.director, dispute_id=d.pk, action=Action.ASSIGN,
                        expected_version=d.version, track=Track.SIMPLE,
                        mediators=[desk.mediator])


def test_the_desk_sends_the_menu_and_a_debtor_chooses_and_signs(desk, mediating, live_server,
                                                                page, new_page, shots):
    menu_publish(actor=desk.approver, institution=desk.bank, items=MENU)
    Dispute.objects.filter(pk=mediating.pk).update(charges_since=SINCE)
    other = assigned(desk)
    mediating.refresh_from_db()
    round_the_clock(mediating, other)  # found when the suite ran after 21:00 in Beijing
    url = live_server.url

    log_in(page, url, desk.mediator.username, PASSWORD)
    page.goto(f"{url}/disputes/")
    page.check(f"input[name=pick][value^='{mediating.pk}:']")
    page.check(f"input[name=pick][value^='{other.pk}:']")
    # a mediator takes no other batch: the menu's box is open already
    expect(page.locator("details.menu-batch")).to_have_attribute("open", "")
    expect(page.locator("#menu-reply_by")).not_to_have_value("")
    page.fill("#menu-performance_manner", MANNER)
    page.screenshot(path=str(shots / "menu-send.png"), full_page=True)
    page.click("button:has-text('发送标准还款方案')")
    expect(page.locator("h1")).to_contain_text("批量发送标准方案")
    expect(page.locator("#batch-status")).to_have_attribute("data-state", "done")
    expect(page.locator("[data-done] tbody tr")).to_have_count(2)
    expect(page.locator("[data-done]")).to_contain_text("已发送2种方案，已短信通知")
    # the simple track's deadline comes before the two weeks proposed: brought forward
    expect(page.locator("[data-done]")).to_contain_text("选择期限按调解期限提前至")
    expect(page.locator('[data-step="sent"] td').first).to_have_text("2")
    expect(page.locator('[data-step="chosen"] td').first).to_have_text("0")

    debtor = debtor_of(mediating)
    phone = new_page(**PHONE)
    phone.goto(f"{url}/p/")
    phone.fill("input[name=phone]", phone_of(debtor))
    phone.click("button:has-text('获取验证码')")
    phone.fill("input[name=code]", outbox_code(phone_of(debtor)))
    phone.fill("input[name=id_number]", id_of(debtor))
    phone.check("input[name=consent]")
    phone.click("button:has-text('登录')")
    phone.locator(f"a.card.item:has-text('{mediating.number}')").click()
    menu = phone.locator("#menu")
    expect(menu).to_contain_text("请选择一个还款方案")
    expect(menu.locator(".offer")).to_have_count(2)
    expect(menu.locator("#plan-2")).to_contain_text("36期，利息减半（违约恢复）")
    expect(menu.locator("#plan-2")).to_contain_text("每月约")
    expect(menu.locator("#plan-2")).to_contain_text("减免利息")
    phone.screenshot(path=str(shots / "portal-menu.png"), full_page=True)

    # choosing without ticking the terms is stopped by the page itself
    menu.locator("#plan-2 button:has-text('选择此方案')").click()
    expect(phone.locator("#menu")).to_be_visible()
    assert not Agreement.objects.filter(dispute=mediating).exists()
    menu.locator("#plan-2 input[name=agree]").check()
    menu.locator("#plan-2 button:has-text('选择此方案')").click()
    expect(phone.locator(".msg.success")).to_contain_text("调解协议已生成")
    expect(phone.locator("#menu")).to_have_count(0)
    section = phone.locator("#agreement")
    expect(section).to_contain_text("调解协议（第1版）")
    section.locator("summary").click()
    expect(section.locator("article")).to_contain_text(MANNER)
    section.locator("button:has-text('获取签署验证码')").click()
    expect(phone.locator(".msg.success")).to_contain_text("签署验证码已发送")
    phone.fill("#agreement input[name=code]", outbox_code(phone_of(debtor)))
    phone.click("#agreement button:has-text('签署协议')")
    expect(phone.locator("#signed")).to_contain_text("已签署本版本")

    page.reload()
    expect(page.locator('[data-step="opened"] td').first).to_have_text("1")
    expect(page.locator('[data-step="chosen"] td').first).to_have_text("1")
    expect(page.locator('[data-step="debtor-signed"] td').first).to_have_text("1")
    expect(page.locator("[data-by-plan] tbody tr").nth(1)).to_contain_text("1")
    expect(page.locator("[data-lines]")).to_contain_text("债务人已签署")
    page.screenshot(path=str(shots / "menu-uptake.png"), full_page=True)

    made = MenuOffer.objects.get(dispute=mediating)
    assert made.agreement.offer_id == made.items[1]["offer"]
