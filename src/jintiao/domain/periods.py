"""Legal periods: when a time limit ends, how many working days remain, whether it is late.

Counting follows the Civil Procedure Law (Art. 85) and its interpretation (Art. 125): the
starting day is not counted; a period whose last day is a rest day ends on the first
working day after it. Rest days inside a period are not deducted unless the rule counts
working days. Month and year periods end on the corresponding date, or on the month's last
day where there is none (Civil Code Arts. 200–204). A make-up working Saturday is a
working day: it ends a period and is counted in working days (legal-reference.md §6.1).
"""

from __future__ import annotations

import calendar as _monthcal
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from jintiao.domain.calendar import WorkingCalendar
from jintiao.domain.errors import DomainError, ErrorCode

ONE_DAY = dt.timedelta(days=1)
WEEKDAYS = "一二三四五六日"


class PeriodInvalid(DomainError):
    """A time limit or a date range cannot be used."""

    code = ErrorCode.PERIOD_INVALID


def require_date(value: object, *, field: str, label: str, error: type[DomainError]) -> dt.date:
    """Return ``value`` if it is a calendar date; a datetime is refused (legal dates are days)."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise error(
            f"{label}必须是日期：{value!r}", f"{field} must be a date: {value!r}",
            field=field, value=value,
        )
    return value


def require_past(day: dt.date, *, on: dt.date, earliest: dt.date, field: str, label: str,
                 error: type[DomainError], earliest_is: str = "") -> dt.date:
    """Return ``day`` if it has come by ``on`` (the caller's today) and is not before
    ``earliest``; a date typed at the desk about something that happened.

    ``earliest_is`` says what ``earliest`` is ("收案日期"); without it, an earlier date is
    taken for a mistyped year and the message asks to check it.

    :raises error: with code ``date_in_future`` or ``date_too_early`` and ``field``
    """
    require_date(day, field=field, label=label, error=error)
    if day > on:
        raise error(f"{label}不能晚于今天（所填为{day.isoformat()}）",
                    f"{field} {day.isoformat()} is after today {on.isoformat()}",
                    code=ErrorCode.DATE_IN_FUTURE, field=field, value=day.isoformat())
    if day < earliest:
        why = (f"不能早于{earliest_is}（{earliest.isoformat()}）" if earliest_is
               else f"早于{earliest.isoformat()}，请核对年份")
        raise error(f"{label}{day.isoformat()}{why}",
                    f"{field} {day.isoformat()} is before {earliest.isoformat()}",
                    code=ErrorCode.DATE_TOO_EARLY, field=field, value=day.isoformat(),
                    earliest=earliest.isoformat())
    return day


def years_before(day: dt.date, years: int) -> dt.date:
    """The same date ``years`` earlier (28 February for a 29 February without one)."""
    return add_months_clamped(day, -12 * years)


class Unit(StrEnum):
    """What a time limit counts."""

    DAYS = "days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"
    YEARS = "years"

    @property
    def label(self) -> str:
        return {"days": "日", "working_days": "个工作日", "months": "个月", "years": "年"}[
            self.value
        ]


@dataclass(frozen=True)
class TimeLimit:
    """A number of units: 15 working days, 30 days, 2 years."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise PeriodInvalid(
                f"期间必须是非负整数：{self.amount!r}",
                f"a time limit must be a non-negative whole number: {self.amount!r}",
                amount=self.amount,
            )
        try:
            object.__setattr__(self, "unit", Unit(self.unit))
        except ValueError:
            raise PeriodInvalid(
                f"未知的期间单位：{self.unit!r}", f"unknown time unit: {self.unit!r}",
                unit=self.unit,
            ) from None

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.label}"


@dataclass(frozen=True)
class Deadline:
    """The end of a period, with the working that shows how it was reached."""

    start: dt.date
    limit: TimeLimit
    raw_end: dt.date
    due_on: dt.date
    rolled_over: bool
    provisional: bool
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "amount": self.limit.amount,
            "unit": self.limit.unit.value,
            "limit": str(self.limit),
            "raw_end": self.raw_end.isoformat(),
            "due_on": self.due_on.isoformat(),
            "weekday": self.due_on.isoweekday(),
            "rolled_over": self.rolled_over,
            "provisional": self.provisional,
            "reasons": list(self.reasons),
        }


def _fmt(day: dt.date) -> str:
    return f"{day.isoformat()}（星期{WEEKDAYS[day.weekday()]}）"


def _check_date(day: object, name: str) -> dt.date:
    day = require_date(day, field=name, label=name, error=PeriodInvalid)
    if not 1901 <= day.year <= 2097:
        raise PeriodInvalid(
            f"日期超出支持范围（1901–2097年）：{day.isoformat()}",
            f"date outside the supported range 1901–2097: {day.isoformat()}",
        )
    return day


def _rest_reason(day: dt.date, calendar: WorkingCalendar) -> str:
    name = calendar.holiday_name(day)
    if name and calendar.is_rest_day(day):
        return f"法定休假日（{name}）"
    return "休息日（周末）"


def _provisional_reason(years: set[int]) -> str:
    listed = "、".join(str(y) for y in sorted(years))
    return (f"{listed}年放假安排尚未公布（或未录入），按周末和法定节日推算，结果为暂定；"
            "公布后请录入日历调整")


