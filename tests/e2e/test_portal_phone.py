"""Scenario S2 from the borrower's phone: 吴某某 signs in to the party portal with the code
his phone received (the outbox stands for it) and his identity number, reads the plan on
the table in plain words, puts in a private bound, and — once both sides have accepted and
the mediator has drafted the agreement — reads it and signs it with a second code. The
pages are photographed at a phone's size for docs/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from jintiao.agreements.models import Signature
from jintiao.agreements.services import agreement_draft
from jintiao.disputes.models import Channel, DisputeType, PartyRole
from jintiao.disputes.services import dispute_intake
from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import Track
from jintiao.mediation.models import BlindRound
from jintiao.mediation.services import action_apply, offer_accept, offer_propose
from jintiao.messaging.selectors import outbox_code
from jintiao.orgs.models import OrgKind
from jintiao.orgs.services import authority_grant_set
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PartyInput
from tests.factories import OrganizationFactory, UserFactory, credit_code, flat, resident_id
from tests.helpers import CHARGES_SINCE

pytestmark = pytest.mark.django_db(transaction=True)
WU, YANG = "13900000001", "13900000002"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def s2_mediating(desk):
    """S2 at the table: the court's delegation accepted, the mediator assigned and a plan of
    12 instalments proposed to both borrowers."""
    union = OrganizationFactory(name="凯里市农村信用合作联社", kind=OrgKind.INSTITUTION)
    desk.union_agent = UserFactory(organization=union, roles=["agent"],
                                   full_name="联社经办人陈红")
    authority_grant_set(user=desk.union_agent, limits=AuthorityLimits(
        max_charge_waiver_ratio=D("0.5"), max_term_months=24))
    dispute = dispute_intake(
        actor=desk.clerk, committee=desk.committee, channel=Channel.COURT_DELEGATED,
        dispute_type=DisputeType.CONSUMER_LOAN, institution=union, court=desk.court,
        claim=ClaimBreakdown(as_of=dt.date(2026, 11, 30), principal=D("100000.00"),
                             interest=D("8650.00")),
        parties=[(PartyInput(PartyKind.ENTITY, union.name, credit_code(202)),
                  PartyRole.CREDITOR),
                 (PartyInput(PartyKind.PERSON, "吴某某", resident_id(202), phone=WU),
                  PartyRole.DEBTOR),
                 (PartyInput(PartyKind.PERSON, "杨某某", resident_id(203), phone=YANG),
                  PartyRole.DEBTOR)],
        summary="县农信社诉吴某某、杨某某借款合同纠纷，法院委派诉前调解。").dispute
    dispute = action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                           expected_version=dispute.version, notice_served=True)
    dispute = action_apply(actor=desk.director, dispute_id=dispute.pk, action=Action.ASSIGN,
                           expected_version=dispute.version, track=Track.SIMPLE,
                           mediators=[desk.mediator])
    desk.offer = offer_propose(actor=desk.mediator, dispute_id=dispute.pk,
                               options=flat(12, label="本息12期"), discount_rate=D("0.035"))
    desk.s2 = dispute
    return desk


def test_a_borrower_signs_in_reads_the_offer_enters_a_bound_and_signs_from_his_phone(
        s2_mediating, live_server, new_page, shots):
    w, url, dispute = s2_mediating, live_server.url, s2_mediating.s2
    phone = new_page(**PHONE)

    phone.goto(f"{url}/p/")
    expect(phone.locator("h1")).to_have_text("当事人登录")
    phone.fill("input[name=phone]", WU)
    phone.click("button:has-text('获取验证码')")
    expect(phone.locator(".msg.success")).to_contain_text("验证码已发送")
    phone.fill("input[name=code]", outbox_code(WU))  # read off the phone
    phone.fill("input[name=id_number]", resident_id(202))
    phone.check("input[name=consent]")
    phone.screenshot(path=str(shots / "portal-sign-in.png"), full_page=True)
    phone.click("button:has-text('登录')")
    expect(phone.locator("h1")).to_have_text("我的纠纷")
    expect(phone.locator("a.card.item")).to_have_count(1)
    expect(phone.locator("a.card.item")).to_contain_text("调解中")
    phone.screenshot(path=str(shots / "portal-home.png"), full_page=True)

    phone.locator("a.card.item").click()
    offers = phone.locator("#offers")
    expect(offers).to_contain_text("分12期")
    expect(offers).to_contain_text("每月约 9,054.16 元")  # 108,650.00 ÷ 12, rounded down
    expect(phone.locator("#claim")).to_contain_text("108,650.00 元")
    phone.fill("#blind input[name=max_monthly]", "9,500")
    phone.fill("#blind input[name=max_total]", "108,650")
    phone.screenshot(path=str(shots / "portal-offer.png"), full_page=True)
    phone.click("#blind button:has-text('保密提交')")
    expect(phone.locator("#blind")).to_contain_text("债务人一方已提交本轮底线")
    expect(phone.locator("body")).not_to_contain_text("9,500")
    assert dispute.blind_rounds.get().outcome == BlindRound.Outcome.WAITING

    # later: both sides accept at the desk and the mediator drafts the agreement
    offer_accept(actor=w.mediator, offer_id=w.offer.pk, side="debtor")
    offer_accept(actor=w.union_agent, offer_id=w.offer.pk, side="creditor")
    dispute.refresh_from_db()
    agreement = agreement_draft(actor=w.mediator, dispute_id=dispute.pk,
                                expected_version=dispute.version, draft=CHARGES_SINCE)

    phone.reload()
    expect(phone.locator("#blind")).to_have_count(0)  # a plan both accepted: no bargaining
    section = phone.locator("#agreement")
    expect(section).to_contain_text("调解协议（第1版）")
    section.locator("summary").click()
    expect(section.locator("article")).to_contain_text("人民币壹拾万捌仟陆佰伍拾元整")
    section.locator("button:has-text('获取签署验证码')").click()
    expect(phone.locator(".msg.success")).to_contain_text("签署验证码已发送")
    phone.fill("#agreement input[name=code]", outbox_code(WU))
    phone.click("#agreement button:has-text('签署协议')")
    expect(phone.locator("#signed")).to_contain_text("吴某某已签署本版本")
    phone.screenshot(path=str(shots / "portal-signed.png"), full_page=True)

    signature = Signature.objects.get(agreement=agreement, party_row__party__name="吴某某")
    assert signature.digest == agreement.digest
    assert signature.signed_by.party_account.party.name == "吴某某"
    kinds = set(dispute.events.values_list("type", flat=True))
    assert {"reach.engaged", "mediation.blind_bound_entered", "agreement.signed"} <= kinds
