"""Reaching a debtor from the desk, in the browser: the director approves a text, the
mediator sends it, serves the options notice by post, logs calls until the policy's daily
cap refuses the fourth, and the debtor checks on a phone that the text is real; the
supervisor's contact report counts it all."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jintiao.mediation.services import notice_generate
from jintiao.messaging.models import OutboxMessage
from jintiao.outreach.models import ContactAttempt, Service
from jintiao.outreach.services import template_create
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


def test_the_desk_reaches_a_debtor_within_the_guardrails(world, mediating, live_server,
                                                         new_page, shots):
    url = live_server.url
    # the live server's clock cannot be pinned from here: this committee's rule allows
    # contact round the clock, so the test runs at any hour (the hours have their own tests)
    version = mediating.policy_version
    version.data = {**version.data, "contact_day_starts_hour": 0, "contact_day_ends_hour": 24}
    version.save(update_fields=["data"])
    template_create(actor=world.mediator, committee_id=world.committee.pk, name="调解邀请",
                    purpose="invitation",
                    body="{姓名}您好，{调委会}已受理您的纠纷（{纠纷编号}），调解免费，请登录{链接}查看。")
    notice_generate(actor=world.clerk, dispute_id=mediating.pk, kind="options_notice")

    director = new_page()
    log_in(director, url, world.director.username, PASSWORD)
    director.click("nav >> text=短信模板")
    row = director.locator("#templates tr", has_text="调解邀请")
    row.locator("button:has-text('审核通过')").click()
    expect(director.locator("#templates")).to_contain_text("已审核")

    mediator = new_page()
    log_in(mediator, url, world.mediator.username, PASSWORD)
    mediator.goto(f"{url}/disputes/{mediating.pk}/mediation/")
    mediator.click("nav.tabs >> text=联系与送达")
    mediator.select_option("#send-text select[name=template]", label="调解邀请（调解邀请）")
    mediator.click("#send-text button[type=submit]")
    expect(mediator.locator(".msg.success")).to_contain_text("短信已发送")
    mediator.select_option("#serve select[name=channel]", "post")
    mediator.select_option("#serve select[name=result]", "signed")
    mediator.fill("#serve input[name=evidence]", "EMS 1234 本人签收")
    mediator.click("#serve button[type=submit]")
    expect(mediator.locator("#services")).to_contain_text("非诉讼纠纷解决方式告知书")
    expect(mediator.locator("#services")).to_contain_text("已签收")
    expect(mediator.locator("#reach tbody tr").first.locator("td").nth(3)).to_have_text("1")
    for _ in range(2):  # the text was the first contact of the day; two calls make three
        mediator.select_option("#log-contact select[name=outcome]", "no_answer")
        mediator.click("#log-contact button[type=submit]")
        expect(mediator.locator(".msg.success")).to_contain_text("已记录联系情况")
    mediator.click("#log-contact button[type=submit]")
    expect(mediator.locator(".msg.error")).to_contain_text("已达每日上限3次")
    mediator.screenshot(path=str(shots / "outreach.png"), full_page=True)
    assert ContactAttempt.objects.filter(dispute=mediating).count() == 3
    assert Service.objects.get().served

    text = OutboxMessage.objects.get(purpose="outreach:invitation").body
    code = re.search(r"核验码([0-9A-Z]{4}-[0-9A-Z]{4})", text).group(1)
    phone = new_page(width=390, height=844)
    phone.goto(f"{url}/p/verify/")
    phone.fill("input[name=code]", code)
    phone.click("button:has-text('核验')")
    expect(phone.locator("#verified")).to_contain_text(world.committee.name)
    phone.screenshot(path=str(shots / "portal-verify.png"), full_page=True)

    supervisor = new_page()
    log_in(supervisor, url, world.supervisor.username, PASSWORD)
    supervisor.click("nav >> text=联系情况报表")
    expect(supervisor.locator("table.contact-report").first).to_contain_text(str(world.mediator))
