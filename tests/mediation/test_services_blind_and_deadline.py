"""Blind bounds over the rounds, the mediation deadline and its extension, and neutral
evaluation."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest

from jintiao import clock
from jintiao.disputes.access import PermissionDenied
from jintiao.domain import blind
from jintiao.domain.lifecycle import Action, State, TransitionRefused
from jintiao.mediation import selectors
from jintiao.mediation.models import BlindRound, Offer, Session
from jintiao.mediation.services import (
    ApprovalRequired,
    MediationDeadlinePassed,
    MediationInvalid,
    action_apply,
    blind_bound_enter,
    consent_record,
    evaluation_record,
    offer_propose,
    session_schedule,
)
from jintiao.policies.services import policy_publish
from tests.factories import flat

TOTAL = D("231208.40")  # the shared dispute's claim


def creditor(world, dispute, least, months, actor=None):
    return blind_bound_enter(actor=actor or world.agent, dispute_id=dispute.pk,
                             bound=blind.CreditorBound(D(least), months))


def debtor(world, dispute, monthly, most):
    return blind_bound_enter(actor=world.mediator, dispute_id=dispute.pk,
                             bound=blind.DebtorBound(D(monthly), D(most)))


class TestBlindOffers:
    def test_an_overlap_becomes_a_proposal_inside_both_bounds(self, desk, mediating):
        creditor(desk, mediating, "231208.40", 36)
        done = debtor(desk, mediating, "7000", "231208.40")

        assert done.outcome == BlindRound.Outcome.OVERLAP
        offer = done.offer
        assert offer.by == Offer.By.MEDIATOR
        assert offer.side == ""
        assert D(offer.figures["total_paid"]) == TOTAL
        assert offer.figures["instalments"] <= 36
        assert D(offer.figures["peak_payment"]) <= D("7000")

    def test_a_bound_sealed_before_the_monthly_rule_is_read_as_the_whole(self, desk,
                                                                          mediating):
        """Regression: a debtor bound sealed with more a month than in all (taken before
        such a bound was refused) made the creditor's entry fail with the debtor's sealed
        figures in the message, and the round could never be decided."""
        from jintiao.parties import crypto

        debtor(desk, mediating, "7000", "231208.40")
        waiting = mediating.blind_rounds.get()
        waiting.debtor_bound = crypto.encrypt(json.dumps(
            {"max_monthly": "240000.00", "max_total": "231208.40"}))
        waiting.save(update_fields=["debtor_bound"])

        done = creditor(desk, mediating, "231208.40", 36)

        assert done.outcome == BlindRound.Outcome.OVERLAP
        assert D(done.offer.figures["total_paid"]) == TOTAL

    def test_no_overlap_says_only_that(self, desk, mediating):
        creditor(desk, mediating, "231208.40", 12)
        done = debtor(desk, mediating, "2500", "231208.40")  # beyond even the approver

        assert done.outcome == BlindRound.Outcome.NO_OVERLAP
        assert done.offer is None
        shown = selectors.blind_rounds_for(mediating)
        assert shown["rounds"] == [{"number": 1, "outcome": "no_overlap",
                                    "creditor_entered": True, "debtor_entered": True,
                                    "offer": None}]
        assert "231208.40" not in json.dumps(shown)
        assert "2500" not in json.dumps(shown)

    def test_bounds_are_sealed_and_never_on_the_timeline(self, desk, mediating):
        creditor(desk, mediating, "225000.00", 24)
        debtor(desk, mediating, "4321.09", "210000.00")

        stored = BlindRound.objects.get(dispute=mediating)
        assert "4321.09" not in stored.debtor_bound
        assert "225000" not in stored.creditor_bound
        for event in mediating.events.filter(type__startswith="mediation.blind"):
            text = json.dumps(event.params)
            assert "4321.09" not in text
            assert "225000" not in text
            assert "210000" not in text

    def test_a_bound_beyond_the_agents_authority_is_refused(self, desk, mediating):
        with pytest.raises(ApprovalRequired, match="超出您的授权"):
            creditor(desk, mediating, "231208.40", 48)  # the agent's limit is 36 months
        with pytest.raises(ApprovalRequired):
            creditor(desk, mediating, "100000.00", 12)  # more than 30 % of the charges
        assert not mediating.blind_rounds.exists()

    def test_when_only_an_approver_could_close_the_gap_it_says_needs_approval(self, desk,
                                                                             mediating):
        creditor(desk, mediating, "231208.40", 36)
        done = debtor(desk, mediating, "4300", "231208.40")  # needs 54 months at 4,300

        assert done.outcome == BlindRound.Outcome.NEEDS_APPROVAL
        assert done.offer is None
        creditor(desk, mediating, "231208.40", 60, actor=desk.approver)  # round 2, above
        done = debtor(desk, mediating, "4300", "231208.40")
        assert done.outcome == BlindRound.Outcome.OVERLAP
        assert done.offer.figures["instalments"] <= 60

    def test_the_rounds_are_limited_and_a_side_enters_once_a_round(self, desk, mediating):
        creditor(desk, mediating, "231208.40", 1)
        with pytest.raises(MediationInvalid, match="本轮已报过底线"):
            creditor(desk, mediating, "231208.40", 2)
        for _ in range(2):
            debtor(desk, mediating, "1000", "231208.40")
            creditor(desk, mediating, "231208.40", 1)
        debtor(desk, mediating, "1000", "231208.40")
        with pytest.raises(MediationInvalid, match="最多3轮"):
            creditor(desk, mediating, "231208.40", 1)
        assert mediating.blind_rounds.count() == 3

    def test_after_a_deal_no_more_bounds_are_taken(self, desk, mediating):
        creditor(desk, mediating, "231208.40", 36)
        debtor(desk, mediating, "7000", "231208.40")
        with pytest.raises(MediationInvalid, match="背靠背报价结束"):
            creditor(desk, mediating, "231208.40", 36)

    def test_only_the_creditors_officers_enter_its_bound(self, desk, mediating):
        with pytest.raises(PermissionDenied):
            creditor(desk, mediating, "231208.40", 12, actor=desk.mediator)
        with pytest.raises(PermissionDenied):
            blind_bound_enter(actor=desk.agent, dispute_id=mediating.pk,
                              bound=blind.DebtorBound(D("1"), D("1")))


class TestBoundsInsideTheClaim:
    """A bound above the claim's total (231,208.40) is refused for either side, with one
    code, and nothing is written: no round is opened and nothing is on the timeline."""

    @pytest.mark.parametrize(("side", "bound", "field"), [
        ("creditor", blind.CreditorBound(D("231208.41"), 12), "min_total"),
        ("debtor", blind.DebtorBound(D("4300"), D("300000")), "max_total"),
    ])
    def test_a_bound_above_the_claims_total_is_refused(self, desk, mediating, side, bound,
                                                       field):
        events = mediating.events.count()
        actor = desk.agent if side == "creditor" else desk.mediator

        with pytest.raises(blind.BoundOutsideClaim) as caught:
            blind_bound_enter(actor=actor, dispute_id=mediating.pk, bound=bound)

        assert caught.value.code == "blind_bound_outside_claim"
        assert caught.value.details["field"] == field
        assert "超过债权总额231,208.40元" in caught.value.message
        assert not mediating.blind_rounds.exists()
        assert mediating.events.count() == events

    def test_the_whole_claim_is_a_bound_inside_it(self, desk, mediating):
        creditor(desk, mediating, "231208.40", 36)
        assert debtor(desk, mediating, "231208.40", "231208.40").outcome == \
            BlindRound.Outcome.OVERLAP


def past_deadline(dispute):
    """An instant the day after the dispute's deadline, at ten in the morning."""
    return dt.datetime.combine(dispute.deadline + dt.timedelta(days=1), dt.time(10), clock.TZ)


