"""Reaching the parties: the contact log under the dispute's policy's caps and hours, kept
from the institution and masking the numbers typed in; vetted texts with a verification
code the public page checks, and their withdrawal; a party's other numbers and addresses;
service of documents (and sessions and plans) by channel, in person within the hours, by
email only to an address the party gave, by reading in the portal; the "cannot reach" path,
for the debtor only; and the supervisors' contact report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from jintiao import clock
from jintiao.disputes.access import PermissionDenied
from jintiao.disputes.models import Channel, DisputeType, PartyRole
from jintiao.disputes.services import dispute_intake
from jintiao.domain.claims import ClaimBreakdown
from jintiao.domain.lifecycle import Action, State
from jintiao.domain.outreach import ContactRefused, OutreachInvalid
from jintiao.domain.policy import DEFAULT_POLICY, Track
from jintiao.domain.representation import Authority
from jintiao.mediation.models import Session, Side
from jintiao.mediation.selectors import policy_of
from jintiao.mediation.services import (
    action_apply,
    notice_generate,
    offer_propose,
    session_schedule,
)
from jintiao.messaging.models import OutboxMessage
from jintiao.outreach import selectors
from jintiao.outreach.models import AlternateContact, ContactAttempt, MessageTemplate, Service
from jintiao.outreach.services import (
    alternate_contact_add,
    alternate_contact_retire,
    contact_record,
    document_read,
    message_send,
    notice_serve,
    template_approve,
    template_create,
    template_retire,
    unreachable_close,
)
from jintiao.parties.models import PartyKind
from jintiao.parties.services import PartyInput
from jintiao.policies.services import policy_publish
from tests.api.client import Api
from tests.factories import credit_code, flat, intake
from tests.portal.helpers import (
    add_guarantor,
    appoint_representative,
    daytime,
    debtor_of,
    id_of,
    party_sign_in,
)

pytestmark = pytest.mark.django_db


def call(w, dispute, outcome="no_answer", **kw):
    return contact_record(actor=w.mediator, dispute_id=dispute.pk,
                          party_id=debtor_of(dispute).pk, channel=kw.pop("channel", "call"),
                          outcome=outcome, **kw)


def notice_services(dispute, party):
    return list(dispute.services.filter(party=party).order_by("pk"))


def accepted(w):
    """A new dispute of the branch, accepted now and assigned to ``w.mediator``."""
    dispute = intake(actor=w.clerk, committee=w.committee, institution=w.branch)
    dispute = action_apply(actor=w.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                           expected_version=1, notice_served=True)
    return action_apply(actor=w.director, dispute_id=dispute.pk, action=Action.ASSIGN,
                        expected_version=dispute.version, track=Track.SIMPLE,
                        mediators=[w.mediator])


@pytest.fixture
def invitation(world):
    made = template_create(actor=world.mediator, committee_id=world.committee.pk,
                           name="调解邀请", purpose="invitation",
                           body="{姓名}您好，{调委会}受理了您与金融机构的纠纷（{纠纷编号}），"
                                "调解免费，请登录{链接}查看，或等待调解员{调解员}来电。")
    return template_approve(actor=world.director, template_id=made.pk)


class TestContactCap:
    def test_the_fourth_call_of_a_day_is_refused_when_the_policy_says_three(
            self, world, mediating):
        assert policy_of(mediating).contact_max_per_day == 3
        with clock.pinned(daytime()):
            for _ in range(3):
                call(world, mediating)
            with pytest.raises(ContactRefused, match="已达每日上限3次") as refused:
                call(world, mediating)
        assert refused.value.details["reason"] == "daily_cap"
        assert ContactAttempt.objects.count() == 3  # the refused call wrote nothing
        assert mediating.events.filter(type="outreach.contact").count() == 3

    def test_the_cap_follows_the_policy(self, world, mediating):
        """A stricter rule published later caps the disputes accepted under it; a dispute
        keeps the version it was accepted under."""
        policy_publish(organization=world.prefecture, policy=DEFAULT_POLICY.replace(
            contact_max_per_day=2), valid_from=dt.date(2020, 1, 2), source="测试")
        later = accepted(world)
        assert policy_of(later).contact_max_per_day == 2
        assert policy_of(mediating).contact_max_per_day == 3
        with clock.pinned(daytime()):
            for _ in range(3):
                call(world, mediating)
            with pytest.raises(ContactRefused, match="已达每日上限3次"):
                call(world, mediating)
            for _ in range(2):
                call(world, later)
            with pytest.raises(ContactRefused, match="已达每日上限2次"):
                call(world, later)
        assert ContactAttempt.objects.filter(dispute=mediating).count() == 3
        assert ContactAttempt.objects.filter(dispute=later).count() == 2

    def test_the_next_day_is_a_new_day_and_the_week_has_its_own_cap(self, world, mediating):
        start = daytime() - dt.timedelta(days=3)
        for day in range(3):
            with clock.pinned(start + dt.timedelta(days=day)):
                for _ in range(2 if day < 2 else 3):
                    call(world, mediating)
        with clock.pinned(start + dt.timedelta(days=3)), \
                pytest.raises(ContactRefused, match="近7日") as refused:
            call(world, mediating)
        assert refused.value.details["reason"] == "weekly_cap"

    def test_no_contact_at_night(self, world, mediating):
        with clock.pinned(daytime().replace(hour=21, minute=5)), \
                pytest.raises(ContactRefused, match="8:00至21:00"):
            call(world, mediating)
        assert not ContactAttempt.objects.exists()

    def test_the_cap_protects_the_person_across_disputes(self, world, cases):
        """A second dispute of the same person (matched by identity number at intake): the
        calls about both count."""
        ours = cases[0]
        debtor = debtor_of(ours)
        second = dispute_intake(
            actor=world.clerk, committee=world.committee, channel=Channel.PARTY_APPLICATION,
            dispute_type=DisputeType.CREDIT_CARD, institution=world.other_bank,
            claim=ClaimBreakdown(as_of=dt.date(2026, 6, 30), principal=Decimal("5000.00")),
            parties=[(PartyInput(PartyKind.ENTITY, "某农商银行", credit_code(901)),
                      PartyRole.CREDITOR),
                     (PartyInput(PartyKind.PERSON, debtor.name, id_of(debtor)),
                      PartyRole.DEBTOR)]).dispute
        assert debtor_of(second) == debtor
        with clock.pinned(daytime()):
            for _ in range(3):
                call(world, ours)
            with pytest.raises(ContactRefused):
                contact_record(actor=world.clerk, dispute_id=second.pk, party_id=debtor.pk,
                               channel="visit", outcome="reached")

    def test_a_party_who_calls_in_is_never_capped(self, world, mediating):
        with clock.pinned(daytime()):
            for _ in range(3):
                call(world, mediating)
            for _ in range(2):
                call(world, mediating, outcome="reached", inbound=True)
        assert mediating.events.filter(type="reach.engaged").count() == 1

    def test_only_the_desk_logs_contacts(self, world, mediating):
        with clock.pinned(daytime()), pytest.raises(PermissionDenied):
            contact_record(actor=world.agent, dispute_id=mediating.pk,
                           party_id=debtor_of(mediating).pk, channel="call",
                           outcome="no_answer")

    def test_texts_go_through_templates_not_the_log(self, world, mediating):
        with clock.pinned(daytime()), pytest.raises(OutreachInvalid, match="模板"):
            contact_record(actor=world.mediator, dispute_id=mediating.pk,
                           party_id=debtor_of(mediating).pk, channel="sms", outcome="sent")

    def test_a_committees_own_rule_sets_its_cap(self, world):
        """A committee whose rule allows two calls a day refuses the third: the cap is the
        dispute's policy, not the default one."""
        policy_publish(organization=world.committee, policy=DEFAULT_POLICY.replace(
            contact_max_per_day=2, contact_max_per_week=5), valid_from=dt.date(2020, 1, 1),
            source="测试：本委每日两次")
        dispute = accepted(world)
        with clock.pinned(daytime()):
            for _ in range(2):
                call(world, dispute)
            with pytest.raises(ContactRefused, match="每日上限2次"):
                call(world, dispute)

    def test_a_refusal_to_talk_is_contact(self, world, mediating):
        with clock.pinned(daytime()):
            contact_record(actor=world.mediator, dispute_id=mediating.pk,
                           party_id=debtor_of(mediating).pk, channel="call", outcome="refused")
        assert mediating.events.filter(type="reach.contacted").exists()


