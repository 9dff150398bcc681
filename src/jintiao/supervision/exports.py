"""The ledger and the reports as spreadsheets. The ledger: .xlsx (styled, frozen header,
Chinese column names) and CSV (UTF-8 with a byte-order mark, so Excel on a Chinese
desktop reads it right).

Rows stream: the ledger's workbook is written by XlsxWriter in constant-memory mode, a chunk
of rows at a time, so a province's ledger never sits in memory; a large one is written to a
file by a background task (:mod:`jintiao.supervision.tasks`). Amounts come in whole fen and
are written as the Decimal yuan they are (two places, never a float). Both writers format a
chunk a column at a time (issue 19 §3 asks 20,000 rows a second of CSV, 10,000 of .xlsx).
The reports' workbooks, small and charted, are written by openpyxl. An institution's
results file (结果回传) is written like the ledger's workbook, through XlsxWriter's own calls.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, BinaryIO, TextIO

import xlsxwriter
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from xlsxwriter.utility import xl_col_to_name

from jintiao import clock
from jintiao.domain import figures
from jintiao.domain.money import from_fen
from jintiao.domain.spotchecks import SHORT
from jintiao.domain.tables import FORMULA_START as _FORMULA_START
from jintiao.domain.tables import cell_safe
from jintiao.supervision.reports import Report
from jintiao.supervision.selectors import (
    LEDGER_COLUMNS,
    LEDGER_KINDS,
    Kind,
    LedgerCells,
    ResultRow,
)

Progress = Callable[[int], None]  # told the rows written so far
MONEY = "#,##0.00"
DAY = "yyyy-mm-dd"
WIDTHS = {"纠纷编号": 28, "当事人": 40, "受理调委会": 26, "金融机构": 26}
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_THIN = Side(style="thin", color="BFBFBF")


_FEN_SHORT = 10**16  # fewer digits than this: the same text from integers as from Decimal
_cell_safe = cell_safe  # quotes a cell that a spreadsheet would take for a formula


def _yuan(fen: int | None) -> str:
    """An amount in fen as CSV has it: yuan with two places (as ``f"{Decimal:.2f}"``)."""
    if fen is None:
        return ""
    if 0 <= fen < _FEN_SHORT:
        yuan, cents = divmod(fen, 100)
        return f"{yuan}.{cents:02d}"
    return _cell_safe(f"{from_fen(fen):.2f}")


def _count(n: int | None) -> str:
    return "" if n is None else _cell_safe(str(n))


def _csv_rows(chunk: list[LedgerCells]) -> list[tuple[str, ...]]:
    """A chunk's rows as CSV text, a column at a time (one pass a column, no per-cell type
    test): dates ISO, amounts in yuan, text quoted where a spreadsheet would take it for a
    formula."""
    columns: list[list[str]] = []
    for kind, column in zip(LEDGER_KINDS, zip(*chunk, strict=True), strict=True):
        if kind is Kind.TEXT:  # _cell_safe, without a call a cell
            columns.append(["'" + t if t.startswith(_FORMULA_START) else t for t in column])
        elif kind is Kind.DAY:
            columns.append(["" if d is None else d.isoformat() for d in column])
        elif kind is Kind.FEN:
            columns.append(list(map(_yuan, column)))
        else:
            columns.append(list(map(_count, column)))
    return list(zip(*columns, strict=True))


def csv_chunks(rows: Iterable[LedgerCells], lines: int = 500) -> Iterator[str]:
    """The ledger as CSV text, a header then one line per dispute, yielded ``lines`` at a
    time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(LEDGER_COLUMNS)
    chunk: list[LedgerCells] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == lines:
            writer.writerows(_csv_rows(chunk))
            chunk = []
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if chunk:
        writer.writerows(_csv_rows(chunk))
    yield buffer.getvalue()


def csv_write(chunks: Iterable[list[LedgerCells]], out: TextIO,
              progress: Progress | None = None) -> int:
    """The ledger as CSV into ``out`` (a text file), a chunk of rows at a time; return the
    rows written. ``progress`` is told the running total after each chunk."""
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(LEDGER_COLUMNS)
    done = 0
    for chunk in chunks:
        if chunk:
            writer.writerows(_csv_rows(chunk))
        done += len(chunk)
        if progress is not None:
            progress(done)
    return done


