"""The texts pages give the vetting's answer: a text posing as a court is not saved or
approved, and an old approved one is not sent, each with the reasons on the page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jintiao import clock
from jintiao.messaging.models import OutboxMessage
from jintiao.outreach.models import MessageTemplate
from tests.portal.helpers import daytime, debtor_of

pytestmark = pytest.mark.django_db

COURT = "【凯里市人民法院】{姓名}您好，您已被起诉，请于3日内登录{链接}处理。"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stored(world, status: str) -> MessageTemplate:
    return MessageTemplate.objects.create(
        committee=world.committee, name="旧模板", purpose="general", body=COURT, status=status,
        created_by=world.mediator, created_at=clock.now(),
        approved_by=world.director if status == "approved" else None,
        approved_at=clock.now() if status == "approved" else None)


def test_a_text_posing_as_a_court_is_not_saved_and_the_page_says_why(world):
    response = client_for(world.mediator).post(reverse("web:templates"), {
        "committee": world.committee.pk, "name": "起诉通知", "purpose": "general",
        "body": COURT}, follow=True)

    html = response.content.decode()
    assert "该短信模板不能提交审核" in html
    assert "不得冒用或提及法院、公安、律师、监管机构等名义：法院" in html
    assert not MessageTemplate.objects.exists()


def test_the_director_is_told_why_a_draft_cannot_be_approved(world):
    draft = stored(world, "draft")

    response = client_for(world.director).post(
        reverse("web:template_approve", args=[draft.pk]), follow=True)

    assert "该短信模板不能审核通过" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_an_old_approved_text_is_not_sent_from_the_page(world, mediating):
    old = stored(world, "approved")

    with clock.pinned(daytime()):
        response = client_for(world.mediator).post(
            reverse("web:text", args=[mediating.pk]),
            {"party": debtor_of(mediating).pk, "template": old.pk}, follow=True)

    assert "该模板按现行审核规则不能发送" in response.content.decode()
    assert not OutboxMessage.objects.exists()
