"""The rest of reaching the parties in the browser: on the phone, the debtor confirms reading
a notice, fills the budget sheet and asks for a mediator's recusal; at the desk, the mediator
adds and withdraws a number, logs the failed attempts and the township visit after the fact,
and ends the mediation because the debtor cannot be reached."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from jintiao import clock
from jintiao.domain.lifecycle import State
from jintiao.mediation.models import Recusal
from jintiao.mediation.services import notice_generate
from jintiao.messaging.selectors import outbox_code
from jintiao.outreach.services import notice_serve
from tests.e2e.conftest import log_in
from tests.portal.helpers import daytime, debtor_of, id_of, phone_of

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


def test_the_debtor_confirms_a_notice_fills_the_budget_and_asks_for_a_recusal(
        world, mediating, live_server, new_page):
    url, debtor = live_server.url, debtor_of(mediating)
    notice = notice_generate(actor=world.clerk, dispute_id=mediating.pk, kind="options_notice")
    with clock.pinned(daytime()):
        notice_serve(actor=world.clerk, dispute_id=mediating.pk, party_id=debtor.pk,
                     subject=f"document:{notice.pk}", channel="sms")
    phone = new_page(width=390, height=844)
    phone.goto(f"{url}/p/login/")
    phone.fill("input[name=phone]", phone_of(debtor))
    phone.click("button:has-text('获取验证码')")
    phone.fill("input[name=code]", outbox_code(phone_of(debtor)))
    phone.fill("input[name=id_number]", id_of(debtor))
    phone.check("input[name=consent]")
    phone.click("button:has-text('登录')")
    phone.locator("a.card.item").click()

    phone.locator("#notices button:has-text('非诉讼纠纷解决方式告知书')").click()  # 查阅
    expect(phone.locator("article")).to_contain_text("非诉讼纠纷解决方式告知书")
    expect(phone.locator("button:has-text('确认已阅读')")).to_have_count(0)
    assert notice.services.filter(channel="portal", served=True).count() == 1

    phone.goto(f"{url}/p/d/{mediating.pk}/")
    budget = phone.locator("#budget")
    budget.locator("input[name=wage]").fill("4,000")
    budget.locator("input[name=business]").fill("1,500")
    budget.locator("input[name=debts]").fill("800")
    budget.locator("input[name=fixed]").fill("700")
    budget.locator("input[name=dependants]").fill("1")
    budget.locator("button[type=submit]").click()
    expect(phone.locator("#budget")).to_contain_text("每月最多约可还 1,250.00 元")

    recusal = phone.locator("#recusal form").first
    recusal.locator("textarea[name=reason]").fill("调解员曾在债权银行任职")
    recusal.locator("button[type=submit]").click()
    expect(phone.locator(".msg.success")).to_contain_text("回避申请已提交")
    assert Recusal.objects.get(dispute=mediating).requested_by.party == debtor


def test_the_desk_repairs_a_contact_and_ends_mediation_when_the_debtor_cannot_be_reached(
        world, mediating, live_server, new_page):
    url = live_server.url
    # received a week ago: the attempts logged below happened after it came in
    type(mediating).objects.filter(pk=mediating.pk).update(
        received_on=clock.today() - dt.timedelta(days=7))
    mediator = new_page()
    log_in(mediator, url, world.mediator.username, PASSWORD)
    mediator.goto(f"{url}/disputes/{mediating.pk}/outreach/")

    mediator.fill("#alternate input[name=value]", "13766667777")
    mediator.click("#alternate button[type=submit]")
    expect(mediator.locator("#reach")).to_contain_text("137****7777")
    mediator.locator("#reach input[name=reason]").fill("空号")
    mediator.locator("#reach button:has-text('停用')").click()
    expect(mediator.locator("#reach")).to_contain_text("停用：空号")

    # logged after the fact at daytime hours, whatever the hour the test runs at (a contact
    # at night is refused or flagged, and the cannot-reach path needs daytime attempts)
    local = clock.now().astimezone(clock.TZ)
    day = local.replace(hour=10, minute=0, second=0, microsecond=0)
    if day > local - dt.timedelta(hours=1):
        day -= dt.timedelta(days=1)
    for when, channel, outcome in (
            (day - dt.timedelta(days=2), "call", "no_answer"),
            (day - dt.timedelta(days=1), "call", "wrong_number"),
            (day - dt.timedelta(days=1) + dt.timedelta(hours=1), "visit", "not_found"),
            (day, "township", "not_found")):
        form = mediator.locator("#log-contact")
        form.locator("select[name=channel]").select_option(channel)
        form.locator("select[name=outcome]").select_option(outcome)
        form.locator("input[name=at]").fill(when.astimezone(clock.TZ).strftime("%Y-%m-%dT%H:%M"))
        form.locator("button[type=submit]").click()
        expect(mediator.locator(".msg.success")).to_contain_text("已记录联系情况")
    expect(mediator.locator("#reach")).to_contain_text("可以无法联系为由终止调解")
    mediator.click("#reach button:has-text('以无法联系为由终止调解')")
    expect(mediator.locator(".badge")).to_have_text("调解不成")
    mediating.refresh_from_db()
    assert mediating.state == State.FAILED