# Excel's rows a sheet (ECMA-376; Excel's specifications and limits): one is the header
SHEET_ROWS = 1_048_576


def xlsx_bytes(rows: Iterable[LedgerCells], *, title: str) -> bytes:
    """The ledger as a workbook in memory (a page's worth; larger ones go through
    :func:`xlsx_write` to a file)."""
    out = io.BytesIO()
    xlsx_write([list(rows)], out, title=title)
    return out.getvalue()


def xlsx_write(chunks: Iterable[list[LedgerCells]], out: str | BinaryIO, *, title: str,
               progress: Progress | None = None) -> tuple[int, int]:
    """The ledger as a workbook streamed row by row in constant memory: a styled, frozen
    header, typed cells (money as written, dates as dates). Past Excel's 1,048,576 rows a
    sheet, the rows go on in 工作台账（续2）, （续3）… each with its header, never cut off.
    Return the rows and the sheets written."""
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": title, "author": "金调通"})
    header = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79",
                              "align": "center", "valign": "vcenter", "text_wrap": True,
                              "bottom": 1, "bottom_color": "#BFBFBF"})
    rows = _SheetRows(book.add_format({"num_format": MONEY}),
                      book.add_format({"num_format": DAY}))

    def new_sheet(n: int) -> Any:
        sheet = book.add_worksheet("工作台账" if n == 1 else f"工作台账（续{n}）")
        sheet.freeze_panes(1, 1)
        for i, name in enumerate(LEDGER_COLUMNS):
            sheet.set_column(i, i, WIDTHS.get(name, 14))
            sheet.write_string(0, i, name, header)
        sheet._write_single_row(1)  # the header, out to the row file before any row
        return sheet

    sheets, done = 1, 0
    sheet, line = new_sheet(1), 1
    for chunk in chunks:
        left = chunk
        while left:
            if line == SHEET_ROWS:
                sheets += 1
                sheet, line = new_sheet(sheets), 1
            part, left = left[:SHEET_ROWS - line], left[SHEET_ROWS - line:]
            rows.write(sheet, line, part)
            line += len(part)
        done += len(chunk)
        if progress is not None:
            progress(done)
    book.close()
    return done, sheets


# XlsxWriter writes a string otherwise than as it stands (escaped, marked to keep its
# spaces, taken for rich text, cut short) when it holds one of these characters, or text
# like its own escapes, or whitespace at either end, or is too long for a cell
_ESCAPED = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]")
_ESCAPE_LIKE = re.compile(r"_x[0-9a-fA-F]{4}_")
_CELL_CHARS = 32767 // 2  # longer, and XlsxWriter measures the string (and may cut it)


def _as_it_stands(text: str) -> bool:
    """Whether XlsxWriter writes ``text`` into a cell as it stands (whitespace by
    ``str.isspace``, as ``re``'s ``\\s``)."""
    return (len(text) <= _CELL_CHARS and text == text.strip()
            and not _ESCAPED.search(text) and not _ESCAPE_LIKE.search(text))


def _as_they_stand(texts: list[str]) -> bool:
    """:func:`_as_it_stands` for each of ``texts``, looked at all at once (C loops over
    the column, no Python call a string)."""
    joined = "".join(texts)
    return (max(map(len, texts)) <= _CELL_CHARS and list(map(str.strip, texts)) == texts
            and not _ESCAPED.search(joined) and not _ESCAPE_LIKE.search(joined))


