"""The ledger and the reports as spreadsheets. The ledger: .xlsx (styled, frozen header,
Chinese column names) and CSV (UTF-8 with a byte-order mark, so Excel on a Chinese
desktop reads it right).

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
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jintiao.domain import figures
from jintiao.domain.spotchecks import SHORT
from jintiao.supervision.reports import Report
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


def report_xlsx(report: Report) -> bytes:
    """A report as a workbook: the figures with the comparisons, the counties, the trend
    and the funnel, each sheet with a native Excel chart (drawn by Excel, no network)."""
    book = Workbook()
    del book[book.sheetnames[0]]
    sheet = book.create_sheet("主要指标")
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"统计期间 {report.period.start:%Y-%m-%d} 至 {report.period.end:%Y-%m-%d}"
                  + ("（本期尚未结束）" if report.partial else "")])
    _table(sheet, ["指标", "单位", "本期", "上期", "环比(%)", "去年同期", "同比(%)", "统计口径"],
           [[line.measure.label, line.measure.unit, line.value, line.before, line.change,
             line.year_ago, line.yoy, line.measure.definition] for line in report.lines]
           + [[r.label, "%", r.value, r.before, None, r.year_ago, None, r.definition]
              for r in report.rates], widths=[22, 6, 16, 16, 10, 16, 10, 80])
    trend = book.create_sheet("月度趋势")
    header = _table(trend, ["月份", "受理", "办结", "调解成功", "调解成功金额（元）", "司法确认",
                   "调解成功率(%)"],
           [[str(p), t["accepted"], t["concluded"], t["settled"], t["amount_settled"],
             t["confirmed"], t.success_rate] for p, t in report.trend], widths=[10] + [16] * 6)
    _chart(trend, "受理与调解成功（按月）", header=header, rows=len(report.trend),
           columns=(2, 4), anchor="I2")
    if report.counties:
        counties = book.create_sheet("下级单位")
        header = _table(counties, ["单位", "受理", "办结", "调解成功", "调解成功率(%)",
                          "调解成功金额（元）", "司法确认", "履行完毕", "违约"],
               [[g.label, g.tally["accepted"], g.tally["concluded"], g.tally["settled"],
                 g.tally.success_rate, g.tally["amount_settled"], g.tally["confirmed"],
                 g.tally["performed"], g.tally["defaulted"]] for g in report.counties],
               widths=[30] + [14] * 8)
        _chart(counties, "各下级单位受理与调解成功", header=header,
               rows=len(report.counties), columns=(2, 4), anchor="K2", horizontal=True)
    funnel = book.create_sheet("触达漏斗")
    top = report.funnel[0][1]
    header = _table(funnel, ["环节", "件数", "占受理(%)"],
           [[label, n, figures.rate(n, top)] for label, n in report.funnel], widths=[14, 10, 12])
    _chart(funnel, "触达漏斗", header=header, rows=len(report.funnel), columns=(2, 2),
           anchor="E2", horizontal=True)
    if report.findings:
        checks = book.create_sheet("季度抽查")
        _table(checks, ["调委会", "抽查", "已检查", *(f"{v}不符合" for v in SHORT.values()),
                        "发现的问题"],
               [[f.committee, f.drawn, f.reviewed, *(f.failed[k] for k in SHORT),
                 "；".join(f"{n}：{t}" for n, t in f.findings)] for f in report.findings],
               widths=[30, 8, 8, 12, 12, 12, 12, 80])
    book.properties.title = report.title
    book.properties.creator = "金调通"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table(sheet: Worksheet, header: list[str], rows: list[list[Any]], *,
           widths: list[int]) -> int:
    """A header row styled and frozen, then typed rows (money as numbers with two places);
    returns the header's row number.

    The header goes on the row ``append`` writes to, read back from the sheet: looking at
    a cell of an empty sheet first (``sheet["A1"]``) creates it, and the header would then
    land a row below where the charts are told it is."""
    sheet.append(header)
    first: int = sheet.max_row
    for i, cell in enumerate(sheet[first], start=1):
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(i)].width = widths[i - 1]
    for row in rows:
        sheet.append([_cell_safe(v) if isinstance(v, str) else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY
    sheet.freeze_panes = f"B{first + 1}"
    return first


def _chart(sheet: Worksheet, title: str, *, header: int, rows: int,
           columns: tuple[int, int], anchor: str, horizontal: bool = False) -> None:
    """A native bar chart of ``columns`` over the ``rows`` below the header row."""
    chart = BarChart()
    data = Reference(sheet, min_col=columns[0], max_col=columns[1], min_row=header,
                     max_row=header + rows)
    labels = Reference(sheet, min_col=1, min_row=header + 1, max_row=header + rows)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    chart.title = title
    chart.type = "bar" if horizontal else "col"
    chart.height, chart.width = 8, 16
    sheet.add_chart(chart, anchor)
