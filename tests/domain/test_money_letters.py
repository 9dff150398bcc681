"""An amount with a letter typed among its digits (a bank's file: 46,5OO.00) is refused
saying so, not as a misplaced thousands separator."""

from __future__ import annotations

import pytest

from jintiao.domain.money import AmountInvalid, parse_amount


@pytest.mark.parametrize("typed", ["46,5OO.00", "1l00", "2O00元", "I00"])
def test_a_letter_among_the_digits_is_named(typed):
    with pytest.raises(AmountInvalid, match="金额中有字母"):
        parse_amount(typed)


@pytest.mark.parametrize(("typed", "value"), [("RMB 100", "100.00"), ("CNY1,000", "1000.00"),
                                              ("2.5万", "25000.00")])
def test_the_usual_ways_still_read(typed, value):
    assert str(parse_amount(typed)) == value
