"""Vetted texts at the service: a text posing as a court is neither drafted nor approved,
the refusal names every reason, and a text approved under older rules is vetted again
before it is sent — and not sent."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.domain.errors import ErrorCode
from jintiao.domain.outreach import TemplateRefused
from jintiao.mediation.models import Session
from jintiao.mediation.services import session_cancel, session_schedule
from jintiao.messaging.models import OutboxMessage
from jintiao.outreach.models import ContactAttempt, MessageTemplate, Verification
from jintiao.outreach.services import message_send, template_approve, template_create
from tests.portal.helpers import daytime, debtor_of

pytestmark = pytest.mark.django_db

COURT = "【凯里市人民法院】{姓名}您好，您已被起诉，请于3日内登录{链接}处理。"


def stored(world, body: str, status: str) -> MessageTemplate:
    """A template saved before today's vetting, as the database holds it."""
    return MessageTemplate.objects.create(
        committee=world.committee, name="旧模板", purpose="general", body=body, status=status,
        created_by=world.mediator, created_at=clock.now(),
        approved_by=world.director if status == "approved" else None,
        approved_at=clock.now() if status == "approved" else None)


class TestDrafting:
    def test_a_text_posing_as_a_court_is_refused_with_every_reason(self, world):
        with pytest.raises(TemplateRefused) as refused:
            template_create(actor=world.mediator, committee_id=world.committee.pk,
                            name="起诉通知", purpose="general", body=COURT)

        assert refused.value.code == ErrorCode.TEMPLATE_REFUSED
        message = refused.value.message
        assert message.startswith("该短信模板不能提交审核：")
        assert "法院" in message
        assert "【】署名" in message
        assert "起诉" in message
        assert not MessageTemplate.objects.exists()

    def test_a_plain_notice_is_drafted(self, world):
        made = template_create(actor=world.mediator, committee_id=world.committee.pk,
                               name="调解邀请", purpose="invitation",
                               body="{姓名}您好，请于3日内登录{链接}确认是否同意调解。")
        assert made.status == MessageTemplate.Status.DRAFT


class TestApproving:
    def test_the_director_cannot_approve_a_draft_that_fails_todays_vetting(self, world):
        draft = stored(world, COURT, "draft")

        with pytest.raises(TemplateRefused, match=r"该短信模板不能审核通过：.*法院"):
            template_approve(actor=world.director, template_id=draft.pk)

        draft.refresh_from_db()
        assert draft.status == MessageTemplate.Status.DRAFT
        assert draft.approved_at is None


class TestSending:
    @pytest.mark.parametrize("body", [
        COURT,
        "{姓名}，我们将联系您的家人和单位领导。",
        "{姓名}您尚欠1.5万，详见 www.kl-tiaojie.com",
    ])
    def test_a_text_approved_under_older_rules_is_not_sent(self, world, mediating, body):
        old = stored(world, body, "approved")

        with clock.pinned(daytime()), pytest.raises(TemplateRefused, match="不能发送"):
            message_send(actor=world.mediator, dispute_id=mediating.pk,
                         party_id=debtor_of(mediating).pk, template_id=old.pk)

        assert not OutboxMessage.objects.exists()
        assert not ContactAttempt.objects.exists()
        assert not Verification.objects.exists()
        assert not mediating.events.filter(type="outreach.contact").exists()

    def test_a_text_that_passes_is_sent(self, world, mediating):
        good = stored(world, "{姓名}您好，请登录{链接}查看调解通知。", "approved")
        with clock.pinned(daytime()):
            message_send(actor=world.mediator, dispute_id=mediating.pk,
                         party_id=debtor_of(mediating).pk, template_id=good.pk)
        assert OutboxMessage.objects.count() == 1


def test_the_session_time_in_a_text_is_the_next_session_not_cancelled(world, desk, mediating):
    """{调解时间} names the next session that will take place, never a cancelled one."""
    soon = (daytime() + dt.timedelta(days=2)).replace(hour=9)
    later = (daytime() + dt.timedelta(days=5)).replace(hour=15)
    for at in (soon, later):
        session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                         mode=Session.Mode.PHONE, starts_at=at)
    session_cancel(actor=desk.mediator, session_id=mediating.sessions.get(seq=1).pk,
                   reason="调解员临时出差")
    text = stored(world, "{姓名}您好，您的纠纷定于{调解时间}调解。", "approved")

    with clock.pinned(daytime()):
        message_send(actor=world.mediator, dispute_id=mediating.pk,
                     party_id=debtor_of(mediating).pk, template_id=text.pk)

    sent = OutboxMessage.objects.get().body
    assert f"{later:%m月%d日%H:%M}" in sent
    assert f"{soon:%m月%d日%H:%M}" not in sent
