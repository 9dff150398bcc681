"""The report as a workbook: each sheet's table and the native chart drawn from it."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from jintiao import clock
from jintiao.domain.figures import ReportPeriod
from jintiao.supervision import exports, reports, services

pytestmark = pytest.mark.django_db

# sheet → the first cell of its table's header row
TABLES = {"月度趋势": "月份", "下级单位": "单位", "触达漏斗": "环节"}


def _header_row(sheet: Worksheet, first: str) -> int:
    rows = [c.row for c in sheet["A"] if c.value == first]
    assert len(rows) == 1, (sheet.title, rows)
    return rows[0]


def _last_row(sheet: Worksheet, header: int) -> int:
    row = header
    while sheet.cell(row + 1, 1).value not in (None, ""):
        row += 1
    return row


def _ref(sheet: Worksheet, column: str, first: int, last: int) -> str:
    return f"'{sheet.title}'!${column}${first}:${column}${last}"


@pytest.fixture
def workbook(world, cases):
    services.figures_refresh()
    report = reports.report_build(world.prefecture, ReportPeriod.month_of(clock.today()))
    return report, load_workbook(io.BytesIO(exports.report_xlsx(report)))


def test_each_chart_covers_exactly_its_table_and_names_its_series_from_the_header(workbook):
    report, book = workbook
    assert [n for n in book.sheetnames if n in TABLES] == list(TABLES)
    for name, first in TABLES.items():
        sheet = book[name]
        header = _header_row(sheet, first)
        last = _last_row(sheet, header)
        expected_rows = {"月度趋势": len(report.trend), "下级单位": len(report.counties),
                         "触达漏斗": len(report.funnel)}[name]
        assert last - header == expected_rows, name
        (chart,) = sheet._charts
        assert chart.series, name
        for series in chart.series:
            categories = series.cat.strRef or series.cat.numRef
            assert categories.f == _ref(sheet, "A", header + 1, last), name
            column = series.val.numRef.f.split("!")[1].split(":")[0].split("$")[1]
            assert series.val.numRef.f == _ref(sheet, column, header + 1, last), name
            title = series.tx.strRef.f.replace("$", "")
            assert title == f"'{sheet.title}'!{column}{header}", name
            assert sheet[f"{column}{header}"].value, name  # a named series, not an empty one


def test_the_header_is_the_styled_and_frozen_row(workbook):
    _report, book = workbook
    for name, first in TABLES.items():
        sheet = book[name]
        header = _header_row(sheet, first)
        assert sheet.cell(header, 1).font.bold, name
        assert sheet.freeze_panes == f"B{header + 1}", name
