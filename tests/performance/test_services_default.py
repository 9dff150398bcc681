"""Default by the acceleration clause: the dispute's deadline and the timeline agree, the
schedule shows what acceleration did, and enforcement ends the follow-up visits."""

from __future__ import annotations

import datetime as dt

from jintiao import clock
from jintiao.performance.models import Enforcement
from jintiao.performance.services import performance_review
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
