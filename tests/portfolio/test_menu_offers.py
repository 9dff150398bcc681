"""Portfolio offers (issue 20 §5): the standard menu sent to a debtor, chosen on the
portal, becoming the accepted plan and its agreement without an approval round."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from jintiao import clock
from jintiao.agreements.models import Agreement
from jintiao.agreements.services import AgreementInvalid
from jintiao.disputes.access import DisputeNotFound, PermissionDenied
from jintiao.disputes.models import Dispute
from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.lifecycle import TransitionRefused
from jintiao.domain.outreach import ContactRefused
from jintiao.domain.plans import MenuItem as PlanMenuItem
from jintiao.mediation.models import Offer
from jintiao.mediation.services import MediationInvalid, MenuStale, menu_publish
from jintiao.messaging.models import OutboxMessage
from jintiao.orgs.services import authority_grant_set
from jintiao.parties.crypto import decrypt, lookup_hash
from jintiao.portfolio.models import MenuOffer
from jintiao.portfolio.services import (
    MenuOfferInvalid,
    facts_of,
    menu_offer_choose,
    menu_offer_opened,
    menu_offer_send,
)
from tests.factories import intake
from tests.portal.helpers import (
    add_guarantor,
    appoint_representative,
    daytime,
    debtor_of,
    party_sign_in,
    phone_of,
)

MANNER = "债务人每期将还款存入其在本行开立的还款账户，以银行入账为准。"
MENU = (PlanMenuItem("12期免息", 12),
        PlanMenuItem("36期，利息减半（违约恢复）", 36, charge_waiver_ratio=D("0.5"),
                     waiver_parts=("interest",)))


SINCE = dt.date(2025, 6, 30)  # when the factory disputes' interest began to run


@pytest.fixture
def menu(desk, cases):
    """The bank's menu, published by its approver; half the interest waived is beyond the
    agent's own authority (30 %), within the approver's."""
    Dispute.objects.filter(pk__in=[c.pk for c in cases]).update(charges_since=SINCE)
    return menu_publish(actor=desk.approver, institution=desk.bank, items=MENU)


def send(desk, dispute, *, actor=None, reply_in=7, text=True, manner=MANNER):
    with clock.pinned(daytime()):
        return menu_offer_send(actor=actor or desk.mediator, dispute_id=dispute.pk,
                               reply_by=clock.today() + dt.timedelta(days=reply_in),
                               performance_manner=manner, text=text)


def texts_to(party):
    return [decrypt(m.body_cipher) for m in OutboxMessage.objects.filter(
        to_hash=lookup_hash(phone_of(party))).order_by("pk")]


class TestSend:
    def test_each_plan_goes_on_the_table_accepted_for_the_creditor_and_is_texted(
            self, desk, mediating, menu):
        made = send(desk, mediating)

        offers = list(mediating.offers.order_by("seq"))
        assert [o.label for o in offers] == ["12期免息", "36期，利息减半（违约恢复）"]
        assert all(o.by == Offer.By.CREDITOR and o.status == Offer.Status.OPEN
                   and o.creditor_accepted_at is not None and o.debtor_accepted_at is None
                   for o in offers)
        assert [i["offer"] for i in made.items] == [o.pk for o in offers]
        assert made.texted
        assert made.debtor.role == "debtor"
        body = texts_to(debtor_of(mediating))[-1]
        assert body.startswith(f"【{mediating.committee.name}】")
        assert "①12期，每月约" in body
        assert "②36期，每月约" in body
        assert "减免利息15,604.00元（违约恢复）" in body
        assert "核验码" in body
        types = list(mediating.events.order_by("seq").values_list("type", flat=True))
        assert types[-5:-2] == ["mediation.offer_made", "mediation.offer_made", "menu.sent"]
        assert "outreach.contact" in types[-2:] or "reach.invited" in types[-2:]

    def test_without_the_text_nothing_is_sent_to_the_phone(self, desk, mediating, menu):
        before = len(texts_to(debtor_of(mediating)))
        made = send(desk, mediating, text=False)
        assert not made.texted
        assert len(texts_to(debtor_of(mediating))) == before

    def test_only_the_desk_sends(self, desk, mediating, menu):
        for who in (desk.agent, desk.approver, desk.clerk):
            with pytest.raises(PermissionDenied):
                send(desk, mediating, actor=who)
        with pytest.raises(DisputeNotFound):  # not on its team: not seen at all
            send(desk, mediating, actor=desk.other_mediator)
        assert not MenuOffer.objects.exists()

    def test_a_dispute_not_under_mediation_is_refused(self, desk, menu):
        received = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch)
        with pytest.raises(TransitionRefused, match="发送标准还款方案"):
            send(desk, received, actor=desk.director)

    def test_a_dispute_without_the_day_its_charges_began_is_refused(self, desk, mediating,
                                                                    menu):
        Dispute.objects.filter(pk=mediating.pk).update(charges_since=None)
        with pytest.raises(MenuOfferInvalid, match="未登记欠息起算日"):
            send(desk, mediating)
        assert not mediating.offers.exists()

    def test_a_plan_whose_agreement_a_court_would_not_confirm_is_not_sent(self, desk,
                                                                          mediating, menu):
        # 31,208.40 of interest over 30 days on 200,000: far beyond 24 % a year
        Dispute.objects.filter(pk=mediating.pk).update(charges_since=dt.date(2026, 5, 31))
        with pytest.raises(MenuOfferInvalid, match="“12期免息”生成的协议不能通过法院审查"):
            send(desk, mediating)
        assert not mediating.offers.exists()

    def test_no_menu_no_send(self, desk, mediating):
        with pytest.raises(MediationInvalid, match="尚未发布标准还款方案"):
            send(desk, mediating)
        assert not mediating.offers.exists()

    @pytest.mark.parametrize(("reply_in", "message"), [
        (0, "晚于今天"), (-3, "晚于今天"), (40, "早于方案的首期还款日")])
    def test_a_time_to_choose_out_of_range_is_refused(self, desk, mediating, menu, reply_in,
                                                      message):
        with pytest.raises(MenuOfferInvalid, match=message):
            send(desk, mediating, reply_in=reply_in)
        assert not mediating.offers.exists()

    def test_a_time_to_choose_past_the_mediation_deadline_is_brought_forward_to_it(
            self, desk, mediating, menu):
        mediating.deadline = clock.today() + dt.timedelta(days=3)
        mediating.save(update_fields=["deadline"])
        made = send(desk, mediating, reply_in=5)
        assert made.reply_by == mediating.deadline
        body = texts_to(debtor_of(mediating))[-1]
        assert f"请于{mediating.deadline.month}月{mediating.deadline.day}日前" in body

    def test_a_mediation_ending_today_leaves_no_time_to_choose(self, desk, mediating, menu):
        mediating.deadline = clock.today()
        mediating.save(update_fields=["deadline"])
        with pytest.raises(MenuOfferInvalid, match="不足以让债务人选择方案"):
            send(desk, mediating, reply_in=5)
        assert not mediating.offers.exists()

    @pytest.mark.parametrize("manner", ["", "   ", "账户\x07", "长" * 1001])
    def test_a_way_of_performance_the_agreement_cannot_carry_is_refused(self, desk, mediating,
                                                                       menu, manner):
        with pytest.raises((AgreementInvalid, MenuOfferInvalid)):
            send(desk, mediating, manner=manner)
        assert not mediating.offers.exists()

    def test_a_second_menu_waits_for_the_first(self, desk, mediating, menu):
        send(desk, mediating)
        with pytest.raises(MenuOfferInvalid, match="已于"):
            send(desk, mediating)
        assert mediating.offers.count() == 2

    def test_once_its_time_is_over_a_menu_is_sent_again_and_the_old_plans_leave(
            self, desk, mediating, menu):
        first = send(desk, mediating, reply_in=3)
        with clock.pinned(daytime() + dt.timedelta(days=4)):
            again = menu_offer_send(actor=desk.mediator, dispute_id=mediating.pk,
                                    reply_by=clock.today() + dt.timedelta(days=5),
                                    performance_manner=MANNER, text=False)
        first.refresh_from_db()
        assert first.closed_at is not None
        assert again.closed_at is None
        statuses = dict(mediating.offers.values_list("seq", "status"))
        assert statuses == {1: "withdrawn", 2: "withdrawn", 3: "open", 4: "open"}

    def test_a_menu_beyond_its_publishers_present_authority_is_not_sent(self, desk, mediating,
                                                                       menu):
        authority_grant_set(user=desk.approver, limits=AuthorityLimits(
            max_charge_waiver_ratio=D("0.2"), max_term_months=60))
        with pytest.raises(MenuStale, match="超出发布人现有授权"):
            send(desk, mediating)
        assert not mediating.offers.exists()

    def test_at_night_the_text_is_refused_and_nothing_is_put_on_the_table(self, desk,
                                                                         mediating, menu):
        with clock.pinned(daytime().replace(hour=22)), pytest.raises(ContactRefused):
            menu_offer_send(actor=desk.mediator, dispute_id=mediating.pk,
                            reply_by=clock.today() + dt.timedelta(days=7),
                            performance_manner=MANNER)
        assert not mediating.offers.exists()
        assert not MenuOffer.objects.exists()


class TestChoose:
    def test_the_debtors_choice_is_the_accepted_plan_and_its_agreement_is_drafted(
            self, desk, mediating, menu):
        made = send(desk, mediating)
        debtor = party_sign_in(debtor_of(mediating))
        long_plan = made.items[1]["offer"]

        menu_offer_opened(actor=debtor, dispute_id=mediating.pk)
        chosen = menu_offer_choose(actor=debtor, dispute_id=mediating.pk, offer_id=long_plan)

        statuses = dict(mediating.offers.values_list("pk", "status"))
        assert statuses == {made.items[0]["offer"]: "withdrawn", long_plan: "accepted"}
        assert chosen.chosen_offer_id == long_plan
        assert chosen.opened_at is not None
        agreement = Agreement.objects.get(dispute=mediating)
        assert chosen.agreement == agreement
        assert agreement.status == Agreement.Status.DRAFT
        assert agreement.offer_id == long_plan
        assert agreement.drafted_by == desk.mediator
        assert agreement.content["terms"]["performance_manner"] == MANNER
        assert agreement.content["facts"] == facts_of(mediating)
        assert agreement.content["charges_since"] == SINCE.isoformat()
        # the court's checklist holds: the debtor and everyone else may sign at once
        from jintiao.agreements import selectors as agreement_selectors
        from jintiao.domain.confirmation import unmet

        assert not unmet(agreement_selectors.checklist_of(agreement))
        # beyond the agent's own 30 % — and still no approval round: the menu was approved
        assert not Offer.objects.get(pk=long_plan).approvals.exists()
        types = list(mediating.events.order_by("seq").values_list("type", flat=True))
        assert types[-3:] == ["menu.chosen", "mediation.offer_accepted", "agreement.drafted"]
        assert "menu.opened" in types

    def test_the_facts_are_the_summary_or_else_the_claim(self, desk, mediating):
        mediating.summary = ""
        assert "截至" in facts_of(mediating)
        assert "合计" in facts_of(mediating)
        mediating.summary = "借款逾期未还。"
        assert facts_of(mediating) == "借款逾期未还。"

    def test_only_the_debtor_who_may_settle_chooses(self, desk, mediating, menu):
        from jintiao.domain.representation import Authority

        made = send(desk, mediating)
        guarantor = party_sign_in(add_guarantor(mediating).party)
        general = party_sign_in(appoint_representative(desk, mediating, Authority.GENERAL))
        for who in (guarantor, general, desk.agent):
            with pytest.raises(PermissionDenied):
                menu_offer_choose(actor=who, dispute_id=mediating.pk,
                                  offer_id=made.items[0]["offer"])
        assert not mediating.offers.filter(status="accepted").exists()

    def test_a_plan_not_of_the_menu_is_refused(self, desk, mediating, menu):
        from jintiao.mediation.services import offer_propose
        from tests.factories import flat

        send(desk, mediating)
        other = offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(6),
                              discount_rate=D("0.035"))
        debtor = party_sign_in(debtor_of(mediating))
        with pytest.raises(MenuOfferInvalid, match="不是发送给您的方案"):
            menu_offer_choose(actor=debtor, dispute_id=mediating.pk, offer_id=other.pk)

    def test_after_the_time_to_choose_the_choice_is_refused(self, desk, mediating, menu):
        made = send(desk, mediating, reply_in=2)
        debtor = party_sign_in(debtor_of(mediating))
        with clock.pinned(daytime() + dt.timedelta(days=3)), \
                pytest.raises(MenuOfferInvalid, match="选择期限已于"):
            menu_offer_choose(actor=debtor, dispute_id=mediating.pk,
                              offer_id=made.items[0]["offer"])

    def test_a_second_choice_finds_nothing_waiting(self, desk, mediating, menu):
        made = send(desk, mediating)
        debtor = party_sign_in(debtor_of(mediating))
        menu_offer_choose(actor=debtor, dispute_id=mediating.pk, offer_id=made.items[0]["offer"])
        with pytest.raises(MenuOfferInvalid, match="没有等待您选择"):
            menu_offer_choose(actor=debtor, dispute_id=mediating.pk,
                              offer_id=made.items[1]["offer"])
        assert Agreement.objects.filter(dispute=mediating).count() == 1

    def test_a_plan_the_desk_withdrew_cannot_be_chosen(self, desk, mediating, menu):
        from jintiao.mediation.services import offer_withdraw

        made = send(desk, mediating)
        offer_withdraw(actor=desk.mediator, offer_id=made.items[0]["offer"], reason="录入有误")
        debtor = party_sign_in(debtor_of(mediating))
        with pytest.raises(MediationInvalid):
            menu_offer_choose(actor=debtor, dispute_id=mediating.pk,
                              offer_id=made.items[0]["offer"])
