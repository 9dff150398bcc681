"""The mediation API: who may call each operation on whose dispute, and what never leaks.

Every operation is called by personas who cannot see the dispute (404, exactly as for a
missing one) and by people who see it but have no part in the mediation (403, or 409
where the lifecycle table refuses the role).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from jintiao import clock
from jintiao.mediation.models import Session, Side
from jintiao.mediation.services import (
    approval_request,
    caucus_note_add,
    offer_propose,
    recusal_request,
    session_schedule,
)
from tests.api.client import Api
from tests.factories import FIRST_DUE, flat

PLAN = {"method": "flat", "periods": 24, "first_due": FIRST_DUE.isoformat()}


@pytest.fixture
def objects(desk, mediating):
    """A session with a private note of each side, an offer waiting for approval and a
    recusal request — one of each record the operations act on."""
    session = session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                               mode=Session.Mode.BACK_TO_BACK,
                               starts_at=clock.now() - dt.timedelta(hours=1), place="调解室")
    caucus_note_add(actor=desk.mediator, session_id=session.pk, side=Side.CREDITOR,
                    text="银行私下底线")
    caucus_note_add(actor=desk.mediator, session_id=session.pk, side=Side.DEBTOR,
                    text="债务人私下底线")
    offer = offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(60),
                          discount_rate=D("0.035"))
    approval = approval_request(actor=desk.agent, offer_id=offer.pk)
    debtor = mediating.party_rows.get(role="debtor")
    recusal = recusal_request(actor=desk.mediator, dispute_id=mediating.pk,
                              mediator_id=desk.mediator.pk, party_row_id=debtor.pk,
                              reason="申请回避")
    return {"dispute": mediating.pk, "session": session.pk, "offer": offer.pk,
            "approval": approval.pk, "recusal": recusal.pk, "debtor": debtor.pk,
            "version": mediating.version, "mediator": desk.other_mediator.pk}


# (name, method, path, body, status for a bystander who sees the dispute)
OPERATIONS = [
    ("triage_suggest", "get", "/disputes/{dispute}/triage", None, 200),
    ("triage_confirm", "post", "/disputes/{dispute}/triage", {"expected_version": 0}, 409),
    ("mediator_candidates", "get", "/disputes/{dispute}/mediator-candidates", None, 403),
    ("team_change", "post", "/disputes/{dispute}/team",
     {"expected_version": 0, "lead_id": 0}, 403),
    ("recusal_request", "post", "/disputes/{dispute}/recusals",
     {"mediator_id": 0, "party_row_id": 0, "reason": "理由"}, 403),
    ("recusal_decide", "post", "/recusals/{recusal}/decision",
     {"grant": True, "reason": "理由"}, 403),
    ("sessions_list", "get", "/disputes/{dispute}/sessions", None, 200),
    ("session_schedule", "post", "/disputes/{dispute}/sessions",
     {"mode": "phone", "starts_at": "2026-12-01T10:00:00+08:00"}, 403),
    ("session_record", "post", "/sessions/{session}/record", {"record": "记录"}, 403),
    ("caucus_note_add", "post", "/sessions/{session}/caucus-notes",
     {"side": "debtor", "text": "记录"}, 403),
    ("plans_compare", "post", "/disputes/{dispute}/plans/compare", {"plans": [PLAN]}, 200),
    ("plan_menu", "get", "/disputes/{dispute}/plan-menu", None, 200),
    ("offers_list", "get", "/disputes/{dispute}/offers", None, 200),
    ("offer_propose", "post", "/disputes/{dispute}/offers", {"plan": PLAN}, 403),
    ("offer_accept", "post", "/offers/{offer}/accept", {"side": "debtor"}, 403),
    ("offer_reject", "post", "/offers/{offer}/reject", {"side": "creditor"}, 403),
    ("approval_request", "post", "/offers/{offer}/approvals", {}, 403),
    ("approval_decide", "post", "/approvals/{approval}/decision",
     {"approve": True, "reason": "同意"}, 404),
    ("blind_bound_enter", "post", "/disputes/{dispute}/blind-bounds",
     {"side": "creditor", "min_total": "1000.00", "max_term_months": 12}, 403),
    ("blind_rounds", "get", "/disputes/{dispute}/blind-rounds", None, 200),
    ("budget_declare", "put", "/disputes/{dispute}/budget",
     {"party_row_id": 0, "monthly_income": "5000.00"}, 403),
    ("consent_record", "post", "/disputes/{dispute}/consents",
     {"party_row_id": 0, "how": "书面", "given_on": "2026-12-01"}, 403),
    ("evaluation_record", "post", "/disputes/{dispute}/evaluations",
     {"assessment": "意见", "contract_annual_rate": "0.18"}, 403),
    ("evaluations_list", "get", "/disputes/{dispute}/evaluations", None, 200),
]


def call(api, method, path, body, ids):
    body = dict(body or {})
    for key, name in (("expected_version", "version"), ("lead_id", "mediator"),
                      ("mediator_id", "mediator"), ("party_row_id", "debtor")):
        if key in body:
            body[key] = ids[name]
    url = path.format(**ids)
    return api.get(url) if method == "get" else getattr(api, method)(url, body)


@pytest.mark.parametrize(("name", "method", "path", "body", "bystander"), OPERATIONS,
                         ids=[o[0] for o in OPERATIONS])
@pytest.mark.parametrize("persona", ["other_clerk", "other_agent", "other_judge",
                                     "county_supervisor"])
def test_a_dispute_you_cannot_see_is_missing_for_every_operation(
        desk, objects, persona, name, method, path, body, bystander):
    response = call(Api(getattr(desk, persona)), method, path, body, objects)
    assert response.status_code == 404, response.content.decode()
    assert response.json()["code"] in ("dispute_not_found", "not_found")


@pytest.mark.parametrize(("name", "method", "path", "body", "bystander"), OPERATIONS,
                         ids=[o[0] for o in OPERATIONS])
@pytest.mark.parametrize("persona", ["judge", "supervisor"])
def test_who_sees_the_dispute_but_has_no_part_may_only_read(
        desk, objects, persona, name, method, path, body, bystander):
    response = call(Api(getattr(desk, persona)), method, path, body, objects)
    assert response.status_code == bystander, response.content.decode()


def test_a_hidden_record_and_a_missing_one_look_the_same(desk, objects):
    hidden = Api(desk.other_clerk).post(f"/offers/{objects['offer']}/reject",
                                        {"side": "creditor"})
    missing = Api(desk.other_clerk).post("/offers/999999/reject", {"side": "creditor"})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


class TestPrivacy:
    def test_each_side_reads_its_own_caucus_notes_only(self, desk, objects):
        def notes(user):
            sessions = Api(user).get(f"/disputes/{objects['dispute']}/sessions").json()
            return sorted(n["text"] for s in sessions for n in s["caucus_notes"])

        assert notes(desk.mediator) == ["债务人私下底线", "银行私下底线"]
        assert notes(desk.agent) == ["银行私下底线"]
        assert notes(desk.clerk) == []
        assert notes(desk.judge) == []
        assert notes(desk.director) == []  # the director does not mediate this dispute

    def test_the_timeline_never_carries_what_was_said_in_private(self, desk, objects):
        text = Api(desk.mediator).get(f"/disputes/{objects['dispute']}/timeline").content
        assert "私下底线".encode() not in text

    def test_a_private_offer_is_not_listed_for_the_other_side(self, desk, objects,
                                                              mediating):
        offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(48),
                      discount_rate=D("0.035"), on_behalf_of="debtor", side="debtor")
        seen = {o["seq"] for o in Api(desk.agent).get(
            f"/disputes/{objects['dispute']}/offers").json()}
        assert seen == {1}
        assert {o["seq"] for o in Api(desk.mediator).get(
            f"/disputes/{objects['dispute']}/offers").json()} == {1, 2}


class TestBadInput:
    @pytest.mark.parametrize("plan", [
        {**PLAN, "method": "weekly"},
        {**PLAN, "periods": 0},
        {**PLAN, "annual_rate": "1.5"},
        {**PLAN, "waivers": [{"part": "interest", "amount": "-1"}]},
        {**PLAN, "waivers": [{"part": "principal", "amount": "999999999"}]},
        {**PLAN, "first_due": "2020-01-01"},
    ])
    def test_a_bad_plan_is_a_4xx_with_a_code_and_writes_nothing(self, desk, mediating, plan):
        response = Api(desk.mediator).post(f"/disputes/{mediating.pk}/offers", {"plan": plan})
        assert response.status_code in (400, 422)
        assert response.json()["code"]
        assert not mediating.offers.exists()

    @pytest.mark.parametrize("when", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59+08:00",
                                      "2026-12-01T10:00:00"])
    def test_a_session_time_out_of_range_or_without_a_zone_is_400(self, desk, mediating, when):
        response = Api(desk.mediator).post(f"/disputes/{mediating.pk}/sessions",
                                           {"mode": "phone", "starts_at": when})
        assert response.status_code == 400
        assert not mediating.sessions.exists()

    def test_a_bound_without_its_figures_is_refused(self, desk, mediating):
        response = Api(desk.agent).post(f"/disputes/{mediating.pk}/blind-bounds",
                                        {"side": "creditor", "min_total": "1000.00"})
        assert response.status_code == 400
        assert not mediating.blind_rounds.exists()

    def test_past_the_deadline_the_answer_is_409_with_its_code(self, desk, mediating):
        late = dt.datetime.combine(mediating.deadline + dt.timedelta(days=1), dt.time(10),
                                   clock.TZ)
        with clock.pinned(late):
            response = Api(desk.mediator).post(f"/disputes/{mediating.pk}/offers",
                                               {"plan": PLAN})
        assert response.status_code == 409
        assert response.json()["code"] == "mediation_deadline_passed"


class TestPlanMenu:
    BODY = {"items": [{"label": "12期免息", "periods": 12},
                      {"label": "36期减免罚息", "periods": 36, "charge_waiver_ratio": "0.3"}]}

    def test_an_approver_publishes_and_the_branches_disputes_offer_it(self, desk, mediating):
        published = Api(desk.approver).put(f"/institutions/{desk.bank.pk}/plan-menu",
                                           self.BODY)
        assert published.status_code == 200
        menu = Api(desk.mediator).get(f"/disputes/{mediating.pk}/plan-menu").json()
        assert [m["options"]["periods"] for m in menu] == [12, 36]
        assert menu[1]["options"]["waivers"][0]["part"] == "interest"  # 30 % of the charges
        assert menu[1]["options"]["waivers"][0]["conditional"] is True

    @pytest.mark.parametrize(("persona", "status"), [("agent", 403), ("other_agent", 403),
                                                     ("mediator", 403), ("supervisor", 403)])
    def test_no_one_else_publishes(self, desk, persona, status):
        response = Api(getattr(desk, persona)).put(f"/institutions/{desk.bank.pk}/plan-menu",
                                                   self.BODY)
        assert response.status_code == status

    def test_a_bad_menu_is_refused(self, desk):
        response = Api(desk.approver).put(f"/institutions/{desk.bank.pk}/plan-menu",
                                          {"items": [{"label": "x", "periods": 12,
                                                      "method": "weekly"}]})
        assert response.status_code == 400
        response = Api(desk.approver).put(f"/institutions/{desk.committee.pk}/plan-menu",
                                          self.BODY)
        assert response.status_code == 400


def test_the_api_gives_the_services_answer_on_the_size_of_a_team(desk, mediating):
    from tests.factories import UserFactory
    people = [UserFactory(organization=desk.committee, roles=["mediator"]) for _ in range(6)]

    response = Api(desk.director).post(f"/disputes/{mediating.pk}/team", {
        "expected_version": mediating.version, "lead_id": people[0].pk,
        "other_ids": [p.pk for p in people[1:]]})

    assert response.status_code == 400
    assert response.json()["code"] == "mediator_invalid"
    assert "最多指定5名调解员" in response.json()["message"]
