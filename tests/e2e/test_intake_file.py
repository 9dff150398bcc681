"""Browser test of a bank's element-table file (issue 20 §1): the agent downloads the
template, uploads a filled file too large to file in the request, watches the progress bar
move while a worker checks it, reads which rows were not filed and why, and downloads the
report with each row's result."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from jintiao.disputes import intake_batch, intake_files
from jintiao.disputes.models import Dispute, IntakeFile
from tests.disputes.test_intake_files import row, xlsx
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


def test_the_agent_uploads_an_element_table_and_follows_it(world, live_server, page, settings,
                                                          monkeypatch, shots, tmp_path):
    settings.INTAKE_FILE_INLINE_ROWS = 5
    # the queue as in production: the request only records the file; a worker files it
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(intake_batch, "PROGRESS_EVERY", 4)
    real = intake_files.dispute_intake_many

    def slowly(*, progress, **kwargs):  # a step every half second, so the bar is seen
        def told(done):
            progress(done)
            time.sleep(0.5)
        return real(progress=told, **kwargs)

    monkeypatch.setattr(intake_files, "dispute_intake_many", slowly)
    rows = [row(n) for n in range(1, 21)]
    rows[6] = row(7, 债务人证件号码="522601199001011234")  # a check digit that does not check
    rows[12] = row(13, 本金="abc")
    filled = tmp_path / "要素表-2026年12月.xlsx"
    filled.write_bytes(xlsx(rows))

    log_in(page, live_server.url, world.agent.username, PASSWORD)
    page.click("#intake-files-link")
    expect(page.locator("h1")).to_have_text("要素表批量登记")
    with page.expect_download() as template:
        page.click("[data-template]")
    book = openpyxl.load_workbook(io.BytesIO(Path(template.value.path()).read_bytes()))
    assert book.sheetnames == ["要素表", "填写说明"]

    page.set_input_files("input[name=file]", str(filled))
    page.select_option("select[name=committee]", str(world.committee.pk))
    page.screenshot(path=str(shots / "intake-file-upload.png"), full_page=True)
    page.click("#intake-upload button[type=submit]")
    expect(page.locator("h1")).to_have_text("要素表处理结果")
    expect(page.locator("[data-intake-state]")).to_have_text("排队中")

    upload = IntakeFile.objects.get()
    worker = threading.Thread(target=intake_files.intake_file_run, args=(upload.pk,))
    worker.start()
    try:
        expect(page.locator("[data-intake-progress]")).to_contain_text("已校验", timeout=15_000)
        bar = page.locator("#intake-status progress")
        assert 0 <= int(bar.get_attribute("value") or 0) < 100
        page.screenshot(path=str(shots / "intake-file-running.png"), full_page=True)
        expect(page.locator("[data-intake-state]")).to_have_text("已完成", timeout=60_000)
    finally:
        worker.join(timeout=120)
    expect(bar).to_have_attribute("value", "100")
    expect(page.locator('[data-count="created"]')).to_have_text("18")
    expect(page.locator('[data-count="refused"]')).to_have_text("2")
    not_filed = page.locator("#intake-rows tbody tr")
    expect(not_filed).to_have_count(2)
    expect(not_filed.nth(0)).to_contain_text("8")  # line 8: the seventh row
    expect(not_filed.nth(0)).to_contain_text("债务人证件号码")
    expect(not_filed.nth(1)).to_contain_text("本金")
    page.screenshot(path=str(shots / "intake-file-done.png"), full_page=True)

    with page.expect_download() as report:
        page.click("[data-intake-report]")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(report.value.path()).read_bytes())).active
    outcomes = [c.value for c in sheet["A"]][1:]
    assert outcomes.count("已登记") == 18
    assert outcomes[6] == outcomes[12] == "未通过校验"
    assert Dispute.objects.count() == 18
