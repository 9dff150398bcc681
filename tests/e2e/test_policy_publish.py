"""Browser test of publishing a policy version (issue 21 §5): Kaili county's administrator
opens 规则配置 from the home page, starts a new version for the county's committee from the
rules it inherits, first types a limit out of its domain and is refused in words naming the
field, then shortens nothing but lengthens the simple-track limit to 10 working days with
its source, sees the difference from the version in force, confirms, and finds the new
version listed with its change. The page is photographed for docs/policy-publish.png."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from jintiao import clock
from jintiao.domain.lifecycle import Role
from jintiao.policies.models import PolicyVersion
from tests.e2e.conftest import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password
BASIS = "凯里市金融纠纷多元化解领导小组〔2027〕2号第3条"


@pytest.fixture
def county_admin(world):
    return UserFactory(organization=world.county, roles=[Role.ADMINISTRATOR],
                       full_name="凯里市规则管理员")


def test_the_county_administrator_publishes_a_version_after_seeing_the_difference(
        world, county_admin, live_server, page, shots):
    start = clock.today() + dt.timedelta(days=7)
    log_in(page, live_server.url, county_admin.username, PASSWORD)
    page.click("#policies-link")
    expect(page.locator("h1")).to_contain_text("规则配置")
    page.click(f"#publish-{world.committee.pk}")
    expect(page.locator("#form-base")).to_contain_text("继承“黔东南州金融纠纷多元化解领导小组”第1版")
    expect(page.locator("#id_mediation_simple_limit__amount")).to_have_value("7")

    # a limit of zero days is out of its domain: refused in words, nothing stored
    page.fill("#id_valid_from", start.isoformat())
    page.fill("#id_name", "凯里市金调委调解规则（2027年版）")
    page.fill("#id_mediation_simple_limit__amount", "0")
    page.click("#policy-preview")
    expect(page.locator("#policy-refused")).to_contain_text("“简易程序调解期限”必须至少为1")
    assert not PolicyVersion.objects.filter(organization=world.committee).exists()

    page.fill("#id_mediation_simple_limit__amount", "10")
    page.fill("#id_mediation_simple_limit__source", BASIS)
    page.screenshot(path=str(shots / "policy-form.png"))
    page.click("#policy-preview")

    diff = page.locator("#diff")
    expect(diff.locator("tbody tr")).to_have_count(1)
    change = diff.locator('tr[data-change="mediation_simple_limit"]')
    expect(change).to_contain_text("简易程序调解期限")
    expect(change).to_contain_text("7个工作日")
    expect(change).to_contain_text("10个工作日")
    expect(change).to_contain_text(BASIS)
    expect(page.locator("#draft-window")).to_contain_text(start.isoformat())
    page.screenshot(path=str(shots / "policy-publish.png"), full_page=True)
    assert not PolicyVersion.objects.filter(organization=world.committee).exists()

    page.click("#policy-publish")
    expect(page.locator(".msg.success")).to_contain_text("已发布“凯里市金调委”规则第1版")
    version = page.locator("#version-1")
    expect(version).to_contain_text("凯里市金调委调解规则（2027年版）")
    expect(version).to_contain_text("待生效")
    expect(version).to_contain_text("凯里市规则管理员")
    expect(version.locator('tr[data-change="mediation_simple_limit"]')).to_contain_text(
        "10个工作日")
    page.screenshot(path=str(shots / "policy-versions.png"), full_page=True)

    row = PolicyVersion.objects.get(organization=world.committee)
    assert row.valid_from == start
    assert row.published_by_id == county_admin.pk
    assert row.sources["mediation_simple_limit"] == BASIS
