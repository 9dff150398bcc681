"""``POST /api/v1/disputes/batch`` (issue 20 §2): up to 1,000 disputes a call, one result per
item, the same idempotency by the bank's reference as ``POST /disputes``."""

from __future__ import annotations

import json

from django.test import Client

from jintiao.disputes.models import Dispute
from tests.api.client import Api
from tests.api.test_disputes import intake_body


def body(world, n: int, **changes):
    """A card debt of the branch, its creditor the branch as registered."""
    item = intake_body(world, n, external_ref=f"XYK-{n:05d}", **changes)
    item["parties"][0] = {"kind": "entity", "name": world.branch.name,
                          "id_number": world.branch.credit_code, "role": "creditor"}
    return item


class TestAccess:
    def test_no_token_is_401(self, world):
        response = Client().post("/api/v1/disputes/batch", data=json.dumps({"items": [{}]}),
                                 content_type="application/json")
        assert response.status_code == 401

    def test_a_read_only_token_may_not_file(self, world):
        response = Api(world.agent, scopes=["read"]).post(
            "/disputes/batch", {"items": [body(world, 1)]})
        assert response.status_code == 403
        assert response.json()["code"] == "scope_missing"
        assert not Dispute.objects.exists()

    def test_items_another_bank_may_file_are_refused_each_on_its_own(self, world):
        theirs = body(world, 2, institution_id=world.other_bank.pk)
        theirs["parties"][0] = {"kind": "entity", "name": world.other_bank.name,
                                "id_number": world.other_bank.credit_code, "role": "creditor"}
        response = Api(world.agent).post("/disputes/batch", {"items": [body(world, 1), theirs]})
        assert response.status_code == 200
        outcomes = [(i["outcome"], (i["error"] or {}).get("code"))
                    for i in response.json()["items"]]
        assert outcomes == [("created", None), ("refused", "permission_denied")]

    def test_a_judge_files_nothing(self, world):
        response = Api(world.judge).post("/disputes/batch", {"items": [body(world, 1)]})
        assert response.json()["items"][0]["error"]["code"] == "permission_denied"
        assert not Dispute.objects.exists()


class TestResults:
    def test_one_result_per_item_in_order(self, world):
        bad_shape = body(world, 3)
        bad_shape["claim"]["principal"] = "-5"
        unknown = body(world, 4, committee_id=999_999)
        bad_id = body(world, 5)
        bad_id["parties"][1]["id_number"] = "522601199001011234"
        answer = Api(world.agent).post("/disputes/batch", {"items": [
            body(world, 1), body(world, 1), bad_shape, unknown, bad_id, body(world, 2)]})
        assert answer.status_code == 200
        data = answer.json()
        assert [i["outcome"] for i in data["items"]] == [
            "created", "existing", "refused", "refused", "refused", "created"]
        assert data["counts"] == {"created": 2, "existing": 1, "conflict": 0, "refused": 3,
                                  "unsaved": 0}
        first, again, shape, committee, party, _last = data["items"]
        assert again["dispute"] == first["dispute"]
        assert first["external_ref"] == "XYK-00001"
        assert first["dispute"]["number"].startswith("（")
        assert shape["error"]["code"] == "validation_error"
        assert shape["error"]["details"]["field"] == "claim.principal"
        assert "claim.principal" in shape["error"]["message"]
        assert committee["error"] == {"code": "intake_invalid", "message": "调委会不存在",
                                      "details": {"field": "committee_id"}}
        assert party["error"]["code"] == "party_invalid"
        assert Dispute.objects.count() == 2

    def test_sent_again_it_files_nothing_twice_and_names_what_changed(self, world):
        api = Api(world.agent)
        api.post("/disputes/batch", {"items": [body(world, 1), body(world, 2)]})
        changed = body(world, 2)
        changed["claim"]["principal"] = "1.00"
        again = api.post("/disputes/batch", {"items": [body(world, 1), changed]}).json()
        assert [i["outcome"] for i in again["items"]] == ["existing", "conflict"]
        assert again["items"][1]["error"]["code"] == "external_ref_conflict"
        assert again["items"][1]["error"]["details"]["fields"] == "claim.principal"
        assert Dispute.objects.count() == 2

    def test_all_or_nothing_files_nothing_when_one_item_fails(self, world):
        bad = body(world, 2)
        bad["parties"][1]["id_number"] = "522601199001011234"
        data = Api(world.agent).post("/disputes/batch", {
            "mode": "all_or_nothing", "items": [body(world, 1), bad]}).json()
        assert [i["outcome"] for i in data["items"]] == ["unsaved", "refused"]
        assert data["items"][0]["error"]["code"] == "batch_not_written"
        assert not Dispute.objects.exists()


class TestBounds:
    def test_more_than_a_thousand_items_is_refused_whole(self, world):
        response = Api(world.agent).post("/disputes/batch",
                                         {"items": [{"x": n} for n in range(1001)]})
        assert response.status_code == 422
        assert not Dispute.objects.exists()

    def test_an_unknown_mode_or_no_items_is_422(self, world):
        api = Api(world.agent)
        assert api.post("/disputes/batch", {"items": []}).status_code == 422
        assert api.post("/disputes/batch", {"mode": "some", "items": [body(world, 1)]}
                        ).status_code == 422

    def test_the_operation_is_documented_with_an_example_and_its_scope(self, world):
        schema = Client().get("/api/v1/openapi.json").json()
        operation = schema["paths"]["/api/v1/disputes/batch"]["post"]
        assert operation["x-scope"] == "intake"
        example = operation["requestBody"]["content"]["application/json"]["examples"]
        assert len(example["two card debts"]["value"]["items"]) == 2


class TestChargesSince:
    """The day the claim's charges began (逾期日): kept, shown, checked, compared."""

    def test_it_is_kept_through_one_intake_and_a_batch_and_shown(self, world):
        one = body(world, 1)
        one["claim"]["charges_since"] = "2025-03-21"
        created = Api(world.agent).post("/disputes", one)
        assert created.status_code == 201
        assert created.json()["claim"]["charges_since"] == "2025-03-21"
        two = body(world, 2)
        two["claim"]["charges_since"] = "2025-04-01"
        Api(world.agent).post("/disputes/batch", {"items": [two]})
        assert str(Dispute.objects.get(external_ref="XYK-00002").charges_since) == "2025-04-01"

    def test_on_or_after_the_claims_day_it_is_refused_naming_it(self, world):
        item = body(world, 1)
        item["claim"]["charges_since"] = item["claim"]["as_of"]
        response = Api(world.agent).post("/disputes", item)
        assert response.status_code == 400
        assert response.json()["details"]["field"] == "charges_since"
        assert not Dispute.objects.exists()