class TestDeadline:
    def test_past_the_deadline_no_more_work_until_it_is_extended(self, desk, mediating):
        with clock.pinned(past_deadline(mediating)):
            with pytest.raises(MediationDeadlinePassed, match="延长期限"):
                session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                                 mode=Session.Mode.PHONE, starts_at=clock.now())
            with pytest.raises(MediationDeadlinePassed):
                offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(24),
                              discount_rate=D("0.035"))

    def test_an_extension_needs_both_sides_consent_on_record(self, desk, mediating):
        creditor_row, debtor_row = mediating.party_rows.order_by("pk")
        with pytest.raises(TransitionRefused, match="双方当事人同意"):
            action_apply(actor=desk.director, dispute_id=mediating.pk, action=Action.EXTEND,
                         expected_version=mediating.version, attested=["parties_consent"])
        consent_record(actor=desk.mediator, dispute_id=mediating.pk,
                       party_row_id=creditor_row.pk, how="书面同意", given_on=clock.today())
        with pytest.raises(TransitionRefused, match="双方当事人同意"):
            action_apply(actor=desk.director, dispute_id=mediating.pk, action=Action.EXTEND,
                         expected_version=mediating.version)
        consent_record(actor=desk.mediator, dispute_id=mediating.pk,
                       party_row_id=debtor_row.pk, how="电话录音", given_on=clock.today())
        before = mediating.deadline

        extended = action_apply(actor=desk.director, dispute_id=mediating.pk,
                                action=Action.EXTEND, expected_version=mediating.version)

        assert extended.deadline > before
        assert extended.state == State.MEDIATING
        event = extended.events.order_by("-seq").first()
        assert event.type == "dispute.extend"
        assert len(event.params["consents"]) == 2

    def test_the_policy_allows_one_extension_and_the_consents_are_spent(self, desk,
                                                                       mediating):
        for row in mediating.party_rows.all():
            consent_record(actor=desk.mediator, dispute_id=mediating.pk, party_row_id=row.pk,
                           how="书面同意", given_on=clock.today())
        extended = action_apply(actor=desk.director, dispute_id=mediating.pk,
                                action=Action.EXTEND, expected_version=mediating.version)
        for row in mediating.party_rows.all():
            consent_record(actor=desk.mediator, dispute_id=mediating.pk, party_row_id=row.pk,
                           how="书面同意", given_on=clock.today())
        with pytest.raises(TransitionRefused, match="延长次数不超过规则允许的次数"):
            action_apply(actor=desk.director, dispute_id=mediating.pk, action=Action.EXTEND,
                         expected_version=extended.version)

    def test_two_extensions_when_the_policy_says_two(self, desk, mediating):
        from jintiao.domain.policy import DEFAULT_POLICY

        version = policy_publish(organization=desk.committee,
                                    policy=DEFAULT_POLICY.replace(max_extensions=2),
                                    valid_from=dt.date(2020, 1, 1), source="测试")
        mediating.policy_version = version
        mediating.save(update_fields=["policy_version"])
        dispute = mediating
        for _ in range(2):
            for row in dispute.party_rows.all():
                consent_record(actor=desk.mediator, dispute_id=dispute.pk, party_row_id=row.pk,
                               how="书面同意", given_on=clock.today())
            dispute = action_apply(actor=desk.director, dispute_id=dispute.pk,
                                   action=Action.EXTEND, expected_version=dispute.version)
        assert dispute.events.filter(type="dispute.extend").count() == 2

    def test_a_consent_dated_tomorrow_is_refused(self, desk, mediating):
        with pytest.raises(MediationInvalid, match="不能晚于今天"):
            consent_record(actor=desk.mediator, dispute_id=mediating.pk,
                           party_row_id=mediating.party_rows.first().pk, how="书面",
                           given_on=clock.today() + dt.timedelta(days=1))

    def test_an_overdue_mediation_can_still_be_failed(self, desk, mediating):
        with clock.pinned(past_deadline(mediating)):
            failed = action_apply(actor=desk.mediator, dispute_id=mediating.pk,
                                  action=Action.FAIL, expected_version=mediating.version,
                                  reason="期限届满，双方未能达成一致")
        assert failed.state == State.FAILED


