"""Browser test of the director's mediator list in a prefecture with many mediators: 20 to a
page, a search by name or expertise that the pages keep, the conflicted apart with why, and
a lead found by searching assigned."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jintiao.domain.lifecycle import Action, Role, State
from jintiao.domain.policy import Track
from jintiao.mediation.services import action_apply, dispute_triage
from jintiao.orgs.services import mediator_profile_set
from tests.e2e.conftest import log_in
from tests.factories import UserFactory, intake

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


def test_the_director_pages_searches_and_assigns_from_a_long_list(desk, live_server, page):
    crowd = [UserFactory(organization=desk.committee, roles=[Role.MEDIATOR],
                         full_name=f"调解员{n:02d}号") for n in range(50)]
    mediator_profile_set(user=crowd[42], expertise=["farm_loan"])
    dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch)
    dispute = action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                           expected_version=1, notice_served=True)
    dispute = dispute_triage(actor=desk.director, dispute_id=dispute.pk,
                             expected_version=dispute.version, facts_disputed=False,
                             track=Track.SIMPLE, reason="")
    log_in(page, live_server.url, desk.director.username, PASSWORD)
    page.goto(f"{live_server.url}/disputes/{dispute.pk}/assignment/")

    rows = page.locator("table.candidates tr.candidate")
    expect(rows).to_have_count(20)
    expect(page.locator("table.candidates caption")).to_contain_text("第1页，共3页")
    page.click("nav.pages >> text=下一页")
    expect(page.locator("table.candidates caption")).to_contain_text("第2页，共3页")
    expect(rows).to_have_count(20)

    page.fill("input[name=q]", "涉农贷款")  # crowd[42]'s expertise, by its name
    page.press("input[name=q]", "Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("调解员42号")
    assert "q=" in page.url  # the search has its own address

    page.fill("input[name=q]", "调解员")
    page.press("input[name=q]", "Enter")
    expect(page.locator("table.candidates caption")).to_contain_text("相符")
    page.click("nav.pages >> text=下一页")
    expect(page.locator("table.candidates caption")).to_contain_text("第2页")
    expect(page.locator("input[name=q]")).to_have_value("调解员")  # the page kept it

    page.fill("input[name=q]", "凯里支行")  # the banker: excluded, with the reason
    page.press("input[name=q]", "Enter")
    expect(rows).to_have_count(0)
    expect(page.locator("table.excluded")).to_be_visible()
    expect(page.locator("table.excluded")).to_contain_text("应当回避")

    page.fill("input[name=q]", "调解员42号")
    page.press("input[name=q]", "Enter")
    rows.first.locator("input[name=lead]").check()
    page.click("form.assign button[type=submit]")
    expect(page.locator(".badge")).to_have_text("调解中")
    dispute.refresh_from_db()
    assert dispute.state == State.MEDIATING
    assert dispute.mediator_rows.get(lead=True).user == crowd[42]
