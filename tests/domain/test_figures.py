"""The supervisors' figures in the domain: the fold of a timeline, periods, summaries."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.errors import DomainError
from jintiao.domain.figures import (
    Outcome,
    PeriodKind,
    ReportPeriod,
    Stage,
    Step,
    change,
    milestones,
    month_so_far,
    rate,
    spread,
    spread_counted,
)

D = dt.date


def t(day: int, type: str, before: str = "", after: str = "", **params: object) -> Step:
    meta = {"deadline": params.pop("deadline")} if "deadline" in params else {}
    return Step(type, D(2026, 3, day), before, after, params, meta)


RECEIVED = t(1, "dispute.received", "", "received")
ACCEPTED = t(2, "dispute.accept", "received", "accepted", deadline="2026-03-20")
ASSIGNED = t(3, "dispute.assign", "accepted", "mediating", deadline="2026-03-23")


def test_a_settled_dispute_counts_from_acceptance_to_agreement():
    m = milestones([RECEIVED, ACCEPTED, ASSIGNED, t(10, "dispute.agree", "mediating", "agreed"),
                    t(12, "dispute.apply_confirmation", "agreed", "confirmation_pending"),
                    t(16, "dispute.confirm", "confirmation_pending", "performing"),
                    t(30, "dispute.complete", "performing", "performed"),
                    t(31, "credit_repair.confirmed")])
    assert (m.received_on, m.accepted_on, m.concluded_on) == (D(2026, 3, 1), D(2026, 3, 2),
                                                               D(2026, 3, 10))
    assert m.outcome is Outcome.SETTLED
    assert m.settled
    assert m.deadline == D(2026, 3, 23)
    assert m.within_deadline is True
    assert (m.confirmed_on, m.performing_on, m.performed_on) == (D(2026, 3, 16), D(2026, 3, 16),
                                                                 D(2026, 3, 30))
    assert m.credit_repaired_on == D(2026, 3, 31)
    # nobody logged a call, but an agreement means the debtor was reached
    assert m.stage_on(Stage.INVITED) == m.stage_on(Stage.CONTACTED) == D(2026, 3, 10)


def test_the_funnel_takes_the_first_logged_step_and_confirmation_implies_nothing_later():
    m = milestones([RECEIVED, ACCEPTED, ASSIGNED, t(4, "reach.invited", party=1),
                    t(5, "reach.contacted", party=1),
                    t(6, "mediation.offer_accepted", offer=1, side="creditor", both=True),
                    t(9, "dispute.agree", "mediating", "agreed"),
                    t(11, "dispute.perform_without_confirmation", "agreed", "performing")])
    assert m.stage_on(Stage.INVITED) == D(2026, 3, 4)
    assert m.stage_on(Stage.ENGAGED) == m.stage_on(Stage.AGREED) == D(2026, 3, 6)
    assert m.stage_on(Stage.CONFIRMED) is None
    assert m.stage_on(Stage.PERFORMING) == D(2026, 3, 11)


def test_an_unreachable_debtor_is_a_failure_of_its_own_kind_and_late_is_late():
    m = milestones([RECEIVED, ACCEPTED, ASSIGNED,
                    t(25, "dispute.fail", "mediating", "failed", ground="unreachable")])
    assert m.outcome is Outcome.UNREACHABLE
    assert m.concluded_on == D(2026, 3, 25)
    assert m.within_deadline is False


def test_a_rejected_confirmation_reopens_mediation_or_turns_into_a_failure():
    agreed = [RECEIVED, ACCEPTED, ASSIGNED, t(10, "dispute.agree", "mediating", "agreed"),
              t(12, "dispute.apply_confirmation", "agreed", "confirmation_pending"),
              t(15, "dispute.reject_confirmation", "confirmation_pending",
                "confirmation_rejected")]
    reopened = milestones([*agreed, t(16, "dispute.remediate", "confirmation_rejected",
                                      "mediating", deadline="2026-04-10")])
    assert reopened.outcome is Outcome.PENDING
    assert reopened.concluded_on is None
    again = milestones([*agreed, t(16, "dispute.remediate", "confirmation_rejected",
                                   "mediating", deadline="2026-04-10"),
                        t(20, "dispute.agree", "mediating", "agreed")])
    assert again.concluded_on == D(2026, 3, 20)
    assert again.deadline == D(2026, 4, 10)
    sent = milestones([*agreed, t(17, "dispute.transfer", "confirmation_rejected",
                                  "transferred")])
    assert sent.outcome is Outcome.FAILED
    assert sent.concluded_on == D(2026, 3, 10)  # mediation ended on the agreement's day
    assert sent.within_deadline is True


def test_a_withdrawal_before_assignment_is_not_judged_against_the_assignment_limit():
    m = milestones([RECEIVED, ACCEPTED, t(20, "dispute.withdraw", "accepted", "withdrawn")])
    assert m.outcome is Outcome.WITHDRAWN
    assert m.concluded_on == D(2026, 3, 20)
    assert m.deadline is None
    assert m.within_deadline is None


def test_withdrawn_or_declined_before_acceptance_is_not_concluded():
    withdrawn = milestones([RECEIVED, t(2, "dispute.withdraw", "received", "withdrawn")])
    assert withdrawn.outcome is Outcome.WITHDRAWN
    assert withdrawn.concluded_on is None
    declined = milestones([RECEIVED, t(3, "dispute.decline", "received", "declined")])
    assert declined.outcome is Outcome.DECLINED
    assert declined.declined_on == D(2026, 3, 3)


def test_periods_read_and_step():
    p = ReportPeriod.parse("2026-12")
    assert (p.start, p.end, str(p.following), str(p.previous), str(p.year_ago)) == (
        D(2026, 12, 1), D(2026, 12, 31), "2027-01", "2026-11", "2025-12")
    q = ReportPeriod.parse("2026-Q1")
    assert (q.start, q.end, q.label, str(q.previous)) == (
        D(2026, 1, 1), D(2026, 3, 31), "2026年第一季度", "2025-Q4")
    assert [str(m) for m in q.months] == ["2026-01", "2026-02", "2026-03"]
    assert ReportPeriod.parse("2024").end == D(2024, 12, 31)
    for bad in ("2026-13", "2026-Q5", "26-1", "2026-00", "", "9998-12", "0001", "2101-Q1"):
        with pytest.raises(DomainError) as caught:
            ReportPeriod.parse(bad)
        assert caught.value.code == "period_invalid"


@given(st.integers(2000, 2100), st.sampled_from(list(PeriodKind)), st.integers(1, 12),
       st.integers(-30, 30))
def test_periods_tile_the_calendar(year, kind, index, steps):
    top = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}[kind]
    p = ReportPeriod(year, kind, (index - 1) % top + 1)
    assert ReportPeriod.parse(str(p)) == p
    assert p.following.previous == p
    assert p.previous.following == p
    assert p.following.start == p.end + dt.timedelta(days=1)
    assert p.months[0].start == p.start
    assert p.months[-1].end == p.end
    trail = p.trailing(abs(steps) + 1)
    assert trail[-1] == p
    assert all(a.following == b for a, b in itertools.pairwise(trail))


@given(st.lists(st.integers(0, 400), min_size=1, max_size=200))
def test_the_spread_of_working_days(values):
    s = spread(values)
    ordered = sorted(values)
    assert s.count == len(values)
    assert (s.fastest, s.slowest) == (ordered[0], ordered[-1])
    assert ordered[0] <= s.median <= ordered[-1]
    assert ordered[0] <= s.mean <= ordered[-1]
    assert s.p90 in values
    at_or_below = sum(v <= s.p90 for v in values)
    assert at_or_below * 10 >= 9 * len(values)
    assert sum(v < s.p90 for v in values) * 10 < 9 * len(values)


def _spread_of_sorted_list(values):
    """The definition read straight off a sorted list: what spread_counted must equal."""
    ordered = sorted(values)
    n = len(ordered)
    mean = (Decimal(sum(ordered)) / n).quantize(Decimal("0.1"), ROUND_HALF_UP)
    middle = n // 2
    median = (Decimal(ordered[middle]) if n % 2 else
              Decimal(ordered[middle - 1] + ordered[middle]) / 2).quantize(Decimal("0.1"))
    return (n, mean, median, ordered[math.ceil(Decimal("0.9") * n) - 1], ordered[0],
            ordered[-1])


@given(st.lists(st.lists(st.integers(0, 400), max_size=60), min_size=1, max_size=6))
def test_the_spread_of_months_counted_is_the_spread_of_their_disputes(months):
    """A quarter's spread from its months' histograms (MonthWorkingDays) is the spread of
    every dispute listed one by one."""
    counted: Counter[int] = Counter()
    for month in months:
        counted.update(Counter(month))
    every = [v for month in months for v in month]
    s = spread_counted(counted)
    if not every:
        assert s.count == 0
        assert s.mean is None
        return
    assert (s.count, s.mean, s.median, s.p90, s.fastest, s.slowest) == \
        _spread_of_sorted_list(every)
    assert spread_counted({**counted, 999: 0}) == s   # an empty bucket changes nothing


def test_rates_of_nothing_are_not_zero():
    assert spread([]).mean is None
    assert rate(0, 0) is None
    assert rate(1, 3) == Decimal("33.33")
    assert rate(2, 3) == Decimal("66.67")
    assert change(5, 0) is None
    assert change(3, 4) == Decimal("-25.00")


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False))
def test_fen_round_trips_exactly(amount):
    from jintiao.domain.money import from_fen, to_fen

    assert from_fen(to_fen(amount)) == amount
    assert isinstance(to_fen(amount), int)


def test_the_quarter_of_a_day():
    assert str(ReportPeriod.quarter_of(D(2026, 12, 2))) == "2026-Q4"
    assert str(ReportPeriod.quarter_of(D(2026, 1, 1))) == "2026-Q1"
    assert ReportPeriod.quarter_of(D(2026, 7, 15)).previous.label == "2026年第二季度"


def test_a_debtor_recorded_at_a_session_has_engaged():
    """A session's record names who attended by party row; a debtor's row marked present
    puts the dispute at 已参与 that day, though nobody logged a reach step."""
    debtor, creditor = 7, 8
    held = t(6, "mediation.session_held", session=1,
             attended={str(creditor): True, str(debtor): True})
    m = milestones([RECEIVED, ACCEPTED, ASSIGNED, t(4, "reach.invited", party=1), held],
                   debtor_rows={debtor})
    assert m.engaged_on == D(2026, 3, 6)
    assert m.stage_on(Stage.ENGAGED) == D(2026, 3, 6)
    assert m.stage_on(Stage.CONTACTED) == D(2026, 3, 6)  # who attended was reached
    assert m.stage_on(Stage.AGREED) is None


def test_a_session_without_the_debtor_is_not_the_debtor_engaging():
    debtor, creditor = 7, 8
    only_the_bank = t(6, "mediation.session_held", session=1,
                      attended={str(creditor): True, str(debtor): False})
    nobody_named = t(9, "mediation.session_held", session=2, attended={})
    m = milestones([RECEIVED, ACCEPTED, ASSIGNED, only_the_bank, nobody_named],
                   debtor_rows={debtor})
    assert m.stage_on(Stage.ENGAGED) is None
    later = t(12, "mediation.session_held", session=3, attended={str(debtor): True})
    m = milestones([RECEIVED, ACCEPTED, ASSIGNED, only_the_bank, later], debtor_rows={debtor})
    assert m.stage_on(Stage.ENGAGED) == D(2026, 3, 12)
    earlier_portal = t(5, "reach.engaged", party=1, channel="portal")
    m = milestones([RECEIVED, ACCEPTED, ASSIGNED, earlier_portal, later], debtor_rows={debtor})
    assert m.stage_on(Stage.ENGAGED) == D(2026, 3, 5)  # the first day counts


def test_a_month_so_far_is_compared_with_the_same_days_of_the_month_before():
    now, before = month_so_far(D(2026, 11, 10))
    assert (now.start, now.end, now.label) == (D(2026, 11, 1), D(2026, 11, 10), "11月1日至10日")
    assert (before.start, before.end, before.label) == (D(2026, 10, 1), D(2026, 10, 10),
                                                        "10月1日至10日")
    _now, february = month_so_far(D(2026, 3, 30))
    assert (february.start, february.end) == (D(2026, 2, 1), D(2026, 2, 28))
    _now, october = month_so_far(D(2026, 11, 30))  # a whole month: all of the one before
    assert (october.start, october.end) == (D(2026, 10, 1), D(2026, 10, 31))
    first, december = month_so_far(D(2027, 1, 1))
    assert (first.label, december.label) == ("1月1日", "12月1日")
    assert (december.start.year, december.end) == (2026, D(2026, 12, 1))


@given(st.dates(D(2001, 1, 1), D(2099, 12, 31)))
def test_the_days_compared_are_never_more_than_the_days_so_far(today):
    now, before = month_so_far(today)
    last_month = ReportPeriod.month_of(today).previous
    assert (now.start, now.end) == (today.replace(day=1), today)
    assert before.start == last_month.start
    whole = today == ReportPeriod.month_of(today).end
    assert before.end.day == (last_month.end.day if whole else min(today.day,
                                                                    last_month.end.day))
    assert ReportPeriod.month_of(before.end) == last_month


def test_a_completion_undone_by_a_reversed_payment_no_longer_counts_as_performed():
    confirmed = [RECEIVED, ACCEPTED, ASSIGNED, t(10, "dispute.agree", "mediating", "agreed"),
                 t(11, "dispute.perform_without_confirmation", "agreed", "performing"),
                 t(20, "dispute.complete", "performing", "performed")]
    undone = milestones([*confirmed,
                         t(22, "dispute.reverse_completion", "performed", "performing")])
    again = milestones([*confirmed,
                        t(22, "dispute.reverse_completion", "performed", "performing"),
                        t(28, "dispute.complete", "performing", "performed")])

    assert undone.performed_on is None
    assert undone.performing_on == D(2026, 3, 11)
    assert again.performed_on == D(2026, 3, 28)
