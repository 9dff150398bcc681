"""Batch acceptance with the options notice texted (issue 20 §4): each dispute accepted
only when its notice went to every party but the creditor, in one transaction."""

from __future__ import annotations

import pytest

from jintiao import clock
from jintiao.disputes.models import DisputeParty, PartyRole
from jintiao.documents.models import Document
from jintiao.domain.lifecycle import State
from jintiao.mediation.models import BatchRun
from jintiao.messaging.models import OutboxMessage
from jintiao.outreach.batch import accept_run_start, batch_accept_texting
from jintiao.outreach.models import Service
from jintiao.parties.crypto import decrypt
from jintiao.parties.models import Party
from tests.api.client import Api
from tests.factories import intake
from tests.portal.helpers import add_guarantor, daytime
from tests.web.test_views import client_for


def received(world, n):
    return [intake(actor=world.clerk, committee=world.committee, institution=world.branch)
            for _ in range(n)]


class TestService:
    def test_each_party_but_the_creditor_is_texted_the_options_notice_and_it_is_accepted(
            self, world):
        [d] = received(world, 1)
        add_guarantor(d)
        with clock.pinned(daytime()):
            [outcome] = batch_accept_texting(actor=world.clerk, dispute_ids=[d.pk])

        assert outcome.ok, outcome.message
        assert outcome.message.startswith("已受理；告知书已短信发送2人")
        d.refresh_from_db()
        assert d.state == State.ACCEPTED
        notice = Document.objects.get(dispute=d, kind="options_notice")
        served = Service.objects.filter(dispute=d, document=notice)
        assert sorted(served.values_list("party__name", flat=True)) == sorted(
            r.party.name for r in d.party_rows.exclude(role="creditor"))
        assert not served.filter(party__kind="entity").exists()
        body = decrypt(OutboxMessage.objects.filter(purpose="outreach:notice")
                       .latest("pk").body_cipher)
        assert "告知书" in body or "非诉讼" in body
        event = d.events.get(type="dispute.accept")
        assert event.params.get("notice_by") == "sms"

    def test_a_party_without_a_mobile_refuses_that_dispute_and_changes_nothing(self, world):
        good, bad = received(world, 2)
        debtor = DisputeParty.objects.get(dispute=bad, role=PartyRole.DEBTOR).party
        Party.objects.filter(pk=debtor.pk).update(phone_cipher="", phone_hash="")
        texts_before = OutboxMessage.objects.count()
        with clock.pinned(daytime()):
            outcomes = batch_accept_texting(actor=world.clerk, dispute_ids=[good.pk, bad.pk])

        assert [o.ok for o in outcomes] == [True, False]
        assert "没有登记手机号码" in outcomes[1].message
        bad.refresh_from_db()
        assert bad.state == State.RECEIVED
        assert not Document.objects.filter(dispute=bad).exists()
        assert OutboxMessage.objects.count() == texts_before + 1  # the good one's only

    def test_at_night_nothing_is_accepted_nor_texted(self, world):
        [d] = received(world, 1)
        texts_before = OutboxMessage.objects.count()
        with clock.pinned(daytime().replace(hour=22)):
            [outcome] = batch_accept_texting(actor=world.clerk, dispute_ids=[d.pk])
        assert not outcome.ok
        assert outcome.code == "contact_refused"
        d.refresh_from_db()
        assert d.state == State.RECEIVED
        assert OutboxMessage.objects.count() == texts_before

    @pytest.mark.parametrize("who", ["mediator", "agent", "supervisor"])
    def test_only_who_accepts_may(self, world, who):
        from jintiao.disputes.access import PermissionDenied

        [d] = received(world, 1)
        with pytest.raises(PermissionDenied):
            batch_accept_texting(actor=getattr(world, who), dispute_ids=[d.pk])


class TestRuns:
    def test_the_web_batch_texts_and_the_run_is_the_outreach_tasks(self, world):
        [d] = received(world, 1)
        with clock.pinned(daytime()):
            response = client_for(world.clerk).post("/disputes/batch/", {
                "action": "accept", "scope": "picked", "notice_by_text": "on",
                "pick": [f"{d.pk}:{d.version}"]}, follow=True)
        page = response.content.decode()
        assert "已受理；告知书已短信发送1人" in page
        run = BatchRun.objects.get()
        assert run.options["notice_by_text"] is True
        assert run.state == BatchRun.State.DONE

    def test_a_run_started_here_is_not_taken_by_the_plain_runner(self, world, settings):
        from jintiao.mediation import batch

        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        [d] = received(world, 1)
        run = accept_run_start(actor=world.clerk, dispute_ids=[d.pk])
        batch.batch_run_execute(run.pk)
        run.refresh_from_db()
        assert run.state == BatchRun.State.QUEUED

    def test_the_api_texts_within_the_request(self, world):
        [d] = received(world, 1)
        with clock.pinned(daytime()):
            body = Api(world.clerk).post("/disputes/batch-actions", {
                "action": "accept", "ids": [d.pk], "notice_by_text": True}).json()
        assert body["items"][0]["status"] == "ok"
        assert body["items"][0]["message"].startswith("已受理；告知书已短信发送1人")

    def test_the_api_refuses_texting_with_an_assignment(self, world):
        [d] = received(world, 1)
        response = Api(world.director).post("/disputes/batch-actions", {
            "action": "assign", "ids": [d.pk], "notice_by_text": True})
        assert response.status_code == 400
