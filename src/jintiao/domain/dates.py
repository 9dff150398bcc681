"""Dates as documents write them.

Sources: GB/T 9704-2012 §7.3.5.5 (a committee's document dates its issue "2026年11月12日",
in Arabic numerals, without leading zeros); 《人民法院民事裁判文书制作规范》(法〔2016〕221号)
— the body of a court document writes dates in Arabic numerals the same way, and its
closing date (落款) in Chinese numerals, 二〇二六年十一月十四日, with 〇 for zero."""

from __future__ import annotations

import datetime as dt

_DIGITS = "〇一二三四五六七八九"


def _day_of(value: dt.date | str) -> dt.date:
    """A date, or an ISO date string as stored in a document's content (a datetime string
    reads as its day)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def written(value: dt.date | str) -> str:
    """2026-11-12 → 2026年11月12日."""
    day = _day_of(value)
    return f"{day.year}年{day.month}月{day.day}日"


def _small(n: int) -> str:
    """1–31 in Chinese numerals as a month or day is read: 十, 十一, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return (("" if tens == 1 else _DIGITS[tens]) + "十"
            + (_DIGITS[ones] if ones else ""))


def in_chinese(value: dt.date | str) -> str:
    """2026-11-14 → 二〇二六年十一月十四日, a court document's closing date."""
    day = _day_of(value)
    year = "".join(_DIGITS[int(c)] for c in f"{day.year}")
    return f"{year}年{_small(day.month)}月{_small(day.day)}日"
