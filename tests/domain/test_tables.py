"""What a spreadsheet's cell means (issue 20 §1): dates, amounts, yes/no and numbers as
Excel and WPS store them or people type them; what is safe to write into one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.tables import (
    CellInvalid,
    cell_amount,
    cell_bool,
    cell_date,
    cell_number_text,
    cell_safe,
    cell_text,
)


@pytest.mark.parametrize("value", [dt.date(2026, 6, 30), dt.datetime(2026, 6, 30, 0, 0),  # noqa: DTZ001
                                   "2026-06-30", "2026/6/30", "2026.6.30", "2026年6月30日",
                                   "20260630", " 2026 - 06 - 30 "])
def test_a_date_as_stored_or_typed(value):
    assert cell_date(value, column="债权计算日") == dt.date(2026, 6, 30)


@pytest.mark.parametrize("value", ["2026/2/30", "30/06/2026", "明天", "2026-13-01", 45000])
def test_what_is_not_a_date_is_refused_naming_the_column(value):
    with pytest.raises(CellInvalid, match="债权计算日"):
        cell_date(value, column="债权计算日")


def test_an_empty_date_is_none():
    assert cell_date(None, column="收案日期") is None
    assert cell_date("", column="收案日期") is None


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_an_amount_stored_as_a_float_comes_back_to_the_fen(amount):
    assert cell_amount(float(amount), column="本金") == amount


@pytest.mark.parametrize(("value", "amount"), [("48,500.00", "48500.00"), ("¥100", "100"),
                                                ("4.85万", "48500"), (None, "0"), ("", "0"),
                                                (3210, "3210")])
def test_an_amount_as_typed(value, amount):
    assert cell_amount(value, column="本金") == Decimal(amount)


@pytest.mark.parametrize("value", ["-1", "abc", "1.234", "1,00"])
def test_what_is_not_an_amount_is_refused_naming_the_column(value):
    with pytest.raises(CellInvalid, match="本金"):
        cell_amount(value, column="本金")


def test_an_id_number_stored_as_a_number_has_lost_digits_and_is_refused():
    with pytest.raises(CellInvalid, match="文本格式"):
        cell_number_text(522601199001011234, column="债务人证件号码")
    with pytest.raises(CellInvalid):
        cell_number_text(5.22601199001011e17, column="债务人证件号码")
    assert cell_number_text(13800000000.0, column="债务人手机") == "13800000000"
    assert cell_number_text("522601199001011234", column="债务人证件号码") == (
        "522601199001011234")


def test_yes_and_no():
    assert cell_bool("是", column="x") is True
    assert cell_bool(True, column="x") is True
    assert cell_bool(None, column="x") is False
    assert cell_bool("否", column="x") is False
    with pytest.raises(CellInvalid):
        cell_bool("也许", column="x")


def test_text_of_a_whole_number_has_no_decimal_point():
    assert cell_text(12.0) == "12"
    assert cell_text(None) == ""


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_formula_is_quoted(text):
    assert cell_safe(text) == "'" + text
    assert cell_safe("张三") == "张三"
