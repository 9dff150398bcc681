"""Default by the acceleration clause: the dispute's deadline and the timeline agree, the
schedule shows what acceleration did, and enforcement ends the follow-up visits."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.domain.performance import PerformanceInvalid, Status
from jintiao.performance import selectors
from jintiao.performance.models import Enforcement, FollowUp
from jintiao.performance.services import (
    enforcement_apply,
    follow_up_record,
    follow_ups_plan,
    performance_review,
)
from jintiao.timeline.models import Event
from tests.performance.helpers import at


class TestDefault:
    def test_the_default_event_states_the_deadline_the_dispute_gets(self, desk, performing):
        """Regression: the event said two years from the review; the dispute got two years
        from the last instalment (CPL Art. 250) after the event was written."""
        with clock.pinned(at(dt.date(2027, 2, 21))):
            assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"

        performing.refresh_from_db()
        event = Event.objects.get(dispute=performing, type="dispute.default")
        last_day = Enforcement.objects.get(dispute=performing).last_day
        assert last_day == dt.date(2029, 12, 20)  # two years from 2027-12-20
        assert performing.deadline == last_day
        assert event.meta["deadline"] == last_day.isoformat()

    def test_after_default_every_instalment_has_fallen_due(self, desk, performing):
        """Regression: after acceleration the instalments not yet due still read 待还."""
        with clock.pinned(at(dt.date(2027, 2, 21))):
            performance_review(actor=desk.agent, dispute_id=performing.pk)
        performing.refresh_from_db()

        account = selectors.account_of(performing, dt.date(2027, 2, 22))

        assert Status.DUE not in {s.status for s in account.standings}
        assert account.next_due is None
        last = account.standings[-1]
        assert (last.due.due_on, last.scheduled_on) == (dt.date(2027, 2, 21),
                                                        dt.date(2027, 12, 20))


class TestFollowUps:
    def test_applying_to_enforce_ends_the_visits_still_to_make(self, desk, performing):
        """Regression: the planned visits stayed open, with forms, after enforcement."""
        assert follow_ups_plan(performing) == 3
        first = FollowUp.objects.filter(dispute=performing).order_by("due_on").first()
        with clock.pinned(at(dt.date(2027, 1, 23))):
            follow_up_record(actor=desk.mediator, follow_up_id=first.pk, method="phone",
                             note="债务人称下月起按期还款")
        with clock.pinned(at(dt.date(2027, 2, 21))):
            performance_review(actor=desk.agent, dispute_id=performing.pk)
            performing.refresh_from_db()
            enforcement_apply(actor=desk.agent, dispute_id=performing.pk,
                              expected_version=performing.version)

        visits = FollowUp.objects.filter(dispute=performing).order_by("due_on")
        assert [(v.done_at is not None, v.cancelled_at is not None) for v in visits] == [
            (True, False), (False, True), (False, True)]
        assert visits[1].cancel_reason == "已申请强制执行，不再回访"
        with pytest.raises(PerformanceInvalid, match="不再回访"):
            follow_up_record(actor=desk.mediator, follow_up_id=visits[1].pk, method="phone",
                             note="x")
        assert Event.objects.get(dispute=performing, type="follow_up.cancelled").params[
            "follow_ups"] == [visits[1].pk, visits[2].pk]
