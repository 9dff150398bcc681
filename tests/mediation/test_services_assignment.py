"""Triage, the ranked mediator list with its exclusions, recusal and the team."""

from __future__ import annotations

import pytest

from jintiao.disputes.access import PermissionDenied, RecordNotFound
from jintiao.disputes.services import DisputeConflict, MediatorInvalid
from jintiao.domain.lifecycle import Action, Role, State, TransitionRefused
from jintiao.domain.policy import Track
from jintiao.mediation import selectors
from jintiao.mediation.models import Recusal
from jintiao.mediation.services import (
    MediationInvalid,
    action_apply,
    dispute_triage,
    mediators_change,
    recusal_decide,
    recusal_request,
)
from jintiao.orgs.models import OrgKind
from jintiao.orgs.services import mediator_profile_set
from tests.factories import OrganizationFactory, UserFactory, intake


@pytest.fixture
def accepted(desk):
    dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch)
    return action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                        expected_version=1, notice_served=True)


def debtor_row(dispute):
    return dispute.party_rows.get(role="debtor")


class TestTriage:
    def test_the_suggestion_is_confirmed_and_its_reasons_go_on_the_timeline(self, desk,
                                                                            accepted):
        dispute = dispute_triage(actor=desk.director, dispute_id=accepted.pk,
                                 expected_version=accepted.version, facts_disputed=False)

        assert dispute.track == Track.SIMPLE  # 231,208.40 > the 50,000 small-claim line
        event = dispute.events.order_by("-seq").first()
        assert event.type == "dispute.triage"
        assert event.params["suggested"] == "simple"
        assert event.params["overridden"] is False
        assert "小额标准" in event.params["why"][0]

    def test_an_override_needs_a_reason_and_changes_nothing_without_one(self, desk, accepted):
        with pytest.raises(MediationInvalid, match="须写明理由"):
            dispute_triage(actor=desk.director, dispute_id=accepted.pk,
                           expected_version=accepted.version, facts_disputed=False,
                           track=Track.ORDINARY)
        accepted.refresh_from_db()
        assert accepted.track == ""

        dispute = dispute_triage(actor=desk.director, dispute_id=accepted.pk,
                                 expected_version=accepted.version, facts_disputed=False,
                                 track=Track.ORDINARY, reason="债务人对罚息计算有异议")
        assert dispute.track == Track.ORDINARY
        assert dispute.events.order_by("-seq").first().params["overridden"] is True

    def test_disputed_facts_on_a_large_claim_suggest_neutral_evaluation(self, desk):
        dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
                         principal="3000000.00")
        suggestion = selectors.triage_suggestion(dispute, facts_disputed=True)
        assert suggestion.track is Track.EVALUATION

    def test_only_the_director_triages(self, desk, accepted):
        with pytest.raises(TransitionRefused):
            dispute_triage(actor=desk.clerk, dispute_id=accepted.pk,
                           expected_version=accepted.version, facts_disputed=False)

    def test_a_stale_version_is_refused(self, desk, accepted):
        with pytest.raises(DisputeConflict):
            dispute_triage(actor=desk.director, dispute_id=accepted.pk,
                           expected_version=accepted.version - 1, facts_disputed=False)


class TestCandidates:
    def test_a_mediator_from_the_creditor_bank_is_excluded_with_the_reason(self, desk,
                                                                           accepted):
        found = selectors.mediator_candidates(accepted)

        ranked = {r.candidate.key for r in found.ranked}
        excluded = {e.candidate.key: e.reasons for e in found.excluded}
        assert desk.mediator.pk in ranked
        assert desk.banker_mediator.pk not in ranked
        assert "应当回避" in excluded[desk.banker_mediator.pk][0]

    def test_an_affiliation_with_the_banks_group_excludes_like_employment(self, desk,
                                                                          accepted):
        retired = UserFactory(organization=desk.committee, roles=[Role.MEDIATOR])
        mediator_profile_set(user=retired, affiliations=[desk.bank])  # the branch's parent

        found = selectors.mediator_candidates(accepted)

        assert retired.pk in {e.candidate.key for e in found.excluded}
        with pytest.raises(TransitionRefused, match="无利害关系"):
            action_apply(actor=desk.director, dispute_id=accepted.pk, action=Action.ASSIGN,
                         expected_version=accepted.version, track=Track.SIMPLE,
                         mediators=[retired])

    def test_expertise_place_and_load_rank_the_rest(self, desk, accepted):
        expert = UserFactory(organization=desk.committee, roles=[Role.MEDIATOR])
        mediator_profile_set(user=expert, expertise=["credit_card"], full_time=True)
        away = OrganizationFactory(name="远方金调委", kind=OrgKind.COMMITTEE,
                                   region_code="522622", parent=desk.other_county)
        far = UserFactory(organization=away, roles=[Role.MEDIATOR])

        found = selectors.mediator_candidates(accepted)

        order = [r.candidate.key for r in found.ranked]
        assert order[0] == expert.pk
        assert order.index(desk.mediator.pk) < order.index(far.pk)
        top = found.ranked[0]
        assert "擅长此类纠纷" in top.reasons
        assert "专职调解员" in top.reasons

    def test_an_unavailable_or_full_mediator_is_not_offered(self, desk, accepted):
        mediator_profile_set(user=desk.other_mediator, available=False)
        found = selectors.mediator_candidates(accepted)
        assert desk.other_mediator.pk in {e.candidate.key for e in found.excluded}


