"""POST /api/v1/disputes/batch-actions (issue 20 §4): who may, what each dispute's outcome
says, and the schema that documents it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jintiao.domain.lifecycle import Action, State
from jintiao.mediation.services import action_apply
from tests.api.client import Api
from tests.factories import intake

PATH = "/disputes/batch-actions"


def received(world, n):
    return [intake(actor=world.clerk, committee=world.committee, institution=world.branch)
            for _ in range(n)]


class TestAccept:
    def test_each_dispute_has_its_outcome_and_another_committees_is_refused_alone(
            self, world, cases):
        _ours, theirs = cases
        mine = received(world, 2)

        response = Api(world.clerk).post(PATH, {
            "action": "accept", "ids": [mine[0].pk, theirs.pk, mine[1].pk],
            "notice_served": True})

        assert response.status_code == 200
        body = response.json()
        assert (body["done"], body["refused"]) == (2, 1)
        assert [i["status"] for i in body["items"]] == ["ok", "refused", "ok"]
        assert body["items"][1] == {
            "id": theirs.pk, "number": "", "status": "refused", "code": "dispute_not_found",
            "message": "纠纷不存在或无权查看", "track": None, "lead_id": None,
            "lead_name": None, "why": []}
        theirs.refresh_from_db()
        assert theirs.state == State.RECEIVED

    def test_a_version_read_before_a_change_is_refused_as_stale(self, world):
        [d] = received(world, 1)

        body = Api(world.clerk).post(PATH, {"action": "accept", "ids": [d.pk],
                                            "versions": {str(d.pk): 0},
                                            "notice_served": True}).json()

        assert body["items"][0]["code"] == "conflict"


class TestAssign:
    def test_the_proposal_changes_nothing_and_assign_names_the_rules_lead(self, world):
        disputes = [action_apply(actor=world.clerk, dispute_id=d.pk, action=Action.ACCEPT,
                                 expected_version=d.version, notice_served=True)
                    for d in received(world, 2)]
        ids = [d.pk for d in disputes]
        api = Api(world.director)

        proposed = api.post(PATH, {"action": "assign_propose", "ids": ids}).json()

        assert [i["status"] for i in proposed["items"]] == ["proposed", "proposed"]
        assert {i["lead_id"] for i in proposed["items"]} == {world.mediator.pk,
                                                            world.other_mediator.pk}
        assert proposed["items"][0]["track"] == "simple"

        assigned = api.post(PATH, {"action": "assign", "ids": ids}).json()

        assert [i["status"] for i in assigned["items"]] == ["ok", "ok"]
        for d in disputes:
            d.refresh_from_db()
            assert d.state == State.MEDIATING


@pytest.mark.parametrize(("persona", "action"), [
    ("mediator", "accept"), ("agent", "accept"), ("supervisor", "accept"),
    ("judge", "accept"), ("clerk", "assign"), ("clerk", "assign_propose"),
    ("agent", "assign"), ("mediator", "assign")])
def test_a_role_that_does_not_take_the_action_is_403(world, persona, action):
    [d] = received(world, 1)

    response = Api(getattr(world, persona)).post(PATH, {"action": action, "ids": [d.pk]})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    d.refresh_from_db()
    assert d.state == State.RECEIVED


def test_anonymous_is_401(world):
    response = Client().post(f"/api/v1{PATH}", data=json.dumps({"action": "accept",
                                                                "ids": [1]}),
                             content_type="application/json")

    assert response.status_code == 401


def test_a_read_only_token_is_403(world):
    [d] = received(world, 1)

    response = Api(world.clerk, scopes=["read"]).post(PATH, {"action": "accept",
                                                             "ids": [d.pk]})

    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"


@pytest.mark.parametrize("body", [{"action": "accept", "ids": []},
                                  {"action": "accept", "ids": list(range(1, 202))},
                                  {"action": "close", "ids": [1]}])
def test_an_empty_unknown_or_too_large_batch_is_422(world, body):
    assert Api(world.clerk).post(PATH, body).status_code == 422


def test_the_operation_is_documented_with_its_scope(world):
    schema = Client().get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/disputes/batch-actions"]["post"]
    assert operation["operationId"] == "disputes_batch_action"
    assert operation["x-scope"] == "intake"
    assert "403" in operation["responses"]


def test_ids_and_versions_beyond_their_columns_are_422_not_a_500(world):
    """The fuzzer's ``ids: [10**38]`` was a 500 (issue 20 review)."""
    api = Api(world.director)
    for body in ({"action": "assign_propose", "ids": [10**38]},
                 {"action": "accept", "ids": [-5]},
                 {"action": "accept", "ids": [1], "versions": {"1": 2**40}}):
        response = api.post("/disputes/batch-actions", body)
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation_error"
