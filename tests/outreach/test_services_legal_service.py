"""Legal service (送达) is not collection contact: a notice served in person, by post or
through the township node is recorded after any number of calls and at any hour, and it
does not use up the day's contacts; a text serving it still keeps to the caps and hours."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.domain.outreach import ContactRefused
from jintiao.mediation.services import notice_generate
from jintiao.outreach import selectors
from jintiao.outreach.models import ContactAttempt, Service
from jintiao.outreach.services import contact_record, notice_serve
from tests.portal.helpers import daytime, debtor_of

pytestmark = pytest.mark.django_db


def call(world, dispute):
    return contact_record(actor=world.mediator, dispute_id=dispute.pk,
                          party_id=debtor_of(dispute).pk, channel="call", outcome="no_answer")


def serve(world, dispute, notice, channel, result="signed"):
    return notice_serve(actor=world.clerk, dispute_id=dispute.pk,
                        party_id=debtor_of(dispute).pk, subject=f"document:{notice.pk}",
                        channel=channel, result=result, evidence="本人签收，见证人：村委会王某")


@pytest.fixture
def notice(world, mediating):
    return notice_generate(actor=world.clerk, dispute_id=mediating.pk, kind="options_notice")


@pytest.mark.parametrize("channel", ["in_person", "township", "post"])
def test_paper_service_is_recorded_after_the_days_calls(world, mediating, notice, channel):
    with clock.pinned(daytime()):
        for _ in range(3):
            call(world, mediating)
        with pytest.raises(ContactRefused):
            call(world, mediating)  # the day's cap is reached

        made = serve(world, mediating, notice, channel)

    assert made.served
    assert Service.objects.filter(pk=made.pk).exists()
    assert mediating.events.filter(type="reach.served").exists()


@pytest.mark.parametrize("channel", ["in_person", "township"])
def test_paper_service_is_recorded_at_night(world, mediating, notice, channel):
    with clock.pinned(daytime().replace(hour=22, minute=30)):
        made = serve(world, mediating, notice, channel)
    assert made.served


def test_paper_service_does_not_use_up_the_days_contacts(world, mediating, notice):
    with clock.pinned(daytime()):
        serve(world, mediating, notice, "in_person")
        serve(world, mediating, notice, "township", result="left")
        for _ in range(3):
            call(world, mediating)  # three calls still allowed after two services
        with pytest.raises(ContactRefused, match="已达每日上限3次"):
            call(world, mediating)
    logged = ContactAttempt.objects.filter(legal_service=True)
    assert logged.count() == 2  # kept in the log, for the cannot-reach path
    assert set(logged.values_list("channel", flat=True)) == {"visit", "township"}


def test_the_supervisors_report_counts_no_service_as_a_contact(world, mediating, notice):
    with clock.pinned(daytime().replace(hour=22)):
        serve(world, mediating, notice, "in_person")
    with clock.pinned(daytime()):
        call(world, mediating)
    today = daytime().date()

    by_actor, _by_institution = selectors.contact_report(world.supervisor, today, today)

    assert [(r.name, r.attempts, r.late) for r in by_actor] == [(str(world.mediator), 1, 0)]


def test_a_failed_township_service_still_counts_on_the_cannot_reach_path(
        world, mediating, notice):
    start = daytime() - dt.timedelta(days=4)
    for day in range(3):
        with clock.pinned(start + dt.timedelta(days=day)):
            call(world, mediating)
    assert selectors.reach_of(mediating)[0].stage.value == "township_visit"

    with clock.pinned(daytime()):
        serve(world, mediating, notice, "township", result="failed")

    assert selectors.reach_of(mediating)[0].stage.value == "may_close"


def test_a_text_serving_a_notice_keeps_to_the_caps(world, mediating, notice):
    with clock.pinned(daytime()):
        for _ in range(3):
            call(world, mediating)
        with pytest.raises(ContactRefused, match="已达每日上限3次"):
            serve(world, mediating, notice, "sms")
    assert not Service.objects.exists()
