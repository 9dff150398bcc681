"""Browser test of a ledger export too large to answer at once (issue 19 §3): the
supervisor is told it will be made in the background, watches its progress bar move on its
own page while a worker writes it, and downloads the whole file when it is done."""

from __future__ import annotations

import csv
import io
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from jintiao.demo.seed import DEMO_PASSWORD, load_demo
from jintiao.supervision import exports, ledger_exports
from jintiao.supervision.models import LedgerExport
from jintiao.supervision.selectors import LEDGER_COLUMNS
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_supervisor_follows_a_large_export_and_downloads_it(live_server, page, settings,
                                                               monkeypatch, shots):
    load_demo(synthetic=40)
    settings.EXPORT_INLINE_ROWS = 5
    # the queue as in production: the request only records the export; a worker writes it
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    real = exports.csv_write

    def slowly(chunks, out, progress):  # a chunk every half second, so the bar is seen
        def told(done):
            progress(done)
            time.sleep(0.5)
        return real(chunks, out, told)

    monkeypatch.setattr(exports, "csv_write", slowly)

    log_in(page, live_server.url, "supervisor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/ledger/")
    page.click("text=导出 CSV")
    expect(page.locator("[data-export-large]")).to_contain_text("将在后台生成")
    page.screenshot(path=str(shots / "ledger-export-offer.png"))
    page.click("button:has-text('在后台导出')")
    expect(page.locator("h1")).to_contain_text("台账导出")
    expect(page.locator("[data-export-state]")).to_have_text("排队中")

    export = LedgerExport.objects.get()
    worker = threading.Thread(target=ledger_exports.ledger_export_run, args=(export.pk,),
                              kwargs={"chunk": 8})
    worker.start()
    try:
        expect(page.locator("[data-export-state]")).to_have_text("正在导出", timeout=15_000)
        expect(page.locator("[data-export-progress]")).to_contain_text("已写", timeout=15_000)
        bar = page.locator("#export-status progress")
        assert 0 <= int(bar.get_attribute("value") or 0) < 100
        page.screenshot(path=str(shots / "ledger-export-running.png"), full_page=True)
        expect(page.locator("[data-export-state]")).to_have_text("已完成", timeout=60_000)
    finally:
        worker.join(timeout=120)
    expect(bar).to_have_attribute("value", "100")
    total = LedgerExport.objects.get().rows_done
    expect(page.locator("[data-export-progress]")).to_have_text(f"已导出全部 {total} 行")
    with page.expect_download() as download:
        page.click("[data-export-download]")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(LEDGER_COLUMNS)
    assert len(rows) == 1 + total > 40

    page.goto(f"{live_server.url}/ledger/")
    expect(page.locator(f'[data-export="{export.pk}"]')).to_contain_text("已完成")
    page.screenshot(path=str(shots / "ledger-exports-recent.png"))
