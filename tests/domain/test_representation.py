"""Powers of attorney: only a special authority settles; dates must hold."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.representation import (
    AUTHORITY_LABELS,
    RELATION_LABELS,
    Authority,
    Relation,
    mandate_problems,
    may_settle,
)

DAY = dt.date(2026, 11, 23)


def test_only_a_special_authority_may_settle():
    assert may_settle(Authority.SPECIAL)
    assert not may_settle(Authority.GENERAL)


def test_every_authority_and_relation_has_a_chinese_label():
    assert set(AUTHORITY_LABELS) == set(Authority)
    assert set(RELATION_LABELS) == set(Relation)


def test_a_mandate_in_force():
    assert mandate_problems(signed_on=DAY, valid_until=None, on=DAY) == []
    assert mandate_problems(signed_on=DAY - dt.timedelta(days=9), valid_until=DAY, on=DAY) == []


def test_a_mandate_signed_later_or_expired_is_named():
    assert mandate_problems(signed_on=DAY + dt.timedelta(days=1), valid_until=None,
                            on=DAY) == ["授权委托书签署日期2026-11-24晚于2026-11-23"]
    assert mandate_problems(signed_on=dt.date(2026, 1, 1), valid_until=dt.date(2026, 6, 30),
                            on=DAY) == ["授权已于2026-06-30到期"]
    assert mandate_problems(signed_on=DAY, valid_until=DAY - dt.timedelta(days=1),
                            on=DAY) == ["授权期限2026-11-22早于签署日期2026-11-23"]


@given(signed=st.dates(), until=st.none() | st.dates(), on=st.dates())
def test_no_problem_means_the_mandate_covers_the_day(signed, until, on):
    if not mandate_problems(signed_on=signed, valid_until=until, on=on):
        assert signed <= on
        assert until is None or signed <= on <= until
