"""The director's mediator list searched (mediation.selectors.mediator_candidates): by name,
organisation or expertise, every word matching; the ranking and the exclusions with their
reasons are those of the whole list, only narrowed."""

from __future__ import annotations

import pytest

from jintiao.domain.lifecycle import Action, Role
from jintiao.mediation import selectors
from jintiao.mediation.services import action_apply
from jintiao.orgs.services import mediator_profile_set
from tests.factories import OrganizationFactory, UserFactory, intake


@pytest.fixture
def accepted(desk):
    dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch)
    return action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                        expected_version=1, notice_served=True)


@pytest.fixture
def people(desk):
    """Three more mediators with names, one at a township node, with expertise."""
    town = OrganizationFactory(name="三棵树镇调解室", parent=desk.committee)
    wang = UserFactory(organization=desk.committee, roles=[Role.MEDIATOR], full_name="王调解")
    li = UserFactory(organization=town, roles=[Role.MEDIATOR], full_name="李调解")
    zhao = UserFactory(organization=desk.committee, roles=[Role.EXPERT], full_name="赵专家")
    mediator_profile_set(user=wang, expertise=["credit_card"])
    mediator_profile_set(user=li, expertise=["consumer_loan"])
    mediator_profile_set(user=zhao, expertise=["consumer_loan", "credit_card"])
    return wang, li, zhao


def keys(found):
    return [r.candidate.key for r in found.ranked]


def test_a_search_narrows_the_ranked_list_without_reordering_it(desk, accepted, people):
    wang, li, zhao = people
    everyone = selectors.mediator_candidates(accepted)
    assert keys(selectors.mediator_candidates(accepted, query="王调解")) == [wang.pk]
    assert keys(selectors.mediator_candidates(accepted, query="三棵树")) == [li.pk]
    loans = keys(selectors.mediator_candidates(accepted, query="消费贷款"))
    assert set(loans) == {li.pk, zhao.pk}
    assert loans == [k for k in keys(everyone) if k in loans]  # the whole list's order
    # every word must match: the expert with both kinds, not the one with cards only
    assert keys(selectors.mediator_candidates(accepted, query="信用卡 消费贷款")) == [zhao.pk]
    assert keys(selectors.mediator_candidates(accepted, query="  ")) == keys(everyone)
    assert selectors.mediator_candidates(accepted, query="没有这个人").ranked == []


def test_the_excluded_are_searched_too_and_keep_their_reasons(desk, accepted, people):
    found = selectors.mediator_candidates(accepted, query="凯里支行")
    assert found.ranked == []
    [banker] = found.excluded
    assert banker.candidate.key == desk.banker_mediator.pk
    assert "应当回避" in banker.reasons[0]
    scores = {r.candidate.key: r.score for r in selectors.mediator_candidates(accepted).ranked}
    narrowed = selectors.mediator_candidates(accepted, query="调解")
    assert all(r.score == scores[r.candidate.key] for r in narrowed.ranked)
