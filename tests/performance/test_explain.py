"""The dispute's figures explained from its records: the deadline read back from the event
that set it and the dispute's own policy version, what is owed on the agreement, and the
amount to enforce — each reproducing the figure the dispute shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jintiao import clock
from jintiao.confirmation.services import confirmation_accept, confirmation_apply
from jintiao.domain import events
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import SOURCES
from jintiao.mediation.services import action_apply, consent_record
from jintiao.performance import explain, selectors
from jintiao.performance.models import Enforcement
from jintiao.performance.services import payment_record, performance_review
from jintiao.policies.models import CalendarDay
from jintiao.timeline.models import Event
from jintiao.timeline.services import event_append
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, apply
from tests.performance.helpers import at, instalment


def _step(explained, label):
    return next(s for s in explained.steps if s.label == label)


class TestDeadline:
    def test_the_mediation_deadline_names_its_start_limit_version_and_source(self, mediating):
        explained = explain.deadline_explained(mediating)

        facts = explained.facts
        assigned = Event.objects.get(dispute=mediating, type="dispute.assign")
        assert facts.deadline.due_on == mediating.deadline
        assert facts.deadline.start == assigned.at.astimezone(clock.TZ).date()
        assert facts.basis.rule == "mediation_simple_limit"  # the simple track's 7 working days
        assert facts.basis.policy_version == mediating.policy_version.version
        assert facts.basis.source.startswith(SOURCES["mediation_simple_limit"])
        assert str(facts.deadline.limit) == "7个工作日"
        assert facts.deadline.provisional == mediating.deadline_provisional

    def test_an_extension_runs_from_the_deadline_it_extends(self, desk, mediating):
        for row in mediating.party_rows.all():
            consent_record(actor=desk.mediator, dispute_id=mediating.pk, party_row_id=row.pk,
                           how="书面同意", given_on=clock.today())
        before = mediating.deadline
        extended = action_apply(actor=desk.director, dispute_id=mediating.pk,
                                action=Action.EXTEND, expected_version=mediating.version)

        facts = explain.deadline_explained(extended).facts

        assert facts.deadline.start == before
        assert facts.basis.rule == "extension_limit"
        assert facts.deadline.due_on == extended.deadline

    def test_the_enforcement_limit_runs_from_the_last_instalment(self, desk, performing):
        with clock.pinned(at(dt.date(2027, 2, 21))):
            assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"
        performing.refresh_from_db()

        facts = explain.deadline_explained(performing).facts

        assert facts.deadline.start == dt.date(2027, 12, 20)
        assert facts.basis.rule == "enforcement_application_limit"
        assert facts.deadline.due_on == performing.deadline == dt.date(2029, 12, 20)

    def test_the_court_reviews_within_its_limit_from_accepting(self, desk, mediating):
        accept_plan(desk, mediating, flat(12))
        agree(desk, mediating, CHARGES_SINCE)
        apply(desk, mediating)
        mediating.refresh_from_db()
        made = confirmation_apply(actor=desk.mediator, dispute_id=mediating.pk,
                                  expected_version=mediating.version, court_id=desk.court.pk)
        accepted = confirmation_accept(actor=desk.judge, application_id=made.pk)
        mediating.refresh_from_db()

        facts = explain.deadline_explained(mediating).facts

        assert facts.basis.rule == "court_decision_limit"
        assert facts.basis.started_by == "法院受理司法确认申请"
        assert facts.deadline.start == accepted.accepted_at.astimezone(clock.TZ).date()
        assert facts.deadline.due_on == accepted.decide_by == mediating.deadline

    def test_a_deadline_no_record_explains_is_not_guessed(self, mediating):
        mediating.deadline = mediating.deadline + dt.timedelta(days=5)

        assert explain.deadline_explained(mediating) is None

    def test_a_deadline_another_kind_of_record_set_is_not_read_as_a_stages(self, desk,
                                                                           mediating):
        """A record this module does not know (a pause, say) that moved the deadline: no
        explanation rather than the mediation limit counted from the wrong day."""
        later = mediating.deadline + dt.timedelta(days=9)
        event_append(dispute=mediating, type=events.PAYMENT_RECORDED, actor=desk.mediator,
                     at=clock.now(), state_before=mediating.state,
                     state_after=mediating.state, meta={"deadline": later.isoformat()})
        mediating.deadline = later

        assert explain.deadline_explained(mediating) is None

    def test_a_calendar_changed_since_is_said_and_the_record_stands(self, desk, mediating):
        assigned = Event.objects.get(dispute=mediating, type="dispute.assign")
        start = assigned.at.astimezone(clock.TZ).date()
        holiday = next(start + dt.timedelta(days=n) for n in range(1, 9)
                       if (start + dt.timedelta(days=n)).weekday() < 5)
        CalendarDay.objects.create(day=holiday, working=False, note="临时休假")

        explained = explain.deadline_explained(mediating)

        assert explained.facts.deadline.due_on > mediating.deadline
        assert f"记录的期限为{mediating.deadline.isoformat()}" in explained.notes[0]
        assert [r.name for r in explained.facts.skipped if r.day == holiday] == ["临时休假"]


class TestAmounts:
    def test_each_payment_is_allocated_in_full_and_the_totals_are_the_pages(self, desk,
                                                                            performing):
        with clock.pinned(at(dt.date(2027, 1, 20))):
            payment_record(actor=desk.agent, dispute_id=performing.pk, reference="B-1",
                           paid_on=clock.today(), amount=instalment(performing) + Decimal("5"))
        on = dt.date(2027, 3, 1)

        explained = explain.account_explained(performing, on)
        account = selectors.account_of(performing, on)

        facts = explained.facts
        assert [a.reference for a in facts.allocations] == ["B-1"]
        (only,) = facts.allocations
        assert sum(x for _n, _p, x in only.parts) + only.beyond == only.amount
        assert {n for n, _p, _x in only.parts} == {1, 2}  # the first in full, then the next
        assert (facts.total_paid, facts.outstanding, facts.overdue) == (
            account.total_paid, account.outstanding, account.overdue_amount)

    def test_the_amount_to_enforce_is_the_recorded_one_with_its_late_interest(self, desk,
                                                                              performing):
        with clock.pinned(at(dt.date(2027, 3, 25))):
            assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"
        performing.refresh_from_db()
        recorded = Enforcement.objects.get(dispute=performing)

        explained = explain.enforcement_explained(performing)

        facts = explained.facts
        assert facts.total == recorded.total
        assert explained.notes == ()
        assert facts.late_daily_rate == Decimal("0.000175")  # confirmed: a ruling
        assert facts.late_stretches
        assert [(s.number, s.start, s.end, s.days) for s in facts.late_stretches] == [
            (d["number"], dt.date.fromisoformat(d["from"]), dt.date.fromisoformat(d["to"]),
             d["days"]) for d in recorded.breakdown["late_days"]]
        assert f"{facts.late_interest[1]:.2f}" == recorded.breakdown["late_interest"]
        assert _step(explained, "加速到期").value == recorded.accelerated_on.isoformat()

    def test_nothing_to_explain_before_performance(self, mediating):
        assert explain.account_explained(mediating) is None
        assert explain.enforcement_explained(mediating) is None