class TestVettedTexts:
    def test_threats_and_collection_words_cannot_be_approved(self, world):
        with pytest.raises(OutreachInvalid, match="催收或威胁性用语"):
            template_create(actor=world.mediator, committee_id=world.committee.pk,
                            name="催款", purpose="general",
                            body="{姓名}，再不还款将通知家人并追究刑事责任。")
        with pytest.raises(OutreachInvalid, match="数字"):
            template_create(actor=world.mediator, committee_id=world.committee.pk,
                            name="金额", purpose="general", body="请于今日还款5000元。")

    def test_only_the_director_approves_and_only_approved_texts_are_sent(
            self, world, mediating):
        draft = template_create(actor=world.mediator, committee_id=world.committee.pk,
                                name="草稿", purpose="general", body="{姓名}您好。")
        with pytest.raises(PermissionDenied):
            template_approve(actor=world.mediator, template_id=draft.pk)
        with clock.pinned(daytime()), pytest.raises(OutreachInvalid, match="已审核"):
            message_send(actor=world.mediator, dispute_id=mediating.pk,
                         party_id=debtor_of(mediating).pk, template_id=draft.pk)

    def test_a_text_carries_the_committee_and_a_code_the_public_page_checks(
            self, client, world, mediating, invitation):
        with clock.pinned(daytime()):
            sent = message_send(actor=world.mediator, dispute_id=mediating.pk,
                                party_id=debtor_of(mediating).pk, template_id=invitation.pk)
        text = OutboxMessage.objects.get(purpose="outreach:invitation").body
        assert text.startswith(f"【{world.committee.name}】")
        assert mediating.number in text
        assert "/p/" in text
        code = sent.verification.code
        assert f"{code[:4]}-{code[4:]}" in text
        page = client.get(reverse("portal:verify"), {"code": f"{code[:4]}-{code[4:]}"})
        body = page.content.decode()
        assert "核验通过" in body
        assert world.committee.name in body
        assert debtor_of(mediating).name not in body
        assert mediating.number not in body
        fake = client.get(reverse("portal:verify"), {"code": "ABCD-EFGH"}).content.decode()
        assert "查无此核验码" in fake
        assert mediating.events.filter(type="reach.invited").count() == 1

    def test_texts_count_against_the_cap(self, world, mediating, invitation):
        with clock.pinned(daytime()):
            for _ in range(2):
                call(world, mediating)
            message_send(actor=world.mediator, dispute_id=mediating.pk,
                         party_id=debtor_of(mediating).pk, template_id=invitation.pk)
            with pytest.raises(ContactRefused):
                message_send(actor=world.mediator, dispute_id=mediating.pk,
                             party_id=debtor_of(mediating).pk, template_id=invitation.pk)
        assert OutboxMessage.objects.filter(purpose="outreach:invitation").count() == 1

    def test_a_retired_text_is_no_longer_sent(self, world, mediating):
        made = template_create(actor=world.mediator, committee_id=world.committee.pk,
                               name="旧邀请", purpose="invitation", body="{姓名}您好。")
        template_approve(actor=world.director, template_id=made.pk)
        with pytest.raises(PermissionDenied):
            template_retire(actor=world.mediator, template_id=made.pk)
        template_retire(actor=world.director, template_id=made.pk)
        assert MessageTemplate.objects.get().status == "retired"
        with clock.pinned(daytime()), pytest.raises(OutreachInvalid, match="已审核"):
            message_send(actor=world.mediator, dispute_id=mediating.pk,
                         party_id=debtor_of(mediating).pk, template_id=made.pk)
        assert not ContactAttempt.objects.exists()

    def test_vetting_sees_through_spaces_and_amounts_in_words(self, world):
        for body in ("催 收通知：{姓名}", "{姓名}请于今日还款五万元"):
            with pytest.raises(OutreachInvalid):
                template_create(actor=world.mediator, committee_id=world.committee.pk,
                                name=body[:10], purpose="general", body=body)

    def test_a_withdrawn_text_says_who_withdrew_it(self, world):
        made = template_create(actor=world.mediator, committee_id=world.committee.pk,
                               name="旧", purpose="general", body="{姓名}您好。")
        template_retire(actor=world.director, template_id=made.pk)
        made.refresh_from_db()
        assert made.retired_by == world.director
        assert made.retired_at is not None