class TestEvaluation:
    def test_the_expert_records_an_assessment_with_both_paths(self, desk, evaluating):
        offer = offer_propose(actor=desk.mediator, dispute_id=evaluating.pk,
                              options=flat(36), discount_rate=D("0.035"))

        made = evaluation_record(actor=desk.expert, dispute_id=evaluating.pk,
                                 assessment="借款事实清楚，罚息部分可能被调减",
                                 contract_annual_rate=D("0.18"), discount_rate=D("0.035"),
                                 offer_id=offer.pk)

        paths = made.paths
        assert D(paths["acceptance_fee"]) > 0
        assert D(paths["lawyer_fee"]) >= D("3000")
        assert paths["creditor_settlement_value"] == offer.figures["present_value"]
        assert D(paths["debtor_settlement_cost"]) == D(offer.figures["total_paid"])
        assert any("调解方案" in line for line in paths["summary"])

    def test_only_the_disputes_expert_evaluates(self, desk, evaluating):
        with pytest.raises(PermissionDenied):
            evaluation_record(actor=desk.mediator, dispute_id=evaluating.pk,
                              assessment="意见", contract_annual_rate=D("0.18"),
                              discount_rate=D("0.035"))

    def test_not_on_another_track(self, desk, mediating):
        mediating.mediator_rows.create(user=desk.expert)
        with pytest.raises(MediationInvalid, match="中立评估程序"):
            evaluation_record(actor=desk.expert, dispute_id=mediating.pk, assessment="意见",
                              contract_annual_rate=D("0.18"), discount_rate=D("0.035"))
