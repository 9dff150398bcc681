"""The working calendar: official data, overrides, and provisional years."""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.calendar import (
    CalendarInvalid,
    DayOverride,
    official_calendar,
    statutory_rest_days,
)

d = dt.date
CAL = official_calendar()


class TestOfficialCalendar:
    def test_covers_the_package_years_and_no_more(self):
        assert set(range(2004, 2027)) <= CAL.covered_years
        assert 2027 not in CAL.covered_years

    def test_2026_make_up_working_days_are_working_days(self):
        for day in (d(2026, 1, 4), d(2026, 2, 14), d(2026, 2, 28), d(2026, 5, 9),
                    d(2026, 9, 20), d(2026, 10, 10)):
            assert CAL.is_working_day(day), day
            assert day.weekday() >= 5

    def test_2026_holidays_are_rest_days(self):
        for day in (d(2026, 1, 1), d(2026, 2, 23), d(2026, 4, 6), d(2026, 10, 7)):
            assert CAL.is_rest_day(day)
        assert CAL.holiday_name(d(2026, 10, 5)) == "国庆节"
        assert "调休" in CAL.holiday_name(d(2026, 10, 10))

    def test_february_2026_has_16_working_days(self):
        feb = [d(2026, 2, n) for n in range(1, 29)]
        assert sum(CAL.is_working_day(day) for day in feb) == 16

    @given(st.dates(min_value=d(2004, 1, 1), max_value=d(2026, 12, 31)))
    def test_agrees_with_the_package_on_every_covered_day(self, day):
        assert CAL.is_working_day(day) == chinese_calendar.is_workday(day)


class TestStatutoryRestDays:
    def test_2027_spring_festival_is_new_years_eve_and_three_days(self):
        days = statutory_rest_days(2027)
        spring = sorted(k for k, v in days.items() if v == "春节")
        assert spring == [d(2027, 2, 5), d(2027, 2, 6), d(2027, 2, 7), d(2027, 2, 8)]
        assert len(days) == 13

    @pytest.mark.parametrize("year", [2025, 2026])
    def test_every_statutory_day_is_an_official_holiday_under_the_2025_measures(self, year):
        for day, name in statutory_rest_days(year).items():
            assert chinese_calendar.is_holiday(day), (day, name)
            assert day in CAL.rest_days, (day, name)

    @pytest.mark.parametrize("year", range(2008, 2025))
    def test_lunar_and_solar_term_days_were_holidays_in_every_year_since_2008(self, year):
        # before 2025 New Year's Eve and 2 May were not statutory; the rest were
        days = {k: v for k, v in statutory_rest_days(year).items() if k != d(year, 5, 2)}
        eve = min(k for k, v in days.items() if v == "春节")
        for day, name in days.items():
            if day == eve:
                continue
            assert chinese_calendar.is_holiday(day), (day, name)

    def test_years_outside_the_lunar_tables_are_refused_clearly(self):
        with pytest.raises(CalendarInvalid) as err:
            statutory_rest_days(2200)
        assert "2200" in err.value.message


class TestProvisionalYears:
    def test_an_uncovered_year_uses_weekends_and_statutory_days(self):
        assert not CAL.is_covered(d(2027, 3, 1))
        assert CAL.is_rest_day(d(2027, 2, 8))  # Monday, lunar 1/3
        assert CAL.is_rest_day(d(2027, 10, 1))  # Friday, National Day
        assert CAL.is_working_day(d(2027, 10, 4))  # Monday: the swaps are unknowable
        assert CAL.is_rest_day(d(2027, 3, 6))  # Saturday
        assert CAL.holiday_name(d(2027, 9, 15)) == "中秋节"


class TestOverrides:
    def test_an_administrator_enters_a_new_years_schedule(self):
        entered = CAL.with_overrides(
            [DayOverride(d(2027, 10, n), working=False, note="国庆节") for n in range(4, 8)]
            + [DayOverride(d(2027, 9, 26), working=True, note="国庆节调休上班")],
            covered_years=[2027],
        )
        assert entered.is_covered(d(2027, 10, 4))
        assert entered.is_rest_day(d(2027, 10, 4))
        assert entered.is_working_day(d(2027, 9, 26))
        assert CAL.is_working_day(d(2027, 10, 4)), "the official calendar is unchanged"

    def test_a_local_holiday_turns_an_official_working_day_into_a_rest_day(self):
        local = CAL.with_overrides([DayOverride(d(2026, 11, 24), working=False, note="地方节日")])
        assert CAL.is_working_day(d(2026, 11, 24))
        assert local.is_rest_day(d(2026, 11, 24))
        assert local.holiday_name(d(2026, 11, 24)) == "地方节日"

    def test_override_of_a_holiday_into_a_working_day(self):
        worked = CAL.with_overrides([DayOverride(d(2026, 10, 7), working=True)])
        assert worked.is_working_day(d(2026, 10, 7))

    def test_refuses_something_that_is_not_an_override(self):
        with pytest.raises(CalendarInvalid):
            CAL.with_overrides([d(2026, 1, 1)])  # type: ignore[list-item]