class TestTheLog:
    def test_the_institution_does_not_see_the_contact_log_on_the_timeline(
            self, world, mediating):
        with clock.pinned(daytime()):
            contact_record(actor=world.mediator, dispute_id=mediating.pk,
                           party_id=debtor_of(mediating).pk, channel="call",
                           outcome="reached", note="本人接听")
        agent = Client()
        agent.force_login(world.agent)
        page = agent.get(reverse("web:dispute_detail", args=[mediating.pk])).content.decode()
        assert "联系当事人" not in page
        assert "首次联系上当事人" not in page
        desk = Client()
        desk.force_login(world.mediator)
        page = desk.get(reverse("web:dispute_detail", args=[mediating.pk])).content.decode()
        assert "联系当事人" in page  # in words, not outreach.contact
        assert "outreach.contact" not in page
        token = Api(world.agent)
        types = {e["type"] for e in token.get(f"/disputes/{mediating.pk}/timeline").json()}
        assert not any(t.startswith(("outreach.", "reach.")) for t in types)

    def test_numbers_typed_into_the_log_are_masked(self, world, mediating):
        with clock.pinned(daytime()):
            made = contact_record(actor=world.mediator, dispute_id=mediating.pk,
                                  party_id=debtor_of(mediating).pk, channel="call",
                                  outcome="no_answer", to="13812345678",
                                  note="改拨其妻13987654321，身份证520103199001011234")
        assert made.to == "138****5678"
        assert "13987654321" not in made.note
        assert "520103199001011234" not in made.note

    def test_a_visit_logged_on_return_is_recorded_as_it_happened_and_flagged(
            self, world, mediating):
        evening = daytime().replace(hour=21, minute=30) - dt.timedelta(days=1)
        # the file came in on paper two days before it was entered
        type(mediating).objects.filter(pk=mediating.pk).update(
            received_on=daytime().date() - dt.timedelta(days=2))
        with clock.pinned(daytime()):
            made = contact_record(actor=world.mediator, dispute_id=mediating.pk,
                                  party_id=debtor_of(mediating).pk, channel="visit",
                                  outcome="reached", at=evening)
            for bad in (daytime() + dt.timedelta(hours=1), daytime() - dt.timedelta(days=8)):
                with pytest.raises(OutreachInvalid):
                    contact_record(actor=world.mediator, dispute_id=mediating.pk,
                                   party_id=debtor_of(mediating).pk, channel="visit",
                                   outcome="reached", at=bad)
        assert made.at == evening
        with clock.pinned(daytime()), pytest.raises(OutreachInvalid, match="不能早于收案日期"):
            # found trying it as a user: a visit logged before the dispute was received
            contact_record(actor=world.mediator, dispute_id=mediating.pk,
                           party_id=debtor_of(mediating).pk, channel="visit",
                           outcome="reached", at=evening - dt.timedelta(days=2))
        rows, _by_institution = selectors.contact_report(world.supervisor, evening.date(),
                                               daytime().date())
        assert rows[0].late == 1


