"""Cells of the tables people send and receive (a bank's element-table file, a report of it,
the ledger): what a cell typed in Excel or WPS means, and what is safe to write into one.

A spreadsheet hands over numbers, dates and text as it stored them, not as they were typed:
an 18-digit ID number typed into a number cell has lost its last digits, a date may arrive as
a date, as ``2026/6/30`` or as ``2026年6月30日``. Each reader here says which, or refuses the
cell with the column's name.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.money import parse_amount

# Cells that begin with = + - @ (or a tab or carriage return) are formulas to a spreadsheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# a float holds every integer exactly up to 2**53 (16 digits); an ID number has 18
FLOAT_EXACT_DIGITS = 15
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
YES = frozenset({"是", "y", "yes", "true", "1", "已告知", "√"})
NO = frozenset({"否", "n", "no", "false", "0", "未告知", ""})


class CellInvalid(DomainError):
    """A cell that does not hold what its column takes."""

    code = ErrorCode.VALIDATION_ERROR


def cell_safe(text: str) -> str:
    """A cell that begins with = + - @ (or a tab or carriage return) is a formula to a
    spreadsheet: quote it, so a name typed at intake cannot run in Excel (CSV injection)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def cell_text(value: Any) -> str:
    """A cell as text, stripped; a whole number stored as a number without its ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def cell_number_text(value: Any, *, column: str) -> str:
    """A cell that holds a number as digits (an ID number, a phone): refused when the
    spreadsheet stored it as a number too long to keep every digit.

    :raises CellInvalid: a number of more than 15 digits (its last digits are lost)
    """
    if isinstance(value, float | int) and not isinstance(value, bool):
        whole = int(value)
        if len(str(abs(whole))) > FLOAT_EXACT_DIGITS:
            raise CellInvalid(
                f"“{column}”被表格存为数字，末几位已丢失（{whole:.6g}）：请将该列设为文本格式后"
                "重新填写", f"{column} was stored as a number and lost its last digits",
                field=column)
    return cell_text(value)


def cell_date(value: Any, *, column: str) -> dt.date | None:
    """A date as a spreadsheet stores it or as people type it (2026-06-30, 2026/6/30,
    2026.6.30, 2026年6月30日, 20260630); ``None`` for an empty cell.

    :raises CellInvalid: anything else, or a day that does not exist
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise CellInvalid(f"“{column}”不是有效日期：{text}（应如2026-06-30）",
                      f"{column} is not a date: {text}", field=column)


def cell_amount(value: Any, *, column: str) -> Decimal:
    """An amount in yuan as a spreadsheet stores it or as people type it (12,345.67, ¥100,
    2.5万); an empty cell is zero.

    :raises CellInvalid: not an amount, negative, or finer than a fen
    """
    if value is None or value == "":
        return Decimal(0)
    text = repr(value) if isinstance(value, float) else cell_text(value)
    try:
        return parse_amount(text)
    except DomainError as exc:
        raise CellInvalid(f"“{column}”{exc.message}", exc.message_en, field=column) from None


def cell_bool(value: Any, *, column: str) -> bool:
    """是/否 (and the usual ways of writing them); an empty cell is no.

    :raises CellInvalid: anything else
    """
    text = cell_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellInvalid(f"“{column}”应填“是”或“否”：{text}", f"{column} is yes or no: {text}",
                      field=column)
