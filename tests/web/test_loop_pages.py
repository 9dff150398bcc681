"""The pages of the agreement, the court, performance and failure: who may open them, what
a post from someone who cannot see the dispute does (nothing), and the forms each part gets."""

from __future__ import annotations

import pytest
from django.test import Client

from jintiao import clock
from jintiao.agreements.models import Agreement
from jintiao.confirmation.services import confirmation_accept, confirmation_apply
from jintiao.documents.models import Document
from jintiao.messaging.models import OutboxMessage
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, apply, confirm, reject


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def confirmed(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    app = confirm(desk, mediating)
    mediating.refresh_from_db()
    return mediating, app


PAGES = ["disputes/{d}/agreement/", "disputes/{d}/performance/", "disputes/{d}/failure/",
         "confirmations/{a}/", "documents/{doc}/", "documents/{doc}/pdf/"]


def test_a_page_of_a_dispute_you_cannot_see_is_missing(desk, confirmed):
    """Every page × every persona (one dispute built once: its documents take a while)."""
    d, app = confirmed
    doc = Document.objects.filter(dispute=d).first()
    for persona, status in [
            ("mediator", 200), ("director", 200), ("agent", 200), ("judge", 200),
            ("supervisor", 200), ("other_clerk", 404), ("other_agent", 404),
            ("other_judge", 404), ("county_supervisor", 404)]:
        client = client_for(getattr(desk, persona))
        for page in PAGES:
            url = "/" + page.format(d=d.pk, a=app.pk, doc=doc.pk)
            assert client.get(url).status_code == status, (persona, url)


POSTS = [
    ("disputes/{d}/agreement/draft/", {"expected_version": "1", "facts": "x",
                                      "performance_manner": "y"}),
    ("agreements/{ag}/codes/", {"signer": "party:1"}),
    ("agreements/{ag}/sign/", {"signer": "party:1", "code": "123456"}),
    ("agreements/{ag}/seal/", {"expected_version": "1"}),
    ("disputes/{d}/confirmation/", {"expected_version": "1", "court": "1"}),
    ("confirmations/{a}/accept/", {}),
    ("confirmations/{a}/ruling/", {"expected_version": "1", "decision": "reject",
                                   "reasons": "x"}),
    ("disputes/{d}/payments/", {"reference": "R", "paid_on": "2026-12-01", "amount": "1"}),
    ("disputes/{d}/performance/review/", {}),
    ("disputes/{d}/enforcement/", {"expected_version": "1"}),
    ("disputes/{d}/credit-repair/", {"note": "x"}),
    ("disputes/{d}/failure/facts/", {"facts": "x"}),
    ("disputes/{d}/failure/confirm/", {"party_row": "1", "how": "x"}),
    ("disputes/{d}/failure/transfer/", {"expected_version": "1"}),
    ("disputes/{d}/notices/", {"kind": "options_notice"}),
]


def test_a_post_about_a_dispute_you_cannot_see_is_missing_and_writes_nothing(desk, confirmed):
    d, app = confirmed
    agreement = Agreement.objects.get(dispute=d)
    events = d.events.count()
    for outsider in (desk.other_agent, desk.other_judge):
        client = client_for(outsider)
        for path, body in POSTS:
            url = "/" + path.format(d=d.pk, a=app.pk, ag=agreement.pk)
            assert client.post(url, body).status_code == 404, (outsider, url)
    assert d.events.count() == events


def test_the_judge_alone_gets_the_ruling_form_and_the_bank_alone_the_enforcement_button(
        desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    apply(desk, mediating)
    mediating.refresh_from_db()
    app = confirmation_apply(actor=desk.mediator, dispute_id=mediating.pk,
                             expected_version=mediating.version, court_id=desk.court.pk)
    confirmation_accept(actor=desk.judge, application_id=app.pk)
    judge = client_for(desk.judge).get(f"/confirmations/{app.pk}/").content.decode()
    mediator = client_for(desk.mediator).get(f"/confirmations/{app.pk}/").content.decode()
    assert "作出裁定" in judge
    assert "作出裁定" not in mediator
    # a mediator posting a ruling is refused with a message, and nothing is ruled
    response = client_for(desk.mediator).post(f"/confirmations/{app.pk}/ruling/", {
        "expected_version": str(mediating.version), "decision": "confirm",
        "attested": ["voluntary", "no_fraud", "no_harm"]}, follow=True)
    assert "只有受理法院的法官可以作出裁定" in response.content.decode()
    app.refresh_from_db()
    assert app.status == "accepted"


def test_the_outbox_is_the_demos_and_the_administrators(desk, confirmed, settings):
    assert OutboxMessage.objects.exists()
    settings.DEBUG = False
    assert client_for(desk.mediator).get("/outbox/").status_code == 404
    desk.admin = desk.supervisor
    desk.supervisor.is_superuser = True
    desk.supervisor.save()
    page = client_for(desk.supervisor).get("/outbox/").content.decode()
    assert "验证码" in page
    assert "协议签署验证码" in page  # the purpose in words, never "agreement_signing"
    assert "agreement_signing" not in page
    settings.DEBUG = True
    assert client_for(desk.mediator).get("/outbox/").status_code == 200


def test_both_sides_consent_at_the_desk_then_mediation_resumes(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    reject(desk, mediating)
    mediating.refresh_from_db()
    mediator = client_for(desk.mediator)
    page = mediator.get(f"/disputes/{mediating.pk}/failure/").content.decode()
    assert "双方同意，重新调解" in page
    assert "disabled" in page.split("consented")[1][:400]
    for row in mediating.party_rows.filter(role__in=["creditor", "debtor"]):
        response = mediator.post(f"/disputes/{mediating.pk}/consents/", {
            "purpose": "remediate", "party_row": row.pk, "how": "书面同意",
            "given_on": mediating.received_on.isoformat()})
        assert response["Location"].endswith("/failure/#consents")
    mediating.refresh_from_db()
    mediator.post(f"/disputes/{mediating.pk}/actions/", {
        "action": "remediate", "expected_version": mediating.version})
    mediating.refresh_from_db()
    assert mediating.state == "mediating"


def test_after_the_seal_the_agreement_page_says_it_took_effect(desk, mediating):
    """The checklist on the agreement page reads the same as the selector's: effective on the
    day of the seal, with the last day to apply — never 协议尚未生效 (issue 16)."""
    accept_plan(desk, mediating, flat(12))
    agreement = agree(desk, mediating, CHARGES_SINCE)
    page = client_for(desk.mediator).get(f"/disputes/{mediating.pk}/agreement/")
    html = page.content.decode()
    assert "协议尚未生效" not in html
    effective_on = agreement.effective_at.astimezone(clock.TZ).date()
    assert f"协议{effective_on}生效，待申请；申请期限至" in html
