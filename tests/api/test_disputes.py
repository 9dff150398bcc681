"""The HTTP API: authentication, the visibility matrix, intake, actions, errors."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.test import Client

from jintiao import clock
from jintiao.domain import events
from jintiao.domain.events import Audience
from jintiao.timeline.services import event_append
from tests.api.client import Api
from tests.factories import SCAN, credit_code, intake, resident_id


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

    @pytest.mark.parametrize(("day", "code"), [("2999-01-01", "date_in_future"),
                                               ("1990-01-01", "date_too_early")])
    def test_a_date_of_receipt_to_come_or_decades_back_is_refused(self, world, day, code):
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


def _born_tomorrow() -> str:
    from jintiao import clock
    from jintiao.domain import identity

    first17 = f"522601{clock.today() + dt.timedelta(days=1):%Y%m%d}123"
    return first17 + identity.resident_id_check_char(first17)


def _change(body, path, value):
    """Set ``value`` at a dotted path of the body (``parties.1.name``)."""
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return body


class TestIntakeRefusals:
    """The intake service's refusals, as the API gives them: the code and the very words the
    web form shows, and nothing written."""

    @pytest.mark.parametrize(("path", "value", "code", "words"), [
        ("claim", {"as_of": "2026-06-30", "principal": "0"}, "claim_not_positive",
         "债权合计应大于零"),
        ("claim.as_of", "2999-01-01", "date_in_future",
         "债权计算日不能晚于今天（所填为2999-01-01）"),
        ("claim.as_of", "1999-06-30", "date_too_early", "请核对年份"),
        ("channel", "court_delegated", "court_required",
         "来源渠道为“委派调解”的纠纷须选择委派或委托的法院"),
        ("parties.1.id_number", "BORN_TOMORROW", "party_invalid", "晚于"),
        ("parties.1.name", "张\u202e三", "name_invalid", "U+202E（双向文字控制符）"),
        ("parties.1.name", "张\u200b三", "name_invalid", "U+200B（零宽空格）"),
        ("parties.1.name", "张\u2028三", "name_invalid", "U+2028（行分隔符）"),
        ("parties.1.name", "\ufeff张三", "name_invalid", "U+FEFF（字节顺序标记（BOM））"),
    ])
    def test_a_refusal_is_a_400_with_its_code_and_message(self, world, path, value, code,
                                                          words):
        from jintiao.disputes.models import Dispute
        from jintiao.parties.models import Party

        if value == "BORN_TOMORROW":
            value = _born_tomorrow()
        body = _change(intake_body(world, 30), path, value)
        response = Api(world.agent).post("/disputes", body)
        assert response.status_code == 400, response.content
        assert response.json()["code"] == code
        assert words in response.json()["message"]
        assert not Dispute.objects.exists()
        assert not Party.objects.exists()

    def test_one_person_as_creditor_and_debtor_is_refused(self, world):
        body = intake_body(world, 31)
        body["parties"][0] = {**body["parties"][1], "role": "creditor"}
        response = Api(world.agent).post("/disputes", body)
        assert response.status_code == 400
        assert response.json()["code"] == "party_on_both_sides"
        assert response.json()["details"] == {"field": "id_number", "row": "1"}

    def test_a_creditor_under_the_branchs_code_carries_its_registered_name(self, world):
        body = intake_body(world, 32)
        body["parties"][0].update(name="某银行凯里分行", id_number=world.branch.credit_code)
        response = Api(world.agent).post("/disputes", body)
        assert response.status_code == 400
        assert response.json()["code"] == "creditor_name_mismatch"
        assert "登记的名称“某银行凯里支行”不一致" in response.json()["message"]
        body["parties"][0]["name"] = "某银行凯里支行"
        assert Api(world.agent).post("/disputes", body).status_code == 201

    def test_a_repeated_reference_with_other_content_is_409_naming_the_fields(self, world):
        api = Api(world.agent)
        first = api.post("/disputes", intake_body(world, 33, external_ref="CC-33")).json()
        changed = intake_body(world, 33, external_ref="CC-33", summary="另一笔贷款")
        changed["claim"]["principal"] = "190000.00"
        response = api.post("/disputes", changed)
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "external_ref_conflict"
        assert body["details"]["fields"] == "claim.principal,summary"
        assert body["details"]["dispute"] == str(first["id"])
        assert body["message"] == (f"机构业务编号CC-33已登记为{first['number']}，本次提交的"
                                   "本金、纠纷概要与已登记的不同；未作更改")
        assert api.get(f"/disputes/{first['id']}").json()["claim"]["principal"] == "200000.00"

    def test_a_probable_duplicate_is_filed_and_points_to_the_other(self, world):
        api = Api(world.agent)
        first = api.post("/disputes", intake_body(world, 34)).json()
        second = api.post("/disputes", intake_body(world, 34))
        assert second.status_code == 201
        assert first["probable_duplicate_of"] is None
        assert second.json()["probable_duplicate_of"] == {
            "id": first["id"], "number": first["number"], "committee": "凯里市金调委"}


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

    def test_accepting_with_the_clerks_confirmation_of_the_notice(self, world):
        """The API's ``attested`` counts as the page's 本人确认 box does."""
        dispute = intake(actor=world.clerk, committee=world.committee)
        response = Api(world.clerk).post(f"/disputes/{dispute.pk}/actions", {
            "action": "accept", "expected_version": 1,
            "attested": ["non_litigation_notice_served"]})
        assert response.status_code == 200, response.content
        assert response.json()["state"] == "accepted"
        timeline = Api(world.clerk).get(f"/disputes/{dispute.pk}/timeline").json()
        assert timeline[-1]["params"]["attested"] == ["non_litigation_notice_served"]

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
                "authority": "special", "signed_on": "2026-11-01",
                "scan_base64": base64.b64encode(SCAN.data).decode()}
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


def test_an_intake_that_keeps_colliding_is_a_409_not_a_500(world, monkeypatch):
    from django.db import IntegrityError

    from jintiao.disputes import services

    def collides(actor, filing):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "_intake", collides)
    response = Api(world.agent).post("/disputes", intake_body(world, 40))
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "请稍后重新提交" in response.json()["message"]
