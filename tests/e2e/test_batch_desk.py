"""Browser test of batch work at the desk (issue 20 §4): the clerk ticks received disputes
on the list and accepts them in one action, then reads what was done and why one was not;
the director asks for a batch assignment, reads the proposed mediator per dispute and
confirms."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jintiao.disputes.models import Dispute
from jintiao.domain.lifecycle import Action, State
from jintiao.mediation.services import action_apply
from tests.e2e.conftest import log_in
from tests.factories import intake

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


def test_the_clerk_accepts_a_batch_and_the_director_assigns_it(world, live_server,
                                                               new_page):
    made = [intake(actor=world.clerk, committee=world.committee, institution=world.branch)
            for _ in range(3)]
    declined = made[2]
    action_apply(actor=world.clerk, dispute_id=declined.pk, action=Action.DECLINE,
                 expected_version=declined.version, reason="不属于受理范围")

    clerk = new_page()
    log_in(clerk, live_server.url, world.clerk.username, PASSWORD)
    clerk.click("nav >> text=纠纷列表")
    for d in made:
        clerk.check(f"#pick-{d.pk}")
    clerk.check("#batch-notice")
    clerk.click("#batch >> text=批量受理")
    expect(clerk.locator("h1")).to_contain_text("批量受理")
    expect(clerk.locator("#batch-status")).to_have_attribute("data-state", "done")
    expect(clerk.locator("table[data-done] tbody tr")).to_have_count(2)
    refused = clerk.locator("table[data-refused] tbody tr")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text(declined.number)
    expect(refused).to_contain_text("不予受理")

    director = new_page()
    log_in(director, live_server.url, world.director.username, PASSWORD)
    director.goto(f"{live_server.url}/disputes/?state=accepted")
    director.check("#scope-filter")
    director.click("#batch >> text=批量分派")
    proposal = director.locator("table[data-proposal] tbody tr")
    expect(proposal).to_have_count(2)
    expect(director.locator("table[data-proposal]")).to_contain_text(str(world.mediator))
    expect(director.locator("table[data-proposal]")).to_contain_text(
        str(world.other_mediator))
    director.click("text=确认分派（2 件）")
    expect(director.locator("#batch-status")).to_have_attribute("data-state", "done")
    expect(director.locator("table[data-done] tbody tr")).to_have_count(2)
    assert Dispute.objects.filter(pk__in=[d.pk for d in made[:2]],
                                  state=State.MEDIATING).count() == 2
