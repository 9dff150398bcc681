"""Legal periods: the reference's worked examples and the counting rule's properties."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain import periods
from jintiao.domain.calendar import DayOverride, official_calendar
from jintiao.domain.periods import PeriodInvalid, TimeLimit, Unit

d = dt.date
CAL = official_calendar()
any_date = st.dates(min_value=d(1901, 1, 1), max_value=d(2090, 12, 31))


class TestReferenceExamples:
    @pytest.mark.parametrize(
        ("start", "days", "raw_end", "due_on"),
        [
            (d(2026, 9, 5), 30, d(2026, 10, 5), d(2026, 10, 8)),
            (d(2026, 9, 10), 30, d(2026, 10, 10), d(2026, 10, 10)),
            (d(2026, 1, 20), 30, d(2026, 2, 19), d(2026, 2, 24)),
            (d(2026, 4, 20), 15, d(2026, 5, 5), d(2026, 5, 6)),
        ],
    )
    def test_legal_reference_section_6(self, start, days, raw_end, due_on):
        result = periods.add_days(start, days, CAL)
        assert result.raw_end == raw_end
        assert result.due_on == due_on
        assert result.rolled_over is (raw_end != due_on)
        assert not result.provisional

    def test_the_roll_over_is_explained(self):
        result = periods.add_days(d(2026, 9, 5), 30, CAL)
        assert any("国庆节" in r and "顺延" in r for r in result.reasons)

    def test_a_make_up_saturday_ends_the_period_and_says_so(self):
        result = periods.add_days(d(2026, 9, 10), 30, CAL)
        assert any("调休上班日" in r for r in result.reasons)


class TestWorkingDays:
    def test_fifteen_working_days_across_national_day(self):
        # 29, 30 Sep; 8, 9, 10 (make-up Saturday); 12–16 Oct; 19–23 Oct
        assert periods.add_working_days(d(2026, 9, 28), 15, CAL).due_on == d(2026, 10, 23)

    def test_the_make_up_saturday_is_the_next_working_day(self):
        assert periods.add_working_days(d(2026, 2, 13), 1, CAL).due_on == d(2026, 2, 14)

    def test_spring_festival_2026(self):
        assert periods.add_working_days(d(2026, 2, 12), 5, CAL).due_on == d(2026, 2, 26)

    def test_zero_working_days_from_a_holiday_is_the_next_working_day(self):
        assert periods.add_working_days(d(2026, 10, 3), 0, CAL).due_on == d(2026, 10, 8)

    def test_remaining_and_overdue(self):
        due = d(2026, 10, 9)
        assert periods.remaining_working_days(d(2026, 9, 30), due, CAL) == 2
        assert periods.remaining_working_days(due, due, CAL) == 0
        assert periods.remaining_working_days(d(2026, 10, 12), due, CAL) == -2
        assert not periods.is_overdue(due, due)
        assert periods.is_overdue(d(2026, 10, 10), due)
        assert periods.overdue_days(d(2026, 10, 12), due) == 3


class TestMonthsAndYears:
    def test_a_month_without_the_corresponding_day_ends_on_its_last_day(self):
        result = periods.add_months(d(2025, 1, 31), 1, CAL)
        assert result.raw_end == d(2025, 2, 28)
        assert result.due_on == d(2025, 2, 28)

    def test_a_month_ending_on_a_make_up_saturday_does_not_roll(self):
        result = periods.add_months(d(2026, 1, 31), 1, CAL)
        assert result.raw_end == d(2026, 2, 28)  # Saturday, worked for Spring Festival
        assert not result.rolled_over

    def test_a_month_ending_on_a_weekend_rolls_to_monday(self):
        result = periods.add_months(d(2026, 10, 31), 1, CAL)
        assert result.raw_end == d(2026, 11, 30)
        assert periods.add_months(d(2026, 10, 28), 1, CAL).due_on == d(2026, 11, 30)

    def test_enforcement_period_of_two_years(self):
        result = periods.deadline(d(2024, 2, 29), TimeLimit(2, Unit.YEARS), CAL)
        assert result.raw_end == d(2026, 2, 28)


class TestProvisional:
    def test_a_deadline_in_2027_is_provisional_and_says_why(self):
        result = periods.add_days(d(2027, 3, 1), 30, CAL)
        assert result.provisional
        assert any("暂定" in r for r in result.reasons)

    def test_a_period_reaching_into_2027_is_provisional(self):
        assert periods.add_days(d(2026, 12, 20), 30, CAL).provisional
        assert periods.add_working_days(d(2026, 12, 20), 15, CAL).provisional

    def test_a_2027_deadline_skips_spring_festival(self):
        # 2027-02-04 + 1 day = Fri 5 Feb (New Year's Eve) → rolls past 6–8 Feb to Tue 9 Feb
        assert periods.add_days(d(2027, 2, 4), 1, CAL).due_on == d(2027, 2, 9)

    def test_entering_the_schedule_makes_it_final(self):
        cal = CAL.with_overrides([DayOverride(d(2027, 3, 31), working=False)],
                                 covered_years=[2027])
        result = periods.add_days(d(2027, 3, 1), 30, cal)
        assert not result.provisional
        assert result.due_on == d(2027, 4, 1)


class TestBadInput:
    def test_negative_and_non_integer_limits_are_refused(self):
        with pytest.raises(PeriodInvalid):
            TimeLimit(-1, Unit.DAYS)
        with pytest.raises(PeriodInvalid):
            TimeLimit(1.5, Unit.DAYS)  # type: ignore[arg-type]
        with pytest.raises(PeriodInvalid):
            TimeLimit(3, "weeks")  # type: ignore[arg-type]

    def test_a_datetime_is_not_a_legal_date(self):
        with pytest.raises(PeriodInvalid):
            periods.add_days(dt.datetime(2026, 1, 1, 12, 0), 3, CAL)  # noqa: DTZ001

    def test_dates_outside_the_tables_are_refused_not_crashed(self):
        with pytest.raises(PeriodInvalid):
            periods.add_days(d(2099, 12, 1), 60, CAL)


class TestProperties:
    @given(any_date, st.integers(0, 400))
    def test_a_day_period_never_ends_on_a_rest_day_nor_before_its_raw_end(self, start, n):
        result = periods.add_days(start, n, CAL)
        assert CAL.is_working_day(result.due_on)
        assert result.due_on >= result.raw_end == start + dt.timedelta(days=n)
        assert result.provisional == any(
            not CAL.is_covered(day) for day in (result.raw_end, result.due_on)
        )

    @given(any_date, st.integers(1, 60))
    def test_working_day_deadlines_land_on_working_days_and_count_back(self, start, n):
        result = periods.add_working_days(start, n, CAL)
        assert CAL.is_working_day(result.due_on)
        assert periods.working_days_between(start, result.due_on, CAL) == n

    @given(any_date, st.integers(0, 60))
    def test_deadlines_grow_with_the_period(self, start, n):
        for unit in (Unit.DAYS, Unit.WORKING_DAYS, Unit.MONTHS):
            shorter = periods.deadline(start, TimeLimit(n, unit), CAL).due_on
            longer = periods.deadline(start, TimeLimit(n + 1, unit), CAL).due_on
            assert shorter <= longer

    @given(any_date, any_date)
    def test_working_days_between_is_antisymmetric(self, a, b):
        assert periods.working_days_between(a, b, CAL) == -periods.working_days_between(b, a, CAL)


class TestRequirePast:
    """A date typed at the desk about something that happened: not to come, not before a
    bound."""

    @given(any_date, any_date, any_date)
    def test_a_day_is_taken_only_between_the_bound_and_today(self, day, on, earliest):
        from jintiao.domain.errors import ErrorCode

        if earliest <= day <= on:
            assert periods.require_past(day, on=on, earliest=earliest, field="f", label="日期",
                                        error=PeriodInvalid) == day
            return
        with pytest.raises(PeriodInvalid) as err:
            periods.require_past(day, on=on, earliest=earliest, field="f", label="日期",
                                 error=PeriodInvalid)
        assert err.value.code == (ErrorCode.DATE_IN_FUTURE if day > on
                                  else ErrorCode.DATE_TOO_EARLY)
        assert err.value.details["field"] == "f"

    def test_the_messages_say_what_is_wrong(self):
        with pytest.raises(PeriodInvalid, match=r"^收案日期不能晚于今天（所填为2026-12-02） "):
            periods.require_past(d(2026, 12, 2), on=d(2026, 12, 1), earliest=d(2025, 12, 1),
                                 field="received_on", label="收案日期", error=PeriodInvalid)
        with pytest.raises(PeriodInvalid, match=r"^收案日期2016-12-01早于2025-12-01，请核对年份 "):
            periods.require_past(d(2016, 12, 1), on=d(2026, 12, 1), earliest=d(2025, 12, 1),
                                 field="received_on", label="收案日期", error=PeriodInvalid)
        with pytest.raises(PeriodInvalid,
                           match=r"^同意日期2026-11-01不能早于收案日期（2026-11-02） "):
            periods.require_past(d(2026, 11, 1), on=d(2026, 12, 1), earliest=d(2026, 11, 2),
                                 field="given_on", label="同意日期", error=PeriodInvalid,
                                 earliest_is="收案日期")

    def test_years_before_a_leap_day_is_the_last_day_of_february(self):
        assert periods.years_before(d(2028, 2, 29), 1) == d(2027, 2, 28)
        assert periods.years_before(d(2028, 2, 29), 4) == d(2024, 2, 29)
