"""Refusals a second review asked for — each test failed before its fix: nobody binds a
side that is not theirs, nothing settles twice or after the mediation ended, a record once
made stays, and the debtor's money and the bank's authority stay with their owners."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.test import Client

from jintiao import clock
from jintiao.disputes.access import PermissionDenied
from jintiao.domain import blind
from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.lifecycle import Action, Role, TransitionRefused
from jintiao.domain.sessions import SessionChangeRefused
from jintiao.mediation.models import Approval, BlindRound, Offer, Session, Side
from jintiao.mediation.services import (
    MediationDeadlinePassed,
    MediationInvalid,
    action_apply,
    approval_decide,
    approval_request,
    blind_bound_enter,
    budget_declare,
    caucus_note_add,
    offer_accept,
    offer_propose,
    offer_reject,
    offer_withdraw,
    recusal_request,
    session_record,
    session_schedule,
)
from jintiao.orgs.services import authority_grant_set
from tests.api.client import Api
from tests.factories import UserFactory, flat

RATE = D("0.035")


def propose(desk, dispute, periods, actor=None, **kwargs):
    return offer_propose(actor=actor or desk.mediator, dispute_id=dispute.pk,
                         options=flat(periods), discount_rate=RATE, **kwargs)


def settle(desk, dispute, periods=24):
    offer = propose(desk, dispute, periods)
    offer_accept(actor=desk.mediator, offer_id=offer.pk, side="debtor")
    return offer_accept(actor=desk.agent, offer_id=offer.pk, side="creditor")


def fail(desk, dispute):
    dispute.refresh_from_db()
    return action_apply(actor=desk.mediator, dispute_id=dispute.pk, action=Action.FAIL,
                        expected_version=dispute.version, reason="双方分歧较大")


class TestNoOneBindsAnotherSide:
    def test_the_desk_cannot_put_a_plan_in_the_banks_name(self, desk, mediating):
        with pytest.raises(PermissionDenied, match="经办人提出"):
            propose(desk, mediating, 12, on_behalf_of="creditor")
        assert not mediating.offers.exists()

    def test_the_bank_cannot_speak_for_the_debtor_either(self, desk, mediating):
        with pytest.raises(PermissionDenied):
            propose(desk, mediating, 12, actor=desk.agent, on_behalf_of="debtor")


class TestOneSettlement:
    def test_while_a_plan_is_accepted_no_other_is_proposed_or_bid(self, desk, mediating):
        settled = settle(desk, mediating)
        assert settled.status == Offer.Status.ACCEPTED
        with pytest.raises(MediationInvalid, match="双方已接受方案1"):
            propose(desk, mediating, 36)
        with pytest.raises(MediationInvalid, match="双方已接受方案1"):
            blind_bound_enter(actor=desk.agent, dispute_id=mediating.pk,
                              bound=blind.CreditorBound(D("231208.40"), 12))

    def test_the_desk_withdraws_an_accepted_plan_to_reopen_the_talks(self, desk, mediating):
        settled = settle(desk, mediating)
        with pytest.raises(PermissionDenied):
            offer_withdraw(actor=desk.agent, offer_id=settled.pk, reason="银行反悔")
        with pytest.raises(MediationInvalid, match="理由"):
            offer_withdraw(actor=desk.mediator, offer_id=settled.pk, reason=" ")
        offer_withdraw(actor=desk.mediator, offer_id=settled.pk, reason="债务人收入变化，重新协商")
        again = settle(desk, mediating, 36)
        assert again.status == Offer.Status.ACCEPTED
        event = mediating.events.get(type="mediation.offer_withdrawn")
        assert event.params["was"] == "accepted"

    def test_a_pending_approval_leaves_with_its_offer(self, desk, mediating):
        long = propose(desk, mediating, 60)
        asked = approval_request(actor=desk.agent, offer_id=long.pk)
        settle(desk, mediating, 24)  # another plan settles: the long one is withdrawn
        asked.refresh_from_db()
        assert asked.status == Approval.Status.CANCELLED
        with pytest.raises(MediationInvalid, match="已撤销"):
            approval_decide(actor=desk.approver, approval_id=asked.pk, approve=True,
                            reason="同意")

    def test_no_approval_after_the_mediation_failed(self, desk, mediating):
        offer = propose(desk, mediating, 60)
        asked = approval_request(actor=desk.agent, offer_id=offer.pk)
        fail(desk, mediating)
        with pytest.raises(TransitionRefused, match="调解不成"):
            approval_decide(actor=desk.approver, approval_id=asked.pk, approve=True,
                            reason="同意")
        offer.refresh_from_db()
        assert offer.creditor_accepted_at is None

    def test_no_approval_past_the_deadline(self, desk, mediating):
        offer = propose(desk, mediating, 60)
        asked = approval_request(actor=desk.agent, offer_id=offer.pk)
        late = dt.datetime.combine(mediating.deadline + dt.timedelta(days=1), dt.time(10),
                                   clock.TZ)
        with clock.pinned(late), pytest.raises(MediationDeadlinePassed):
            approval_decide(actor=desk.approver, approval_id=asked.pk, approve=True,
                            reason="同意")
        asked.refresh_from_db()
        assert asked.status == Approval.Status.PENDING

    def test_a_private_offer_is_neither_countered_in_public_nor_rejected(self, desk,
                                                                        mediating):
        private = propose(desk, mediating, 48, on_behalf_of="debtor", side="debtor")
        with pytest.raises(MediationInvalid):
            propose(desk, mediating, 36, answers_id=private.pk)
        with pytest.raises(MediationInvalid, match="背对背方案"):
            offer_reject(actor=desk.mediator, offer_id=private.pk, side="debtor")


class TestRecords:
    @pytest.fixture
    def held(self, desk, mediating):
        session = session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                                   mode=Session.Mode.PHONE,
                                   starts_at=clock.now() - dt.timedelta(hours=1))
        return session_record(actor=desk.mediator, session_id=session.pk, record="第一稿",
                              attended={})

    def test_a_record_once_made_is_not_rewritten(self, desk, held):
        with pytest.raises(SessionChangeRefused, match="不能改写"):
            session_record(actor=desk.mediator, session_id=held.pk, record="第二稿",
                           attended={})
        held.refresh_from_db()
        assert held.record == "第一稿"

    def test_no_notes_after_the_mediation_ended(self, desk, mediating, held):
        fail(desk, mediating)
        with pytest.raises(TransitionRefused, match="调解不成"):
            caucus_note_add(actor=desk.mediator, session_id=held.pk, side=Side.DEBTOR,
                            text="事后补记")

    def test_a_session_a_millennium_away_is_refused(self, desk, mediating):
        with pytest.raises(MediationInvalid, match="一年之内"):
            session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                             mode=Session.Mode.PHONE,
                             starts_at=dt.datetime(1, 1, 2, tzinfo=clock.TZ))

    def test_a_recusal_names_a_mediator_of_the_dispute_or_nobody(self, desk, mediating):
        row = mediating.party_rows.get(role="creditor").pk
        answers = set()
        for stranger in (desk.judge.pk, desk.other_mediator.pk, 10**9):
            with pytest.raises(MediationInvalid) as refused:
                recusal_request(actor=desk.agent, dispute_id=mediating.pk,
                                mediator_id=stranger, party_row_id=row, reason="理由")
            answers.add(refused.value.message)
        assert answers == {"所选调解员不是本纠纷的调解员"}  # no one's name comes back


class TestWhatStaysWithItsOwner:
    def test_the_debtors_budget_stays_with_the_desk(self, desk, mediating):
        debtor = mediating.party_rows.get(role="debtor")
        budget_declare(actor=desk.mediator, dispute_id=mediating.pk, party_row_id=debtor.pk,
                       monthly_income=D("8765.43"), other_obligations=D("1000"), dependants=0)
        propose(desk, mediating, 12)
        plan = {"plans": [{"method": "flat", "periods": 12, "first_due": "2027-01-20"}]}
        for user in (desk.agent, desk.supervisor, desk.judge):
            api = Api(user)
            for response in (api.get(f"/disputes/{mediating.pk}/offers"),
                             api.post(f"/disputes/{mediating.pk}/plans/compare", plan)):
                text = response.content.decode()
                assert "max_affordable_payment" not in text, user
                assert "affordability_reasons" not in text, user
                assert "收入" not in text, user
        client = Client()
        client.force_login(desk.agent)
        page = client.get(f"/disputes/{mediating.pk}/plans/").content.decode()
        assert "每月最多可还" not in page
        desk_view = Api(desk.mediator).get(f"/disputes/{mediating.pk}/offers").json()
        assert desk_view[0]["figures"]["max_affordable_payment"] is not None

    def test_the_banks_authority_stays_with_the_bank(self, desk, mediating):
        offer = propose(desk, mediating, 48)
        asked = approval_request(actor=desk.agent, offer_id=offer.pk)
        approval_decide(actor=desk.approver, approval_id=asked.pk, approve=False,
                        reason="内部底线36期")
        for user in (desk.supervisor, desk.mediator, desk.judge):
            api = Api(user)
            text = (api.get(f"/disputes/{mediating.pk}/offers").content
                    + api.get(f"/disputes/{mediating.pk}/timeline").content).decode()
            assert "授权为36个月" not in text, user
            assert "内部底线36期" not in text, user
        bank = Api(desk.agent).get(f"/disputes/{mediating.pk}/offers").json()
        assert bank[0]["approvals"][0]["reason"] == "内部底线36期"


def test_needs_approval_when_any_approver_above_could_close_the_gap(desk, mediating):
    """The nearest approver (at the branch) may grant 60 months; the one at the bank only
    24. Only the last on the ladder was asked before, so this said "no overlap"."""
    near = UserFactory(organization=desk.branch, roles=[Role.APPROVER])
    authority_grant_set(user=near, limits=AuthorityLimits(max_term_months=60,
                                                          max_charge_waiver_ratio=D("1")))
    authority_grant_set(user=desk.approver, limits=AuthorityLimits(max_term_months=24))
    blind_bound_enter(actor=desk.agent, dispute_id=mediating.pk,
                      bound=blind.CreditorBound(D("231208.40"), 36))
    done = blind_bound_enter(actor=desk.mediator, dispute_id=mediating.pk,
                             bound=blind.DebtorBound(D("4300"), D("231208.40")))
    assert done.outcome == BlindRound.Outcome.NEEDS_APPROVAL
