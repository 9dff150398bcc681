"""Plans put forward, countered and accepted; authority and its approvals."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from jintiao.disputes.access import DisputeNotFound, PermissionDenied, RecordNotFound, standing_of
from jintiao.domain.lifecycle import Role
from jintiao.domain.plans import MenuItem as PlanMenuItem
from jintiao.domain.plans import PlanDesignInvalid, Waiver
from jintiao.mediation import selectors
from jintiao.mediation.models import Approval, Offer
from jintiao.mediation.services import (
    ApprovalRequired,
    MediationInvalid,
    MenuBeyondAuthority,
    approval_decide,
    approval_request,
    budget_declare,
    menu_publish,
    offer_accept,
    offer_propose,
    offer_reject,
)
from tests.factories import FIRST_DUE, UserFactory, flat

RATE = D("0.035")


def propose(world, dispute, options, actor=None, **kwargs):
    return offer_propose(actor=actor or world.mediator, dispute_id=dispute.pk, options=options,
                         discount_rate=RATE, **kwargs)


class TestPropose:
    def test_a_mediators_plan_carries_its_figures_and_binds_no_one(self, desk, mediating):
        offer = propose(desk, mediating, flat(24))

        assert offer.by == Offer.By.MEDIATOR
        assert offer.figures["total_paid"] == "231208.40"
        assert offer.figures["instalments"] == 24
        assert offer.creditor_accepted_at is None
        assert offer.debtor_accepted_at is None
        event = mediating.events.order_by("-seq").first()
        assert (event.type, event.params["total"]) == ("mediation.offer_made", "231208.40")

    def test_the_banks_own_plan_within_its_authority_binds_the_bank(self, desk, mediating):
        offer = propose(desk, mediating, flat(12), actor=desk.agent)
        assert offer.by == Offer.By.CREDITOR
        assert offer.creditor_accepted_at is not None

        longer = propose(desk, mediating, flat(48), actor=desk.agent)
        assert longer.creditor_accepted_at is None  # beyond 36 months: approval decides

    def test_a_counter_offer_keeps_the_history(self, desk, mediating):
        first = propose(desk, mediating, flat(1, label="一次性清偿"), actor=desk.agent)
        counter = propose(desk, mediating, flat(60), on_behalf_of="debtor",
                          answers_id=first.pk)

        first.refresh_from_db()
        assert first.status == Offer.Status.COUNTERED
        assert counter.answers == first
        assert counter.by == Offer.By.DEBTOR
        assert counter.debtor_accepted_at is not None
        assert [o.seq for o in selectors.offers_for(standing_of(desk.agent, mediating))] == [1, 2]

    def test_a_waiver_above_what_is_owed_is_refused_and_nothing_is_written(self, desk,
                                                                           mediating):
        too_much = flat(12, waivers=(Waiver("interest", D("99999")),))
        with pytest.raises(PlanDesignInvalid, match="超过所欠"):
            propose(desk, mediating, too_much)
        assert not mediating.offers.exists()

    def test_the_bank_may_not_speak_for_the_debtor(self, desk, mediating):
        with pytest.raises(PermissionDenied):
            propose(desk, mediating, flat(12), actor=desk.agent, on_behalf_of="debtor")

    def test_another_bank_does_not_see_the_dispute(self, desk, mediating):

        with pytest.raises(DisputeNotFound):
            propose(desk, mediating, flat(12), actor=desk.other_agent)


class TestPrivateOffers:
    def test_a_back_to_back_offer_stays_with_its_side_and_off_the_timeline(self, desk,
                                                                           mediating):
        private = propose(desk, mediating, flat(36), actor=desk.agent, side="creditor")

        def seen(user):
            return [o.pk for o in selectors.offers_for(standing_of(user, mediating))]

        assert seen(desk.agent) == [private.pk]
        assert seen(desk.mediator) == [private.pk]
        assert seen(desk.clerk) == []
        event = mediating.events.order_by("-seq").first()
        assert "total" not in event.params
        assert "periods" not in event.params

    def test_the_other_side_cannot_even_find_a_private_offer(self, desk, mediating):
        private = propose(desk, mediating, flat(60), on_behalf_of="debtor", side="debtor")
        with pytest.raises(RecordNotFound):
            offer_reject(actor=desk.agent, offer_id=private.pk, side="creditor")

    def test_a_private_offer_cannot_be_accepted_until_put_on_the_table(self, desk, mediating):
        private = propose(desk, mediating, flat(24), side="debtor")
        with pytest.raises(MediationInvalid, match="先由调解员向双方提出"):
            offer_accept(actor=desk.mediator, offer_id=private.pk, side="debtor")

    def test_the_bank_cannot_make_an_offer_private_to_the_debtor(self, desk, mediating):
        with pytest.raises(MediationInvalid):
            propose(desk, mediating, flat(24), actor=desk.agent, side="debtor")


class TestAcceptance:
    def test_both_sides_accepting_settles_it_and_withdraws_the_rest(self, desk, mediating):
        other = propose(desk, mediating, flat(12))
        offer = propose(desk, mediating, flat(24))

        offer_accept(actor=desk.mediator, offer_id=offer.pk, side="debtor")
        done = offer_accept(actor=desk.agent, offer_id=offer.pk, side="creditor")

        assert done.status == Offer.Status.ACCEPTED
        other.refresh_from_db()
        assert other.status == Offer.Status.WITHDRAWN
        assert mediating.events.order_by("-seq").first().params == {
            "offer": offer.seq, "side": "creditor", "both": True}

    def test_beyond_the_agents_authority_acceptance_needs_approval(self, desk, mediating):
        offer = propose(desk, mediating, flat(60))
        with pytest.raises(ApprovalRequired, match="还款期限：方案为60个月，授权为36个月"):
            offer_accept(actor=desk.agent, offer_id=offer.pk, side="creditor")
        offer.refresh_from_db()
        assert offer.creditor_accepted_at is None

    def test_the_approver_above_approves_and_the_plan_is_accepted(self, desk, mediating):
        offer = propose(desk, mediating, flat(60))
        offer_accept(actor=desk.mediator, offer_id=offer.pk, side="debtor")

        asked = approval_request(actor=desk.agent, offer_id=offer.pk)
        assert asked.approver == desk.approver  # the nearest approver whose limits cover it
        assert [a.pk for a in selectors.approvals_waiting_for(desk.approver)] == [asked.pk]
        approval_decide(actor=desk.approver, approval_id=asked.pk, approve=True,
                        reason="持卡人确有困难，同意60期")

        offer.refresh_from_db()
        assert offer.status == Offer.Status.ACCEPTED
        types = list(mediating.events.order_by("seq").values_list("type", flat=True))
        assert types[-3:] == ["mediation.approval_requested", "mediation.approval_decided",
                              "mediation.offer_accepted"]

    def test_a_refusal_leaves_the_offer_open_with_the_reason(self, desk, mediating):
        offer = propose(desk, mediating, flat(60))
        asked = approval_request(actor=desk.agent, offer_id=offer.pk)
        with pytest.raises(MediationInvalid):
            approval_decide(actor=desk.approver, approval_id=asked.pk, approve=False,
                            reason="")
        approval_decide(actor=desk.approver, approval_id=asked.pk, approve=False,
                        reason="期限过长，建议48期")

        offer.refresh_from_db()
        assert offer.status == Offer.Status.OPEN
        assert offer.creditor_accepted_at is None
        assert offer.approvals.get().status == Approval.Status.REFUSED
        with pytest.raises(ApprovalRequired):
            offer_accept(actor=desk.agent, offer_id=offer.pk, side="creditor")

    def test_no_approval_is_asked_for_what_the_agent_may_grant(self, desk, mediating):
        offer = propose(desk, mediating, flat(24))
        with pytest.raises(MediationInvalid, match="可直接接受"):
            approval_request(actor=desk.agent, offer_id=offer.pk)

    def test_a_plan_beyond_every_approver_cannot_be_sent_up(self, desk, mediating):
        offer = propose(desk, mediating, flat(120))
        with pytest.raises(MediationInvalid, match="没有授权足以批准"):
            approval_request(actor=desk.agent, offer_id=offer.pk)

    def test_only_the_named_approver_decides(self, desk, mediating):
        offer = propose(desk, mediating, flat(60))
        asked = approval_request(actor=desk.agent, offer_id=offer.pk)
        stranger = UserFactory(organization=desk.bank, roles=[Role.APPROVER])
        with pytest.raises(RecordNotFound):
            approval_decide(actor=stranger, approval_id=asked.pk, approve=True, reason="同意")
        with pytest.raises(RecordNotFound):
            approval_decide(actor=desk.agent, approval_id=asked.pk, approve=True, reason="同意")

    def test_the_desk_records_the_debtors_answer_not_the_bank(self, desk, mediating):
        offer = propose(desk, mediating, flat(24))
        with pytest.raises(PermissionDenied):
            offer_accept(actor=desk.agent, offer_id=offer.pk, side="debtor")
        with pytest.raises(PermissionDenied):
            offer_accept(actor=desk.mediator, offer_id=offer.pk, side="creditor")


class TestBudgetAndMenu:
    def test_a_declared_budget_flags_a_plan_the_debtor_cannot_live_on(self, desk, mediating):
        debtor = mediating.party_rows.get(role="debtor")
        budget_declare(actor=desk.mediator, dispute_id=mediating.pk, party_row_id=debtor.pk,
                       monthly_income=D("15000"), other_obligations=D("2500"), dependants=1)

        short = propose(desk, mediating, flat(12))
        long = propose(desk, mediating, flat(60))

        assert short.figures["affordable"] is False
        assert "超过上限50.00%" in short.figures["affordability_reasons"][0]
        assert short.figures["warnings"] == []  # the rest of the plan is sound
        assert long.figures["affordable"] is True
        assert long.figures["income_presumed"] is False

    def test_an_approver_publishes_the_banks_menu_for_its_branches(self, desk, mediating):
        menu_publish(actor=desk.approver, institution=desk.bank, items=[
            PlanMenuItem("12期免息", 12), PlanMenuItem("36期减免罚息", 36,
                                                     charge_waiver_ratio=D("0.3"))])
        assert [m.periods for m in selectors.menu_for(mediating)] == [12, 36]
        with pytest.raises(PermissionDenied):
            menu_publish(actor=desk.agent, institution=desk.bank,
                         items=[PlanMenuItem("6期", 6)])

    def test_a_menu_item_beyond_the_approvers_own_limits_is_refused(self, desk, mediating):
        """The approver may grant 60 months and all the charges; a 72-month item is beyond
        what it may grant itself, so it may not publish it for its agents either. The menu
        before stays as it was."""
        menu_publish(actor=desk.approver, institution=desk.bank,
                     items=[PlanMenuItem("12期免息", 12)])

        with pytest.raises(MenuBeyondAuthority) as caught:
            menu_publish(actor=desk.approver, institution=desk.bank, items=[
                PlanMenuItem("24期免息", 24), PlanMenuItem("72期免息", 72)])

        assert caught.value.code == "menu_beyond_authority"
        assert caught.value.message == ("标准还款方案“72期免息”超出您的授权："
                                         "还款期限：方案为72个月，授权为60个月")
        assert [m.label for m in selectors.menu_for(mediating)] == ["12期免息"]

    def test_a_menu_item_waives_only_the_parts_it_names(self, desk, mediating):
        """“罚息减半” names the penalty interest: on a claim of principal and interest only,
        it waives nothing, where a ratio of all the charges would waive interest."""
        menu_publish(actor=desk.approver, institution=desk.bank, items=[
            PlanMenuItem("罚息减半", 24, charge_waiver_ratio=D("0.5"),
                         waiver_parts=("penalty_interest",)),
            PlanMenuItem("费息减半", 24, charge_waiver_ratio=D("0.5"))])

        halved, charges = selectors.menu_plans(mediating, FIRST_DUE)

        assert halved.waivers == ()
        assert [(w.part, w.amount) for w in charges.waivers] == [("interest", D("15604"))]

