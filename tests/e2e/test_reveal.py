"""查看完整号码 in the browser: the mediator opens the party card's link, is sent back for a
reason too short, gives one and sees the numbers; the supervisor then reads who saw whose
data and why — without the numbers."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jintiao.parties.crypto import decrypt
from tests.e2e.conftest import log_in
from tests.portal.helpers import debtor_of

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


def test_the_mediator_asks_for_the_number_with_a_reason_and_the_supervisor_sees_it(
        world, mediating, live_server, new_page, shots):
    url = live_server.url
    party = debtor_of(mediating)
    number = decrypt(party.id_cipher)

    mediator = new_page()
    log_in(mediator, url, world.mediator.username, PASSWORD)
    mediator.goto(f"{url}/disputes/{mediating.pk}/")
    expect(mediator.locator("main")).not_to_contain_text(number)
    mediator.locator("tr", has_text=party.name).locator("a.reveal").click()
    expect(mediator.locator("h1")).to_contain_text("查看完整号码")
    mediator.check("input[name=what][value=id_number]")
    mediator.check("input[name=what][value=phone]")
    mediator.select_option("select[name=reason]", "verify_identity")
    mediator.fill("input[name=note]", "核对")
    mediator.click("#reveal-form button[type=submit]")
    # the browser's own check or the page's: either way, no number yet
    expect(mediator.locator("#revealed")).to_have_count(0)
    mediator.fill("input[name=note]", "调解前核对身份证原件")
    mediator.click("#reveal-form button[type=submit]")
    expect(mediator.locator("#revealed-id")).to_have_text(number)
    expect(mediator.locator("#revealed-phone")).to_have_text("13812345678")
    mediator.screenshot(path=str(shots / "reveal.png"))
    mediator.click("text=返回纠纷页面")
    expect(mediator.locator("ol.timeline")).to_contain_text("查看当事人完整号码")
    expect(mediator.locator("ol.timeline")).to_contain_text("调解前核对身份证原件")

    supervisor = new_page()
    log_in(supervisor, url, world.supervisor.username, PASSWORD)
    supervisor.click("nav >> text=个人信息查阅记录")
    table = supervisor.locator("#personal-data")
    expect(table).to_contain_text(mediating.number)
    expect(table).to_contain_text(party.name)
    expect(table).to_contain_text("核验当事人身份（调解前核对身份证原件）")
    expect(table).not_to_contain_text(number)
