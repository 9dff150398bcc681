"""Scenario S2 fully online, in the browser: the county court delegates a credit union's
suit against two borrowers; the desk takes it in, the mediator designs a plan both sides
accept, drafts the agreement; both borrowers, the union's agent and the mediator sign with
codes read from the SMS outbox; the director seals; the joint application goes to the
court, whose judge reviews the checklist and confirms. The test reports how long the whole
path took; the agreement preview and the judge's checklist are photographed for docs/."""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from jintiao.demo.loop import sign_application
from jintiao.disputes.models import Dispute
from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.lifecycle import State
from jintiao.orgs.models import OrgKind, User
from jintiao.orgs.services import authority_grant_set
from tests.e2e.conftest import log_in
from tests.factories import OrganizationFactory, UserFactory, credit_code, resident_id

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password
WU, YANG = "13900000001", "13900000002"


@pytest.fixture
def s2(desk, settings):
    settings.DEBUG = True  # the outbox page stands in for the borrowers' phones
    desk.union = OrganizationFactory(name="凯里市农村信用合作联社", kind=OrgKind.INSTITUTION)
    desk.union_agent = UserFactory(organization=desk.union, roles=["agent"],
                                   full_name="联社经办人陈红")
    authority_grant_set(user=desk.union_agent, limits=AuthorityLimits(
        max_charge_waiver_ratio=D("0.5"), max_term_months=24))
    for user, name in ((desk.director, "调委会主任老李"), (desk.mediator, "调解员赵敏"),
                       (desk.judge, "法官周明")):
        User.objects.filter(pk=user.pk).update(first_name=name)
    return desk


def code_for(page, url: str, phone: str) -> str:
    """Read the newest signing code sent to ``phone`` from the outbox page."""
    page.goto(f"{url}/outbox/")
    masked = phone[:3] + "****" + phone[-4:]
    row = page.locator("table.outbox tbody tr", has_text=masked).first
    found = re.search(r"验证码(\d{6})", row.locator("td.sms").inner_text())
    assert found, row.inner_text()
    return found.group(1)