class _SheetRows:
    """Ledger rows into a worksheet of a constant-memory XlsxWriter workbook, as the XML
    XlsxWriter writes for them, a chunk at a time.

    XlsxWriter keeps a row as Cell tuples and turns each into XML with a dozen calls
    (two thirds of an export's time, issue 19 §3). Here a column of a chunk becomes its
    cells' XML at once — inline strings, amounts and dates with the money and day formats —
    and the rows go straight into the sheet's row file. A row with a string XlsxWriter
    would change (:func:`_as_it_stands`) is written by XlsxWriter itself.

    What this takes from inside XlsxWriter (pinned in pyproject.toml) — the row file
    ``fh``, ``previous_row``, ``dim_rowmax``, ``_write_single_row``, a format's
    ``_get_xf_index``, a sheet's ``_convert_date_time`` — is held to XlsxWriter's own output,
    part by part, by tests/supervision/test_ledger_export_parity.py."""

    def __init__(self, money: Any, day: Any) -> None:
        self.money, self.day = money, day
        self.letters = [xl_col_to_name(i) for i in range(len(LEDGER_COLUMNS))]
        self.serials: dict[dt.date, str] = {}

    def write(self, sheet: Any, line: int, rows: list[LedgerCells]) -> None:
        """Write ``rows`` from the sheet's row ``line`` (0-based) on."""
        # the formats' numbers in the order XlsxWriter gives them: an amount (the claim)
        # comes before any date in every row
        money, day = self.money._get_xf_index(), self.day._get_xf_index()
        numbers = [str(n) for n in range(line + 1, line + 1 + len(rows))]
        odd: set[int] = set()
        columns: list[list[str]] = []
        for letter, kind, column in zip(self.letters, LEDGER_KINDS, zip(*rows, strict=True),
                                        strict=True):
            if kind is Kind.TEXT:  # _cell_safe, without a call a cell
                texts = ["'" + t if t.startswith(_FORMULA_START) else t for t in column]
                if not _as_they_stand(texts):
                    odd.update(i for i, t in enumerate(texts) if not _as_it_stands(t))
                columns.append([f'<c r="{letter}{n}" t="inlineStr"><is><t>{t}</t></is></c>'
                                if t else "" for n, t in zip(numbers, texts, strict=True)])
            elif kind is Kind.FEN:
                columns.append([f'<c r="{letter}{n}" s="{money}"><v>{_number(v)}</v></c>'
                                if v is not None else ""
                                for n, v in zip(numbers, column, strict=True)])
            elif kind is Kind.DAY:
                serials = self.serials
                for d in set(column).difference(serials):
                    if d is not None:
                        serials[d] = f"{sheet._convert_date_time(d):.16G}"
                columns.append([f'<c r="{letter}{n}" s="{day}"><v>{serials[v]}</v></c>'
                                if v is not None else ""
                                for n, v in zip(numbers, column, strict=True)])
            else:
                columns.append([f'<c r="{letter}{n}"><v>{v:.16G}</v></c>' if v is not None
                                else "" for n, v in zip(numbers, column, strict=True)])
        cells = zip(numbers, zip(*columns, strict=True), strict=True)
        if not odd:
            self._flush(sheet, [f'<row r="{n}">{"".join(row)}</row>' for n, row in cells],
                        line + len(rows) - 1)
            return
        fast: list[str] = []
        for i, (n, row) in enumerate(cells):
            if i in odd:
                self._flush(sheet, fast, line + i - 1)
                self._through_xlsxwriter(sheet, line + i, rows[i])
            else:
                fast.append(f'<row r="{n}">{"".join(row)}</row>')
        self._flush(sheet, fast, line + len(rows) - 1)

    @staticmethod
    def _flush(sheet: Any, fast: list[str], last: int) -> None:
        """Out to the sheet's row file the rows made so far, the last of them ``last``; the
        sheet then counts its rows to there and takes the next row after it."""
        if fast:
            sheet.fh.write("".join(fast))
            fast.clear()
            sheet.dim_rowmax = last
            sheet.previous_row = last

    def _through_xlsxwriter(self, sheet: Any, line: int, row: LedgerCells) -> None:
        """One row through XlsxWriter's own calls, as every row was written before, and out
        to the row file at once."""
        for col, (kind, value) in enumerate(zip(LEDGER_KINDS, row, strict=True)):
            if value is None or value == "":
                continue
            if kind is Kind.TEXT:
                sheet.write_string(line, col, _cell_safe(value))
            elif kind is Kind.FEN:
                sheet.write_number(line, col, from_fen(value), self.money)
            elif kind is Kind.DAY:
                sheet.write_datetime(line, col, value, self.day)
            else:
                sheet.write_number(line, col, value)
        sheet._write_single_row(line + 1)