class TestOtherContacts:
    def test_email_addresses_are_checked(self, world, mediating):
        debtor = debtor_of(mediating)
        for bad in ("wu@example.cn\nBcc: spy@example.cn", "not-an-address",
                    "x" * 95 + "@example.cn"):
            with pytest.raises(OutreachInvalid):
                alternate_contact_add(actor=world.mediator, dispute_id=mediating.pk,
                                      party_id=debtor.pk, kind="email", value=bad,
                                      source="party")
        assert not AlternateContact.objects.exists()

    def test_a_text_can_go_to_another_number_of_the_person(self, world, mediating):
        debtor = debtor_of(mediating)
        made = template_create(actor=world.mediator, committee_id=world.committee.pk,
                               name="联系", purpose="general", body="{姓名}您好。")
        template_approve(actor=world.director, template_id=made.pk)
        other = alternate_contact_add(actor=world.mediator, dispute_id=mediating.pk,
                                      party_id=debtor.pk, kind="mobile", value="13755556666",
                                      source="guarantor")
        with clock.pinned(daytime()):
            message_send(actor=world.mediator, dispute_id=mediating.pk, party_id=debtor.pk,
                         template_id=made.pk, contact_id=other.pk)
        assert OutboxMessage.objects.get(purpose="outreach:general").to_masked == "137****6666"

    def test_a_withdrawn_number_confirmed_again_is_usable(self, world, mediating):
        debtor = debtor_of(mediating)
        first = alternate_contact_add(actor=world.mediator, dispute_id=mediating.pk,
                                      party_id=debtor.pk, kind="mobile", value="13755556666",
                                      source="institution")
        alternate_contact_retire(actor=world.mediator, dispute_id=mediating.pk,
                                 contact_id=first.pk, reason="停机")
        again = alternate_contact_add(actor=world.mediator, dispute_id=mediating.pk,
                                      party_id=debtor.pk, kind="mobile", value="13755556666",
                                      source="township")
        assert again.pk == first.pk
        assert again.usable
        assert again.source == "township"


