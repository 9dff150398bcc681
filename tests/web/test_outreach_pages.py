"""The desk's outreach page, the committee's texts, the contact report and the party
portal's posts: who may open and post what; a post by anyone else writes nothing, an id
too large for the database is a refusal, not a crash; the service form keeps the address."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jintiao import clock
from jintiao.mediation.services import notice_generate
from jintiao.messaging.models import OutboxMessage
from jintiao.outreach.models import AlternateContact, ContactAttempt, MessageTemplate, Service
from jintiao.outreach.services import template_approve, template_create
from tests.portal.helpers import daytime, debtor_of, party_sign_in

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_outreach_page_is_the_desks_and_the_supervisors(world, mediating):
    url = reverse("web:outreach", args=[mediating.pk])
    for persona, status in [("mediator", 200), ("director", 200), ("clerk", 200),
                            ("supervisor", 200), ("agent", 404), ("judge", 404),
                            ("other_clerk", 404), ("other_agent", 404),
                            ("county_supervisor", 404)]:
        assert client_for(getattr(world, persona)).get(url).status_code == status, persona
    page = client_for(world.supervisor).get(url).content.decode()
    assert "记录联系" not in page  # supervisors read the log; they do not contact anyone
    assert "联系与送达" in client_for(world.mediator).get(
        reverse("web:mediation", args=[mediating.pk])).content.decode()


POSTS = [
    ("web:contact", {"party": "{p}", "channel": "call", "outcome": "no_answer"}),
    ("web:text", {"party": "{p}", "template": "{t}"}),
    ("web:serve", {"subject": "document:{doc}", "party": "{p}", "channel": "post",
                   "result": "signed", "evidence": "回执"}),
    ("web:alternate", {"party": "{p}", "kind": "mobile", "value": "13700000001",
                       "source": "institution"}),
    ("web:unreachable", {"party": "{p}", "expected_version": "1"}),
]


def _body(body: dict[str, str], **values: int) -> dict[str, str]:
    return {k: v.format(**values) for k, v in body.items()}


def test_posts_by_anyone_but_the_desk_write_nothing(world, mediating):
    made = template_create(actor=world.mediator, committee_id=world.committee.pk,
                           name="邀请", purpose="invitation", body="{姓名}您好。")
    template_approve(actor=world.director, template_id=made.pk)
    doc = notice_generate(actor=world.clerk, dispute_id=mediating.pk, kind="options_notice")
    values = {"p": debtor_of(mediating).pk, "t": made.pk, "doc": doc.pk}
    events = mediating.events.count()
    with clock.pinned(daytime()):
        for persona, status in [("other_agent", 404), ("other_clerk", 404), ("agent", 302),
                                ("judge", 302), ("supervisor", 302)]:
            client = client_for(getattr(world, persona))
            for name, body in POSTS:
                response = client.post(reverse(name, args=[mediating.pk]),
                                       _body(body, **values))
                assert response.status_code == status, (persona, name)
    assert mediating.events.count() == events
    assert not ContactAttempt.objects.exists()
    assert not Service.objects.exists()
    assert not AlternateContact.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_the_desk_logs_texts_serves_and_adds_a_contact_from_the_page(world, mediating):
    made = template_create(actor=world.mediator, committee_id=world.committee.pk,
                           name="邀请", purpose="invitation", body="{姓名}您好，请查看{链接}。")
    template_approve(actor=world.director, template_id=made.pk)
    doc = notice_generate(actor=world.clerk, dispute_id=mediating.pk, kind="options_notice")
    values = {"p": debtor_of(mediating).pk, "t": made.pk, "doc": doc.pk}
    client = client_for(world.mediator)
    with clock.pinned(daytime()):
        for name, body in POSTS[:4]:
            client.post(reverse(name, args=[mediating.pk]), _body(body, **values))
    assert ContactAttempt.objects.count() == 2  # the call and the text
    assert Service.objects.get().served
    assert AlternateContact.objects.get().value_masked == "137****0001"
    page = client.get(reverse("web:outreach", args=[mediating.pk])).content.decode()
    assert "137****0001" in page
    assert "13700000001" not in page


def test_templates_are_drafted_by_staff_and_approved_by_the_director(world):
    client = client_for(world.mediator)
    client.post(reverse("web:templates"), {"committee": world.committee.pk, "name": "凯里提示",
                                           "purpose": "general", "body": "{姓名}您好。"})
    made = MessageTemplate.objects.get()
    assert made.status == "draft"
    client.post(reverse("web:template_approve", args=[made.pk]))
    made.refresh_from_db()
    assert made.status == "draft"  # a mediator cannot approve
    client_for(world.director).post(reverse("web:template_approve", args=[made.pk]))
    made.refresh_from_db()
    assert made.status == "approved"
    assert client_for(world.other_clerk).get(reverse("web:templates")).status_code == 200
    assert "凯里提示" not in client_for(world.other_clerk).get(
        reverse("web:templates")).content.decode()
    assert client_for(world.agent).get(reverse("web:templates")).status_code == 404


def test_the_contact_report_is_for_supervisors_and_directors(world):
    url = reverse("web:contact_report")
    for persona, status in [("supervisor", 200), ("director", 200), ("mediator", 404),
                            ("agent", 404), ("judge", 404)]:
        assert client_for(getattr(world, persona)).get(url).status_code == status, persona


def test_portal_posts_about_another_partys_dispute_are_missing(client, cases):
    ours, theirs = cases
    client.force_login(party_sign_in(debtor_of(ours)))
    for name, body in [("portal:bound", {"max_monthly": "1", "max_total": "1"}),
                       ("portal:signing_code", {}), ("portal:sign", {"code": "123456"}),
                       ("portal:recusal", {"mediator": "1", "reason": "x"})]:
        assert client.post(reverse(name, args=[theirs.pk]), body).status_code == 404, name
    assert client.get(reverse("portal:bound", args=[ours.pk])).status_code == 405


def test_huge_ids_are_a_refusal_not_a_crash(world, mediating, client):
    client.force_login(world.mediator)
    response = client.post(reverse("web:unreachable", args=[mediating.pk]),
                           {"party": str(2**63), "expected_version": "1"})
    assert response.status_code == 302
    party = Client()
    party.force_login(party_sign_in(debtor_of(mediating)))
    response = party.post(reverse("portal:recusal", args=[mediating.pk]),
                          {"mediator": str(10**30), "reason": "x"})
    assert response.status_code == 302


def test_paper_service_keeps_its_address(world, mediating):
    notice = notice_generate(actor=world.clerk, dispute_id=mediating.pk,
                             kind="options_notice")
    client = client_for(world.clerk)
    with clock.pinned(daytime()):
        client.post(reverse("web:serve", args=[mediating.pk]), {
            "subject": f"document:{notice.pk}", "party": debtor_of(mediating).pk,
            "channel": "in_person", "result": "signed", "evidence": "本人签收",
            "address": "凯里市某村三组"})
    assert notice.services.get().address == "凯里市某村三组"
