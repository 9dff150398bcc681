"""Integrity checked, not assumed: a document file edited on disk and an agreement edited in
the database are refused wherever they would be served, put on the timeline for the desk
and the supervisors, and named by ``jintiao audit verify``."""

from __future__ import annotations

import pytest
from django.test import Client

from jintiao.agreements.content import digest
from jintiao.agreements.integrity import require_intact
from jintiao.agreements.models import Agreement
from jintiao.cli import main
from jintiao.confirmation.models import Application
from jintiao.disputes.access import RecordNotFound
from jintiao.documents.integrity import RecordAltered, document_file
from jintiao.documents.models import Document
from jintiao.domain.errors import ErrorCode
from jintiao.outreach.models import Service
from jintiao.timeline.models import Event
from tests.api.client import Api
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, apply

ALERT = "record.altered"


def alerts(dispute):
    return Event.objects.filter(dispute=dispute, type=ALERT)


def tamper_file(field, extra=b"%% edited"):
    """Append to a stored file in place, as someone with the disk would."""
    with open(field.path, "ab") as handle:
        handle.write(extra)


@pytest.fixture
def sealed(desk, mediating):
    """An effective agreement, its document generated at the seal."""
    accept_plan(desk, mediating, flat(12))
    agreement = agree(desk, mediating, CHARGES_SINCE)
    mediating.refresh_from_db()
    return agreement


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


class TestDocumentFiles:
    def test_an_untouched_file_is_served_as_stored(self, desk, sealed):
        doc = sealed.document
        found, data = document_file(actor=desk.mediator, document_id=doc.pk, fmt="pdf")
        assert found == doc
        assert data == doc.pdf.open("rb").read()
        assert not alerts(sealed.dispute).exists()

    def test_a_pdf_edited_on_disk_is_refused_everywhere_and_told_once_a_day(self, desk,
                                                                            sealed):
        doc = sealed.document
        tamper_file(doc.pdf)

        with pytest.raises(RecordAltered) as refused:
            document_file(actor=desk.mediator, document_id=doc.pk, fmt="pdf")
        assert refused.value.code == ErrorCode.RECORD_ALTERED
        assert "可能已被改动" in refused.value.message
        # the Word file of the same document is untouched, and still served
        document_file(actor=desk.mediator, document_id=doc.pk, fmt="docx")

        page = client_for(desk.mediator).get(f"/documents/{doc.pk}/pdf/", follow=True)
        assert page.redirect_chain[-1][0] == f"/disputes/{sealed.dispute_id}/"
        assert "可能已被改动" in page.content.decode()

        response = Api(desk.mediator).get(f"/documents/{doc.pk}/pdf")
        assert response.status_code == 409
        assert response.json()["code"] == "record_altered"

        told = alerts(sealed.dispute)
        assert told.count() == 1  # the same person three times in a day: one alert
        assert told.get().params == {"what": "document", "title": doc.title,
                                     "record": doc.pk, "format": "pdf"}
        Api(desk.agent).get(f"/documents/{doc.pk}/pdf")
        assert told.count() == 2  # someone else tried: that is news

    def test_the_alert_reads_in_words_for_the_desk_not_the_bank(self, desk, sealed):
        doc = sealed.document
        tamper_file(doc.pdf)
        with pytest.raises(RecordAltered):
            document_file(actor=desk.mediator, document_id=doc.pk, fmt="pdf")

        desk_page = client_for(desk.mediator).get(f"/disputes/{sealed.dispute_id}/")
        assert "发现记录被改动" in desk_page.content.decode()
        assert "调解协议书PDF文件，与存档摘要不符" in desk_page.content.decode()
        bank_page = client_for(desk.agent).get(f"/disputes/{sealed.dispute_id}/")
        assert "发现记录被改动" not in bank_page.content.decode()

    def test_a_lost_file_is_a_clear_not_found(self, desk, sealed):
        doc = sealed.document
        doc.pdf.storage.delete(doc.pdf.name)
        with pytest.raises(RecordNotFound, match="文书文件缺失"):
            document_file(actor=desk.mediator, document_id=doc.pk, fmt="pdf")
        assert Api(desk.mediator).get(f"/documents/{doc.pk}/pdf").status_code == 404
        assert client_for(desk.mediator).get(f"/documents/{doc.pk}/pdf/").status_code == 404

    def test_another_committees_document_stays_hidden(self, world, desk, sealed):
        with pytest.raises(RecordNotFound):
            document_file(actor=world.other_clerk, document_id=sealed.document_id, fmt="pdf")


