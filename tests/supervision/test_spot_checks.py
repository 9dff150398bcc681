"""Quarterly spot checks: drawn from the quarter's concluded disputes under the node,
reproducibly, shared among the node's supervisors, once however many draw at the same time,
reviewed item by item (only the check's own items), summarised with each dispute counted
once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from jintiao import clock
from jintiao.domain.errors import DomainError
from jintiao.domain.figures import ReportPeriod
from jintiao.domain.lifecycle import Action, Role
from jintiao.domain.spotchecks import CHECKLIST
from jintiao.mediation.services import action_apply
from jintiao.supervision import selectors, services
from jintiao.supervision.models import SpotCheck, SpotCheckItem
from jintiao.timeline.models import Event
from tests.factories import UserFactory, intake

pytestmark = pytest.mark.django_db


def quarter() -> ReportPeriod:
    today = clock.today()
    return ReportPeriod.quarter_of(today)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def concluded(world, cases):
    ours, _theirs = cases
    return action_apply(actor=world.director, dispute_id=ours.pk, action=Action.FAIL,
                        expected_version=ours.version, reason="双方分歧较大，调解不成")


def _draw(world, **kwargs):
    q = quarter()
    return services.spot_check_draw(actor=kwargs.pop("actor", world.supervisor),
                                    node=kwargs.pop("node", world.prefecture), year=q.year,
                                    quarter=q.index, per_committee=kwargs.pop("size", 3),
                                    **kwargs)


def test_the_draw_takes_concluded_disputes_only_and_says_so_on_their_timeline(
        world, cases, concluded):
    check = _draw(world)
    items = list(check.items.all())
    assert [i.dispute_id for i in items] == [concluded.pk]  # theirs is still received
    assert items[0].reviewer == world.supervisor
    assert check.seed == f"{world.prefecture.pk}-{quarter()}"
    assert Event.objects.filter(dispute=concluded, type="spot_check.drawn").count() == 1
    with pytest.raises(DomainError) as again:
        _draw(world)
    assert again.value.code == "spot_check_invalid"


def test_only_a_supervisor_of_the_node_draws(world, concluded):
    for persona in ("county_supervisor", "director", "mediator", "agent"):
        with pytest.raises(DomainError) as refused:
            _draw(world, actor=getattr(world, persona))
        assert refused.value.code == "permission_denied", persona
    assert not SpotCheck.objects.exists()


def test_nothing_concluded_is_nothing_to_draw(world, cases):
    with pytest.raises(DomainError) as refused:
        _draw(world)
    assert "没有办结的纠纷" in refused.value.message
    assert not SpotCheck.objects.exists()


def test_reviews_are_whole_and_only_the_reviewers_and_the_summary_counts_them(
        world, concluded):
    second = UserFactory(organization=world.prefecture, roles=[Role.SUPERVISOR])
    item = _draw(world).items.get()
    answers = dict.fromkeys(CHECKLIST, True) | {"deadlines_kept": False}
    with pytest.raises(DomainError):  # a failed item needs a finding
        services.spot_check_review(actor=world.supervisor, item_id=item.pk,
                                   answers=answers, findings="")
    with pytest.raises(DomainError):  # incomplete
        services.spot_check_review(actor=world.supervisor, item_id=item.pk,
                                   answers={"procedure_followed": True}, findings="")
    for outsider in (world.county_supervisor, world.director, world.mediator):
        with pytest.raises(DomainError) as hidden:
            services.spot_check_review(actor=outsider, item_id=item.pk, answers=answers,
                                       findings="x")
        assert hidden.value.code == "not_found"
    assert SpotCheckItem.objects.get().reviewed_at is None
    services.spot_check_review(actor=second, item_id=item.pk, answers=answers,
                               findings="延长调解期限未取得双方书面同意")
    summary = selectors.findings_summary(world.prefecture, quarter())
    assert len(summary) == 1
    row = summary[0]
    assert (row.drawn, row.reviewed, row.failed["deadlines_kept"]) == (1, 1, 1)
    assert row.findings == ((concluded.number, "延长调解期限未取得双方书面同意"),)
    assert selectors.findings_summary(world.other_county, quarter()) == []
    assert Event.objects.filter(dispute=concluded, type="spot_check.reviewed").exists()


def test_a_dispute_drawn_by_county_and_prefecture_counts_once(world, concluded):
    kaili_supervisor = UserFactory(organization=world.county, roles=[Role.SUPERVISOR])
    _draw(world, size=5)
    county_check = _draw(world, actor=kaili_supervisor, node=world.county, size=5)
    [row] = selectors.findings_summary(world.prefecture, quarter())
    assert row.drawn == 1
    [own] = selectors.findings_summary(world.county, quarter(), county_check)
    assert own.drawn == 1


def test_a_review_posted_with_a_strange_or_foreign_item_is_not_found(world, concluded):
    kaili_supervisor = UserFactory(organization=world.county, roles=[Role.SUPERVISOR])
    county_check = _draw(world, actor=kaili_supervisor, node=world.county, size=5)
    prefecture_check = _draw(world, size=5)
    foreign = county_check.items.get()
    url = reverse("web:spot_check", args=[prefecture_check.pk])
    for item in ("²", "9" * 30, str(foreign.pk)):
        response = client_for(world.supervisor).post(url, {"item": item})
        assert response.status_code in (302, 404), item
    with pytest.raises(DomainError):
        services.spot_check_review(actor=world.supervisor, item_id=foreign.pk,
                                   answers={}, findings="", check_id=prefecture_check.pk)


@pytest.mark.django_db(transaction=True)
def test_two_draws_at_once_make_one_check(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    dispute = intake(actor=world.clerk, committee=world.committee, institution=world.branch)
    dispute = action_apply(actor=world.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                           expected_version=1, notice_served=True)
    dispute = action_apply(actor=world.director, dispute_id=dispute.pk, action=Action.ASSIGN,
                           expected_version=dispute.version, track="simple",
                           mediators=[world.mediator])
    action_apply(actor=world.director, dispute_id=dispute.pk, action=Action.FAIL,
                 expected_version=dispute.version, reason="调解不成")

    def draw(_: int) -> bool:
        try:
            _draw(world, size=5)
        except DomainError:
            return False
        finally:
            connections.close_all()
        return True

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sum(pool.map(draw, range(6))) == 1
    assert SpotCheck.objects.count() == 1
