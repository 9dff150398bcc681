"""Browser test of issue 17's joint application: the debtor, on the phone, confirms an
address for service and signs the joint application the desk sent a code for; the bank
signs through its agent, the committee's clerk files it and downloads the signed file
(卷宗) as one PDF."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from jintiao.confirmation import joint
from jintiao.confirmation.models import Application
from jintiao.confirmation.services import confirmation_accept, confirmation_decide
from jintiao.disputes.models import Statement
from jintiao.disputes.particulars import party_update
from jintiao.documents import statements
from jintiao.documents.models import Document
from jintiao.domain.confirmation import judge_items
from jintiao.messaging.selectors import outbox_code
from tests.e2e.conftest import log_in
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree
from tests.portal.helpers import id_of, phone_of

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password
PHONE = {"width": 390, "height": 844}


def test_the_debtor_signs_on_the_phone_and_the_clerk_files_and_downloads_the_file(
        desk, mediating, live_server, new_page, shots):
    url = live_server.url
    for row, changes in [
            (mediating.party_rows.get(role="debtor"),
             {"ethnicity": "苗族", "occupation": "个体工商户",
              "address": "贵州省凯里市北京东路1号3单元502室"}),
            (mediating.party_rows.get(role="creditor"),
             {"address": "贵州省凯里市韶山南路8号", "rep_role": "principal",
              "rep_name": "赵某某", "rep_title": "行长"})]:
        party_update(actor=desk.clerk, dispute_id=mediating.pk, party_row_id=row.pk,
                     expected_version=row.party.version, changes=changes)
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    debtor_row = mediating.party_rows.select_related("party").get(role="debtor")
    creditor_row = mediating.party_rows.select_related("party").get(role="creditor")
    debtor = debtor_row.party

    # the debtor signs in on the phone
    phone = new_page(**PHONE)
    phone.goto(f"{url}/p/")
    phone.fill("input[name=phone]", phone_of(debtor))
    phone.click("button:has-text('获取验证码')")
    phone.fill("input[name=code]", outbox_code(phone_of(debtor)))
    phone.fill("input[name=id_number]", id_of(debtor))
    phone.check("input[name=consent]")
    phone.click("button:has-text('登录')")
    phone.locator("a.card.item").click()

    # the address for service: typed, then signed with the code the phone receives
    section = phone.locator("#service-address")
    expect(section).to_contain_text("申请司法确认须提供送达地址")
    section.locator("input[name=postal_address]").fill("贵州省凯里市北京东路1号3单元502室")
    section.locator("input[name=email]").fill("not-an-address")
    section.locator("button:has-text('获取验证码以签署')").click()
    expect(phone.locator(".msg.error")).to_contain_text("电子邮箱")
    section = phone.locator("#service-address")
    section.locator("input[name=postal_address]").fill("贵州省凯里市北京东路1号3单元502室")
    section.locator("input[name=email]").fill("")
    section.locator("button:has-text('获取验证码以签署')").click()
    expect(phone.locator(".msg.success")).to_contain_text("验证码已发送")
    waiting = phone.locator("#to-sign")
    expect(waiting).to_contain_text("北京东路1号3单元502室")
    waiting.locator("input[name=code]").fill("000000")
    waiting.locator("button:has-text('签署')").click()
    expect(phone.locator(".msg.error")).to_contain_text("验证码错误")
    phone.locator("#to-sign input[name=code]").fill(outbox_code(phone_of(debtor)))
    phone.locator("#to-sign button:has-text('签署')").click()
    expect(phone.locator(".msg.success")).to_contain_text("您已签署")
    expect(phone.locator("#service-address")).to_contain_text("在用的送达地址")

    # the clerk sends every applicant the application's code
    clerk = new_page()
    log_in(clerk, url, desk.mediator.username, PASSWORD)
    clerk.goto(f"{url}/disputes/{mediating.pk}/agreement/")
    card = clerk.locator("#applicants")
    expect(card).to_contain_text("北京东路1号3单元502室")
    expect(clerk.get_by_role("button", name="提交法院")).to_be_disabled()
    card.locator("tr", has_text=debtor.name).get_by_role(
        "button", name="发送签署验证码").click()
    expect(clerk.locator(".msg.success")).to_contain_text("签署验证码已发送")

    # the debtor reads the application on the phone and signs it
    phone.reload()
    waiting = phone.locator("#to-sign")
    expect(waiting).to_contain_text("司法确认申请书")
    expect(waiting).to_contain_text("没有恶意串通、规避法律的行为")
    expect(waiting).to_contain_text(desk.court.name)
    phone.screenshot(path=str(shots / "portal-joint-application.png"), full_page=True)
    waiting.locator("input[name=code]").fill(outbox_code(phone_of(debtor)))
    waiting.locator("button:has-text('签署')").click()
    expect(phone.locator(".msg.success")).to_contain_text("您已签署")
    expect(phone.locator("#to-sign")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # the bank signs through its agent, its address recorded at the desk
    statements.statement_record_at_desk(
        actor=desk.mediator, dispute_id=mediating.pk, party_row_id=creditor_row.pk,
        kind=Statement.Kind.SERVICE_ADDRESS, content=statements.service_address_content(
            creditor_row, postal_address="凯里市韶山南路8号", e_service=False))
    sent = joint.code_send(actor=desk.agent, dispute_id=mediating.pk,
                           party_row_id=creditor_row.pk, court_id=desk.court.pk)
    statements.statement_sign(actor=desk.agent, statement_id=sent.pk,
                              code=outbox_code(desk.agent.mobile))

    clerk.reload()
    expect(clerk.locator("#applicants")).not_to_contain_text("未确认")
    clerk.get_by_role("button", name="提交法院").click()
    expect(clerk.locator(".msg.success")).to_contain_text("已向法院提交司法确认申请")

    clerk.goto(f"{url}/disputes/{mediating.pk}/")
    with clerk.expect_download() as got:
        clerk.get_by_role("link", name="下载调解卷宗（封面、卷内目录及全部文书，PDF）").click()
    text = "\n".join(p.extract_text() for p in PdfReader(
        io.BytesIO(open(got.value.path(), "rb").read())).pages)
    assert "司法确认申请书" in text
    assert "北京东路1号3单元502室" in text
    assert "手机验证码电子签名" in text

    # the court confirms; page one of the three documents a court reads, for docs/
    app = Application.objects.get(dispute=mediating)
    confirmation_accept(actor=desk.judge, application_id=app.pk)
    mediating.refresh_from_db()
    confirmation_decide(actor=desk.judge, application_id=app.pk,
                        expected_version=mediating.version, confirm=True,
                        attested=list(judge_items()))
    for kind, name in [("agreement", "doc-agreement.png"),
                       ("confirmation_application", "doc-application.png"),
                       ("ruling", "doc-ruling.png")]:
        stored = Document.objects.get(dispute=mediating, kind=kind)
        page_one = pdfium.PdfDocument(stored.pdf.read())[0]
        page_one.render(scale=1.4).to_pil().save(shots / name)
