"""The HTTP API: authentication, the visibility matrix, intake, actions, errors."""

from __future__ import annotations

import pytest
from django.test import Client

from jintiao import clock
from jintiao.domain import events
from jintiao.domain.events import Audience
from jintiao.timeline.services import event_append
from tests.api.client import Api
from tests.factories import credit_code, intake, resident_id


def intake_body(world, n: int, **changes):
    body = {
        "committee_id": world.committee.pk, "channel": "institution_application",
        "dispute_type": "credit_card", "institution_id": world.branch.pk,
        "claim": {"as_of": "2026-06-30", "principal": "200000.00", "interest": "50277.13"},
        "parties": [
            {"kind": "entity", "name": "某银行凯里支行", "id_number": credit_code(900 + n),
             "role": "creditor"},
            {"kind": "person", "name": "张三", "id_number": resident_id(900 + n),
             "phone": "13812345678", "role": "debtor"},
        ],
    }
    body.update(changes)
    return body


class TestAuthentication:
    def test_no_token_is_401_in_json(self, world, cases):
        response = Client().get("/api/v1/disputes")
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"

    def test_a_wrong_token_is_401(self, world, cases):
        response = Client().get("/api/v1/disputes", headers={"Authorization": "Bearer nope"})
        assert response.status_code == 401

    def test_me(self, world):
        data = Api(world.agent).get("/me").json()
        assert data["roles"] == ["agent"]
        assert data["organization"]["name"] == "某银行凯里支行"


PERSONAS = ["clerk", "director", "mediator", "other_mediator", "agent", "hq_agent",
            "other_agent", "judge", "other_judge", "supervisor", "county_supervisor",
            "other_clerk"]
