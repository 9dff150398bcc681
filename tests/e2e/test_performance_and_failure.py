"""Browser tests of what follows the agreement: the bank records a payment and the system,
looking again, finds the default; the bank applies for enforcement; a failed mediation records its
undisputed facts, each side confirms them and the dispute goes to court; a notice served."""

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
from jintiao.jobs import checks
from jintiao.mediation.services import action_apply
from jintiao.orgs.models import User
from jintiao.performance.services import payment_record
from tests.e2e.conftest import log_in
from tests.factories import intake
from tests.helpers import DRAFT, accept_plan, agree, confirm

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), clock.TZ)


@pytest.fixture(autouse=True)
def named(desk):
    """People with names, as the screenshot under docs/ shows them."""
    for user, name in ((desk.director, "调委会主任老李"), (desk.mediator, "调解员赵敏"),
                       (desk.agent, "支行经办人孙杰"), (desk.judge, "法官周明")):
        User.objects.filter(pk=user.pk).update(first_name=name)
        user.refresh_from_db()


@pytest.fixture
def confirmed_in_july(desk):
    """A card debt confirmed in July on 12 instalments from 2026-08-20; August and September
    paid on time, October and November not."""
    with clock.pinned(at(dt.date(2026, 7, 10))):
        d = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
                   court=desk.court, channel=Channel.COURT_DELEGATED)
        d = action_apply(actor=desk.clerk, dispute_id=d.pk, action=Action.ACCEPT,
                         expected_version=1, notice_served=True)
        d = action_apply(actor=desk.director, dispute_id=d.pk, action=Action.ASSIGN,
                         expected_version=d.version, track=Track.SIMPLE, mediators=[desk.mediator])
        accept_plan(desk, d, PlanOptions(Method.FLAT, 12, dt.date(2026, 8, 20), label="12期"))
        draft = DRAFT.__class__(**{**DRAFT.__dict__, "charges_since": dt.date(2025, 6, 1)})
        agree(desk, d, draft)
        confirm(desk, d)
    due = d.agreements.get(status="effective").content["terms"]["schedule"][0]["payment"]
    for n, day in enumerate((dt.date(2026, 8, 20), dt.date(2026, 9, 20)), 1):
        with clock.pinned(at(day)):
            payment_record(actor=desk.agent, dispute_id=d.pk, reference=f"TX-{n}", paid_on=day,
                           amount=Decimal(due))
    d.refresh_from_db()
    assert d.state == State.PERFORMING
    return d


def test_the_bank_records_a_payment_finds_the_default_and_applies_to_enforce(
        desk, confirmed_in_july, live_server, page, shots):
    d = confirmed_in_july
    log_in(page, live_server.url, desk.agent.username, PASSWORD)
    page.goto(f"{live_server.url}/disputes/{d.pk}/performance/")
    rows = page.locator("table.schedule tbody tr")
    expect(rows.nth(0)).to_contain_text("已还清")
    expect(rows.nth(2)).to_contain_text("逾期未还")
    form = page.locator("#payments form")
    form.locator("input[name=reference]").fill("TX-3")
    form.locator("input[name=paid_on]").fill(clock.today().isoformat())
    form.locator("input[name=amount]").fill("1,000")
    form.locator("button[type=submit]").click()
    expect(page.locator(".msg.success")).to_contain_text("已登记还款")
    expect(rows.nth(2)).to_contain_text("部分还款")
    # recording it, the system looked again: October and November missed is a default
    expect(page.locator(".badge")).to_have_text("已违约")
    card = page.locator("#enforcement")
    expect(card).to_contain_text("2026-11-21 触发加速到期")  # the second missed: November
    expect(card).to_contain_text("迟延履行期间的加倍部分债务利息")
    page.screenshot(path=str(shots / "performance.png"), full_page=True)
    card.locator("button").click()
    expect(page.locator(".badge")).to_have_text("强制执行中")
    expect(page.locator("#enforcement")).to_contain_text("已申请强制执行")
    d.refresh_from_db()
    assert d.state == State.ENFORCEMENT
    assert d.documents.filter(kind="enforcement_application").count() == 2  # prepared, filed


