"""Bugs a review found in supervision, each with the test that failed before its fix."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from jintiao import clock
from jintiao.disputes.models import Dispute
from jintiao.domain.errors import DomainError
from jintiao.domain.figures import ReportPeriod
from jintiao.domain.lifecycle import Action, Role
from jintiao.mediation.services import action_apply
from jintiao.supervision import charts, selectors, services
from jintiao.supervision.models import SpotCheck
from tests.factories import UserFactory, intake


def quarter() -> ReportPeriod:
    today = clock.today()
    return ReportPeriod.quarter_of(today)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fail(world, dispute):
    return action_apply(actor=world.director, dispute_id=dispute.pk, action=Action.FAIL,
                        expected_version=dispute.version, reason="调解不成")


def _draw(world, actor, node):
    q = quarter()
    return services.spot_check_draw(actor=actor, node=node, year=q.year, quarter=q.index,
                                    per_committee=5)


@pytest.mark.django_db
def test_overdue_counts_only_mediation_running_late(world, cases):
    ours, _theirs = cases
    past = clock.today() - dt.timedelta(days=3)
    Dispute.objects.filter(pk=ours.pk).update(state="performing", deadline=past)
    assert selectors.dashboard(world.prefecture, clock.today()).overdue == ()
    Dispute.objects.filter(pk=ours.pk).update(state="mediating")
    late = selectors.dashboard(world.prefecture, clock.today()).overdue
    assert [(o.committee, o.count) for o in late] == [(world.committee.name, 1)]


@pytest.mark.django_db
def test_a_dispute_drawn_by_county_and_prefecture_counts_once(world, cases):
    _fail(world, cases[0])
    kaili_supervisor = UserFactory(organization=world.county, roles=[Role.SUPERVISOR])
    _draw(world, world.supervisor, world.prefecture)
    county_check = _draw(world, kaili_supervisor, world.county)
    [row] = selectors.findings_summary(world.prefecture, quarter())
    assert row.drawn == 1
    [own] = selectors.findings_summary(world.county, quarter(), county_check)
    assert own.drawn == 1


@pytest.mark.django_db
def test_a_review_posted_with_a_strange_or_foreign_item_is_not_found(world, cases):
    _fail(world, cases[0])
    kaili_supervisor = UserFactory(organization=world.county, roles=[Role.SUPERVISOR])
    county_check = _draw(world, kaili_supervisor, world.county)
    prefecture_check = _draw(world, world.supervisor, world.prefecture)
    foreign = county_check.items.get()
    url = reverse("web:spot_check", args=[prefecture_check.pk])
    for item in ("²", "9" * 30, str(foreign.pk)):
        response = client_for(world.supervisor).post(url, {"item": item})
        assert response.status_code in (302, 404), item
    with pytest.raises(DomainError):
        services.spot_check_review(actor=world.supervisor, item_id=foreign.pk,
                                   answers={}, findings="", check_id=prefecture_check.pk)


@pytest.mark.django_db
def test_no_link_to_a_node_that_is_not_one(world, cases):
    html = client_for(world.director).get(reverse("web:dashboard")).content.decode()
    assert "?node=0" not in html


def test_a_name_with_dollar_signs_is_drawn_as_written():
    svg = charts.bars(["县$\\frac$支行"], [1], [0], ("受理", "调解成功"), title="$x$")
    assert svg.startswith("<svg")


@pytest.mark.django_db
def test_a_bad_period_keeps_the_node_asked_for(world, cases):
    html = client_for(world.supervisor).get(
        reverse("web:statistics"), {"node": world.county.pk, "period": "2026-13"}
    ).content.decode()
    assert f"<h1>{world.county.name}" in html


@pytest.mark.django_db
def test_a_ledger_filter_that_cannot_be_read_exports_nothing(world, cases):
    response = client_for(world.supervisor).get(
        reverse("web:ledger"), {"received_from": "not-a-date", "export": "csv"})
    text = b"".join(response.streaming_content).decode() if response.streaming else ""
    assert cases[0].number not in text
    page = client_for(world.supervisor).get(reverse("web:ledger"),
                                            {"received_from": "not-a-date"})
    assert cases[0].number not in page.content.decode()


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
    _fail(world, dispute)

    def draw(_: int) -> bool:
        try:
            _draw(world, world.supervisor, world.prefecture)
        except DomainError:
            return False
        finally:
            connections.close_all()
        return True

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sum(pool.map(draw, range(6))) == 1
    assert SpotCheck.objects.count() == 1
