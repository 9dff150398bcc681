"""Browser test of the judge's batch review (issue 20 §6): two alike agreements sent as one
batch are grouped under one heading; the judge attests once for the group, confirms both
and sees each ruled."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jintiao.confirmation.batch import confirmation_batch_apply
from jintiao.confirmation.models import Application
from jintiao.confirmation.services import confirmation_accept
from jintiao.domain.lifecycle import State
from tests.confirmation.batch_helpers import agreed
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


def test_the_judge_confirms_a_group_of_alike_agreements(desk, cases, live_server, page,
                                                        shots):
    disputes = [agreed(desk), agreed(desk)]
    batch = confirmation_batch_apply(actor=desk.mediator, court_id=desk.court.pk,
                                     disputes={d.pk: d.version for d in disputes})
    for app in batch.applications.all():
        confirmation_accept(actor=desk.judge, application_id=app.pk)

    log_in(page, live_server.url, desk.judge.username, PASSWORD)
    page.goto(f"{live_server.url}/courts/{desk.court.pk}/review/?batch={batch.pk}")

    group = page.locator("section[data-group]")
    expect(group).to_have_count(1)
    expect(group).to_have_attribute("data-count", "2")
    expect(group.locator("h2")).to_contain_text("12期")
    expect(group.locator("article.review-item")).to_have_count(2)
    for d in disputes:
        expect(group).to_contain_text(d.number)
    form = group.locator("form.group-confirm")
    for box in form.locator("input[name=attested]").all():
        box.check()
    page.screenshot(path=str(shots / "batch-confirmation-review.png"), full_page=True)
    form.locator("button").click()

    expect(page.locator("p.msg.success")).to_have_text("已裁定确认 2 件")
    ruled = page.locator("#ruled article.review-item")
    expect(ruled).to_have_count(2)
    for item in ruled.all():
        expect(item).to_have_attribute("data-status", "confirmed")
        expect(item).to_contain_text("裁定确认协议有效")
    expect(page.locator("section[data-group]")).to_have_count(0)
    assert set(Application.objects.filter(pk__in=batch.applications.all())
               .values_list("status", flat=True)) == {"confirmed"}
    for d in disputes:
        d.refresh_from_db()
        assert d.state == State.PERFORMING