def add_months_clamped(start: dt.date, months: int) -> dt.date:
    """Return the corresponding date ``months`` later, or that month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, _monthcal.monthrange(year, month)[1]))


def _roll(start: dt.date, limit: TimeLimit, raw_end: dt.date,
          calendar: WorkingCalendar, reasons: list[str]) -> Deadline:
    due = raw_end
    looked = {raw_end.year}
    if calendar.is_rest_day(raw_end):
        due = calendar.next_working_day(raw_end)
        looked |= {d.year for d in (raw_end, due)}
        reasons.append(f"期间最后一日{_fmt(raw_end)}为{_rest_reason(raw_end, calendar)}，"
                       f"顺延至{_fmt(due)}")
    elif raw_end.weekday() >= 5:
        reasons.append(f"期间最后一日{_fmt(raw_end)}为调休上班日，不顺延")
    uncovered = {y for y in looked if y not in calendar.covered_years}
    if uncovered:
        reasons.append(_provisional_reason(uncovered))
    return Deadline(start, limit, raw_end, due, due != raw_end, bool(uncovered), tuple(reasons))


def deadline(start: dt.date, limit: TimeLimit, calendar: WorkingCalendar) -> Deadline:
    """Return when ``limit`` counted from ``start`` ends (CPL Art. 85; INTERP Art. 125).

    Days: the starting day is not counted, rest days inside are, and a last day that is a
    rest day rolls to the next working day. Working days: the ``n``-th working day after
    ``start``. Months and years: the corresponding date or the month's last day (Civil Code
    Art. 202), then the same roll-over. Any year the calendar does not cover makes the
    result provisional, and says so.

    :raises PeriodInvalid: not a date, or outside 1901–2097
    """
    _check_date(start, "起算日")
    reasons: list[str] = ["起算日当日不计入期间"]
    if limit.unit is Unit.WORKING_DAYS:
        return _working_days(start, limit, calendar, reasons)
    if limit.unit is Unit.DAYS:
        raw_end = start + dt.timedelta(days=limit.amount)
    else:
        months = limit.amount * (12 if limit.unit is Unit.YEARS else 1)
        raw_end = add_months_clamped(start, months)
        if raw_end.day != start.day:
            reasons.append(f"到期月份没有对应日，以该月末日{raw_end.isoformat()}为期间最后一日")
    _check_date(raw_end, "期间届满日")
    return _roll(start, limit, raw_end, calendar, reasons)


def _working_days(start: dt.date, limit: TimeLimit, calendar: WorkingCalendar,
                  reasons: list[str]) -> Deadline:
    day = start
    years = {start.year}
    counted = 0
    if limit.amount == 0:
        # nothing to count: due the same day if it is a working day, else the next one
        if calendar.is_rest_day(day):
            day = calendar.next_working_day(day)
    while counted < limit.amount:
        day += ONE_DAY
        years.add(day.year)
        if calendar.is_working_day(day):
            counted += 1
    _check_date(day, "期间届满日")
    years.add(day.year)
    skipped = (day - start).days - limit.amount
    if skipped > 0:
        reasons.append(f"期间内的{skipped}个休息日和节假日不计入")
    uncovered = {y for y in years if y not in calendar.covered_years}
    if uncovered:
        reasons.append(_provisional_reason(uncovered))
    return Deadline(start, limit, day, day, False, bool(uncovered), tuple(reasons))


def add_days(start: dt.date, days: int, calendar: WorkingCalendar) -> Deadline:
    """Return the deadline ``days`` calendar days after ``start``."""
    return deadline(start, TimeLimit(days, Unit.DAYS), calendar)


def add_working_days(start: dt.date, days: int, calendar: WorkingCalendar) -> Deadline:
    """Return the deadline ``days`` working days after ``start``."""
    return deadline(start, TimeLimit(days, Unit.WORKING_DAYS), calendar)


def add_months(start: dt.date, months: int, calendar: WorkingCalendar) -> Deadline:
    """Return the deadline ``months`` months after ``start``."""
    return deadline(start, TimeLimit(months, Unit.MONTHS), calendar)


def working_days_between(start: dt.date, end: dt.date, calendar: WorkingCalendar) -> int:
    """Count working days in (start, end]; negative, the count in (end, start], if reversed."""
    _check_date(start, "起始日")
    _check_date(end, "截止日")
    if end < start:
        return -working_days_between(end, start, calendar)
    count = 0
    day = start + ONE_DAY
    while day <= end:
        count += calendar.is_working_day(day)
        day += ONE_DAY
    return count


def remaining_working_days(today: dt.date, due_on: dt.date, calendar: WorkingCalendar) -> int:
    """Return working days left until ``due_on``: 0 on the day, negative once overdue."""
    return working_days_between(today, due_on, calendar)


def is_overdue(today: dt.date, due_on: dt.date) -> bool:
    """Return whether ``today`` is past ``due_on``; the due day itself runs to 24:00
    (Civil Code Art. 203)."""
    return today > due_on


def overdue_days(today: dt.date, due_on: dt.date) -> int:
    """Return the calendar days ``today`` is past ``due_on`` (0 if not overdue)."""
    return max(0, (today - due_on).days)
