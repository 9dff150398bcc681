"""A hardship pause (issue 21 §3): asked by the desk with its evidence, granted by the
director; while it runs the mediation period stands still and resumes with its days left,
collection contact is refused (legal service is not), no payment falls due inside it, and
the agreement says no charges accrue in it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao import clock
from jintiao.agreements.services import agreement_draft
from jintiao.disputes.access import PermissionDenied
from jintiao.documents import texts
from jintiao.domain import hardship
from jintiao.domain.calendar import official_calendar
from jintiao.domain.outreach import ContactRefused
from jintiao.domain.periods import Unit, add_working_days, working_days_between
from jintiao.domain.policy import DEFAULT_POLICY
from jintiao.jobs.checks import deadlines
from jintiao.mediation.models import HardshipPause
from jintiao.mediation.services import (
    MediationInvalid,
    offer_accept,
    offer_propose,
    pause_decide,
    pause_end,
    pause_request,
    pause_review,
)
from jintiao.outreach.services import contact_record
from tests.factories import flat
from tests.helpers import CHARGES_SINCE

pytestmark = pytest.mark.django_db

CAL = official_calendar()


def _granted(desk, dispute, days: int = 30) -> HardshipPause:
    asked = pause_request(actor=desk.mediator, dispute_id=dispute.pk, ground="illness",
                          evidence="凯里市第一人民医院住院证明（2026年11月）", days=days)
    return pause_decide(actor=desk.director, dispute_id=dispute.pk, pause_id=asked.pk,
                        approve=True)


class TestTheRules:
    @given(days=st.integers(1, 90), start=st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    def test_the_window_runs_the_days_asked_and_is_reviewed_halfway(self, days, start):
        w = hardship.window(start, days)
        assert w.days == days
        assert w.starts_on <= w.review_on <= w.ends_on

    @given(today=st.dates(dt.date(2026, 1, 5), dt.date(2026, 12, 1)),
           left=st.integers(1, 30), paused=st.integers(1, 90))
    def test_the_period_resumes_with_the_working_days_it_had_left(self, today, left, paused):
        deadline = add_working_days(today, left, CAL).due_on
        frozen = hardship.freeze(deadline, today, Unit.WORKING_DAYS, CAL)
        assert frozen.left == left
        back = today + dt.timedelta(days=paused)
        again = hardship.resume(frozen, back, CAL)
        assert working_days_between(back, again.due_on, CAL) == left

    @pytest.mark.parametrize(("kwargs", "field"), [
        ({"ground": "boredom"}, "ground"),
        ({"evidence": "  "}, "evidence"),
        ({"days": 0}, "days"),
        ({"days": 91}, "days"),
        ({"earlier": 2}, "days"),
    ])
    def test_a_request_out_of_bounds_is_refused_by_name(self, kwargs, field):
        asked = {"ground": "job_loss", "evidence": "解除劳动合同证明", "days": 60, "earlier": 0,
                 **kwargs}
        with pytest.raises(hardship.PauseInvalid) as refused:
            hardship.require_request(policy=DEFAULT_POLICY, **asked)
        assert refused.value.details["field"] == field


class TestThePause:
    def test_granted_it_stops_the_period_and_resumes_it_with_its_days(self, desk, mediating):
        before = mediating.deadline
        today = clock.today()
        left = working_days_between(today, before, CAL)
        pause = _granted(desk, mediating)
        mediating.refresh_from_db()
        assert mediating.deadline is None
        assert (pause.starts_on, pause.days_left) == (today, left)
        assert pause.review_on == today + dt.timedelta(days=14)

        pause_review(actor=desk.mediator, dispute_id=mediating.pk, pause_id=pause.pk,
                     note="仍在住院，预计下月出院")
        # the job ends it the day after its last day, whenever it runs
        assert deadlines(pause.ends_on + dt.timedelta(days=3), desk.director) >= 1
        pause.refresh_from_db()
        mediating.refresh_from_db()
        assert (pause.status, pause.outcome) == ("ended", "expired")
        resumed = pause.ends_on + dt.timedelta(days=1)
        assert working_days_between(resumed, mediating.deadline, CAL) == left
        kinds = list(mediating.events.filter(type__startswith="mediation.pause")
                     .order_by("seq").values_list("type", flat=True))
        assert kinds == ["mediation.pause_requested", "mediation.pause_decided",
                         "mediation.pause_reviewed", "mediation.pause_ended"]

    def test_only_the_director_grants_and_a_refusal_gives_reasons(self, desk, mediating):
        asked = pause_request(actor=desk.mediator, dispute_id=mediating.pk, ground="disaster",
                              evidence="村委会受灾证明", days=20)
        with pytest.raises(PermissionDenied):
            pause_decide(actor=desk.mediator, dispute_id=mediating.pk, pause_id=asked.pk,
                         approve=True)
        with pytest.raises(hardship.PauseInvalid, match="理由"):
            pause_decide(actor=desk.director, dispute_id=mediating.pk, pause_id=asked.pk,
                         approve=False)
        pause_decide(actor=desk.director, dispute_id=mediating.pk, pause_id=asked.pk,
                     approve=False, reason="证明材料不足")
        mediating.refresh_from_db()
        assert mediating.deadline is not None  # nothing stopped
        with pytest.raises(PermissionDenied):
            pause_request(actor=desk.agent, dispute_id=mediating.pk, ground="illness",
                          evidence="诊断证明", days=10)

    def test_one_at_a_time(self, desk, mediating):
        _granted(desk, mediating)
        with pytest.raises(hardship.PauseInvalid, match="进行中"):
            pause_request(actor=desk.mediator, dispute_id=mediating.pk, ground="illness",
                          evidence="诊断证明", days=10)

    def test_ended_early_by_decision(self, desk, mediating):
        pause = _granted(desk, mediating, days=60)
        with pytest.raises(hardship.PauseInvalid, match="理由"):
            pause_end(actor=desk.mediator, dispute_id=mediating.pk, pause_id=pause.pk,
                      reason="")
        pause_end(actor=desk.mediator, dispute_id=mediating.pk, pause_id=pause.pk,
                  reason="债务人已出院，可以参加调解")
        pause.refresh_from_db()
        mediating.refresh_from_db()
        assert (pause.outcome, pause.ended_on) == ("resumed", clock.today())
        assert mediating.deadline is not None

    def test_collection_contact_is_refused_while_it_runs(self, desk, mediating):
        _granted(desk, mediating)
        debtor = mediating.party_rows.get(role="debtor").party
        with pytest.raises(ContactRefused) as refused:
            contact_record(actor=desk.mediator, dispute_id=mediating.pk, party_id=debtor.pk,
                           channel="call", outcome="reached")
        assert refused.value.details["reason"] == "paused"
        # the debtor calling in is no collection
        contact_record(actor=desk.mediator, dispute_id=mediating.pk, party_id=debtor.pk,
                       channel="call", outcome="reached", inbound=True)
        assert mediating.events.filter(type="outreach.contact").count() == 1

    def test_no_payment_falls_due_inside_it_and_the_agreement_says_so(self, desk, mediating):
        pause = _granted(desk, mediating)
        inside = flat(12)
        inside = type(inside)(inside.method, 12, pause.ends_on)
        with pytest.raises(MediationInvalid, match="暂停期间不安排还款"):
            offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=inside,
                          discount_rate=Decimal("0.035"))
        after = type(inside)(inside.method, 12, pause.ends_on + dt.timedelta(days=1))
        offer = offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=after,
                              discount_rate=Decimal("0.035"))
        offer_accept(actor=desk.mediator, offer_id=offer.pk, side="debtor")
        offer_accept(actor=desk.agent, offer_id=offer.pk, side="creditor")
        later = clock.now() + dt.timedelta(days=10)
        with clock.pinned(later):
            pause_end(actor=desk.director, dispute_id=mediating.pk, pause_id=pause.pk,
                      reason="可以恢复")
            mediating.refresh_from_db()
            agreement = agreement_draft(actor=desk.mediator, dispute_id=mediating.pk,
                                        expected_version=mediating.version,
                                        draft=CHARGES_SINCE)
        last = later.date() - dt.timedelta(days=1)
        assert agreement.content["terms"]["pauses"] == [
            {"starts_on": pause.starts_on.isoformat(), "ends_on": last.isoformat()}]
        shown = texts.agreement({**agreement.content, "digest": agreement.digest})
        words = " ".join(getattr(b, "text", "") for b in shown.blocks)
        assert f"纾困暂停期间（{pause.starts_on.year}年" in words
        assert "不计收利息、罚息、复利和违约金" in words


def test_a_resumed_period_explains_itself(desk, mediating):
    from jintiao.performance.explain import deadline_explained

    pause = _granted(desk, mediating)
    later = clock.now() + dt.timedelta(days=10)
    with clock.pinned(later):
        pause_end(actor=desk.director, dispute_id=mediating.pk, pause_id=pause.pk,
                  reason="可以恢复")
    mediating.refresh_from_db()
    pause.refresh_from_db()
    explained = deadline_explained(mediating)
    assert explained is not None
    text = " ".join(str(s) for s in explained.as_dict()["steps"])
    assert "纾困暂停" in text
    assert f"剩余{pause.days_left}个工作日" in text
    assert explained.as_dict()["facts"]["due_on"] == mediating.deadline.isoformat()


def test_a_plan_due_inside_a_pause_granted_after_it_was_offered_cannot_be_accepted(
        desk, mediating):
    """Found trying it as a user: the bank accepted a plan due inside a later pause."""
    offer = offer_propose(actor=desk.mediator, dispute_id=mediating.pk,
                          options=type(flat(12))(flat(12).method, 12,
                                                 clock.today() + dt.timedelta(days=10)),
                          discount_rate=Decimal("0.035"))
    _granted(desk, mediating, days=30)
    with pytest.raises(MediationInvalid, match="暂停期间不安排还款"):
        offer_accept(actor=desk.agent, offer_id=offer.pk, side="creditor")
    offer.refresh_from_db()
    assert offer.creditor_accepted_at is None


def test_the_period_set_or_extended_while_paused_waits_for_the_end(desk, world):
    """Found in review: an extension or an assignment during a pause restarted the period."""
    from jintiao.domain.lifecycle import Action
    from jintiao.domain.policy import Track
    from jintiao.mediation.services import action_apply
    from tests.factories import intake

    d = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch)
    d = action_apply(actor=desk.clerk, dispute_id=d.pk, action=Action.ACCEPT,
                     expected_version=d.version, notice_served=True)
    asked = pause_request(actor=desk.director, dispute_id=d.pk, ground="illness",
                          evidence="住院证明", days=20)
    pause = pause_decide(actor=desk.director, dispute_id=d.pk, pause_id=asked.pk,
                         approve=True)
    d.refresh_from_db()
    d = action_apply(actor=desk.director, dispute_id=d.pk, action=Action.ASSIGN,
                     expected_version=d.version, track=Track.SIMPLE, mediators=[desk.mediator])
    pause.refresh_from_db()
    assert d.deadline is None  # the mediation period waits on the pause
    assert pause.days_left == 7  # the simple track's seven working days, all of them
    with pytest.raises(MediationInvalid, match="无需延长"):
        action_apply(actor=desk.director, dispute_id=d.pk, action=Action.EXTEND,
                     expected_version=d.version)
    later = clock.now() + dt.timedelta(days=5)
    with clock.pinned(later):
        pause_end(actor=desk.director, dispute_id=d.pk, pause_id=pause.pk, reason="已出院")
    d.refresh_from_db()
    assert working_days_between(later.date(), d.deadline, CAL) == 7