class TestService:
    def test_paper_service_needs_evidence_and_counts_when_signed_for(self, world, mediating):
        notice = notice_generate(actor=world.clerk, dispute_id=mediating.pk,
                                 kind="options_notice")
        debtor = debtor_of(mediating)
        with clock.pinned(daytime()):
            with pytest.raises(OutreachInvalid, match="凭证"):
                notice_serve(actor=world.clerk, dispute_id=mediating.pk, party_id=debtor.pk,
                             subject=f"document:{notice.pk}",
                               channel="post", result="signed")
            made = notice_serve(actor=world.clerk, dispute_id=mediating.pk,
                                  subject=f"document:{notice.pk}",
                                  party_id=debtor.pk, channel="post", result="signed",
                                  evidence="EMS回执，本人签收")
        assert made.served
        assert mediating.events.filter(type="reach.served", params__party=debtor.pk).exists()

    def test_a_text_serves_only_with_consent_to_electronic_service(self, world, mediating):
        notice = notice_generate(actor=world.clerk, dispute_id=mediating.pk,
                                 kind="acceptance_notice")
        debtor = debtor_of(mediating)
        with clock.pinned(daytime()):
            first = notice_serve(actor=world.clerk, dispute_id=mediating.pk,
                                  subject=f"document:{notice.pk}",
                                   party_id=debtor.pk, channel="sms")
        assert first.result == "delivered"
        assert not first.served
        user = party_sign_in(debtor, consent=True)
        with clock.pinned(daytime()):
            second = notice_serve(actor=world.clerk, dispute_id=mediating.pk,
                                  subject=f"document:{notice.pk}",
                                    party_id=debtor.pk, channel="sms")
        assert second.served
        read = document_read(actor=user, document_id=notice.pk)
        assert read is not None
        assert read.channel == "portal"
        assert read.served
        assert document_read(actor=user, document_id=notice.pk) is None  # once

    def test_the_portal_records_the_read_and_shows_the_service(self, client, world, mediating):
        notice = notice_generate(actor=world.clerk, dispute_id=mediating.pk,
                                 kind="options_notice")
        client.force_login(party_sign_in(debtor_of(mediating)))
        page = client.post(reverse("portal:document_open", args=[notice.pk]), follow=True)
        assert page.status_code == 200
        assert notice.title in page.content.decode()
        assert Service.objects.get(document=notice).channel == "portal"
        listing = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()
        assert "已送达" in listing
        assert "当事人端查阅" in listing

    def test_a_party_cannot_open_another_disputes_document(self, client, world, cases):
        ours, theirs = cases
        notice = notice_generate(actor=world.other_clerk, dispute_id=theirs.pk,
                                 kind="options_notice")
        client.force_login(party_sign_in(debtor_of(ours)))
        assert client.get(reverse("portal:document", args=[notice.pk])).status_code == 404
        assert client.post(reverse("portal:document_open", args=[notice.pk])).status_code \
            == 404
        assert not Service.objects.exists()

    def test_a_visit_that_reached_the_party_is_a_contact_on_the_timeline(self, world, mediating):
        notice = notice_generate(actor=world.clerk, dispute_id=mediating.pk,
                                 kind="options_notice")
        debtor = debtor_of(mediating)
        with clock.pinned(daytime()):
            notice_serve(actor=world.clerk, dispute_id=mediating.pk, party_id=debtor.pk,
                         subject=f"document:{notice.pk}", channel="in_person", result="signed",
                         evidence="本人签收")
        types = set(mediating.events.values_list("type", flat=True))
        assert {"outreach.contact", "reach.contacted", "reach.served"} <= types

    def test_following_a_link_to_a_document_serves_nothing_the_partys_own_click_does(
            self, world, mediating):
        notice = notice_generate(actor=world.clerk, dispute_id=mediating.pk,
                                 kind="options_notice")
        party = Client()
        party.force_login(party_sign_in(debtor_of(mediating)))
        assert party.get(reverse("portal:document", args=[notice.pk])).status_code == 200
        assert not notice.services.exists()
        party.post(reverse("portal:document_open", args=[notice.pk]))
        assert notice.services.get().served

    def test_a_representative_who_consented_is_served_by_reading(self, desk, mediating):
        notice = notice_generate(actor=desk.clerk, dispute_id=mediating.pk,
                                 kind="options_notice")
        lawyer = party_sign_in(appoint_representative(desk, mediating, Authority.SPECIAL),
                               consent=True)
        made = document_read(actor=lawyer, document_id=notice.pk)
        assert made is not None
        assert made.served
        assert "代理人" in made.evidence


