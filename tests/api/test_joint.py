"""Joint mediation through the API (issue 21 §2): the desk joins, previews and puts forward
the consolidated plan, calls the joint meeting and files the one application — the same
services as the joint page; banks, the clerk and strangers are refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jintiao import clock
from jintiao.confirmation.models import Application
from jintiao.mediation.models import JointMediation, Offer, Session
from jintiao.mediation.services import budget_declare
from tests.api.client import Api
from tests.helpers import apply, other_side

pytestmark = pytest.mark.django_db
FIRST = (clock.today() + dt.timedelta(days=45)).isoformat()


def _budget(desk, dispute):
    budget_declare(actor=desk.mediator, dispute_id=dispute.pk,
                   party_row_id=dispute.party_rows.get(role="debtor").pk,
                   monthly_income=Decimal("12000"), other_obligations=Decimal("0"),
                   dependants=1)


def test_a_bank_cannot_join_its_debtors_disputes(desk, mediating, second_loan):
    refused = Api(desk.agent).post("/joint", {"disputes": [mediating.pk, second_loan.pk]})
    assert refused.status_code == 404  # it sees only its own
    assert not JointMediation.objects.exists()


def test_the_desk_joins_previews_and_puts_the_plan_forward(desk, mediating, second_loan):
    _budget(desk, mediating)
    api = Api(desk.mediator)
    made = api.post("/joint", {"disputes": [mediating.pk, second_loan.pk]})
    assert made.status_code == 201, made.json()
    joint = made.json()
    assert {p["dispute"] for p in joint["parts"]} == {mediating.pk, second_loan.pk}
    assert joint["plan"] is None
    url = f"/joint/{joint['id']}/plan"
    preview = api.post(url, {"first_due": FIRST, "dry_run": True})
    assert preview.status_code == 200, preview.json()
    shown = preview.json()
    assert shown["proposed"] is False
    assert sum(Decimal(p["share"]) for p in shown["parts"]) == Decimal(shown["amount"]) \
        == Decimal("6000.00")
    assert not Offer.objects.exists()  # a dry run puts nothing on any table
    agreed = api.post(url, {"first_due": FIRST, "rule": "agreed", "parts": [
        {"dispute": mediating.pk, "agreed_share": "0.6"},
        {"dispute": second_loan.pk, "agreed_share": "0.4", "waive": ["penalty_interest"]}]})
    assert agreed.status_code == 200, agreed.json()
    assert [Decimal(p["share"]) for p in agreed.json()["parts"]] == [Decimal("3600.00"),
                                                                       Decimal("2400.00")]
    assert Offer.objects.filter(status=Offer.Status.OPEN).count() == 2
    read = api.get(f"/joint/{joint['id']}").json()
    assert read["plan_version"] == 1
    assert all(p["offer_status"] == "open" for p in read["parts"])


def test_what_the_plan_refuses_is_a_400_and_changes_nothing(desk, mediating, second_loan,
                                                            joined):
    api = Api(desk.mediator)
    url = f"/joint/{joined.pk}/plan"
    for body in ({"first_due": FIRST, "rule": "agreed", "parts": [
                     {"dispute": mediating.pk, "agreed_share": "0.6"},
                     {"dispute": second_loan.pk, "agreed_share": "0.3"}]},
                 {"first_due": FIRST, "parts": [{"dispute": 999999}]},
                 {"first_due": FIRST, "parts": [{"dispute": mediating.pk},
                                                {"dispute": mediating.pk}]},
                 {"first_due": FIRST, "rule": "lottery"},
                 {"first_due": FIRST, "parts": [{"dispute": mediating.pk,
                                                 "method": "whenever"}]},
                 {"first_due": FIRST, "amount": "99999"}):
        answer = api.post(url, body)
        assert answer.status_code == 400, (body, answer.json())
        assert answer.json()["code"] == "joint_invalid"
    assert api.post(url, {"first_due": FIRST, "amount": "-5"}).status_code == 422
    assert not Offer.objects.exists()


def test_the_joint_meeting_and_the_one_application(desk, mediating, second_loan, both_agreed):
    api = Api(desk.mediator)
    late = api.post(f"/joint/{both_agreed.pk}/sessions", {
        "mode": "face_to_face", "starts_at": (clock.now() + dt.timedelta(days=2)).isoformat(),
        "place": "调解室"})
    assert late.status_code == 400  # agreed: no more meetings
    assert not Session.objects.exists()
    url = f"/joint/{both_agreed.pk}/confirmation"
    unsigned = api.post(url, {"court": desk.court.pk})
    assert unsigned.status_code == 400
    assert unsigned.json()["code"] == "confirmation_invalid"
    apply(desk, mediating)
    apply(other_side(desk), second_loan)
    filed = api.post(url, {"court": desk.court.pk})
    assert filed.status_code == 201, filed.json()
    apps = filed.json()["confirmation"]["applications"]
    assert {a["dispute"] for a in apps} == {mediating.pk, second_loan.pk}
    assert {a["status"] for a in apps} == {"filed"}
    assert Application.objects.count() == 2
    assert filed.json()["waiting_for_confirmation"] == []  # found trying it: still listed
    again = api.post(url, {"court": desk.court.pk})
    assert again.status_code == 400  # filed once
    late_plan = api.post(f"/joint/{both_agreed.pk}/plan", {"first_due": FIRST})
    assert late_plan.status_code == 400  # found trying it: a 409 about withdrawing
    assert "已不在调解中" in late_plan.json()["message"]


def test_the_joint_meeting_through_the_api(desk, mediating, second_loan, joined):
    api = Api(desk.mediator)
    url = f"/joint/{joined.pk}/sessions"
    when = (clock.now() + dt.timedelta(days=2)).replace(microsecond=0).isoformat()
    bad = api.post(url, {"mode": "carrier_pigeon", "starts_at": when, "place": "调解室"})
    assert bad.status_code == 400
    made = api.post(url, {"mode": "face_to_face", "starts_at": when, "place": "调解室"})
    assert made.status_code == 201, made.json()
    ids = made.json()["sessions"]
    assert set(Session.objects.filter(pk__in=ids).values_list("dispute_id", flat=True)) == {
        mediating.pk, second_loan.pk}


def test_only_the_desk_of_every_member_reaches_a_joint_mediation(desk, mediating,
                                                                 second_loan, joined):
    when = (clock.now() + dt.timedelta(days=2)).isoformat()
    calls = [("get", f"/joint/{joined.pk}", None),
             ("post", f"/joint/{joined.pk}/plan", {"first_due": FIRST, "dry_run": True}),
             ("post", f"/joint/{joined.pk}/sessions", {"mode": "face_to_face",
                                                       "starts_at": when, "place": "某处"}),
             ("post", f"/joint/{joined.pk}/confirmation", {"court": desk.court.pk})]
    for user in (desk.agent, desk.other_agent, desk.clerk, desk.judge, desk.supervisor,
                 desk.other_clerk):
        api = Api(user)
        for method, path, body in calls:
            answer = api.get(path) if method == "get" else api.post(path, body)
            assert answer.status_code == 404, (user, path, answer.status_code)
    assert JointMediation.objects.count() == 1
    assert Api(desk.mediator).get("/joint/999999").status_code == 404


def test_a_rate_out_of_range_is_refused_in_plain_words(desk, mediating, second_loan, joined):
    """Found trying it: the message showed the number as Decimal('99.9999')."""
    answer = Api(desk.mediator).post(f"/joint/{joined.pk}/plan", {
        "first_due": FIRST, "dry_run": True,
        "parts": [{"dispute": mediating.pk, "method": "equal_installment",
                   "annual_rate": "99.9999"}]})
    assert answer.status_code == 400
    assert "Decimal(" not in answer.json()["message"]
    assert "99.9999" in answer.json()["message"]
