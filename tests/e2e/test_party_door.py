"""The party's own door (issue 21 §1), on a phone: a person applies for mediation and the
clerk takes the application in through the intake form; a debtor rejects the bank's plan
with a reason, is warned that it asks more than the budget they declared, and puts their
own plan forward after a preview."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from jintiao import clock
from jintiao.disputes.models import Channel, Dispute
from jintiao.mediation.models import Offer
from jintiao.mediation.services import offer_propose
from jintiao.messaging.selectors import outbox_code
from jintiao.portal.models import Application, SignInCode
from tests.e2e.conftest import log_in, portal_log_in
from tests.factories import flat, resident_id
from tests.portal.helpers import debtor_of

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' own
APPLICANT = "13912345678"


def test_a_person_applies_on_the_phone_and_the_clerk_takes_it_in(
        world, live_server, new_page, shots):
    url = live_server.url
    phone = new_page(**PHONE)
    phone.goto(f"{url}/p/login/")
    phone.click("a:has-text('申请调解')")
    expect(phone.locator("h1")).to_have_text("人民调解申请书")
    phone.fill("input[name=name]", "龙某某")
    phone.fill("input[name=id_number]", resident_id(404))
    phone.fill("input[name=address]", "贵州省凯里市韶山南路8号")
    phone.fill("input[name=phone]", APPLICANT)
    phone.click("button:has-text('获取验证码')")
    expect(phone.locator(".msg.success")).to_contain_text("验证码已发送")
    expect(phone.locator("input[name=name]")).to_have_value("龙某某")  # kept
    phone.fill("input[name=code]", outbox_code(APPLICANT))
    phone.check("input[name=side][value=debtor]")
    phone.select_option("select[name=institution]", str(world.branch.pk))
    phone.select_option("select[name=committee]", str(world.committee.pk))
    phone.select_option("select[name=dispute_type]", "credit_card")
    phone.fill("input[name=amount]", "36,000")
    phone.fill("textarea[name=facts]", "2025年起信用卡逾期，银行多次催收")
    phone.fill("textarea[name=requests]", "请求分36期偿还并减免罚息")
    phone.set_input_files("input[name=attachments]", files=[{
        "name": "对账单.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n%%EOF\n"}])
    phone.check("input[name=truthful]")
    phone.screenshot(path=str(shots / "portal-apply.png"), full_page=True)
    phone.click("button:has-text('提交申请')")
    expect(phone.locator("h1")).to_have_text("调解申请已提交")
    made = Application.objects.get()
    expect(phone.locator("body")).to_contain_text(made.number)

    desk = new_page()
    log_in(desk, url, world.clerk.username, PASSWORD)
    desk.click("#applications-link")
    desk.click(f"a:has-text('{made.number}')")
    expect(desk.locator("body")).to_contain_text("请求分36期偿还并减免罚息")
    expect(desk.locator("body")).not_to_contain_text(resident_id(404))  # masked here
    desk.click("#take-in")
    expect(desk.locator("#from-application")).to_contain_text(made.number)
    desk.fill("input[name=principal]", "34,000")
    desk.fill("input[name=interest]", "2,000")
    desk.click("form.intake button[type=submit]")
    expect(desk.locator("h1")).to_contain_text("金调")
    dispute = Dispute.objects.get()
    assert dispute.channel == Channel.PARTY_APPLICATION
    made.refresh_from_db()
    assert made.dispute == dispute

    # the applicant, a few minutes on, opens the portal with the same mobile and number
    SignInCode.objects.update(sent_at=clock.now() - dt.timedelta(minutes=2))
    phone.goto(f"{url}/p/login/")
    phone.fill("input[name=phone]", APPLICANT)
    phone.click("button:has-text('获取验证码')")
    phone.fill("input[name=code]", outbox_code(APPLICANT))
    phone.fill("input[name=id_number]", resident_id(404))
    phone.click("button:has-text('登录')")
    expect(phone.locator("a.card.item")).to_contain_text(dispute.number)


def test_a_debtor_rejects_with_a_reason_and_counters_within_the_budget(
        desk, mediating, live_server, new_page, shots):
    url = live_server.url
    bank = offer_propose(actor=desk.agent, dispute_id=mediating.pk, options=flat(24),
                         discount_rate=D("0.035"))
    debtor = debtor_of(mediating)
    phone = new_page(**PHONE)
    portal_log_in(phone, url, debtor)

    budget = phone.locator("#budget")
    budget.locator("input[name=wage]").fill("12,000")
    budget.locator("button").click()
    warning = phone.locator("#offers .warn")
    expect(warning).to_contain_text("超出按您申报的收支每月最多可还的")

    phone.locator(f"#offer-{bank.pk} summary").click()
    phone.fill(f"#reason-{bank.pk}", "每月九千多超出我的能力，希望分五年")
    phone.locator(f"#offer-{bank.pk} button:has-text('提交不接受的理由')").click()
    expect(phone.locator(".msg.success")).to_contain_text("您已拒绝该方案")

    counter = phone.locator("#counter")
    counter.locator("input[name=periods]").fill("60")
    first_due = clock.today() + dt.timedelta(days=45)
    counter.locator("input[name=first_due]").fill(first_due.isoformat())
    counter.locator("button:has-text('计算每月还款')").click()
    preview = phone.locator("#counter-preview")
    expect(preview).to_contain_text("分60期，每月约 3,853.47 元")
    phone.screenshot(path=str(shots / "portal-counter.png"), full_page=True)
    phone.locator("#counter button:has-text('提交此方案')").click()
    expect(phone.locator(".msg.success")).to_contain_text("您的方案已提交")

    bank.refresh_from_db()
    assert bank.status == Offer.Status.REJECTED
    mine = Offer.objects.get(dispute=mediating, by=Offer.By.DEBTOR)
    assert mine.options["periods"] == 60
    assert mine.debtor_accepted_at is not None