class TestRecusal:
    def test_a_granted_recusal_takes_the_mediator_off_and_keeps_them_off(self, desk,
                                                                         mediating):
        asked = recusal_request(actor=desk.agent, dispute_id=mediating.pk,
                                mediator_id=desk.mediator.pk,
                                party_row_id=mediating.party_rows.get(role="creditor").pk,
                                reason="该调解员曾代理债务人其他案件")
        assert asked.status == Recusal.Status.PENDING

        decided = recusal_decide(actor=desk.director, recusal_id=asked.pk, grant=True,
                                 reason="存在可能影响公正的关系")

        assert decided.status == Recusal.Status.GRANTED
        assert not mediating.mediator_rows.filter(user=desk.mediator).exists()
        mediating.refresh_from_db()
        with pytest.raises(MediatorInvalid, match="已决定回避"):
            mediators_change(actor=desk.director, dispute_id=mediating.pk,
                             expected_version=mediating.version, lead=desk.mediator)
        mediators_change(actor=desk.director, dispute_id=mediating.pk,
                         expected_version=mediating.version, lead=desk.other_mediator,
                         others=[desk.expert], reason="原调解员回避")
        assert set(mediating.mediator_rows.values_list("user_id", "lead")) == {
            (desk.other_mediator.pk, True), (desk.expert.pk, False)}
        types = list(mediating.events.values_list("type", flat=True))
        assert {"mediation.recusal_requested", "mediation.recusal_decided",
                "mediation.team_changed"} <= set(types)

    def test_a_refused_recusal_keeps_the_team_and_needs_a_reason(self, desk, mediating):
        asked = recusal_request(actor=desk.mediator, dispute_id=mediating.pk,
                                mediator_id=desk.mediator.pk,
                                party_row_id=debtor_row(mediating).pk, reason="债务人申请")
        with pytest.raises(MediationInvalid):
            recusal_decide(actor=desk.director, recusal_id=asked.pk, grant=False, reason=" ")
        recusal_decide(actor=desk.director, recusal_id=asked.pk, grant=False,
                       reason="理由不成立")
        assert mediating.mediator_rows.filter(user=desk.mediator).exists()
        with pytest.raises(MediationInvalid, match="已经决定"):
            recusal_decide(actor=desk.director, recusal_id=asked.pk, grant=True, reason="改")

    def test_the_bank_may_not_ask_in_the_debtors_name(self, desk, mediating):
        with pytest.raises(PermissionDenied):
            recusal_request(actor=desk.agent, dispute_id=mediating.pk, mediator_id=desk.mediator.pk,
                            party_row_id=debtor_row(mediating).pk, reason="代债务人申请")

    def test_only_the_director_decides_and_others_see_no_such_request(self, desk, mediating):
        asked = recusal_request(actor=desk.mediator, dispute_id=mediating.pk,
                                mediator_id=desk.mediator.pk,
                                party_row_id=debtor_row(mediating).pk, reason="债务人申请")
        with pytest.raises(PermissionDenied):
            recusal_decide(actor=desk.mediator, recusal_id=asked.pk, grant=True, reason="是")
        with pytest.raises(RecordNotFound):  # another committee: as if it did not exist
            recusal_decide(actor=desk.other_clerk, recusal_id=asked.pk, grant=True,
                           reason="是")

    def test_the_team_must_be_free_of_conflict(self, desk, mediating):
        with pytest.raises(MediatorInvalid, match="回避"):
            mediators_change(actor=desk.director, dispute_id=mediating.pk,
                             expected_version=mediating.version, lead=desk.banker_mediator)
        with pytest.raises(MediatorInvalid, match="不是在册调解员"):
            mediators_change(actor=desk.director, dispute_id=mediating.pk,
                             expected_version=mediating.version, lead=desk.clerk)
        assert mediating.mediator_rows.get().user == desk.mediator


def test_assignment_names_a_lead_and_co_mediators(desk, accepted):
    dispute = action_apply(actor=desk.director, dispute_id=accepted.pk, action=Action.ASSIGN,
                           expected_version=accepted.version, track=Track.SIMPLE,
                           mediators=[desk.mediator, desk.expert])
    assert dispute.state == State.MEDIATING
    assert set(dispute.mediator_rows.values_list("user_id", "lead")) == {
        (desk.mediator.pk, True), (desk.expert.pk, False)}


class TestTeamSize:
    """The policy's number of mediators (a lead and co-mediators, 5 by default) is the
    service's rule: the web form and the API used to say 4 and 5 and the service nothing."""

    def _mediators(self, desk, n):
        return [UserFactory(organization=desk.committee, roles=[Role.MEDIATOR])
                for _ in range(n)]

    def test_assignment_refuses_more_than_the_policy_allows(self, desk, accepted):
        six = self._mediators(desk, 6)

        with pytest.raises(MediatorInvalid, match="最多指定5名调解员"):
            action_apply(actor=desk.director, dispute_id=accepted.pk, action=Action.ASSIGN,
                         expected_version=accepted.version, track=Track.SIMPLE, mediators=six)

        accepted.refresh_from_db()
        assert accepted.state == State.ACCEPTED
        assert not accepted.mediator_rows.exists()

    def test_five_are_a_team(self, desk, accepted):
        five = self._mediators(desk, 5)

        done = action_apply(actor=desk.director, dispute_id=accepted.pk, action=Action.ASSIGN,
                            expected_version=accepted.version, track=Track.SIMPLE,
                            mediators=five)

        assert done.mediator_rows.count() == 5

    def test_a_change_of_team_keeps_to_the_same_rule(self, desk, mediating):
        lead, *others = self._mediators(desk, 6)

        with pytest.raises(MediatorInvalid, match="最多指定5名调解员"):
            mediators_change(actor=desk.director, dispute_id=mediating.pk,
                             expected_version=mediating.version, lead=lead, others=others)