def _number(fen: int) -> str:
    """An amount in fen as XlsxWriter writes its Decimal in yuan (``f"{Decimal:.16G}"``)."""
    if 0 <= fen < _FEN_SHORT:
        yuan, cents = divmod(fen, 100)
        return f"{yuan}.{cents:02d}"
    return f"{from_fen(fen):.16G}"


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


# --- an institution's results file (结果回传) ---

# (column, width): what a bank's staff read back of each dispute, by its own reference
RESULTS_COLUMNS: tuple[tuple[str, int], ...] = (
    ("机构业务编号", 22), ("纠纷编号", 28), ("金融机构", 24), ("债务人", 28), ("收案日期", 12),
    ("状态", 12), ("状态代码", 14), ("调解结果", 14), ("办结日期", 12), ("最近变动时间", 19),
    ("协议还款总额（元）", 16), ("期数", 8), ("首付（元）", 14), ("首期还款日", 12),
    ("末期还款日", 12), ("每期还款额（元）", 16), ("协议生效日期", 12), ("确认法院", 22),
    ("司法确认案号", 24), ("司法确认状态", 16), ("裁定日期", 12), ("已还款笔数", 10),
    ("已还款金额（元）", 16), ("最近还款日", 12), ("是否违约", 10), ("违约日期", 12),
    ("加速到期日", 12), ("强制执行状态", 16), ("未履行金额（元）", 16), ("申请执行期限", 12),
    ("申请执行日期", 12),
)


def _result_cells(r: ResultRow) -> tuple[Any, ...]:
    """One dispute's cells in the order of :data:`RESULTS_COLUMNS`: text (labelled,
    personal data masked), amounts as Decimal, dates as dates, None for nothing."""
    a, c, p, e = r.agreement, r.confirmation, r.payments, r.enforcement
    changed = (r.changed_at.astimezone(clock.TZ).replace(tzinfo=None)
               if r.changed_at is not None else None)
    return (
        r.external_ref, r.number, r.institution,
        "；".join(f"{d.name}（{d.id_masked}）" if d.id_masked else d.name for d in r.debtors),
        r.received_on, r.state_label, r.state, r.outcome_label, r.concluded_on, changed,
        a.total if a else None, a.instalments if a else None, a.down_payment if a else None,
        a.first_due_on if a else None, a.last_due_on if a else None,
        a.monthly_amount if a else None, a.effective_on if a else None,
        c.court if c else "", c.case_number if c else "", c.status_label if c else "",
        c.ruled_on if c else None, p.count, p.total, p.last_paid_on,
        "是" if r.in_default else "否", r.defaulted_on, r.accelerated_on,
        e.status_label if e else "", e.amount if e else None, e.last_day if e else None,
        e.applied_on if e else None)


def results_xlsx_write(chunks: Iterable[list[ResultRow]], out: str | BinaryIO, *,
                       title: str) -> int:
    """An institution's results as a workbook, streamed in constant memory: a styled,
    frozen header, then a row a dispute — text as text (quoted where a spreadsheet would
    take it for a formula), money with two places, dates as dates. Return the rows."""
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": title, "author": "金调通"})
    header = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79",
                              "align": "center", "valign": "vcenter", "text_wrap": True})
    money = book.add_format({"num_format": MONEY})
    day = book.add_format({"num_format": DAY})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet = book.add_worksheet("结果回传")
    sheet.freeze_panes(1, 1)
    for i, (name, width) in enumerate(RESULTS_COLUMNS):
        sheet.set_column(i, i, width)
        sheet.write_string(0, i, name, header)
    line = 0
    for chunk in chunks:
        for r in chunk:
            line += 1
            for col, value in enumerate(_result_cells(r)):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    sheet.write_string(line, col, _cell_safe(value))
                elif isinstance(value, Decimal):
                    sheet.write_number(line, col, value, money)
                elif isinstance(value, dt.datetime):
                    sheet.write_datetime(line, col, value, moment)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(line, col, value, day)
                else:
                    sheet.write_number(line, col, value)
    book.close()
    return line


def results_xlsx_bytes(chunks: Iterable[list[ResultRow]], *, title: str) -> bytes:
    out = io.BytesIO()
    results_xlsx_write(chunks, out, title=title)
    return out.getvalue()