class TestCannotReach:
    def test_failed_attempts_then_a_township_visit_then_closing_as_unreachable(
            self, world, mediating):
        debtor = debtor_of(mediating)

        def stage() -> str:
            return selectors.reach_of(mediating)[0].stage.value

        with pytest.raises(OutreachInvalid, match="继续联系"):
            unreachable_close(actor=world.mediator, dispute_id=mediating.pk,
                              party_id=debtor.pk, expected_version=mediating.version)
        for day, outcome in ((2, "no_answer"), (1, "wrong_number"), (1, "no_answer")):
            with clock.pinned(daytime() - dt.timedelta(days=day)):
                call(world, mediating, outcome=outcome)
        assert stage() == "township_visit"
        with clock.pinned(daytime()):
            contact_record(actor=world.mediator, dispute_id=mediating.pk, party_id=debtor.pk,
                           channel="township", outcome="not_found",
                           note="村委会称其外出务工，家中无人")
        assert stage() == "may_close"
        mediating.refresh_from_db()
        closed = unreachable_close(actor=world.mediator, dispute_id=mediating.pk,
                                   party_id=debtor.pk, expected_version=mediating.version)
        assert closed.state == State.FAILED
        event = closed.events.order_by("-seq").first()
        assert "无法联系" in event.params.get("reason", "")

    def test_a_party_who_signed_in_is_reached(self, world, mediating):
        party_sign_in(debtor_of(mediating))
        assert selectors.reach_of(mediating)[0].stage.value == "reached"

    def test_mediation_does_not_end_because_a_guarantor_cannot_be_reached(
            self, world, mediating):
        guarantor = add_guarantor(mediating).party
        for day, outcome in ((2, "no_answer"), (1, "no_answer"), (1, "wrong_number")):
            with clock.pinned(daytime() - dt.timedelta(days=day)):
                contact_record(actor=world.mediator, dispute_id=mediating.pk,
                               party_id=guarantor.pk, channel="call", outcome=outcome)
        with clock.pinned(daytime()):
            contact_record(actor=world.mediator, dispute_id=mediating.pk,
                           party_id=guarantor.pk, channel="township", outcome="not_found")
        mediating.refresh_from_db()
        with pytest.raises(OutreachInvalid, match="不是债务人"):
            unreachable_close(actor=world.mediator, dispute_id=mediating.pk,
                              party_id=guarantor.pk, expected_version=mediating.version)