def test_a_failed_mediation_goes_to_court_with_confirmed_facts(desk, mediating, live_server,
                                                               page):
    log_in(page, live_server.url, desk.mediator.username, PASSWORD)
    page.goto(f"{live_server.url}/disputes/{mediating.pk}/")
    fail = page.locator("form.action", has=page.locator("input[value=fail]"))
    fail.locator("input[name=reason]").fill("双方对还款期限分歧较大")
    fail.locator("button[type=submit]").click()
    expect(page.locator(".badge")).to_have_text("调解不成")
    page.click("text=调解不成与转诉讼 >> nth=0")
    expect(page.locator("form.transfer button")).to_be_disabled()
    page.fill("textarea[name=facts]", "借款本金200,000元已实际发放\n借款人自2026年3月起未还款")
    page.fill("textarea[name=disputed]", "罚息是否过高")
    page.click("#facts details button[type=submit]")
    for i in range(2):
        row = page.locator("#facts table tbody tr").nth(i)
        row.locator("input[name=how]").fill("书面签字")
        row.locator("button").click()
        expect(page.locator(".msg.success")).to_contain_text("已登记当事人确认")
    page.click("form.transfer button")
    expect(page.locator(".badge")).to_have_text("已转诉讼")
    expect(page.locator("#documents")).to_contain_text("无争议事实记载表")


def test_the_clerk_serves_the_notice_of_non_litigation_options(desk, mediating, live_server,
                                                               page):
    log_in(page, live_server.url, desk.clerk.username, PASSWORD)
    page.goto(f"{live_server.url}/disputes/{mediating.pk}/")
    page.select_option("#paperwork select[name=kind]", "options_notice")
    page.click("#paperwork button")
    expect(page.locator("h1")).to_contain_text("非诉讼纠纷解决方式告知书")
    expect(page.locator(".document")).to_contain_text("人民调解不收取任何费用")


def test_the_bank_imports_a_file_that_pays_in_full_and_confirms_the_credit_repair(
        desk, confirmed_in_july, live_server, new_page, tmp_path):
    d = confirmed_in_july
    checks.run(["follow_ups"])  # the night's job plans the visits
    schedule = d.agreements.get(status="effective").content["terms"]["schedule"]
    rows = [f"{d.number},F-{r['number']},{clock.today().isoformat()},{r['payment']}"
            for r in schedule[2:]]
    csv = tmp_path / "payments.csv"
    csv.write_text("dispute,reference,paid_on,amount\n" + "\n".join(rows) + "\n")

    agent = new_page()
    log_in(agent, live_server.url, desk.agent.username, PASSWORD)
    agent.goto(f"{live_server.url}/payments/import/")
    agent.set_input_files("input[name=file]", str(csv))
    agent.click("main form button[type=submit]")
    expect(agent.locator(".msg.success")).to_contain_text("已登记10笔，重复0笔")
    agent.set_input_files("input[name=file]", str(csv))  # the same file again: nothing new
    agent.click("main form button[type=submit]")
    expect(agent.locator(".msg.success")).to_contain_text("已登记0笔，重复10笔")
    agent.goto(f"{live_server.url}/disputes/{d.pk}/performance/")
    expect(agent.locator(".badge")).to_have_text("已履行完毕")
    repair = agent.locator("#repair")
    expect(repair).to_contain_text("等待金融机构确认更正")
    repair.locator("input[name=note]").fill("已报送征信系统更正")
    repair.locator("button").click()
    expect(agent.locator("#repair")).to_contain_text("已报送征信系统更正")

    mediator = new_page()
    log_in(mediator, live_server.url, desk.mediator.username, PASSWORD)
    mediator.goto(f"{live_server.url}/disputes/{d.pk}/performance/")
    visit = mediator.locator("#follow-ups form").first
    visit.locator("select[name=method]").select_option("phone")
    visit.locator("input[name=note]").fill("债务人表示已还清，无其他诉求")
    visit.locator("button").click()
    expect(mediator.locator("#follow-ups")).to_contain_text("债务人表示已还清")
    d.refresh_from_db()
    assert d.state == State.PERFORMED
    assert d.credit_repair.confirmed_at is not None
