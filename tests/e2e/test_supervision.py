"""Browser test of supervision on the demo world: the supervisor's dashboard, the monthly
report with its server-drawn charts and its PDF, a figure traced to its disputes, a
committee's ledger exported to Excel, and the demo's spot check of last quarter (not
drawn twice) with one dispute reviewed."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from jintiao import clock
from jintiao.demo.seed import DEMO_PASSWORD, load_demo
from jintiao.domain.figures import ReportPeriod
from jintiao.orgs.models import Organization, OrgKind
from jintiao.supervision import selectors
from jintiao.supervision.models import SpotCheckItem
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_supervisor_reads_the_month_and_checks_the_quarter(live_server, page, shots):
    load_demo(synthetic=80)
    prefecture = Organization.objects.get(parent=None, kind=OrgKind.LEADING_GROUP)
    month = ReportPeriod.month_of(clock.today())
    expected = selectors.tally(prefecture, month)
    log_in(page, live_server.url, "supervisor", DEMO_PASSWORD)

    page.click("nav >> text=督导首页")
    expect(page.locator("h1")).to_contain_text("督导首页")
    expect(page.locator('[data-figure="accepted"]')).to_have_text(str(expected["accepted"]))
    expect(page.locator('[data-figure="settled"]')).to_have_text(str(expected["settled"]))
    today = clock.today()
    expect(page.locator("#this-month h2")).to_contain_text(f"截至{today.month}月{today.day}日")
    expect(page.locator("#overdue")).to_contain_text("与工作台“已超期”口径相同")
    assert page.locator("table.figures").nth(3).locator("tbody tr").count() == 16  # counties
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)

    page.click("text=本月月报")
    expect(page.locator("h1")).to_contain_text("月报")
    expect(page.locator("figure.chart svg")).to_have_count(3)
    page.fill("input[name=period]", str(month.previous))  # a whole month for the record
    page.click("button:has-text('生成')")
    expect(page.locator("h1")).to_contain_text(month.previous.label)
    expect(page.locator('[data-figure="accepted"]')).to_have_text(
        str(selectors.tally(prefecture, month.previous)["accepted"]))
    with page.expect_download() as download:
        page.click("text=下载 PDF")
    pdf = download.value.path()
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    assert len(document) >= 2
    first = document[0].render(scale=1.4).to_pil()
    first.save(shots / "report-pdf.png")
    text = document[0].get_textpage().get_text_range()
    assert "月报" in text.replace("\n", "")

    page.goto(f"{live_server.url}/statistics/?node={prefecture.pk}&period={month}")
    page.click('[data-figure="accepted"]')
    expect(page.locator("p.rule")).to_contain_text("受理日期在统计期间内")
    expect(page.locator("table tbody tr")).to_have_count(min(int(expected["accepted"]), 50))

    page.click("nav >> text=工作台账")
    committee = Organization.objects.filter(kind=OrgKind.COMMITTEE).order_by("path").first()
    page.select_option("select[name=committee]", str(committee.pk))
    page.click("button:has-text('查询')")
    expected_rows = committee.disputes.count()
    expect(page.locator("table.ledger tbody tr")).to_have_count(min(expected_rows, 50))
    with page.expect_download() as exported:
        page.click("text=导出 Excel")
    assert exported.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(exported.value.path().read_bytes())).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(numbers) == sorted(committee.disputes.values_list("number", flat=True))

    page.click("nav >> text=督导首页")
    page.click("text=季度抽查")
    last_quarter = ReportPeriod.parse(
        f"{month.year}-Q{(month.index - 1) // 3 + 1}").previous  # the demo drew it already
    page.fill("input[name=year]", str(last_quarter.year))
    page.select_option("select[name=quarter]", str(last_quarter.index))
    page.fill("input[name=per_committee]", "2")
    page.click("button:has-text('抽取')")
    expect(page.locator("p.msg.error")).to_contain_text("已抽查")
    page.click(f"table a:has-text('{prefecture.name}')")
    expect(page.locator("h1")).to_contain_text(f"{last_quarter.label}抽查")
    item = (SpotCheckItem.objects.filter(reviewer__username="supervisor", reviewed_at=None)
            .order_by("pk").first())
    assert item is not None
    card = page.locator(f"#item-{item.pk}")
    for key in ("procedure_followed", "agreement_complete", "rights_explained"):
        card.locator(f"input[name=item{item.pk}-{key}][value=yes]").check()
    card.locator(f"input[name=item{item.pk}-deadlines_kept][value=no]").check()
    card.locator("textarea").fill("延期未见当事人书面同意")
    card.locator("button[type=submit]").click()
    expect(page.locator("p.msg.success")).to_contain_text("已保存")
    item.refresh_from_db()
    assert item.answers["deadlines_kept"] is False
    assert item.findings == "延期未见当事人书面同意"