class TestReport:
    def test_contacts_per_mediator_and_institution_for_supervisors_only(self, world, mediating):
        with clock.pinned(daytime()):
            call(world, mediating)
            call(world, mediating, outcome="reached")
        today = daytime().date()
        by_mediator, by_institution = selectors.contact_report(world.supervisor, today, today)
        assert [(r.name, r.attempts, r.reached, r.busiest_day, r.over_cap, r.late)
                for r in by_mediator] == [(str(world.mediator), 2, 1, 2, 0, 0)]
        assert by_institution[0].name == str(world.branch)
        assert selectors.contact_report(world.mediator, today, today) == ([], [])
        assert selectors.contact_report(world.county_supervisor, today, today) == ([], [])

    def test_the_report_flags_the_week_and_counts_the_person_across_desks(
            self, world, mediating):
        debtor = debtor_of(mediating)
        start = daytime() - dt.timedelta(days=4)
        type(mediating).objects.filter(pk=mediating.pk).update(  # received before the calls
            received_on=start.date() - dt.timedelta(days=1))
        for day in range(4):  # two a day by two different desks: within the daily cap
            for who in (world.mediator, world.clerk):
                with clock.pinned(start + dt.timedelta(days=day)):
                    contact_record(actor=who, dispute_id=mediating.pk, party_id=debtor.pk,
                                   channel="call", outcome="no_answer",
                                   at=clock.now() - dt.timedelta(hours=1))
        rows, _inst = selectors.contact_report(world.supervisor, start.date(),
                                               daytime().date())
        assert sum(r.attempts for r in rows) == 8
        assert sum(r.over_cap for r in rows) == 1  # the eighth in 7 days


