"""Browser test: a supervisor finds the signed checkpoints from the dashboard and reads
each root and the key's fingerprint, newest first (issue 18 §4b)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jintiao.timeline.checkpoints import checkpoint_create, key_fingerprint
from tests.e2e.conftest import log_in
from tests.factories import intake

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "checkpoints-e2e-2026"  # noqa: S105 - a test persona's


def test_a_supervisor_reads_the_checkpoints(live_server, page, shots, world, settings,
                                            tmp_path):
    settings.PKI_DIR = tmp_path / "pki"
    intake(actor=world.clerk, committee=world.committee)
    older = checkpoint_create()
    intake(actor=world.clerk, committee=world.committee)
    newest = checkpoint_create(actor=world.supervisor)
    world.supervisor.set_password(PASSWORD)
    world.supervisor.save()

    log_in(page, live_server.url, world.supervisor.username, PASSWORD)
    page.click("nav >> text=督导首页")
    page.click("main >> text=审计检查点")
    expect(page.locator("h1")).to_have_text("审计检查点")
    rows = page.locator("table.checkpoints tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-checkpoint", str(newest.pk))
    expect(rows.nth(0)).to_contain_text(newest.root)
    expect(rows.nth(0)).to_contain_text(str(world.supervisor))
    expect(rows.nth(1)).to_contain_text(older.root)
    expect(rows.nth(1)).to_contain_text("平台定时")
    expect(page.locator("[data-fingerprint]")).to_have_text(key_fingerprint())
    assert newest.count == older.count + 1
    page.screenshot(path=str(shots / "checkpoints.png"), full_page=True)


def test_a_checkpoint_signed_despite_a_rewrite_shows_its_reason(live_server, page, world,
                                                                 settings, tmp_path):
    from tests.timeline.test_checkpoints import rechain

    settings.PKI_DIR = tmp_path / "pki"
    dispute = intake(actor=world.clerk, committee=world.committee)
    checkpoint_create()
    rechain(dispute, 1, params={"claim_total": "1.00"})
    signed = checkpoint_create(despite="从11月30日的备份恢复")
    world.supervisor.set_password(PASSWORD)
    world.supervisor.save()

    log_in(page, live_server.url, world.supervisor.username, PASSWORD)
    page.goto(f"{live_server.url}/supervision/checkpoints/")
    row = page.locator(f"tr[data-checkpoint='{signed.pk}']")
    expect(row.locator("[data-despite]")).to_have_text("日志不连续时签署：")
    expect(row).to_contain_text("从11月30日的备份恢复")
    expect(row).to_contain_text(f"纠纷#{dispute.pk}的第1条事件与")