class TestAgreement:
    def test_content_edited_in_the_database_is_refused_to_every_reader(self, desk, sealed):
        content = dict(sealed.content)
        content["facts"] = "债务人已全部清偿。"  # a term rewritten after everyone signed
        Agreement.objects.filter(pk=sealed.pk).update(content=content)
        dispute = sealed.dispute

        response = Api(desk.agent).get(f"/disputes/{dispute.pk}/agreement")
        assert response.status_code == 409
        assert response.json()["code"] == "record_altered"
        page = client_for(desk.mediator).get(f"/disputes/{dispute.pk}/agreement/")
        html = page.content.decode()
        assert page.status_code == 200
        assert "可能已被改动" in html
        assert "债务人已全部清偿" not in html
        assert alerts(dispute).filter(params__what="agreement").exists()

    def test_a_digest_recomputed_to_match_is_caught_by_the_signatures(self, desk, sealed):
        content = dict(sealed.content)
        content["facts"] = "债务人已全部清偿。"
        Agreement.objects.filter(pk=sealed.pk).update(content=content, digest=digest(content))

        edited = Agreement.objects.get(pk=sealed.pk)
        with pytest.raises(RecordAltered):
            require_intact(edited, actor=desk.mediator)

    def test_the_court_is_never_asked_to_rule_on_an_altered_agreement(self, desk, sealed):
        from jintiao.confirmation.services import confirmation_apply

        dispute = sealed.dispute
        content = dict(sealed.content)
        content["facts"] = "改动后的事实"
        Agreement.objects.filter(pk=sealed.pk).update(content=content)

        with pytest.raises(RecordAltered):
            confirmation_apply(actor=desk.mediator, dispute_id=dispute.pk,
                               expected_version=dispute.version, court_id=desk.court.pk)
        assert not Application.objects.filter(dispute=dispute).exists()
        assert alerts(dispute).count() == 1  # the refusal did not take the alert back

    def test_an_intact_agreement_reads_as_before(self, desk, sealed):
        response = Api(desk.agent).get(f"/disputes/{sealed.dispute_id}/agreement")
        assert response.status_code == 200
        assert response.json()["digest"] == sealed.digest
        assert not alerts(sealed.dispute).exists()


class TestAuditVerify:
    def test_audit_verify_names_an_edited_file_and_agreement(self, desk, sealed, capsys):
        assert main(["audit", "verify"]) == 0
        assert "所有协议内容与签署摘要一致" in capsys.readouterr().out

        tamper_file(sealed.document.docx)
        content = dict(sealed.content)
        content["facts"] = "改动"
        Agreement.objects.filter(pk=sealed.pk).update(content=content)

        assert main(["audit", "verify"]) == 1
        out = capsys.readouterr().out
        assert f"纠纷 {sealed.dispute_id} 人民调解协议书（第1版）" in out
        assert "内容与摘要不符" in out
        assert "Word文件（document" in out
        assert "与存档摘要不符" in out
        assert "2 份协议或文书与存档摘要不符或文件缺失" in out
        assert alerts(sealed.dispute).count() == 2
        assert main(["audit", "verify"]) == 1  # run again the same day: nothing new told
        assert alerts(sealed.dispute).count() == 2
        assert Document.objects.filter(pk=sealed.document_id).exists()


class TestBeforeTheSeal:
    """A draft out for signing: edited after the codes went out, it is signed by no one."""

    @pytest.fixture
    def drafted(self, desk, mediating):
        from jintiao.agreements.services import agreement_draft
        from tests.helpers import DRAFT

        accept_plan(desk, mediating, flat(12))
        mediating.refresh_from_db()
        return agreement_draft(actor=desk.mediator, dispute_id=mediating.pk,
                               expected_version=mediating.version, draft=DRAFT)

    def test_no_code_is_sent_for_an_edited_draft_and_the_alert_stays(self, desk, drafted):
        from jintiao.agreements.models import SigningCode
        from jintiao.agreements.services import signing_code_send

        content = dict(drafted.content)
        content["responsibility"] = "改动后的责任"
        Agreement.objects.filter(pk=drafted.pk).update(content=content)

        from jintiao.agreements.selectors import signers_of

        debtor = next(s for s in signers_of(drafted)
                      if s.party_row is not None and s.party_row.role == "debtor")
        with pytest.raises(RecordAltered):
            signing_code_send(actor=desk.mediator, agreement_id=drafted.pk, signer=debtor.key)
        assert not SigningCode.objects.filter(agreement=drafted).exists()
        assert alerts(drafted.dispute).count() == 1

    def test_the_debtor_reads_the_refusal_not_the_edited_text(self, client, desk, drafted):
        from django.urls import reverse

        from tests.portal.helpers import debtor_of, party_sign_in

        content = dict(drafted.content)
        content["responsibility"] = "改动后的责任条款"
        Agreement.objects.filter(pk=drafted.pk).update(content=content)
        client.force_login(party_sign_in(debtor_of(drafted.dispute)))

        page = client.get(reverse("portal:dispute", args=[drafted.dispute_id])).content.decode()

        assert "可能已被改动" in page
        assert "改动后的责任条款" not in page


