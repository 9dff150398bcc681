"""Two flows of issue 21 in the browser (found in review without one): the desk asks for a
hardship pause and the director grants it, the bank sees it runs but not the evidence; a
debtor confirms the record of undisputed facts on the phone with a code."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jintiao.domain.lifecycle import Action
from jintiao.mediation.models import FactsConfirmation, HardshipPause
from jintiao.mediation.services import action_apply, undisputed_facts_record
from jintiao.messaging.selectors import outbox_code
from tests.e2e.conftest import log_in, portal_log_in
from tests.portal.helpers import debtor_of, phone_of

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' own
EVIDENCE = "凯里市第一人民医院住院证明（已核对原件）"


def test_the_desk_asks_the_director_grants_and_the_bank_sees_no_evidence(
        desk, mediating, live_server, new_page):
    url = f"{live_server.url}/disputes/{mediating.pk}/mediation/"
    mediator = new_page()
    log_in(mediator, live_server.url, desk.mediator.username, PASSWORD)
    mediator.goto(url)
    card = mediator.locator("#pause")
    card.locator("summary:has-text('申请纾困暂停')").click()
    card.locator("select[name=ground]").select_option("illness")
    card.locator("textarea[name=evidence]").fill(EVIDENCE)
    card.locator("input[name=days]").fill("30")
    card.locator("button:has-text('提交主任审批')").click()
    expect(mediator.locator(".msg.success")).to_contain_text("待调委会主任审批")

    director = new_page()
    log_in(director, live_server.url, desk.director.username, PASSWORD)
    expect(director.locator("#pauses-waiting")).to_contain_text(mediating.number)
    director.locator(f"#pauses-waiting a:has-text('{mediating.number}')").click()
    pause = director.locator("#pause")
    pause.locator("select[name=grant]").select_option("yes")
    pause.locator("input[name=reason], textarea[name=reason]").fill("材料属实")
    pause.locator("button:has-text('审批纾困暂停')").click()
    expect(director.locator("#deadline-banner")).to_contain_text("纾困暂停中，调解期限停止计算")
    assert HardshipPause.objects.get().status == HardshipPause.Status.ACTIVE

    bank = new_page()
    log_in(bank, live_server.url, desk.agent.username, PASSWORD)
    bank.goto(url)
    expect(bank.locator("#pause")).to_contain_text("暂停中，至")
    expect(bank.locator("body")).not_to_contain_text(EVIDENCE)


def test_a_debtor_confirms_the_undisputed_facts_on_the_phone(desk, mediating, live_server,
                                                             new_page):
    mediating.refresh_from_db()
    failed = action_apply(actor=desk.mediator, dispute_id=mediating.pk, action=Action.FAIL,
                          expected_version=mediating.version, reason="双方对期限分歧较大")
    undisputed_facts_record(actor=desk.mediator, dispute_id=failed.pk,
                            facts=["截至2026年6月30日尚欠本金20万元"])
    debtor = debtor_of(failed)
    phone = new_page(width=390, height=844)
    portal_log_in(phone, live_server.url, debtor)
    facts = phone.locator("#facts")
    expect(facts).to_contain_text("截至2026年6月30日尚欠本金20万元")
    facts.locator("button:has-text('获取验证码确认')").click()
    expect(phone.locator(".msg.success")).to_contain_text("验证码已发送")
    phone.fill("#facts-code", outbox_code(phone_of(debtor)))
    phone.click("#facts button:has-text('我已核对，确认以上事实无争议')")
    expect(phone.locator("#facts")).to_contain_text("您已确认")
    assert FactsConfirmation.objects.get().party_row.party == debtor
