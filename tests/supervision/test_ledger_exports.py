"""A ledger export larger than a request can answer (issue 19 §3): offered as a background
export, written a chunk at a time with its progress recorded, every row in the file or no
file at all, past Excel's rows per sheet on the next sheet, to the one who asked only."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jintiao import clock
from jintiao.disputes.models import Dispute
from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import UserRole
from jintiao.supervision import exports, ledger_exports
from jintiao.supervision.models import ExportState, LedgerExport
from jintiao.supervision.selectors import LEDGER_COLUMNS, LedgerFilter
from tests.factories import UserFactory, intake

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def five(world, cases, settings):
    """Seven disputes in all (five more at Kaili) and an inline limit of three rows."""
    for _ in range(5):
        intake(actor=world.clerk, committee=world.committee, institution=world.branch)
    settings.EXPORT_INLINE_ROWS = 3
    return world


def _export(world, **query) -> tuple[Client, LedgerExport]:
    supervisor = client_for(world.supervisor)
    offer = supervisor.get(reverse("web:ledger"), query)
    assert offer.status_code == 200
    assert "data-export-large" in offer.content.decode()
    fields = {k: v for k, v in query.items() if k != "export"}
    made = supervisor.post(reverse("web:ledger_export_create"),
                           {**fields, "format": query["export"]})
    assert made.status_code == 302
    export = LedgerExport.objects.get()
    assert made["Location"] == reverse("web:ledger_export_detail", args=[export.pk])
    return supervisor, export


def test_a_large_csv_is_written_in_the_background_with_every_row(five):
    supervisor, export = _export(five, export="csv")
    assert export.state == ExportState.DONE  # the in-process backend ran it at once
    assert (export.rows_total, export.rows_done) == (7, 7)
    page = supervisor.get(reverse("web:ledger_export_detail", args=[export.pk])).content.decode()
    assert "已导出全部 7 行" in page
    assert 'value="100"' in page
    body = b"".join(supervisor.get(
        reverse("web:ledger_export_download", args=[export.pk])).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == list(LEDGER_COLUMNS)
    assert len(rows) == 1 + 7
    numbers = {r[0] for r in rows[1:]}
    assert numbers == set(Dispute.objects.values_list("number", flat=True))


def test_the_export_keeps_the_filter(five):
    _supervisor, export = _export(five, export="csv", committee=five.committee.pk)
    assert export.rows_done == 6  # not the other committee's one
    assert export.filters["committee_id"] == five.committee.pk


def test_a_large_xlsx_goes_on_to_the_next_sheet_past_excels_rows(five, monkeypatch):
    monkeypatch.setattr(exports, "SHEET_ROWS", 3)  # a header and two rows a sheet
    supervisor, export = _export(five, export="xlsx")
    assert (export.rows_done, export.sheets) == (7, 4)
    response = supervisor.get(reverse("web:ledger_export_download", args=[export.pk]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["工作台账", "工作台账（续2）", "工作台账（续3）", "工作台账（续4）"]
    data = [row for sheet in book for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(data) == 7
    assert all(next(sheet.iter_rows(max_row=1, values_only=True)) == LEDGER_COLUMNS
               for sheet in book)
    assert "分为 4 个工作表" in supervisor.get(
        reverse("web:ledger_export_detail", args=[export.pk])).content.decode()


def test_progress_is_recorded_after_each_chunk(five, monkeypatch):
    seen = []
    real = exports.csv_write

    def spying(chunks, out, progress):
        def told(done):
            seen.append(done)
            progress(done)
        return real(chunks, out, told)

    monkeypatch.setattr(exports, "csv_write", spying)
    export = LedgerExport.objects.create(requested_by=five.supervisor, node=five.prefecture,
                                         format="csv", requested_at=clock.now())
    ledger_exports.ledger_export_run(export.pk, chunk=3)
    assert seen == [3, 6, 7]
    export.refresh_from_db()
    assert (export.state, export.rows_done, export.percent) == (ExportState.DONE, 7, 100)


def test_a_failure_leaves_no_file_and_says_so(five, monkeypatch):
    def broken(chunks, out, progress):
        progress(2)
        raise OSError("disk full")

    monkeypatch.setattr(exports, "csv_write", broken)
    export = LedgerExport.objects.create(requested_by=five.supervisor, node=five.prefecture,
                                         format="csv", requested_at=clock.now())
    with pytest.raises(OSError, match="disk full"):
        ledger_exports.ledger_export_run(export.pk)
    export.refresh_from_db()
    assert export.state == ExportState.FAILED
    assert not export.file
    assert "请重新导出" in export.error
    supervisor = client_for(five.supervisor)
    page = supervisor.get(reverse("web:ledger_export_detail", args=[export.pk])).content.decode()
    assert "data-export-error" in page
    assert supervisor.get(
        reverse("web:ledger_export_download", args=[export.pk])).status_code == 404


def test_one_who_no_longer_supervises_gets_no_file(five):
    export = LedgerExport.objects.create(requested_by=five.supervisor, node=five.prefecture,
                                         format="csv", requested_at=clock.now())
    UserRole.objects.filter(user=five.supervisor).delete()
    ledger_exports.ledger_export_run(export.pk)
    export.refresh_from_db()
    assert (export.state, bool(export.file)) == (ExportState.FAILED, False)


def test_an_export_is_the_askers_alone(five):
    _supervisor, export = _export(five, export="csv")
    other = UserFactory(organization=five.prefecture, roles=[Role.SUPERVISOR])
    for user in (other, five.county_supervisor, five.clerk, five.agent):
        client = client_for(user)
        for name in ("web:ledger_export_detail", "web:ledger_export_download"):
            assert client.get(reverse(name, args=[export.pk])).status_code == 404, (user, name)
    anonymous = Client().get(reverse("web:ledger_export_download", args=[export.pk]))
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]


def test_only_supervisors_may_ask_and_only_by_post(five):
    assert client_for(five.clerk).post(reverse("web:ledger_export_create"),
                                       {"format": "csv"}).status_code == 404
    assert client_for(five.supervisor).get(
        reverse("web:ledger_export_create")).status_code == 405
    assert not LedgerExport.objects.exists()


@pytest.mark.parametrize("fmt", ["pdf", "", "csv'"])
def test_an_unknown_format_is_refused_with_nothing_made(five, fmt):
    response = client_for(five.supervisor).post(reverse("web:ledger_export_create"),
                                                {"format": fmt}, follow=True)
    assert "不支持的导出格式" in response.content.decode()
    assert not LedgerExport.objects.exists()


def test_a_filter_that_cannot_be_read_makes_no_export(five):
    response = client_for(five.supervisor).post(
        reverse("web:ledger_export_create"),
        {"format": "csv", "received_from": "not-a-date"}, follow=True)
    assert "筛选条件无效" in response.content.decode()
    assert not LedgerExport.objects.exists()


def test_a_small_export_is_still_answered_at_once(world, cases, settings):
    settings.EXPORT_INLINE_ROWS = 10
    response = client_for(world.supervisor).get(reverse("web:ledger"), {"export": "csv"})
    assert response["Content-Disposition"].startswith("attachment")
    assert not LedgerExport.objects.exists()


def test_files_are_removed_after_their_days_but_the_record_stays(five, settings):
    _supervisor, export = _export(five, export="csv")
    name = export.file.name
    storage = export.file.storage
    assert storage.exists(name)
    LedgerExport.objects.filter(pk=export.pk).update(
        requested_at=clock.now() - dt.timedelta(days=settings.EXPORT_KEEP_DAYS + 1))
    assert ledger_exports.ledger_exports_purge() == 1
    export.refresh_from_db()
    assert not export.file
    assert not storage.exists(name)
    page = client_for(five.supervisor).get(
        reverse("web:ledger_export_detail", args=[export.pk])).content.decode()
    assert "已过保留期限" in page


def test_the_ledger_lists_ones_latest_exports(five):
    supervisor, export = _export(five, export="csv")
    page = supervisor.get(reverse("web:ledger")).content.decode()
    assert f'data-export="{export.pk}"' in page
    assert "7 行" in page
    assert f'data-export="{export.pk}"' not in client_for(
        five.county_supervisor).get(reverse("web:ledger")).content.decode()


def test_the_kept_filter_reads_back_as_it_was():
    want = LedgerFilter(state="mediating", committee_id=4, received_from=dt.date(2026, 1, 2))
    assert ledger_exports.filter_from(ledger_exports.filters_of(want)) == want


def test_a_large_export_writes_its_rows_grouped_by_thousands(world):
    """Seen in a browser: "已导出全部 100000 行" — the Chinese locale groups nothing."""
    export = LedgerExport.objects.create(
        requested_by=world.supervisor, node=world.prefecture, format="csv",
        requested_at=clock.now(), state=ExportState.RUNNING, rows_total=1_000_000,
        rows_done=100_000)
    supervisor = client_for(world.supervisor)
    url = reverse("web:ledger_export_detail", args=[export.pk])
    assert "已写 100,000 / 1,000,000 行" in supervisor.get(url).content.decode()
    LedgerExport.objects.filter(pk=export.pk).update(state=ExportState.DONE,
                                                     rows_done=1_000_000)
    assert "已导出全部 1,000,000 行" in supervisor.get(url).content.decode()
    assert "1,000,000 行" in supervisor.get(reverse("web:ledger")).content.decode()