def test_the_supervisors_above_see_the_alert_on_their_home_page(world, desk, sealed):
    doc = sealed.document
    tamper_file(doc.pdf)
    with pytest.raises(RecordAltered):
        document_file(actor=desk.mediator, document_id=doc.pk, fmt="pdf")

    above = client_for(world.supervisor).get("/supervision/").content.decode()
    assert "记录完整性告警（近90天）1 条" in above
    assert sealed.dispute.number in above
    assert "调解协议书PDF文件，与存档摘要不符" in above
    elsewhere = client_for(world.county_supervisor).get("/supervision/").content.decode()
    assert "记录完整性告警（近90天）0 条" in elsewhere
    assert sealed.dispute.number not in elsewhere


class TestEveryWayIn:
    """The check at each service an altered agreement could pass through, after the
    permission check; and the stored page preview, checked like the files."""

    def alter(self, agreement, text="改动后的事实"):
        content = dict(agreement.content)
        content["facts"] = text
        Agreement.objects.filter(pk=agreement.pk).update(content=content)

    def test_the_seal_is_refused_and_a_non_director_hears_no_more_than_no(self, desk, mediating):
        from jintiao.agreements.services import agreement_draft, agreement_seal
        from jintiao.demo.loop import sign_all
        from jintiao.disputes.access import PermissionDenied

        accept_plan(desk, mediating, flat(12))
        mediating.refresh_from_db()
        drafted = agreement_draft(actor=desk.mediator, dispute_id=mediating.pk,
                                  expected_version=mediating.version, draft=CHARGES_SINCE)
        sign_all(drafted, desk=desk.mediator, agent=desk.agent)
        self.alter(drafted)
        mediating.refresh_from_db()

        with pytest.raises(PermissionDenied):  # the mediator may not seal: told that first
            agreement_seal(actor=desk.mediator, agreement_id=drafted.pk,
                           expected_version=mediating.version)
        assert not alerts(mediating).exists()
        with pytest.raises(RecordAltered):
            agreement_seal(actor=desk.director, agreement_id=drafted.pk,
                           expected_version=mediating.version)
        drafted.refresh_from_db()
        assert drafted.status == Agreement.Status.SIGNED
        assert alerts(mediating).count() == 1

    def test_the_judge_never_rules_on_an_altered_agreement(self, desk, sealed):
        from jintiao.confirmation.services import (
            confirmation_accept,
            confirmation_apply,
            confirmation_decide,
        )
        from jintiao.domain.confirmation import judge_items

        dispute = sealed.dispute
        apply(desk, dispute)
        dispute.refresh_from_db()
        app = confirmation_apply(actor=desk.mediator, dispute_id=dispute.pk,
                                 expected_version=dispute.version, court_id=desk.court.pk)
        confirmation_accept(actor=desk.judge, application_id=app.pk)
        self.alter(sealed)
        dispute.refresh_from_db()

        with pytest.raises(RecordAltered):
            confirmation_decide(actor=desk.judge, application_id=app.pk,
                                expected_version=dispute.version, confirm=True,
                                attested=list(judge_items()))
        app.refresh_from_db()
        assert app.status == Application.Status.ACCEPTED
        assert app.ruling_document is None

    def test_a_new_day_tells_again(self, desk, sealed):
        import datetime as dt

        from jintiao import clock

        tamper_file(sealed.document.pdf)
        for later in (0, 1, 25):  # hours: the second attempt within the day adds nothing
            with clock.pinned(clock.now() + dt.timedelta(hours=later)), \
                    pytest.raises(RecordAltered):
                document_file(actor=desk.mediator, document_id=sealed.document_id, fmt="pdf")
        assert alerts(sealed.dispute).count() == 2

    def test_an_edited_page_preview_is_refused_on_the_desk_and_the_portal(self, desk, sealed):
        from django.urls import reverse

        from tests.portal.helpers import debtor_of, party_sign_in

        Document.objects.filter(pk=sealed.document_id).update(
            html="<p>篡改：债务人无需还款</p>")
        desk_page = client_for(desk.mediator).get(f"/documents/{sealed.document_id}/",
                                                  follow=True).content.decode()
        assert "篡改" not in desk_page
        assert "可能已被改动" in desk_page
        party = Client()
        party.force_login(party_sign_in(debtor_of(sealed.dispute)))
        shown = party.get(reverse("portal:document", args=[sealed.document_id]),
                          follow=True).content.decode()
        assert "篡改" not in shown
        assert "可能已被改动" in shown
        party.post(reverse("portal:document_open", args=[sealed.document_id]))
        assert not Service.objects.filter(document_id=sealed.document_id,
                                          channel="portal").exists()

    def test_the_agreement_page_offers_nothing_of_an_altered_text(self, desk, sealed):
        self.alter(sealed, "改动后的独特事实")
        page = client_for(desk.mediator).get(
            f"/disputes/{sealed.dispute_id}/agreement/").content.decode()
        assert "改动后的独特事实" not in page
