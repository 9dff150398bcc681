"""Browser tests of two batch actions (issue 20 §4, §6): the clerk accepts received
disputes texting each its options notice, one refused because its debtor has no mobile;
the court's clerk dockets the applications ticked on the workbench in one action."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jintiao import clock
from jintiao.confirmation.models import Application
from jintiao.confirmation.services import confirmation_apply
from jintiao.disputes.models import DisputeParty
from jintiao.domain.lifecycle import Role
from jintiao.parties.models import Party
from tests.confirmation.batch_helpers import agreed
from tests.e2e.conftest import log_in, round_the_clock
from tests.factories import UserFactory, intake
from tests.portal.helpers import daytime

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


def test_the_clerk_accepts_texting_the_options_notice(world, live_server, page):
    good, bad = [intake(actor=world.clerk, committee=world.committee, institution=world.branch)
                 for _ in range(2)]
    debtor = DisputeParty.objects.get(dispute=bad, role="debtor").party
    Party.objects.filter(pk=debtor.pk).update(phone_cipher="", phone_hash="")
    round_the_clock(good, bad)  # found when the suite ran after 21:00 in Beijing

    with clock.pinned(daytime()):  # the live server reads the same clock
        log_in(page, live_server.url, world.clerk.username, PASSWORD)
        page.click("nav >> text=纠纷列表")
        page.check(f"#pick-{good.pk}")
        page.check(f"#pick-{bad.pk}")
        page.check("#batch-notice-text")
        page.click("#batch >> text=批量受理")
        expect(page.locator("#batch-status")).to_have_attribute("data-state", "done")
    expect(page.locator("table[data-done]")).to_contain_text("告知书已短信发送1人")
    expect(page.locator("table[data-refused]")).to_contain_text("没有登记手机号码")


def test_the_court_clerk_dockets_the_ticked_applications(desk, live_server, page):
    clerk = UserFactory(organization=desk.court, roles=[Role.COURT_CLERK])
    filed = []
    for _ in range(2):
        d = agreed(desk)
        filed.append(confirmation_apply(actor=desk.mediator, dispute_id=d.pk,
                                        court_id=desk.court.pk, expected_version=d.version))

    log_in(page, live_server.url, clerk.username, PASSWORD)
    docket = page.locator("#docket")
    expect(docket.locator("tbody tr")).to_have_count(2)
    page.uncheck(f"#docket-{filed[1].pk}")
    page.click("#docket button:has-text('立案所选申请')")
    expect(page.locator(".messages, main")).to_contain_text("已立案 1 件")
    expect(page.locator("#docket tbody tr")).to_have_count(1)
    assert Application.objects.get(pk=filed[0].pk).case_number
    assert Application.objects.get(pk=filed[1].pk).status == Application.Status.FILED
