"""``GET /api/v1/policies`` (issue 21 §5): the versions the caller may read, with validity
dates, values and each value's source; someone else's node is missing; a token is needed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jintiao import clock
from jintiao.domain.lifecycle import Role
from jintiao.domain.policy import DEFAULT_POLICY, EDITABLE, SOURCES
from jintiao.orgs.models import OrgKind
from jintiao.policies.services import policy_publish
from tests.api.client import Api
from tests.factories import OrganizationFactory, UserFactory

BASIS = "凯里市金融纠纷多元化解领导小组〔2027〕2号"


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


@pytest.fixture
def published(world):
    """Kaili county's own version from tomorrow: simple-track mediation in 10 working days,
    published by its administrator."""
    world.county_admin = UserFactory(organization=world.county, roles=[Role.ADMINISTRATOR])
    world.kaili = policy_publish(
        actor=world.county_admin, organization=world.county,
        valid_from=clock.today() + dt.timedelta(days=1),
        values={"mediation_simple_limit": {"amount": 10, "unit": "working_days"}},
        sources={"mediation_simple_limit": BASIS}, source="凯里市领导小组会议纪要")
    return world


def listed(api: Api, **query) -> list[tuple[int, int]]:
    body = ok(api.get("/policies", **query))
    assert body["count"] == len(body["items"])
    return [(i["organization"]["id"], i["version"]) for i in body["items"]]


class TestWhatIsShown:
    def test_a_version_shows_its_window_values_sources_and_changes(self, published):
        body = ok(Api(published.clerk).get("/policies",
                                           organization_id=published.county.pk))

        (item,) = body["items"]
        assert item["version"] == 1
        assert item["valid_from"] == (clock.today() + dt.timedelta(days=1)).isoformat()
        assert item["valid_to"] is None
        assert item["in_force"] is False
        assert item["source"] == "凯里市领导小组会议纪要"
        assert item["published_by"] == str(published.county_admin)
        rules = {r["field"]: r for r in item["rules"]}
        assert list(rules) == list(EDITABLE)
        assert rules["mediation_simple_limit"] == {
            "field": "mediation_simple_limit", "label": "简易程序调解期限", "kind": "limit",
            "value": {"amount": 10, "unit": "working_days"}, "text": "10个工作日",
            "source": BASIS}
        assert rules["annual_cost_cap"]["value"] == "0.24"
        assert rules["annual_cost_cap"]["text"] == "24%"
        assert rules["annual_cost_cap"]["source"] == SOURCES["annual_cost_cap"]
        assert rules["stack_fee_halvings"]["value"] is False
        assert item["changes"] == [{
            "field": "mediation_simple_limit", "label": "简易程序调解期限",
            "old": "7个工作日", "new": "10个工作日",
            "old_source": SOURCES["mediation_simple_limit"], "new_source": BASIS}]

    def test_in_force_on_keeps_the_versions_of_that_day(self, published):
        api = Api(published.clerk)
        today, tomorrow = clock.today(), clock.today() + dt.timedelta(days=1)
        assert listed(api, in_force_on=today.isoformat()) == [(published.prefecture.pk, 1)]
        assert listed(api, in_force_on=tomorrow.isoformat()) == [
            (published.prefecture.pk, 1), (published.county.pk, 1)]


class TestWhoReadsWhat:
    def test_staff_read_their_node_the_nodes_above_and_below(self, published):
        expected = [(published.prefecture.pk, 1), (published.county.pk, 1)]
        for who in ("clerk", "director", "mediator", "supervisor"):
            assert listed(Api(getattr(published, who))) == expected

    def test_staff_of_another_county_do_not_read_kailis_version(self, published):
        assert listed(Api(published.other_clerk)) == [(published.prefecture.pk, 1)]
        assert listed(Api(published.county_supervisor)) == [(published.prefecture.pk, 1)]

    def test_the_platform_administrator_reads_every_node(self, published):
        operator = OrganizationFactory(name="平台运营中心", kind=OrgKind.OPERATOR)
        admin = UserFactory(organization=operator, roles=[Role.ADMINISTRATOR])
        other = policy_publish(organization=published.other_committee,
                               policy=DEFAULT_POLICY,
                               valid_from=dt.date(2020, 1, 1))
        assert (other.organization_id, 1) in listed(Api(admin))
        assert (other.organization_id, 1) not in listed(Api(published.clerk))

    @pytest.mark.parametrize("who", ["other_clerk", "county_supervisor", "agent", "judge"])
    def test_someone_elses_node_is_missing(self, published, who):
        response = Api(getattr(published, who)).get("/policies",
                                                    organization_id=published.county.pk)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_a_node_that_does_not_exist_is_missing_the_same_way(self, published):
        response = Api(published.clerk).get("/policies", organization_id=999_999)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_a_party_reads_no_rules_here(self, published):
        party = UserFactory(roles=[Role.PARTY])
        assert listed(Api(party)) == []

    def test_without_a_token_the_answer_is_401(self, published):
        response = Client().get("/api/v1/policies")
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"

    def test_a_read_token_is_enough(self, published):
        assert listed(Api(published.clerk, scopes=["read"]))


def test_the_list_costs_the_same_whatever_the_number_of_versions(published):
    """One read of the versions with their nodes and publishers, not one per version."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = Api(published.supervisor)  # the prefecture's: every version below it
    api.get("/policies")  # the token's first use is written once

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            ok(api.get("/policies"))
        return len(queries)

    few = cost()
    for node in (published.committee, published.other_county, published.other_committee):
        policy_publish(organization=node, policy=DEFAULT_POLICY.replace(max_extensions=2),
                       valid_from=dt.date(2020, 1, 1))
    assert cost() == few


def test_a_withdrawn_version_is_listed_as_withdrawn_and_in_force_nowhere(published):
    from jintiao.policies.services import policy_withdraw

    policy_withdraw(actor=published.county_admin, version=published.kaili, reason="期限填错")
    api = Api(published.clerk)
    (item,) = ok(api.get("/policies", organization_id=published.county.pk))["items"]
    assert item["withdrawn_reason"] == "期限填错"
    assert item["withdrawn_at"] is not None
    assert item["in_force"] is False
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    assert listed(api, in_force_on=tomorrow) == [(published.prefecture.pk, 1)]
