"""The ledger as a spreadsheet: .xlsx (styled, frozen header, Chinese column names) and
CSV (UTF-8 with a byte-order mark, so Excel on a Chinese desktop reads it right).

Rows stream: the workbook is written in openpyxl's write-only mode, so a prefecture's
ledger does not sit in memory twice. Money stays Decimal until the cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jintiao.supervision.selectors import LEDGER_COLUMNS, LedgerRow, ledger_values

MONEY = "#,##0.00"
DAY = "yyyy-mm-dd"
WIDTHS = {"纠纷编号": 28, "当事人": 40, "受理调委会": 26, "金融机构": 26}
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_THIN = Side(style="thin", color="BFBFBF")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def csv_chunks(rows: Iterable[LedgerRow]) -> Iterator[str]:
    """The ledger as CSV text, a header then one line per dispute."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(LEDGER_COLUMNS)
    for row in rows:
        writer.writerow([_cell_safe(_text(v)) for v in ledger_values(row)])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _cell_safe(text: str) -> str:
    """A cell that begins with = + - @ (or a tab or carriage return) is a formula to a
    spreadsheet: quote it, so a name typed at intake cannot run in Excel (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def xlsx_bytes(rows: Iterable[LedgerRow], *, title: str) -> bytes:
    """The ledger as a workbook: one sheet, a styled and frozen header, typed cells."""
    book = Workbook(write_only=True)
    sheet: Worksheet = book.create_sheet("工作台账")
    sheet.freeze_panes = "B2"
    for i, name in enumerate(LEDGER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = WIDTHS.get(name, 14)
    header = []
    for name in LEDGER_COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(bottom=_THIN)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in ledger_values(row):
            cell = WriteOnlyCell(sheet, value=_cell_safe(value) if isinstance(value, str)
                                 else value)
            if isinstance(value, Decimal):
                cell.number_format = MONEY
            elif isinstance(value, dt.date):
                cell.number_format = DAY
            cells.append(cell)
        sheet.append(cells)
    book.properties.title = title
    book.properties.creator = "金调通"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
