"""The working-day calendar: the official holiday schedule, administrators' overrides, and
a provisional rule for years the schedule does not yet cover.

The State Council publishes each year's holidays and make-up working days (调休) in
October or November; the ``chinesecalendar`` package carries them for 2004–2026 in its
1.11.0 release. A year beyond that is not an error: it is computed from weekends and the
statutory holidays of the national holiday measures (as amended 2024-11-10) and marked
provisional, until an administrator enters the published schedule as overrides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

import chinese_calendar
from lunardate import LunarDate

from jintiao.domain.errors import DomainError, ErrorCode

LUNAR_RANGE = (1901, 2098)  # lunardate covers 1900–2099; 除夕 needs the year before


class CalendarInvalid(DomainError):
    """A calendar cannot be built or asked about this date."""

    code = ErrorCode.CALENDAR_INVALID


@dataclass(frozen=True)
class DayOverride:
    """An administrator's entry: this day is (not) a working day, and why."""

    day: dt.date
    working: bool
    note: str = ""


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days: official data for covered years, a rule for the rest.

    ``rest_days`` are the holidays (with names in ``names``) of covered years plus any
    override holidays; ``adjusted_workdays`` are make-up working days (Saturdays or Sundays
    worked in exchange) plus override working days.
    """

    rest_days: frozenset[dt.date]
    adjusted_workdays: frozenset[dt.date]
    covered_years: frozenset[int]
    names: Mapping[dt.date, str] = field(default_factory=dict, compare=False)

    def is_covered(self, day: dt.date) -> bool:
        """Return whether ``day``'s year has an official (or administrator-entered) schedule."""
        return day.year in self.covered_years

    def is_working_day(self, day: dt.date) -> bool:
        """Return whether ``day`` is a working day (make-up Saturdays included)."""
        if day in self.adjusted_workdays:
            return True
        if day in self.rest_days:
            return False
        if not self.is_covered(day) and day in statutory_rest_days(day.year):
            return False
        return day.weekday() < 5

    def is_rest_day(self, day: dt.date) -> bool:
        """Return whether ``day`` is a weekend or holiday not worked in exchange."""
        return not self.is_working_day(day)

    def holiday_name(self, day: dt.date) -> str | None:
        """Return the name of the holiday or make-up day ``day`` is, if any."""
        if day in self.names:
            return self.names[day]
        if not self.is_covered(day):
            return statutory_rest_days(day.year).get(day)
        return None

    def next_working_day(self, day: dt.date) -> dt.date:
        """Return the first working day strictly after ``day``."""
        nxt = day + dt.timedelta(days=1)
        while not self.is_working_day(nxt):
            nxt += dt.timedelta(days=1)
        return nxt

    def with_overrides(
        self, overrides: Iterable[DayOverride], covered_years: Iterable[int] = ()
    ) -> WorkingCalendar:
        """Return a calendar with ``overrides`` applied; an override wins over official data.

        ``covered_years`` names years whose whole schedule has now been entered, so their
        deadlines are no longer provisional.
        """
        rest = set(self.rest_days)
        work = set(self.adjusted_workdays)
        names = dict(self.names)
        for o in overrides:
            if not isinstance(o, DayOverride):
                raise CalendarInvalid("日历调整项格式不正确", "not a DayOverride", value=o)
            (work if o.working else rest).add(o.day)
            (rest if o.working else work).discard(o.day)
            if o.note:
                names[o.day] = o.note
        return WorkingCalendar(
            rest_days=frozenset(rest),
            adjusted_workdays=frozenset(work),
            covered_years=self.covered_years | frozenset(covered_years),
            names=MappingProxyType(names),
        )


@cache
def official_calendar() -> WorkingCalendar:
    """Return the calendar seeded from the ``chinesecalendar`` package's official data."""
    holidays: dict[dt.date, object] = chinese_calendar.holidays
    workdays: dict[dt.date, object] = chinese_calendar.workdays
    years = frozenset(d.year for d in holidays) & frozenset(d.year for d in workdays)
    names = {d: _holiday_label(str(v)) for d, v in holidays.items()}
    names.update({d: f"{_holiday_label(str(v))}调休上班" for d, v in workdays.items()
                  if d.weekday() >= 5})
    return WorkingCalendar(
        rest_days=frozenset(d for d in holidays if d.year in years),
        adjusted_workdays=frozenset(d for d in workdays if d.year in years and d.weekday() >= 5),
        covered_years=years,
        names=MappingProxyType(names),
    )


_LABELS = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
}


def _holiday_label(raw: str) -> str:
    for english, chinese in _LABELS.items():
        if english in raw:
            return chinese
    return raw


@cache
def statutory_rest_days(year: int) -> Mapping[dt.date, str]:
    """Return the statutory holidays of ``year`` under the national holiday measures.

    As amended by the State Council on 2024-11-10 (in force 2025-01-01): 元旦 1 day,
    春节 4 days (除夕 and lunar 1–3), 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3. The
    make-up swaps of a year's notice cannot be known in advance, so a provisional year uses
    only these.

    :raises CalendarInvalid: a year outside the lunar tables (1901–2098)
    """
    if not LUNAR_RANGE[0] <= year <= LUNAR_RANGE[1]:
        raise CalendarInvalid(
            f"无法推算{year}年的法定节假日（支持{LUNAR_RANGE[0]}–{LUNAR_RANGE[1]}年）",
            f"cannot compute statutory holidays for {year} "
            f"(supported {LUNAR_RANGE[0]}–{LUNAR_RANGE[1]})",
            year=year,
        )
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    new_year = LunarDate(year, 1, 1).to_solar_date()
    for offset in range(-1, 3):
        days[new_year + dt.timedelta(days=offset)] = "春节"
    for day, name in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10)):
        if "清明" in name:
            days[day] = "清明节"
    days[dt.date(year, 5, 1)] = days[dt.date(year, 5, 2)] = "劳动节"
    days[LunarDate(year, 5, 5).to_solar_date()] = "端午节"
    days[LunarDate(year, 8, 15).to_solar_date()] = "中秋节"
    for d in (1, 2, 3):
        days[dt.date(year, 10, d)] = "国庆节"
    return MappingProxyType(days)
