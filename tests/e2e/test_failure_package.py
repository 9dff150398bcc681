"""Browser test of the failure package: the mediator of a failed loan dispute ties the
confirmed facts to the complaint's elements, makes the package and opens the element-style
complaint; the court's judge finds it on the dispute page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jintiao.documents.models import FailurePackage
from tests.e2e.conftest import log_in
from tests.mediation.failure_package_helpers import evidence, failed, under_mediation

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


def test_the_desk_makes_the_package_and_opens_the_complaint(desk, live_server, new_page,
                                                            shots):
    d = under_mediation(desk)
    evidence(desk, d)  # the bank's contract, shared in the session
    d = failed(desk, d)
    page = new_page()
    log_in(page, live_server.url, desk.mediator.username, PASSWORD)

    page.goto(f"{live_server.url}/disputes/{d.pk}/")
    page.locator("#failure-package a", has_text="制作或更新移送材料").click()
    form = page.locator("form.package-form")
    form.get_by_label("第1条：借款合同约定借款金额250,000元，于2024年1月5日发放").select_option(
        "amount")
    form.get_by_label("第2条：借款年利率为6%，按月等额本息还款").select_option("rate")
    form.get_by_label("《借款合同.pdf》的证明事项").fill("借款合同关系成立及借款金额、利率的约定")
    form.locator("button[type=submit]").click()

    expect(page.locator(".msg.success")).to_contain_text("已制作调解不成移送材料")
    card = page.locator("#failure-package")
    expect(card).to_contain_text("第1版")
    expect(card).to_contain_text("债务人已认可2项")
    expect(card).to_contain_text("证据目录2项")
    page.screenshot(path=str(shots / "failure-package.png"), full_page=True)
    card.get_by_role("link", name="民事起诉状（金融借款合同纠纷）").click()
    document = page.locator(".doc")
    expect(document).to_contain_text("截至2026年6月30日，尚欠本金200,000.00元")
    expect(document).to_contain_text("借款合同约定借款金额250,000元")  # the confirmed fact
    expect(document).to_contain_text("待原告填写：约定的起止日期；是否已到期")  # not on file
    assert FailurePackage.objects.get(dispute=d).fact_elements == {"1": "amount", "2": "rate"}

    court = new_page()
    log_in(court, live_server.url, desk.judge.username, PASSWORD)
    court.goto(f"{live_server.url}/disputes/{d.pk}/")
    expect(court.locator("#failure-package")).to_contain_text("民事答辩状（金融借款合同纠纷）")
    expect(court.locator("#failure-package")).not_to_contain_text("制作或更新移送材料")
