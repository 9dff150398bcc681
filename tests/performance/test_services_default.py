"""Default and enforcement. Scenario S1 after confirmation: three months paid, two
instalments missed, DEFAULTED, and an enforcement application whose outstanding amount is
right to the fen; after a cure, the next review leaves it cured and only a new default
replaces the first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.test import Client

from jintiao import clock
from jintiao.disputes.models import Channel, DisputeType, PartyRole
from jintiao.disputes.services import dispute_intake
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.lifecycle import Action, State
from jintiao.domain.plans import PlanOptions
from jintiao.domain.policy import Track
from jintiao.domain.schedules import Method
from jintiao.mediation.services import action_apply
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PartyInput
from jintiao.performance.models import Enforcement
from jintiao.performance.services import (
    enforcement_apply,
    payment_record,
    performance_review,
)
from tests.factories import credit_code, resident_id
from tests.helpers import DRAFT, accept_plan, agree, confirm

PHONE = "13912345678"
FIRST_DUE = dt.date(2027, 1, 20)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), clock.TZ)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def s1(desk):
    w = desk
    filed = dispute_intake(
        actor=w.clerk, committee=w.committee, channel=Channel.COURT_DELEGATED,
        dispute_type=DisputeType.CREDIT_CARD, institution=w.branch, court=w.court,
        claim=ClaimBreakdown(as_of=dt.date(2026, 11, 30), principal=D("200311.62"),
                             interest=D("31208.40"), penalty_interest=D("12630.11"),
                             fees=D("6127.00")),
        parties=[(PartyInput(PartyKind.ENTITY, w.branch.name, credit_code(901)),
                  PartyRole.CREDITOR),
                 (PartyInput(PartyKind.PERSON, "刘某某", resident_id(901), phone=PHONE),
                  PartyRole.DEBTOR)],
        notice_served=True).dispute
    d = action_apply(actor=w.clerk, dispute_id=filed.pk, action=Action.ACCEPT,
                     expected_version=1)
    d = action_apply(actor=w.director, dispute_id=d.pk, action=Action.ASSIGN,
                     expected_version=d.version, track=Track.SIMPLE, mediators=[w.mediator])
    w.approver_accepts = True
    accept_plan(w, d, PlanOptions(Method.FLAT, 60, FIRST_DUE, label="60期"))
    draft = DRAFT.__class__(**{**DRAFT.__dict__, "charges_since": dt.date(2025, 6, 1)})
    agree(w, d, draft)
    confirm(w, d)
    d.refresh_from_db()
    return w, d


def test_three_months_paid_two_missed_is_a_default_with_the_exact_outstanding_amount(s1):
    w, d = s1
    assert d.state == State.PERFORMING
    # 60 equal instalments of 250,277.13: 4,171.27 (3,338.52 principal + 832.75 of the interest
    # and charges owed before the plan) × 59, and 4,172.20 last
    for n, due in enumerate([dt.date(2027, 1, 20), dt.date(2027, 2, 20),
                             dt.date(2027, 3, 20)], 1):
        with clock.pinned(at(due)):
            done = payment_record(actor=w.agent, dispute_id=d.pk, reference=f"S1-{n}",
                                  paid_on=due, amount=D("4171.27"))
            assert done.created
    # the April and May instalments are missed; the review the day after May's finds it
    with clock.pinned(at(dt.date(2027, 4, 21))):
        assert performance_review(actor=w.agent, dispute_id=d.pk) == ""
    with clock.pinned(at(dt.date(2027, 6, 2))):  # whoever looks late, it fell due on 5-21
        assert performance_review(actor=w.agent, dispute_id=d.pk) == "defaulted"
    d.refresh_from_db()
    assert d.state == State.DEFAULTED
    e = Enforcement.objects.get(dispute=d)
    assert e.accelerated_on == dt.date(2027, 5, 21)
    paid = D("4171.27") * 3
    left = D("250277.13") - paid
    assert left == D("237763.32")
    # late-performance interest under the ruling, on unpaid principal only: April's 3,338.52
    # for 43 days (4-20 → 6-2), May's for 13, the accelerated 183,619.02 for 12
    principal_left = D("200311.62") - 5 * D("3338.52")
    assert principal_left == D("183619.02")
    late = (D("3338.52") * 43 + D("3338.52") * 13 + principal_left * 12) * D("0.000175")
    assert late.quantize(D("0.01")) == D("418.32")
    assert D(e.breakdown["late_interest"]) == D("418.32")
    assert D(e.breakdown["principal"]) + D(e.breakdown["arrears"]) == left
    assert e.total == left + D("418.32") == D("238181.64")
    # the last day to apply: two years from the 60th instalment's due date (2031-12-20)
    assert e.last_day == dt.date(2033, 12, 20)

    # a week later the creditor applies; the amount is recomputed to that day
    with clock.pinned(at(dt.date(2027, 6, 9))):
        d.refresh_from_db()
        filed = enforcement_apply(actor=w.agent, dispute_id=d.pk, expected_version=d.version)
    late = (D("3338.52") * 50 + D("3338.52") * 20 + principal_left * 19) * D("0.000175")
    assert D(filed.breakdown["late_interest"]) == late.quantize(D("0.01")) == D("651.43")
    assert filed.total == left + D("651.43") == D("238414.75")
    assert filed.status == Enforcement.Status.FILED
    assert filed.document is not None
    d.refresh_from_db()
    assert d.state == State.ENFORCEMENT


def test_a_second_default_after_a_cure_replaces_the_first(desk, performing):
    with clock.pinned(at(dt.date(2027, 2, 21))):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"
        performing.refresh_from_db()
        action_apply(actor=desk.agent, dispute_id=performing.pk, action=Action.CURE,
                     expected_version=performing.version, attested=["creditor_consents"])
    # after the cure two more instalments must be missed: March's and April's
    with clock.pinned(at(dt.date(2027, 3, 21))):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == ""
    with clock.pinned(at(dt.date(2027, 4, 21))):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"
    assert Enforcement.objects.get(dispute=performing).accelerated_on == dt.date(2027, 4, 21)


def test_a_cure_is_not_undone_by_the_next_review(desk, performing):
    with clock.pinned(at(dt.date(2027, 2, 21))):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"
        performing.refresh_from_db()
        action_apply(actor=desk.agent, dispute_id=performing.pk, action=Action.CURE,
                     expected_version=performing.version, attested=["creditor_consents"])
    with clock.pinned(at(dt.date(2027, 2, 22))):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == ""
    performing.refresh_from_db()
    assert performing.state == State.PERFORMING
    page = client_for(desk.agent).get(f"/disputes/{performing.pk}/performance/").content
    assert "违约与强制执行".encode() not in page
