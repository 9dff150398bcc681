"""Browser test: the mediator moves an online session to a new time and link from the form
under it, a script typed as the link is refused with the reason, the party sees the new
time and a working link on the portal; then the session is held by both mediators and its
record corrected, the earlier text kept in the history."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from jintiao import clock
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import Track
from jintiao.mediation.models import RecordVersion, Session
from jintiao.mediation.services import action_apply, session_schedule
from jintiao.messaging.selectors import outbox_code
from jintiao.orgs.models import User
from tests.e2e.conftest import log_in
from tests.factories import intake
from tests.portal.helpers import debtor_of, id_of, phone_of

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-for-tests"  # noqa: S105 - the factories' test password


@pytest.fixture
def team(desk):
    """A dispute mediated by 调解员赵敏 (lead) and 调解员孙丽."""
    for user, name in ((desk.mediator, "调解员赵敏"), (desk.other_mediator, "调解员孙丽")):
        User.objects.filter(pk=user.pk).update(first_name=name)
        user.refresh_from_db()
    dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch,
                     court=desk.court)
    dispute = action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                           expected_version=1, notice_served=True)
    return action_apply(actor=desk.director, dispute_id=dispute.pk, action=Action.ASSIGN,
                        expected_version=dispute.version, track=Track.SIMPLE,
                        mediators=[desk.mediator, desk.other_mediator])


def party_log_in(page, url: str, dispute) -> None:
    """The debtor signs in on the portal with a code from their phone (the outbox)."""
    debtor = debtor_of(dispute)
    page.goto(f"{url}/p/")
    page.fill("input[name=phone]", phone_of(debtor))
    page.click("button:has-text('获取验证码')")
    expect(page.locator(".msg.success")).to_contain_text("验证码已发送")
    page.fill("input[name=code]", outbox_code(phone_of(debtor)) or "")
    page.fill("input[name=id_number]", id_of(debtor))
    page.check("input[name=consent]")
    page.click("button:has-text('登录')")
    expect(page.locator("h1")).to_have_text("我的纠纷")


def test_the_mediator_moves_an_online_session_and_the_party_sees_the_new_time(
        desk, team, live_server, new_page):
    first = (clock.now() + dt.timedelta(days=1)).astimezone(clock.TZ).replace(
        hour=10, minute=0, second=0, microsecond=0)
    session = session_schedule(actor=desk.mediator, dispute_id=team.pk,
                               mode=Session.Mode.ONLINE, starts_at=first,
                               party_row_ids=list(team.party_rows.values_list("pk", flat=True)),
                               online_link="https://meeting.example.com/j/1")
    moved = first + dt.timedelta(days=2, hours=5)

    mediator = new_page()
    log_in(mediator, live_server.url, desk.mediator.username, PASSWORD)
    mediator.goto(f"{live_server.url}/disputes/{team.pk}/mediation/")
    card = mediator.locator("#session-1")
    expect(card.locator(".participants")).to_contain_text("调解员赵敏")
    expect(card.locator(".participants")).to_contain_text("调解员孙丽")
    card.locator("summary:has-text('改期')").click()
    form = card.locator("form.reschedule-form")
    form.locator("input[name=starts_at]").fill(moved.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=online_link]").fill("javascript:alert(document.cookie)")
    form.locator("button:has-text('确认改期')").click()
    expect(mediator.locator(".msg.error")).to_contain_text(
        "会议链接须为以 http:// 或 https:// 开头")
    session.refresh_from_db()
    assert session.starts_at == first

    card = mediator.locator("#session-1")
    card.locator("summary:has-text('改期')").click()
    form = card.locator("form.reschedule-form")
    form.locator("input[name=starts_at]").fill(moved.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=online_link]").fill("https://meeting.example.com/j/2")
    form.locator("button:has-text('确认改期')").click()
    expect(mediator.locator(".msg").first).to_contain_text("已改期，请重新通知当事人")
    card = mediator.locator("#session-1")
    expect(card.locator("h3")).to_contain_text(moved.strftime("%Y-%m-%d %H:%M"))
    expect(card.locator("h3")).to_contain_text("已改期1次")
    expect(card.locator("h3 a")).to_have_attribute("href", "https://meeting.example.com/j/2")
    session.refresh_from_db()
    assert (session.starts_at, session.reschedules) == (moved, 1)

    party = new_page(390, 844)
    party_log_in(party, live_server.url, team)
    party.goto(f"{live_server.url}/p/d/{team.pk}/")
    sessions = party.locator("#sessions")
    expect(sessions).to_contain_text(moved.strftime("%Y年%-m月%-d日 %H:%M"))
    expect(sessions).to_contain_text("已改期")
    expect(sessions.locator("a")).to_have_attribute("href", "https://meeting.example.com/j/2")


def test_both_mediators_hold_the_session_and_the_record_is_corrected(
        desk, team, live_server, new_page):
    started = (clock.now() - dt.timedelta(hours=1)).astimezone(clock.TZ)
    session_schedule(actor=desk.mediator, dispute_id=team.pk, mode=Session.Mode.PHONE,
                     starts_at=started,
                     party_row_ids=list(team.party_rows.values_list("pk", flat=True)))
    mediator = new_page()
    log_in(mediator, live_server.url, desk.mediator.username, PASSWORD)
    mediator.goto(f"{live_server.url}/disputes/{team.pk}/mediation/")
    card = mediator.locator("#session-1")
    card.locator("summary:has-text('记录笔录和出席情况')").click()
    record = card.locator("form.record-form")
    record.locator("textarea[name=record]").fill("电话联系双方，债务人同意分12期。")
    record.locator("input[name=present]").first.check()
    expect(record.locator("input[name=staff]")).to_be_checked()  # the co-mediator came
    record.locator("button:has-text('保存笔录')").click()
    card = mediator.locator("#session-1")
    expect(card.locator(".participants")).to_contain_text("调解员赵敏（出席）")
    expect(card.locator(".participants")).to_contain_text("调解员孙丽（出席）")

    card.locator("summary:has-text('更正笔录')").click()
    correction = card.locator("form.correction-form")
    correction.locator("textarea[name=record]").fill("电话联系双方，债务人同意分24期。")
    correction.locator("input[name=reason], textarea[name=reason]").fill("期数记录有误")
    correction.locator("button:has-text('保存更正')").click()
    expect(mediator.locator(".msg").first).to_contain_text("已更正调解笔录，原笔录已保留")
    card = mediator.locator("#session-1")
    expect(card.locator(".record")).to_contain_text("分24期")
    card.locator("summary:has-text('笔录更正记录')").click()
    history = card.locator("details.versions")
    expect(history).to_contain_text("分12期")
    expect(history).to_contain_text("理由：期数记录有误")
    assert RecordVersion.objects.get().text == "电话联系双方，债务人同意分12期。"
