"""Browser tests of the workbench: the demo's S1 from the home page to an action, a clerk
accepting a new file, and the intake form with its field errors and an added party row."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jintiao.demo.seed import DEMO_PASSWORD, load_demo
from jintiao.disputes.models import Dispute
from jintiao.domain.lifecycle import State
from tests.e2e.conftest import log_in
from tests.factories import SCAN, credit_code, intake, resident_id

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bank_agent_finds_s1_in_the_demo_confirmed_and_performing(
        live_server, page, shots):
    load_demo(synthetic=20)
    s1 = Dispute.objects.get(external_ref="S1")
    log_in(page, live_server.url, "agent", DEMO_PASSWORD)
    page.screenshot(path=str(shots / "home.png"), full_page=True)

    page.click("nav >> text=纠纷列表")
    page.select_option("select[name=state]", "performing")  # htmx reloads the results
    page.fill("input[name=q]", "刘某某")
    page.press("input[name=q]", "Enter")
    rows = page.locator("#results table.grid tbody tr")
    expect(rows).to_have_count(1)
    assert "state=performing" in page.url  # the filtered list has its own address

    # the filter's last reload settled first: on a loaded machine a late swap of the results
    # took the row from under the click (the full suite, once)
    page.wait_for_load_state("networkidle")
    page.click(f"text={s1.number}")
    expect(page.locator(".badge")).to_have_text("履行中")
    expect(page.locator("text=250,277.13").first).to_be_visible()
    expect(page.locator("text=贰拾伍万零贰佰柒拾柒元壹角叁分")).to_be_visible()
    expect(page.get_by_role("cell", name="刘某某")).to_be_visible()  # the parties' table
    page.screenshot(path=str(shots / "dispute-page.png"), full_page=True)

    # default follows from missed payments, never from a click: no form offers it
    expect(page.locator("form.action", has=page.locator("input[value=default]"))) \
        .to_have_count(0)
    expect(page.locator(".timeline li")).to_have_count(s1.events.count())
    s1.refresh_from_db()
    assert s1.state == State.PERFORMING
    assert s1.events.filter(type="agreement.signed").count() == 2 + 1  # bank, holder, mediator


def debtor_name(dispute: Dispute) -> str:
    return dispute.party_rows.get(role="debtor").party.name


def test_clerk_logs_in_accepts_the_file_waiting_and_records_a_lawyer(world, live_server, page):
    dispute = intake(actor=world.clerk, committee=world.committee, institution=world.branch,
                     principal="200311.62")
    log_in(page, live_server.url, world.clerk.username, "pass-for-tests")
    queue = page.locator("#mine table.grid tbody tr")
    expect(queue).to_have_count(1)
    queue.locator("a").click()
    expect(page.locator("text=231,520.02").first).to_be_visible()
    form = page.locator("form.action", has=page.locator("input[value=accept]"))
    expect(form.locator(".attest label")).to_have_text("本人确认：已向当事人告知非诉讼纠纷解决方式")
    form.locator("input[name=attest]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator(".badge")).to_have_text("已受理")
    expect(page.locator(".timeline")).to_contain_text("经办人确认：已向当事人告知非诉讼纠纷解决方式")
    dispute.refresh_from_db()
    assert dispute.state == State.ACCEPTED
    assert dispute.non_litigation_notice_served

    page.click("summary:has-text('登记代理人')")  # the debtor's lawyer shows a power of attorney
    page.select_option("select[name=party_row]", label=f"债务人 {debtor_name(dispute)}")
    page.fill("input[name=name]", "李律师")
    page.fill("input[name=id_number]", resident_id(79))
    page.select_option("select[name=relation]", "lawyer")
    page.select_option("select[name=authority]", "special")
    page.fill("input[name=signed_on]", dispute.received_on.isoformat())
    page.set_input_files("input[name=scan]", files=[{
        "name": "授权委托书.pdf", "mimeType": "application/pdf", "buffer": SCAN.data}])
    page.click("details.rep-form button[type=submit]")
    expect(page.locator("tr.rep")).to_contain_text("李律师")
    expect(page.locator("tr.rep")).to_contain_text("律师 · 特别授权")
    expect(page.locator(".timeline")).to_contain_text("登记代理人")


def test_the_clerk_files_a_dispute_correcting_an_id_number_and_adding_a_guarantor(
        world, live_server, page):
    log_in(page, live_server.url, world.clerk.username, "pass-for-tests")
    page.click("nav >> text=登记纠纷")
    page.select_option("select[name=channel]", "court_delegated")
    page.select_option("select[name=institution]", str(world.branch.pk))
    page.select_option("select[name=court]", str(world.court.pk))
    page.fill("textarea[name=summary]", "信用卡逾期，持卡人请求分期")
    page.check("input[name=notice_served]")
    page.fill("input[name=parties-0-name]", "某银行凯里支行")
    page.fill("input[name=parties-0-id_number]", credit_code(77))
    page.fill("input[name=parties-1-name]", "刘某某")
    wrong = resident_id(77)[:-1] + ("0" if resident_id(77)[-1] != "0" else "1")
    page.fill("input[name=parties-1-id_number]", wrong)
    page.fill("input[name=principal]", "20.03万")
    page.fill("input[name=interest]", "31,208.40")
    page.click("button:has-text('增加当事人')")  # htmx brings a fourth row
    expect(page.locator("#party-rows tr.party")).to_have_count(4)
    page.fill("input[name=parties-3-name]", "王某")
    page.fill("input[name=parties-3-id_number]", resident_id(78))
    page.click("form.intake button[type=submit]:has-text('登记')")

    error = page.locator("tr.party.invalid small.error")
    expect(error).to_contain_text("末位")
    assert not Dispute.objects.exists()
    page.fill("input[name=parties-1-id_number]", resident_id(77))
    page.click("form.intake button[type=submit]:has-text('登记')")

    expect(page.locator(".badge")).to_have_text("已登记")
    dispute = Dispute.objects.get()
    expect(page.locator("h1")).to_contain_text(dispute.number)
    assert dispute.principal == 200300
    assert sorted(dispute.party_rows.values_list("role", flat=True)) == [
        "creditor", "debtor", "guarantor"]
    page.goto(f"{live_server.url}/")
    expect(page.locator("#mine table.grid tbody tr")).to_have_count(1)  # now waiting on them
