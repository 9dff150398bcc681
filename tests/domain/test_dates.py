"""Dates as documents write them: 2026年11月12日 in the text, 二〇二六年十一月十四日 at
the foot of a court's document."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.dates import in_chinese, written


@pytest.mark.parametrize(("value", "text"), [
    ("2026-11-12", "2026年11月12日"), (dt.date(2027, 1, 5), "2027年1月5日"),
    ("2026-11-12T10:30:00+08:00", "2026年11月12日"),
])
def test_written_without_leading_zeros(value, text):
    assert written(value) == text


@pytest.mark.parametrize(("value", "text"), [
    ("2026-11-14", "二〇二六年十一月十四日"), ("2030-01-01", "二〇三〇年一月一日"),
    ("2026-10-10", "二〇二六年十月十日"), ("2026-12-20", "二〇二六年十二月二十日"),
    ("2026-03-31", "二〇二六年三月三十一日"), ("2026-02-21", "二〇二六年二月二十一日"),
])
def test_a_courts_closing_date_in_chinese_numerals(value, text):
    assert in_chinese(value) == text


@given(st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31)))
def test_every_day_reads_back(day):
    """The Chinese numerals name the same day: read back digit by digit."""
    digits = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}
    text = in_chinese(day)
    year, rest = text.split("年")
    month, rest = rest.split("月")
    day_text = rest.removesuffix("日")

    def number(words: str) -> int:
        if "十" not in words:
            return int(digits[words])
        tens, _, ones = words.partition("十")
        return (int(digits[tens]) if tens else 1) * 10 + (int(digits[ones]) if ones else 0)

    assert int("".join(digits[c] for c in year)) == day.year
    assert (number(month), number(day_text)) == (day.month, day.day)