SEES_OURS = {"clerk", "director", "mediator", "agent", "hq_agent", "judge", "supervisor"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_visibility_matrix_through_the_api(world, cases, persona):
    ours, _ = cases
    api = Api(getattr(world, persona))
    listed = {item["id"] for item in api.get("/disputes").json()["items"]}
    assert (ours.pk in listed) is (persona in SEES_OURS)
    missing = api.get("/disputes/999999")
    assert missing.status_code == 404
    for path in (f"/disputes/{ours.pk}", f"/disputes/{ours.pk}/timeline"):
        response = api.get(path)
        if persona in SEES_OURS:
            assert response.status_code == 200, path
        else:
            assert response.status_code == 404, path
            assert response.json() == missing.json(), "hidden must look like missing"
    action = api.post(f"/disputes/{ours.pk}/actions",
                      {"action": "withdraw", "expected_version": ours.version})
    if persona not in SEES_OURS:
        assert action.status_code == 404


class TestIntake:
    def test_an_agent_files_for_its_branch(self, world):
        response = Api(world.agent).post("/disputes", intake_body(world, 1))
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["state"] == "received"
        assert data["claim"]["total"] == "250277.13"
        debtor = next(p for p in data["parties"] if p["role"] == "debtor")
        assert debtor["phone_masked"] == "138****5678"
        assert resident_id(901) not in response.content.decode()

    def test_a_repeat_of_the_same_reference_returns_the_first(self, world):
        api = Api(world.agent)
        first = api.post("/disputes", intake_body(world, 2, external_ref="CC-1"))
        again = api.post("/disputes", intake_body(world, 2, external_ref="CC-1"))
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()["id"] == again.json()["id"]

    def test_another_banks_agent_may_not_file_for_this_branch(self, world):
        response = Api(world.other_agent).post("/disputes", intake_body(world, 3))
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    @pytest.mark.parametrize(
        "change",
        [
            {"claim": {"as_of": "2026-06-30", "principal": 200000.5}},
            {"claim": {"as_of": "2026-06-30", "principal": False}},
            {"claim": {"as_of": "2026-06-30", "principal": "1.234"}},
            {"claim": {"as_of": "2026-13-01", "principal": "1"}},
            {"committee_id": "1"},
            {"parties": []},
            {"channel": "telepathy"},
        ],
    )
    def test_bad_input_is_a_4xx_json_error_and_changes_nothing(self, world, change):
        from jintiao.disputes.models import Dispute

        response = Api(world.agent).post("/disputes", intake_body(world, 4, **change))
        assert 400 <= response.status_code < 500
        assert {"code", "message"} <= set(response.json())
        assert not Dispute.objects.exists()

    def test_a_paper_file_keeps_its_date_of_receipt_and_the_notice(self, world):
        body = intake_body(world, 6, received_on="2026-11-02", notice_served=True)
        data = Api(world.agent).post("/disputes", body).json()
        assert data["received_on"] == "2026-11-02"
        from jintiao.disputes.models import Dispute

        assert Dispute.objects.get(pk=data["id"]).non_litigation_notice_served

    @pytest.mark.parametrize(("day", "code"), [("2999-01-01", "intake_invalid"),
                                               ("1990-01-01", "policy_missing")])
    def test_a_date_of_receipt_outside_any_policy_is_refused(self, world, day, code):
        from jintiao.disputes.models import Dispute

        response = Api(world.agent).post("/disputes", intake_body(world, 7, received_on=day))
        assert response.status_code == 400
        assert response.json()["code"] == code
        assert not Dispute.objects.exists()

    def test_an_invalid_id_number_is_explained(self, world):
        body = intake_body(world, 5)
        body["parties"][1]["id_number"] = "110105194912310021"
        response = Api(world.agent).post("/disputes", body)
        assert response.status_code == 400
        assert response.json()["code"] == "party_invalid"
        assert "校验码" in response.json()["message"]


class TestTimeline:
    def test_each_event_comes_with_its_label_and_description_beside_its_stored_type(
            self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        api = Api(world.clerk)
        api.post(f"/disputes/{dispute.pk}/actions",
                 {"action": "accept", "expected_version": 1, "notice_served": True})
        timeline = api.get(f"/disputes/{dispute.pk}/timeline").json()
        assert [(e["type"], e["label"], e["description"]) for e in timeline] == [
            ("dispute.received", "登记收案", "申请金额231,208.40元"),
            ("dispute.accept", "受理", "")]

    def test_the_institution_gets_none_of_the_desks_events(self, world, cases):
        """Outreach, reach and spot-check events: the desk's and the supervisors' only."""
        ours, _ = cases
        for declared in events.every():
            event_append(dispute=ours, type=declared, actor=None, at=clock.now(),
                         state_before=ours.state, state_after=ours.state)
        path = f"/disputes/{ours.pk}/timeline"
        everyone = events.types_for(Audience.DISPUTE)
        assert {e["type"] for e in Api(world.agent).get(path).json()} == everyone
        seen = Api(world.supervisor).get(path).json()
        assert {e["type"] for e in seen} == {t.type for t in events.every()}
        assert all(e["label"] == events.lookup(e["type"]).label for e in seen)


class TestActions:
    def test_accept_through_the_api_and_see_it_on_the_timeline(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        api = Api(world.clerk)
        before = api.get(f"/disputes/{dispute.pk}").json()
        assert "accept" in before["available_actions"]
        response = api.post(f"/disputes/{dispute.pk}/actions",
                            {"action": "accept", "expected_version": 1, "notice_served": True})
        assert response.status_code == 200
        assert response.json()["state"] == "accepted"
        timeline = api.get(f"/disputes/{dispute.pk}/timeline").json()
        assert [e["type"] for e in timeline] == ["dispute.received", "dispute.accept"]

    def test_a_stale_version_is_409(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        api = Api(world.clerk)
        api.post(f"/disputes/{dispute.pk}/actions",
                 {"action": "accept", "expected_version": 1, "notice_served": True})
        response = api.post(f"/disputes/{dispute.pk}/actions",
                            {"action": "decline", "expected_version": 1, "reason": "x"})
        assert response.status_code == 409
        assert response.json()["code"] == "conflict"

    def test_a_refused_transition_is_409_naming_the_guard(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        response = Api(world.clerk).post(f"/disputes/{dispute.pk}/actions",
                                         {"action": "accept", "expected_version": 1})
        assert response.status_code == 409
        assert response.json()["details"]["missing"] == "non_litigation_notice_served"

    def test_filters(self, world, cases):
        api = Api(world.supervisor)
        assert api.get("/disputes?state=mediating").json()["count"] == 1
        assert api.get("/disputes?state=received").json()["count"] == 1
        assert api.get(f"/disputes?committee_id={world.other_committee.pk}").json()["count"] == 1
        assert api.get("/disputes?q=张").json()["count"] == 2

    def test_mine_and_due_soon(self, world, cases):
        ours, theirs = cases
        mine = Api(world.mediator).get("/disputes?mine=true").json()
        assert [d["id"] for d in mine["items"]] == [ours.pk]
        assert Api(world.judge).get("/disputes?mine=true").json()["count"] == 0
        clerk = Api(world.other_clerk).get("/disputes?mine=true").json()
        assert [d["id"] for d in clerk["items"]] == [theirs.pk]
        # the simple track's 7 working days are beyond the 3-day warning
        assert Api(world.supervisor).get("/disputes?due_soon=true").json()["count"] == 0


def test_the_openapi_schema_is_served(world):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/disputes" in response.json()["paths"]


def test_a_nul_character_is_refused_at_the_edge_on_any_database(world):
    """PostgreSQL cannot store NUL; found by the fuzzer as a 500 on ?q=…%00…"""
    api = Api(world.supervisor)
    assert api.get("/disputes?q=a%00b").status_code == 422
    body = intake_body(world, 6, summary="概要\x00")
    assert Api(world.agent).post("/disputes", body).status_code == 422


class TestRepresentatives:
    def body(self, dispute, **changes):
        api_dispute = Api(self.world.clerk).get(f"/disputes/{dispute.pk}").json()
        debtor = next(p for p in api_dispute["parties"] if p["role"] == "debtor")
        body = {"expected_version": api_dispute["version"], "party_row_id": debtor["id"],
                "name": "李律师", "id_number": resident_id(811), "relation": "lawyer",
                "authority": "special", "signed_on": "2026-11-01"}
        body.update(changes)
        return body

    def test_the_clerk_appoints_a_lawyer(self, world):
        self.world = world
        dispute = intake(actor=world.clerk, committee=world.committee)
        response = Api(world.clerk).post(f"/disputes/{dispute.pk}/representatives",
                                         self.body(dispute))
        assert response.status_code == 201, response.content
        debtor = next(p for p in response.json()["parties"] if p["role"] == "debtor")
        assert debtor["representatives"][0]["may_settle"] is True
        assert resident_id(811) not in response.content.decode()
        assert response.json()["version"] == 2

    @pytest.mark.parametrize(("persona", "status"), [("agent", 403), ("other_clerk", 404),
                                                     ("supervisor", 403)])
    def test_only_the_desk_of_a_visible_dispute(self, world, persona, status):
        self.world = world
        dispute = intake(actor=world.clerk, committee=world.committee, institution=world.branch)
        response = Api(getattr(world, persona)).post(
            f"/disputes/{dispute.pk}/representatives", self.body(dispute))
        assert response.status_code == status
        assert response.json()["code"] in {"permission_denied", "dispute_not_found"}

    @pytest.mark.parametrize("change", [{"relation": "friend"}, {"authority": "all"},
                                        {"signed_on": "2999-01-01"}, {"party_row_id": 10**9}])
    def test_bad_input_is_400_and_changes_nothing(self, world, change):
        from jintiao.disputes.models import DisputeRepresentative

        self.world = world
        dispute = intake(actor=world.clerk, committee=world.committee)
        response = Api(world.clerk).post(f"/disputes/{dispute.pk}/representatives",
                                         self.body(dispute, **change))
        assert response.status_code == 400
        assert not DisputeRepresentative.objects.exists()
