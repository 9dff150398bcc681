"""Scenario S1 replayed through the API, from the court's delegation to an accepted plan.

The holder owes 250,277.13 on his card and has a second loan overdue elsewhere; the bank
wants everything at once, the holder a long plan. Triage, assignment (the mediator from the
creditor bank is not offered), two sessions with a back-to-back round, the bank's "pay in
full" against the holder's bound, and a 60-instalment plan beyond the agent's authority
that the approver above grants — ending with an accepted plan ready for an agreement.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from jintiao import clock
from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.lifecycle import Role
from jintiao.orgs.services import authority_grant_set
from tests.api.client import Api
from tests.factories import UserFactory, credit_code, resident_id

S1_TOTAL = "250277.13"


@pytest.fixture
def s1_world(world):
    world.approver = UserFactory(organization=world.bank, roles=[Role.APPROVER],
                                 full_name="分行审批人")
    authority_grant_set(user=world.agent, limits=AuthorityLimits(
        max_charge_waiver_ratio=D("0.30"), max_term_months=36), note="支行经办人授权")
    authority_grant_set(user=world.approver, limits=AuthorityLimits(
        max_charge_waiver_ratio=D("1"), max_term_months=60, max_deferral_months=12),
        note="分行审批人授权")
    return world


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_s1_from_delegation_to_an_accepted_sixty_instalment_plan(s1_world):
    w = s1_world
    clerk, director, mediator = Api(w.clerk), Api(w.director), Api(w.mediator)
    agent, approver = Api(w.agent), Api(w.approver)
    today = clock.today()
    first_due = (today + dt.timedelta(days=30)).isoformat()

    # the district court delegates the bank's suit; the desk files and accepts it
    filed = ok(clerk.post("/disputes", {
        "committee_id": w.committee.pk, "channel": "court_delegated",
        "dispute_type": "credit_card", "institution_id": w.branch.pk, "court_id": w.court.pk,
        "notice_served": True, "summary": "信用卡欠款，银行要求一次性清偿，持卡人请求分期",
        "claim": {"as_of": (today - dt.timedelta(days=1)).isoformat(),
                  "principal": "200311.62", "interest": "31208.40",
                  "penalty_interest": "12630.11", "fees": "6127.00"},
        "parties": [
            {"kind": "entity", "name": w.branch.name, "id_number": credit_code(501),
             "role": "creditor"},
            {"kind": "person", "name": "刘某某", "id_number": resident_id(501),
             "phone": "13912345678", "role": "debtor"}],
    }), 201)
    pk = filed["id"]
    assert filed["claim"]["total"] == S1_TOTAL
    creditor_row, debtor_row = (p["id"] for p in filed["parties"])
    accepted = ok(clerk.post(f"/disputes/{pk}/actions", {
        "action": "accept", "expected_version": filed["version"]}))

    # triage: the policy suggests the simple track; the director confirms it
    suggestion = ok(director.get(f"/disputes/{pk}/triage"))
    assert suggestion["track"] == "simple"
    assert "超过小额标准" in suggestion["reasons"][0]
    triaged = ok(director.post(f"/disputes/{pk}/triage", {
        "expected_version": accepted["version"], "facts_disputed": False}))
    assert triaged["track"] == "simple"

    # assignment: the mediator employed by the creditor bank is not offered
    candidates = ok(director.get(f"/disputes/{pk}/mediator-candidates"))
    ranked = [c["id"] for c in candidates["ranked"]]
    excluded = {c["id"]: c["reasons"] for c in candidates["excluded"]}
    assert w.banker_mediator.pk not in ranked
    assert "应当回避" in excluded[w.banker_mediator.pk][0]
    assert w.mediator.pk in ranked
    refused = director.post(f"/disputes/{pk}/actions", {
        "action": "assign", "expected_version": triaged["version"],
        "mediator_ids": [w.banker_mediator.pk]})
    assert refused.status_code == 409
    assigned = ok(director.post(f"/disputes/{pk}/actions", {
        "action": "assign", "expected_version": triaged["version"],
        "mediator_ids": [w.mediator.pk]}))
    assert assigned["state"] == "mediating"
    assert assigned["deadline"] is not None  # court-delegated: 30 days

    # the holder's budget: a second overdue loan of 200,000 costs him 2,500 a month
    ok(mediator.put(f"/disputes/{pk}/budget", {
        "party_row_id": debtor_row, "monthly_income": "14000.00",
        "other_obligations": "2500.00", "dependants": 1}))

    # session 1, face to face: the mediator explains credit records and enforcement
    started = (clock.now() - dt.timedelta(hours=3)).isoformat()
    first = ok(mediator.post(f"/disputes/{pk}/sessions", {
        "mode": "face_to_face", "starts_at": started, "place": "区综治中心调解室",
        "party_row_ids": [creditor_row, debtor_row]}), 201)
    ok(mediator.post(f"/sessions/{first['id']}/record", {
        "record": "调解员向持卡人释明征信及强制执行后果；银行坚持一次性清偿。",
        "attended": {str(creditor_row): True, str(debtor_row): True}}))

    # the bank's position on the table: everything at once (within its own authority)
    lump = ok(agent.post(f"/disputes/{pk}/offers", {"plan": {
        "method": "lump_sum", "periods": 1, "first_due": first_due,
        "label": "一次性清偿全部欠款"}}), 201)
    assert lump["by"] == "creditor"
    assert lump["creditor_accepted"] is True
    assert lump["figures"]["total_paid"] == S1_TOTAL

    # session 2, back to back: each side talks to the mediator alone
    second = ok(mediator.post(f"/disputes/{pk}/sessions", {
        "mode": "back_to_back", "starts_at": (clock.now() - dt.timedelta(hours=1)).isoformat(),
        "place": "区综治中心调解室", "party_row_ids": [creditor_row, debtor_row]}), 201)
    ok(mediator.post(f"/sessions/{second['id']}/caucus-notes", {
        "side": "creditor", "text": "银行：总额不让，期限可商量，支行权限最长36期"}), 201)
    ok(mediator.post(f"/sessions/{second['id']}/caucus-notes", {
        "side": "debtor", "text": "持卡人：每月最多还4,300元，另有20万元信用贷款逾期"}), 201)
    ok(mediator.post(f"/sessions/{second['id']}/record", {
        "record": "背对背分别做工作，转达持卡人经营失败、另有贷款逾期的实际困难。",
        "attended": {str(creditor_row): True, str(debtor_row): True}}))

    # blind bounds: the bank's "pay in full" against the holder's 4,300 a month
    ok(agent.post(f"/disputes/{pk}/blind-bounds", {
        "side": "creditor", "min_total": S1_TOTAL, "max_term_months": 1}))
    round_one = ok(mediator.post(f"/disputes/{pk}/blind-bounds", {
        "side": "debtor", "max_monthly": "4300.00", "max_total": S1_TOTAL}))
    # no deal within what the agent may grant (36 months at 4,300 is 154,800); one is
    # possible only above it — and that is all anyone is told, never a bound
    assert round_one["rounds"][0]["outcome"] == "needs_approval"
    assert round_one["rounds"][0]["offer"] is None
    assert "4300" not in str(round_one)
    ok(mediator.post(f"/offers/{lump['id']}/reject", {
        "side": "debtor", "reason": "无力一次性清偿"}))

    # what each side may read of the private round
    notes_for_bank = [n["text"] for s in ok(agent.get(f"/disputes/{pk}/sessions"))
                      for n in s["caucus_notes"]]
    assert notes_for_bank == ["银行：总额不让，期限可商量，支行权限最长36期"]
    timeline = str(ok(agent.get(f"/disputes/{pk}/timeline")))
    assert "4,300" not in timeline
    assert "36期" not in timeline

    # the mediator compares plans on the claim and the holder's budget
    plans = ok(mediator.post(f"/disputes/{pk}/plans/compare", {"plans": [
        {"method": "flat", "periods": n, "first_due": first_due} for n in (24, 36, 60)]}))
    assert [p["figures"]["affordable"] for p in plans] == [False, False, True]
    sixty = plans[2]["figures"]
    assert sixty["total_paid"] == S1_TOTAL
    assert D(sixty["peak_payment"]) <= D("4300")

    # 60 instalments of the full amount go on the table
    offer = ok(mediator.post(f"/disputes/{pk}/offers", {"plan": {
        "method": "flat", "periods": 60, "first_due": first_due,
        "label": "全额60期等额分期"}}), 201)
    ok(mediator.post(f"/offers/{offer['id']}/accept", {"side": "debtor"}))
    beyond = agent.post(f"/offers/{offer['id']}/accept", {"side": "creditor"})
    assert beyond.status_code == 409
    assert beyond.json()["code"] == "approval_required"
    assert "方案为60个月，授权为36个月" in beyond.json()["message"]

    # the agent asks; the approver at the prefecture branch (another city) grants it
    asked = ok(agent.post(f"/offers/{offer['id']}/approvals"), 201)
    assert asked["approver"] == "分行审批人"
    waiting = ok(approver.get("/approvals"))
    assert [a["id"] for a in waiting] == [asked["id"]]
    decided = ok(approver.post(f"/approvals/{asked['id']}/decision", {
        "approve": True, "reason": "持卡人确有困难，全额分期不减免，同意60期"}))
    assert decided["offer"]["status"] == "accepted"

    # the agent sees the outcome at once: an accepted plan ready for an agreement
    offers = ok(agent.get(f"/disputes/{pk}/offers"))
    final = next(o for o in offers if o["status"] == "accepted")
    assert final["id"] == offer["id"]
    assert final["figures"]["instalments"] == 60
    assert final["figures"]["total_paid"] == S1_TOTAL
    assert final["approvals"][0]["status"] == "approved"
    assert {o["status"] for o in offers if o["id"] != offer["id"]} == {"rejected"}
    shown = ok(agent.get(f"/disputes/{pk}"))
    assert shown["state"] == "mediating"
    assert "agree" not in shown["available_actions"]  # the agreement is the desk's next step
    types = [e["type"] for e in ok(mediator.get(f"/disputes/{pk}/timeline"))]
    for expected in ("dispute.triage", "dispute.assign", "mediation.session_held",
                     "mediation.caucus_note", "mediation.blind_round_decided",
                     "mediation.approval_decided", "mediation.offer_accepted"):
        assert expected in types