def test_s2_from_delegation_to_a_confirmed_agreement_online(s2, live_server, new_page, shots):
    w, url = s2, live_server.url
    started = time.monotonic()

    clerk = new_page()
    log_in(clerk, url, w.clerk.username, PASSWORD)
    clerk.click("nav >> text=登记纠纷")
    clerk.select_option("select[name=channel]", "court_delegated")
    clerk.select_option("select[name=institution]", str(w.union.pk))
    clerk.select_option("select[name=court]", str(w.court.pk))
    clerk.fill("textarea[name=summary]", "县农信社诉吴某某、杨某某借款合同纠纷，法院委派诉前调解。")
    clerk.check("input[name=notice_served]")
    clerk.fill("input[name=parties-0-name]", w.union.name)
    clerk.fill("input[name=parties-0-id_number]", credit_code(202))
    clerk.fill("input[name=parties-1-name]", "吴某某")
    clerk.fill("input[name=parties-1-id_number]", resident_id(202))
    clerk.fill("input[name=parties-1-phone]", WU)
    clerk.select_option("select[name=parties-2-role]", "debtor")
    clerk.fill("input[name=parties-2-name]", "杨某某")
    clerk.fill("input[name=parties-2-id_number]", resident_id(203))
    clerk.fill("input[name=parties-2-phone]", YANG)
    clerk.fill("input[name=principal]", "100,000")
    clerk.fill("input[name=interest]", "8,650")
    clerk.click("form.intake button[type=submit]:has-text('登记')")
    expect(clerk.locator(".badge")).to_have_text("已登记")
    dispute = Dispute.objects.get()
    accept = clerk.locator("form.action", has=clerk.locator("input[value=accept]"))
    accept.locator("button[type=submit]").click()
    expect(clerk.locator(".badge")).to_have_text("已受理")

    director = new_page()
    log_in(director, url, w.director.username, PASSWORD)
    director.goto(f"{url}/disputes/{dispute.pk}/assignment/")
    director.click("#triage button[type=submit]")
    director.locator("tr.candidate", has_text="调解员赵敏").locator("input[name=lead]").check()
    director.click("#candidates form.assign button[type=submit]")
    expect(director.locator(".badge")).to_have_text("调解中")

    mediator = new_page()
    log_in(mediator, url, w.mediator.username, PASSWORD)
    mediator.goto(f"{url}/disputes/{dispute.pk}/plans/")
    mediator.fill("input[name=p0-periods]", "12")
    mediator.fill("input[name=p0-label]", "本息12期")
    mediator.click("form.designer button[type=submit]")
    mediator.locator("#comparison form.propose").first.locator("button").click()
    mediator.locator("#offers button:has-text('记录债务人接受')").click()
    agent = new_page()
    log_in(agent, url, w.union_agent.username, PASSWORD)
    agent.goto(f"{url}/disputes/{dispute.pk}/mediation/")
    agent.locator("#offers button:has-text('债权人接受')").click()
    expect(agent.locator("#offers")).to_contain_text("双方接受")

    mediator.click("nav.tabs >> text=调解协议与司法确认")
    mediator.fill("textarea[name=facts]", "两名借款人向县农信社借款10万元，到期未还本付息；"
                                         "县法院委派县金调委调解，派出所、司法所、村委会协助。")
    mediator.fill("textarea[name=performance_manner]",
                  "借款人每期将还款存入其在联社开立的还款账户。")
    mediator.fill("input[name=charges_since]", "2026-03-01")
    mediator.click("#draft button[type=submit]")
    checklist = mediator.locator("#checklist")
    expect(checklist).to_contain_text("金额大小写一致")
    expect(checklist.locator("tr.check-unmet")).to_have_count(0)
    expect(mediator.locator("#preview")).to_contain_text("吴某某")
    expect(mediator.locator("#preview")).to_contain_text("人民币壹拾万捌仟陆佰伍拾元整")
    mediator.screenshot(path=str(shots / "agreement-preview.png"), full_page=True)

    # the borrowers sign at the desk with the codes their phones received
    reader = new_page()
    log_in(reader, url, w.mediator.username, PASSWORD)
    for name, phone in (("吴某某", WU), ("杨某某", YANG), ("调解员赵敏", None)):
        row = mediator.locator("#signers tr", has_text=name)
        row.locator("form.ask button").click()
        row = mediator.locator("#signers tr", has_text=name)
        code = code_for(reader, url, phone or w.mediator.mobile)
        row.locator("input[name=code]").fill(code)
        row.locator("form.sign button").click()
        expect(mediator.locator("#signers tr", has_text=name)).to_contain_text("已签署")
    agent.goto(f"{url}/disputes/{dispute.pk}/agreement/")
    row = agent.locator("#signers tr", has_text=w.union.name)
    row.locator("form.ask button").click()
    agent_phone = new_page()  # the outbox shows each person their own texts
    log_in(agent_phone, url, w.union_agent.username, PASSWORD)
    code = code_for(agent_phone, url, w.union_agent.mobile)
    agent.locator("#signers tr", has_text=w.union.name).locator("input[name=code]").fill(code)
    agent.locator("#signers tr", has_text=w.union.name).locator("form.sign button").click()
    expect(agent.locator("#signers tr", has_text=w.union.name)).to_contain_text("已签署")

    director.goto(f"{url}/disputes/{dispute.pk}/agreement/")
    director.click("form.seal button")
    expect(director.locator(".badge")).to_have_text("已达成协议")

    # each applicant's address for service and signature of the joint application (the
    # pages for it have their own browser test: test_joint_application_phone)
    sign_application(Dispute.objects.get(pk=dispute.pk), w.court.pk, desk=w.mediator,
                     agent=w.union_agent)
    mediator.goto(f"{url}/disputes/{dispute.pk}/agreement/")
    mediator.select_option("#confirmation select[name=court]", str(w.court.pk))
    mediator.get_by_role("button", name="提交法院").click()
    expect(mediator.locator("h1")).to_contain_text("司法确认审查")

    judge = new_page()
    log_in(judge, url, w.judge.username, PASSWORD)
    judge.goto(f"{url}/disputes/{dispute.pk}/agreement/")
    judge.locator("#confirmation a").first.click()
    judge.click("button:has-text('立案受理')")
    expect(judge.locator(".badge")).to_have_text("法院已受理，审查中")
    expect(judge.locator("#checklist tr.check-for_judge")).to_have_count(3)
    judge.screenshot(path=str(shots / "judge-checklist.png"), full_page=True)
    for code in ("voluntary", "no_fraud", "no_harm"):
        judge.check(f"input[name=attested][value={code}]")
    judge.check("input[name=decision][value=confirm]")
    judge.click("form.decide button[type=submit]")
    expect(judge.locator(".badge")).to_have_text("裁定确认协议有效")
    elapsed = time.monotonic() - started

    dispute.refresh_from_db()
    assert dispute.state == State.PERFORMING
    kinds = list(dispute.documents.order_by("seq").values_list("kind", flat=True))
    assert kinds == ["agreement", "confirmation_application", "court_acceptance_notice",
                     "ruling"]
    assert dispute.events.filter(type="agreement.signed").count() == 4
    report = {"scenario": "S2", "path": "intake → confirmed ruling, fully online",
              "seconds": round(elapsed, 1), "people": 6, "signatures": 4}
    (shots / "s2-online-timing.json").write_text(json.dumps(report, ensure_ascii=False))
    print(f"S2 online path: {elapsed:.1f} s in the browser")  # noqa: T201 - the report