class TestEmailService:
    def test_a_notice_is_served_by_email_to_the_address_on_file(self, world, mediating,
                                                                mailoutbox):
        debtor = debtor_of(mediating)
        notice = notice_generate(actor=world.clerk, dispute_id=mediating.pk,
                                 kind="options_notice")
        with clock.pinned(daytime()):
            with pytest.raises(OutreachInvalid, match="电子邮箱"):
                notice_serve(actor=world.clerk, dispute_id=mediating.pk, party_id=debtor.pk,
                             subject=f"document:{notice.pk}", channel="email")
            alternate_contact_add(actor=world.mediator, dispute_id=mediating.pk,
                                  party_id=debtor.pk, kind="email", value="zhang@example.cn",
                                  source="party")
            made = notice_serve(actor=world.clerk, dispute_id=mediating.pk, party_id=debtor.pk,
                                subject=f"document:{notice.pk}", channel="email")
        assert made.result == "delivered"
        assert made.address == "z***@example.cn"
        assert not made.served  # no consent to electronic service yet
        [mail] = mailoutbox
        assert mail.to == ["zhang@example.cn"]
        assert world.committee.name in mail.subject
        assert made.verification.code[:4] in mail.body
        assert ContactAttempt.objects.get(channel="email").outcome == "sent"

    def test_email_goes_only_to_an_address_the_party_gave(self, world, mediating):
        debtor = debtor_of(mediating)
        notice = notice_generate(actor=world.clerk, dispute_id=mediating.pk,
                                 kind="options_notice")
        alternate_contact_add(actor=world.mediator, dispute_id=mediating.pk,
                              party_id=debtor.pk, kind="email", value="bank@example.cn",
                              source="institution")
        with clock.pinned(daytime()), pytest.raises(OutreachInvalid, match="本人提供"):
            notice_serve(actor=world.clerk, dispute_id=mediating.pk, party_id=debtor.pk,
                         subject=f"document:{notice.pk}", channel="email")


class TestServingMoreThanDocuments:
    def test_a_session_a_shared_plan_and_the_agreement_can_be_served_a_private_plan_not(
            self, desk, mediating):
        session = session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                                   mode=Session.Mode.ONLINE,
                                   starts_at=clock.now() + dt.timedelta(days=2),
                                   online_link="https://meet.example.invalid/1")
        shared = offer_propose(actor=desk.mediator, dispute_id=mediating.pk,
                               options=flat(12), discount_rate=Decimal("0.035"))
        private = offer_propose(actor=desk.agent, dispute_id=mediating.pk, options=flat(24),
                                discount_rate=Decimal("0.035"), side=Side.CREDITOR)
        subjects = {s.subject for s in selectors.servables(mediating)}
        assert {f"session:{session.pk}", f"offer:{shared.pk}"} <= subjects
        assert f"offer:{private.pk}" not in subjects
        debtor = debtor_of(mediating)
        with clock.pinned(daytime()):
            for bad in (f"offer:{private.pk}", "document:abc", "offer:999999", "x"):
                with pytest.raises(OutreachInvalid, match="没有可送达"):
                    notice_serve(actor=desk.mediator, dispute_id=mediating.pk,
                                 party_id=debtor.pk, subject=bad, channel="sms")
            made = notice_serve(actor=desk.mediator, dispute_id=mediating.pk,
                                party_id=debtor.pk, subject=f"session:{session.pk}",
                                channel="in_person", result="signed", evidence="本人签收")
        assert made.title.startswith("调解通知（第1次")
        assert made.document is None

    def test_a_served_session_is_confirmed_read_in_the_portal(self, desk, mediating):
        from jintiao.mediation.models import Session
        from jintiao.mediation.services import session_schedule

        session = session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                                   mode=Session.Mode.ONLINE,
                                   starts_at=clock.now() + dt.timedelta(days=2),
                                   online_link="https://meet.example.invalid/2")
        debtor = debtor_of(mediating)
        user = party_sign_in(debtor, consent=True)
        subject = f"session:{session.pk}"
        client = Client()
        client.force_login(user)
        assert client.post(reverse("portal:acknowledge", args=[mediating.pk]),
                           {"subject": subject}).status_code == 302
        assert not notice_services(mediating, debtor)  # nothing served yet: nothing to read
        with clock.pinned(daytime()):
            notice_serve(actor=desk.mediator, dispute_id=mediating.pk, party_id=debtor.pk,
                         subject=subject, channel="sms")
        page = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()
        assert "确认已阅" in page
        client.post(reverse("portal:acknowledge", args=[mediating.pk]), {"subject": subject})
        read = [s for s in notice_services(mediating, debtor) if s.channel == "portal"]
        assert len(read) == 1
        assert read[0].served
