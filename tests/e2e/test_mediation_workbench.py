"""Browser tests of the mediation workbench: the director assigns past the conflicted
mediator, the mediator holds a back-to-back round and compares plans, the bank's agent
meets its authority and its approver grants the 60-instalment plan; an expert's neutral
evaluation. The plan comparison and the evaluation are photographed for docs/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from jintiao import clock
from jintiao.disputes.models import Channel
from jintiao.domain.lifecycle import Action, State
from jintiao.mediation.models import Offer
from jintiao.mediation.services import action_apply, offer_propose
from jintiao.orgs.models import User
from tests.e2e.conftest import log_in
from tests.factories import flat, intake

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


@pytest.fixture(autouse=True)
def named(desk):
    """People with names, as the screenshots under docs/ show them."""
    for user, name in ((desk.director, "调委会主任老李"), (desk.mediator, "调解员赵敏"),
                       (desk.expert, "调解专家钱律师"), (desk.agent, "支行经办人孙杰"),
                       (desk.approver, "分行审批人周涛"),
                       (desk.banker_mediator, "调解员（支行）王某")):
        User.objects.filter(pk=user.pk).update(first_name=name)
        user.refresh_from_db()


@pytest.fixture
def accepted(desk):
    dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
                     court=desk.court, channel=Channel.COURT_DELEGATED, principal="219069.73")
    return action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                        expected_version=1, notice_served=True)


def test_the_director_assigns_and_the_mediator_compares_and_proposes(
        desk, accepted, live_server, new_page, shots):
    director = new_page()
    log_in(director, live_server.url, desk.director.username, PASSWORD)
    director.goto(f"{live_server.url}/disputes/{accepted.pk}/")
    director.click("text=按规则建议和调解员排序办理")
    expect(director.locator("#suggestion")).to_contain_text("简易程序")
    director.check("input[name=facts_disputed]")  # htmx asks the rule again
    expect(director.locator("#suggestion")).to_contain_text("普通程序")
    director.uncheck("input[name=facts_disputed]")
    expect(director.locator("#suggestion")).to_contain_text("简易程序")
    director.click("#triage button[type=submit]")
    expect(director.locator(".msg")).to_contain_text("已确定程序")
    director.screenshot(path=str(shots / "assignment.png"), full_page=True)
    excluded = director.locator("table.excluded")
    expect(excluded).to_contain_text(str(desk.banker_mediator))
    expect(excluded).to_contain_text("应当回避")
    director.locator("tr.candidate", has_text=str(desk.mediator)).locator(
        "input[name=lead]").check()
    director.click("#candidates form.assign button[type=submit]")
    expect(director.locator(".badge")).to_have_text("调解中")
    expect(director.locator("#deadline-banner")).to_contain_text("调解期限")

    mediator = new_page()
    log_in(mediator, live_server.url, desk.mediator.username, PASSWORD)
    mediator.goto(f"{live_server.url}/disputes/{accepted.pk}/mediation/")
    mediator.click("summary:has-text('安排调解')")
    started = (clock.now() - dt.timedelta(hours=1)).astimezone(clock.TZ)
    mediator.select_option("select[name=mode]", "back_to_back")
    mediator.fill("input[name=starts_at]", started.strftime("%Y-%m-%dT%H:%M"))
    mediator.fill(".new-session input[name=place]", "凯里市综治中心调解室")
    mediator.click(".new-session button[type=submit]")
    expect(mediator.locator(".session")).to_contain_text("背对背")
    note = mediator.locator(".session form.note-form")
    note.locator("select[name=side]").select_option("debtor")
    note.locator("textarea[name=text]").fill("持卡人：另有20万元贷款逾期，每月最多还4,300元")
    note.locator("button[type=submit]").click()
    expect(mediator.locator(".note")).to_contain_text("每月最多还4,300元")

    mediator.click("#budget summary")
    mediator.fill("#budget input[name=monthly_income]", "14,000")
    mediator.fill("#budget input[name=other_obligations]", "2500")
    mediator.fill("#budget input[name=dependants]", "1")
    mediator.click("#budget button[type=submit]")
    expect(mediator.locator("#budget dl")).to_contain_text("14000")

    mediator.click("nav.tabs >> text=还款方案设计")
    for i, months in enumerate((24, 36, 60)):
        mediator.fill(f"input[name=p{i}-periods]", str(months))
        mediator.fill(f"input[name=p{i}-label]", f"全额{months}期")
    mediator.click("form.designer button[type=submit]")  # htmx redraws the comparison
    comparison = mediator.locator("#comparison")
    expect(comparison).to_contain_text("全额60期")
    affordable = comparison.locator("td.afford")
    expect(affordable.nth(0)).to_contain_text("✗")
    expect(affordable.nth(2)).to_contain_text("✓")
    assert "p2-periods=60" in mediator.url  # the comparison has its own address
    mediator.screenshot(path=str(shots / "plan-comparison.png"), full_page=True)

    comparison.locator("form.propose").nth(2).locator("button").click()
    offers = mediator.locator("#offers tr.offer")
    expect(offers).to_have_count(1)
    expect(offers.first).to_contain_text("全额60期")
    expect(offers.first).to_contain_text("4,171")
    offer = Offer.objects.get(dispute=accepted)
    assert offer.figures["instalments"] == 60
    assert offer.by == Offer.By.MEDIATOR


def test_the_agent_meets_its_authority_and_the_approver_grants_the_plan(
        desk, mediating, live_server, new_page, shots):
    offer = offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(
        60, label="全额60期"), discount_rate=D("0.035"))
    agent = new_page()
    log_in(agent, live_server.url, desk.agent.username, PASSWORD)
    agent.goto(f"{live_server.url}/disputes/{mediating.pk}/")
    agent.click("#mediation >> text=调解工作台")
    row = agent.locator("tr.offer").first
    expect(row).to_contain_text("全额60期")
    expect(row.locator(".need")).to_contain_text("还款期限：方案为60个月，授权为36个月")
    expect(row.locator("text=债权人接受")).to_have_count(0)  # beyond authority: not offered
    row.locator("text=报请上级审批").click()
    expect(agent.locator(".msg").first).to_contain_text("已报请上级审批")
    expect(agent.locator("tr.offer").first).to_contain_text("审批中")

    approver = new_page()
    log_in(approver, live_server.url, desk.approver.username, PASSWORD)
    expect(approver.locator("#approvals")).to_contain_text(mediating.number)
    approver.click("nav >> text=待审批")
    card = approver.locator(".approval").first
    expect(card).to_contain_text("授权为36个月")
    card.locator("select[name=grant]").select_option("yes")
    card.locator("input[name=reason]").fill("持卡人确有困难，同意全额60期")
    card.locator("button[type=submit]").click()
    expect(approver.locator(".msg").first).to_contain_text("已审批")

    agent.reload()  # the approval is the bank's acceptance: the agent sees it at once
    row = agent.locator("tr.offer").first
    expect(row).to_contain_text("已批准")
    expect(row).to_contain_text("债权人✓")
    offer.refresh_from_db()
    assert offer.creditor_accepted_at is not None
    assert offer.status == Offer.Status.OPEN  # the debtor has not answered yet

    mediator = new_page()
    log_in(mediator, live_server.url, desk.mediator.username, PASSWORD)
    mediator.goto(f"{live_server.url}/disputes/{mediating.pk}/mediation/")
    mediator.locator("tr.offer").first.locator("text=记录债务人接受").click()
    expect(mediator.locator("#offers .msg")).to_contain_text("已为双方接受")
    mediator.screenshot(path=str(shots / "mediation-page.png"), full_page=True)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    mediating.refresh_from_db()
    assert mediating.state == State.MEDIATING  # ready for the agreement


def test_the_expert_gives_a_neutral_evaluation(desk, live_server, new_page, shots):
    dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
                     principal="2434500.00")
    dispute = action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                           expected_version=1, notice_served=True)
    dispute = action_apply(actor=desk.director, dispute_id=dispute.pk, action=Action.ASSIGN,
                           expected_version=dispute.version, track="evaluation",
                           mediators=[desk.mediator, desk.expert])
    offer = offer_propose(actor=desk.mediator, dispute_id=dispute.pk, discount_rate=D("0.035"),
                          options=flat(48, label="延期还本、48期分期"))
    expert = new_page()
    log_in(expert, live_server.url, desk.expert.username, PASSWORD)
    expert.goto(f"{live_server.url}/disputes/{dispute.pk}/evaluation/")
    expert.fill("textarea[name=assessment]",
                "借款合同及放款凭证齐全，本金和合同期内利息依法应予支持；罚息按合同约定计算，"
                "但利息、罚息合计超过年24%的部分法院不予支持。诉讼胜诉可能性高，"
                "但企业现金流紧张，执行回收存在较大不确定性。")
    expert.fill("input[name=contract_annual_rate]", "6.5")
    expert.select_option("select[name=offer]", str(offer.pk))
    expert.click("#evaluate button[type=submit]")
    card = expert.locator(".evaluation").first
    expect(card).to_contain_text("案件受理费")
    expect(card.locator("table.paths")).to_contain_text("债权人可得")
    expect(card).to_contain_text("调解方案：债权人现值")
    expert.screenshot(path=str(shots / "evaluation.png"), full_page=True)
    assert dispute.evaluations.get().offer == offer  # compared with the plan chosen
    expect(card.locator("table.paths")).to_contain_text("延期还本、48期分期")


def test_blind_bounds_then_consents_and_an_extension(desk, mediating, live_server, new_page):
    agent = new_page()
    log_in(agent, live_server.url, desk.agent.username, PASSWORD)
    agent.goto(f"{live_server.url}/disputes/{mediating.pk}/mediation/")
    bound = agent.locator("form.bound")
    expect(bound).to_have_count(1)  # the bank enters its own side's bound only
    bound.locator("input[name=min_total]").fill("231,208.40")
    bound.locator("input[name=max_term_months]").fill("36")
    bound.locator("button[type=submit]").click()
    expect(agent.locator("#blind table")).to_contain_text("已报")
    expect(agent.locator("form.bound")).to_have_count(0)  # once a round

    mediator = new_page()
    log_in(mediator, live_server.url, desk.mediator.username, PASSWORD)
    mediator.goto(f"{live_server.url}/disputes/{mediating.pk}/mediation/")
    debtor = mediator.locator("form.bound")
    debtor.locator("input[name=max_monthly]").fill("7000")
    debtor.locator("input[name=max_total]").fill("231208.40")
    debtor.locator("button[type=submit]").click()
    expect(mediator.locator("#blind table")).to_contain_text("有交集")
    expect(mediator.locator("tr.offer").first).to_contain_text("背靠背报价建议方案")
    assert "7000" not in mediator.locator("#blind").inner_text()

    before = mediating.deadline
    for row in mediating.party_rows.all():
        form = mediator.locator("#deadline form.consent")
        form.locator("select[name=party_row]").select_option(str(row.pk))
        form.locator("input[name=how]").fill("书面同意延长")
        form.locator("button[type=submit]").click()
        expect(mediator.locator(".msg").first).to_contain_text("已登记当事人同意延长期限")
    director = new_page()
    log_in(director, live_server.url, desk.director.username, PASSWORD)
    director.goto(f"{live_server.url}/disputes/{mediating.pk}/mediation/")
    director.click("button:has-text('延长调解期限')")
    expect(director.locator(".msg").first).to_contain_text("已延长调解期限")
    expect(director.locator("#deadline")).to_contain_text("已延长 1 次")
    mediating.refresh_from_db()
    assert mediating.deadline > before


def test_a_recorded_session_an_attachment_a_withdrawal_and_a_recusal(
        desk, mediating, live_server, new_page, settings, tmp_path):
    """The mediator records a session's 笔录 and uploads its recording, then withdraws a
    plan; the bank asks for the mediator's recusal and the director grants it."""
    settings.MEDIA_ROOT = tmp_path
    offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(
        24, label="全额24期"), discount_rate=D("0.035"))
    mediator = new_page()
    log_in(mediator, live_server.url, desk.mediator.username, PASSWORD)
    mediator.goto(f"{live_server.url}/disputes/{mediating.pk}/mediation/")
    mediator.click("summary:has-text('安排调解')")
    started = (clock.now() - dt.timedelta(hours=2)).astimezone(clock.TZ)
    mediator.select_option(".new-session select[name=mode]", "phone")
    mediator.fill(".new-session input[name=starts_at]", started.strftime("%Y-%m-%dT%H:%M"))
    mediator.click(".new-session button[type=submit]")
    session = mediator.locator(".session").first
    session.locator("summary:has-text('记录笔录和出席情况')").click()
    session.locator("textarea[name=record]").fill("电话联系债务人，释明调解程序，债务人愿意分期。")
    session.locator("input[name=present]").first.check()
    session.locator("button:has-text('保存笔录')").click()
    expect(mediator.locator(".session .record")).to_contain_text("债务人愿意分期")
    session = mediator.locator(".session").first
    session.locator("summary:has-text('上传录音、证据')").click()
    session.locator("select[name=kind]").select_option("recording")
    session.locator("input[name=file]").set_input_files(
        files=[{"name": "电话录音.m4a", "mimeType": "audio/mp4", "buffer": b"audio" * 200}])
    session.locator("button:has-text('上传')").click()
    expect(mediator.locator(".session .files")).to_contain_text("电话录音.m4a")
    with mediator.expect_download() as download:
        mediator.click(".session .files a")
    assert download.value.suggested_filename == "电话录音.m4a"

    row = mediator.locator("tr.offer").first
    row.locator("summary:has-text('撤回')").click()
    row.locator("details.withdraw input[name=reason]").fill("债务人收入变化，重新设计方案")
    row.locator("button:has-text('撤回方案')").click()
    expect(mediator.locator("tr.offer").first).to_contain_text("已撤回")

    agent = new_page()
    log_in(agent, live_server.url, desk.agent.username, PASSWORD)
    agent.goto(f"{live_server.url}/disputes/{mediating.pk}/mediation/")
    agent.click("#recusals summary:has-text('登记回避申请')")
    agent.fill("#recusals textarea[name=reason], #recusals input[name=reason]",
               "该调解员曾代理借款人的其他纠纷")
    agent.click("#recusals button:has-text('登记')")
    expect(agent.locator("#recusals")).to_contain_text("待决定")

    director = new_page()
    log_in(director, live_server.url, desk.director.username, PASSWORD)
    director.goto(f"{live_server.url}/disputes/{mediating.pk}/mediation/")
    decision = director.locator("#recusals form.inline")
    decision.locator("select[name=grant]").select_option("yes")
    decision.locator("input[name=reason]").fill("存在可能影响公正调解的关系")
    decision.locator("button:has-text('决定')").click()
    expect(director.locator("#recusals")).to_contain_text("准予回避")
    expect(director.locator("#deadline-banner")).to_contain_text("尚未指派")
    assert not mediating.mediator_rows.filter(user=desk.mediator).exists()
