"""The one clock: Shanghai time, and a pinned instant for replaying history."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock


def test_now_is_aware_and_in_shanghai():
    assert clock.now().utcoffset() == dt.timedelta(hours=8)


def test_today_is_the_shanghai_date_of_a_pinned_instant():
    late_utc = dt.datetime(2026, 9, 30, 17, 30, tzinfo=dt.UTC)  # 01:30 on 1 October in Shanghai
    with clock.pinned(late_utc):
        assert clock.today() == dt.date(2026, 10, 1)
        assert clock.now() == late_utc


def test_pins_nest_and_the_real_clock_comes_back():
    first = dt.datetime(2026, 1, 5, 9, tzinfo=clock.TZ)
    second = dt.datetime(2026, 2, 5, 9, tzinfo=clock.TZ)
    with clock.pinned(first):
        with clock.pinned(second):
            assert clock.today() == second.date()
        assert clock.today() == first.date()
    assert clock.today() >= dt.date(2026, 11, 1)


def test_an_error_inside_the_block_still_unpins():
    with pytest.raises(RuntimeError), clock.pinned(dt.datetime(2020, 1, 1, tzinfo=clock.TZ)):
        raise RuntimeError
    assert clock.today().year >= 2026


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="aware"), clock.pinned(dt.datetime(2026, 1, 1)):  # noqa: DTZ001
        pass
