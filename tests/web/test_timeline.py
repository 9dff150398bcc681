"""The dispute page's timeline: every event in Chinese words, never a stored type string."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client

from jintiao import clock
from jintiao.demo.seed import load_demo
from jintiao.disputes.models import Dispute
from jintiao.domain import events
from jintiao.domain.events import Audience
from jintiao.orgs.models import User
from jintiao.performance.services import payment_record
from jintiao.timeline.services import event_append

RAW_TYPE = re.compile(r"[a-z_]+\.[a-z_]+")


class _Text(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def page_of(user: User, dispute: Dispute) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/disputes/{dispute.pk}/")
    assert response.status_code == 200
    return visible_text(response.content.decode())


@pytest.fixture
def demo_with_a_payment(db):
    """The demo world, with a payment recorded on S1 (performing) by its institution."""
    load_demo(synthetic=12)
    s1 = Dispute.objects.get(external_ref="S1")
    payment_record(actor=User.objects.get(username="agent"), dispute_id=s1.pk,
                   reference="DEMO-PAY-1", paid_on=clock.today(), amount=Decimal("100.00"))
    return s1


def test_no_demo_dispute_page_shows_a_raw_event_type(demo_with_a_payment):
    """The supervisor reads every demo dispute's whole timeline (outreach and spot checks
    included): each event is named in words, none by its stored ``area.verb`` string."""
    supervisor = User.objects.get(username="supervisor")
    shown = {found for dispute in Dispute.objects.order_by("pk")
             for found in RAW_TYPE.findall(page_of(supervisor, dispute))}
    assert not shown, sorted(shown)
    s1 = page_of(supervisor, demo_with_a_payment)
    assert "登记还款" in s1


@pytest.fixture
def every_type(cases):
    """``ours`` (accepted and assigned) with one more event of every registered type,
    carrying no params: the page must still name each in words."""
    ours, _ = cases
    for declared in events.every():
        event_append(dispute=ours, type=declared, actor=None, at=clock.now(),
                     state_before=ours.state, state_after=ours.state)
    return ours


def test_every_registered_type_is_named_in_words_on_the_page(world, every_type):
    client = Client()
    client.force_login(world.director)
    response = client.get(f"/disputes/{every_type.pk}/")
    rows = response.context["events"]
    assert {row["label"] for row in rows} == {t.label for t in events.every()}
    text = visible_text(response.content.decode())
    assert not RAW_TYPE.findall(text), sorted(set(RAW_TYPE.findall(text)))


def test_the_institution_reads_none_of_the_desks_events(world, every_type):
    """Outreach, reach and spot-check events stay with the desk and the supervisors."""
    desk_only = {t.label for t in events.every() if t.audience is Audience.DESK}
    for_everyone = {t.label for t in events.every() if t.audience is Audience.DISPUTE}
    for viewer, sees_desk in ((world.agent, False), (world.judge, False),
                              (world.mediator, True), (world.supervisor, True)):
        client = Client()
        client.force_login(viewer)
        labels = {row["label"] for row in
                  client.get(f"/disputes/{every_type.pk}/").context["events"]}
        assert for_everyone <= labels
        if sees_desk:
            assert desk_only <= labels
        else:
            assert not labels & (desk_only - for_everyone), viewer
