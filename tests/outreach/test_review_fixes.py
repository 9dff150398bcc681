"""Defects a second reviewer found in reaching the parties, each with the test that failed
before its fix."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from jintiao import clock
from jintiao.agreements.models import Signature
from jintiao.agreements.services import SignatureInvalid, agreement_draft, signing_code_send
from jintiao.disputes.models import DisputeParty, PartyRole
from jintiao.disputes.services import PermissionDenied, representative_appoint
from jintiao.domain.blind import DebtorBound
from jintiao.domain.lifecycle import Action
from jintiao.domain.outreach import ContactRefused, OutreachInvalid
from jintiao.domain.policy import DEFAULT_POLICY, Track
from jintiao.domain.representation import Authority, Relation
from jintiao.mediation.models import Side
from jintiao.mediation.selectors import offers_for
from jintiao.mediation.services import (
    action_apply,
    blind_bound_enter,
    notice_generate,
    offer_propose,
)
from jintiao.messaging.models import OutboxMessage
from jintiao.messaging.selectors import outbox_code
from jintiao.orgs.models import User
from jintiao.outreach.models import AlternateContact, ContactAttempt, MessageTemplate
from jintiao.outreach.selectors import contact_report
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
from jintiao.parties.models import PartyAccount
from jintiao.parties.services import PartyInput, party_get_or_create
from jintiao.policies.services import policy_publish
from jintiao.portal.models import SignInCode
from jintiao.portal.services import SignInInvalid, sign_in, sign_in_code_send
from tests.api.client import Api
from tests.factories import flat, intake, resident_id
from tests.loop.conftest import CHARGES_SINCE
from tests.loop.helpers import accept_plan
from tests.portal.helpers import daytime, debtor_of, id_of, party_sign_in, phone_of

pytestmark = pytest.mark.django_db


def _add_guarantor(dispute, n: int = 555):
    party = party_get_or_create(PartyInput("person", "担保人王某", resident_id(n),
                                           phone=f"1360000{n:04d}"))
    return DisputeParty.objects.create(dispute=dispute, party=party, role=PartyRole.GUARANTOR)


def _representative(desk, dispute, authority: Authority, n: int = 778):
    row = dispute.party_rows.get(role="debtor")
    person = PartyInput("person", "代理人赵某", resident_id(n), phone=f"1350000{n:04d}")
    dispute.refresh_from_db()
    representative_appoint(actor=desk.clerk, dispute_id=dispute.pk,
                           expected_version=dispute.version, party_row_id=row.pk,
                           person=person, relation=Relation.RELATIVE, authority=authority,
                           signed_on=clock.today() - dt.timedelta(days=1))
    return party_get_or_create(person)


class TestTheDebtorsSide:
    def test_a_guarantor_neither_enters_the_debtors_bound_nor_reads_its_private_plans(
            self, desk, mediating):
        guarantor = _add_guarantor(mediating).party
        private = offer_propose(actor=desk.mediator, dispute_id=mediating.pk,
                                options=flat(12), discount_rate=Decimal("0.035"),
                                side=Side.DEBTOR, on_behalf_of="debtor")
        user = party_sign_in(guarantor)
        assert private not in offers_for(user, mediating)
        with pytest.raises(PermissionDenied):
            blind_bound_enter(actor=user, dispute_id=mediating.pk,
                              bound=DebtorBound(Decimal("1.00"), Decimal("1.00")))
        assert not mediating.blind_rounds.exists()

    def test_a_general_authority_is_told_it_cannot_sign_and_is_offered_no_code(
            self, client, desk, mediating):
        accept_plan(desk, mediating, flat(12))
        mediating.refresh_from_db()
        agreement_draft(actor=desk.mediator, dispute_id=mediating.pk,
                        expected_version=mediating.version, draft=CHARGES_SINCE)
        client.force_login(party_sign_in(_representative(desk, mediating, Authority.GENERAL)))
        page = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()
        assert "一般授权的代理人不能代为签署" in page
        assert "获取签署验证码" not in page

    def test_a_representative_with_general_authority_does_not_settle(self, desk, mediating):
        user = party_sign_in(_representative(desk, mediating, Authority.GENERAL))
        with pytest.raises(PermissionDenied):
            blind_bound_enter(actor=user, dispute_id=mediating.pk,
                              bound=DebtorBound(Decimal("1.00"), Decimal("1.00")))
        special = party_sign_in(_representative(desk, mediating, Authority.SPECIAL, 779))
        blind_bound_enter(actor=special, dispute_id=mediating.pk,
                          bound=DebtorBound(Decimal("100.00"), Decimal("1000.00")))

    def test_mediation_does_not_end_because_a_guarantor_cannot_be_reached(
            self, world, mediating):
        guarantor = _add_guarantor(mediating).party
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


class TestEveryContactUnderTheRules:
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

    def test_a_refusal_to_talk_is_contact(self, world, mediating):
        with clock.pinned(daytime()):
            contact_record(actor=world.mediator, dispute_id=mediating.pk,
                           party_id=debtor_of(mediating).pk, channel="call", outcome="refused")
        assert mediating.events.filter(type="reach.contacted").exists()

    def test_the_cap_follows_the_disputes_policy(self, world):
        """A committee whose rule allows two calls a day refuses the third."""
        policy_publish(organization=world.committee, policy=DEFAULT_POLICY.replace(
            contact_max_per_day=2, contact_max_per_week=5), valid_from=dt.date(2020, 1, 1),
            source="测试：本委每日两次")
        dispute = intake(actor=world.clerk, committee=world.committee, institution=world.branch)
        dispute = action_apply(actor=world.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                               expected_version=1, notice_served=True)
        dispute = action_apply(actor=world.director, dispute_id=dispute.pk,
                               action=Action.ASSIGN, expected_version=dispute.version,
                               track=Track.SIMPLE, mediators=[world.mediator])
        with clock.pinned(daytime()):
            for _ in range(2):
                contact_record(actor=world.mediator, dispute_id=dispute.pk,
                               party_id=debtor_of(dispute).pk, channel="call",
                               outcome="no_answer")
            with pytest.raises(ContactRefused, match="每日上限2次"):
                contact_record(actor=world.mediator, dispute_id=dispute.pk,
                               party_id=debtor_of(dispute).pk, channel="call",
                               outcome="no_answer")


class TestSignIn:
    def test_only_the_mobile_on_the_case_file_signs_in(self, world, mediating):
        """A number added later — by a relative, the bank, or a desk user who could give their
        own as "verified" — reaches the person but never signs in as them."""
        debtor = debtor_of(mediating)
        for n, source in enumerate(("guarantor", "party", "desk", "institution")):
            number = f"137111{n:05d}"
            alternate_contact_add(actor=world.mediator, dispute_id=mediating.pk,
                                  party_id=debtor.pk, kind="mobile", value=number,
                                  source=source)
            sign_in_code_send(phone=number)
            assert outbox_code(number) is None  # no text
            SignInCode.objects.filter(used_at__isnull=True).update(used_at=clock.now())
        assert not PartyAccount.objects.exists()

    def test_a_day_has_a_limit_too(self, cases, settings):
        settings.PORTAL_CODES_PER_HOUR = 100
        phone = phone_of(debtor_of(cases[0]))
        for n in range(10):
            SignInCode.objects.update(sent_at=clock.now() - dt.timedelta(minutes=2 + n))
            sign_in_code_send(phone=phone)
        SignInCode.objects.update(sent_at=clock.now() - dt.timedelta(minutes=30))
        with pytest.raises(SignInInvalid, match="今日"):
            sign_in_code_send(phone=phone)

    def test_a_taken_username_does_not_break_the_first_sign_in(self, cases):
        debtor = debtor_of(cases[0])
        User.objects.create(username=f"party-{debtor.pk}")
        user = party_sign_in(debtor)
        assert user.party_account.party == debtor
        assert user.username.startswith(f"party-{debtor.pk}-")

    def test_a_failed_sign_in_does_not_echo_the_identity_number(self, client, cases):
        debtor = debtor_of(cases[0])
        sign_in_code_send(phone=phone_of(debtor))
        page = client.post(reverse("portal:login"), {
            "step": "verify", "phone": phone_of(debtor), "code": "000000",
            "id_number": id_of(debtor)}).content.decode()
        assert "验证码或身份证号码不正确" in page
        assert id_of(debtor) not in page


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_identity_numbers_are_all_counted(cases):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    debtor = debtor_of(cases[0])
    sign_in_code_send(phone=phone_of(debtor))
    code = outbox_code(phone_of(debtor))

    def wrong(n: int) -> bool:
        try:
            sign_in(phone=phone_of(debtor), code=code, id_number=resident_id(900 + n))
        except SignInInvalid:
            return False
        finally:
            connections.close_all()
        return True

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert not any(pool.map(wrong, range(12)))
    with pytest.raises(SignInInvalid):  # five wrong tries burnt the code
        sign_in(phone=phone_of(debtor), code=code, id_number=id_of(debtor))


@pytest.mark.django_db(transaction=True)
def test_concurrent_code_requests_send_one_text(cases):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    phone = phone_of(debtor_of(cases[0]))

    def ask(_: int) -> bool:
        try:
            sign_in_code_send(phone=phone)
        except SignInInvalid:
            return False
        finally:
            connections.close_all()
        return True

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert sum(pool.map(ask, range(12))) == 1


class TestInputs:
    def test_email_addresses_are_checked(self, world, mediating):
        debtor = debtor_of(mediating)
        for bad in ("wu@example.cn\nBcc: spy@example.cn", "not-an-address",
                    "x" * 95 + "@example.cn"):
            with pytest.raises(OutreachInvalid):
                alternate_contact_add(actor=world.mediator, dispute_id=mediating.pk,
                                      party_id=debtor.pk, kind="email", value=bad,
                                      source="party")
        assert not AlternateContact.objects.exists()

    def test_huge_ids_are_a_refusal_not_a_crash(self, world, mediating, client):
        client.force_login(world.mediator)
        response = client.post(reverse("web:unreachable", args=[mediating.pk]),
                               {"party": str(2**63), "expected_version": "1"})
        assert response.status_code == 302
        party = Client()
        party.force_login(party_sign_in(debtor_of(mediating)))
        response = party.post(reverse("portal:recusal", args=[mediating.pk]),
                              {"mediator": str(10**30), "reason": "x"})
        assert response.status_code == 302


class TestReading:
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
        lawyer = party_sign_in(_representative(desk, mediating, Authority.SPECIAL),
                               consent=True)
        made = document_read(actor=lawyer, document_id=notice.pk)
        assert made is not None
        assert made.served
        assert "代理人" in made.evidence


class TestWithdrawing:
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

    def test_account_consent_is_the_party_s_own(self, cases):
        debtor = debtor_of(cases[0])
        party_sign_in(debtor, consent=False)
        assert PartyAccount.objects.get(party=debtor).e_service_consented_at is None


class TestRepresentativeSigns:
    def test_a_representative_signs_as_the_representative_only(self, client, desk, mediating):
        accept_plan(desk, mediating, flat(12))
        mediating.refresh_from_db()
        agreement = agreement_draft(actor=desk.mediator, dispute_id=mediating.pk,
                                    expected_version=mediating.version, draft=CHARGES_SINCE)
        lawyer = _representative(desk, mediating, Authority.SPECIAL)
        user = party_sign_in(lawyer)
        row = mediating.party_rows.get(role="debtor")
        with pytest.raises(SignatureInvalid, match="代理人身份"):
            signing_code_send(actor=user, agreement_id=agreement.pk, signer=f"party:{row.pk}")
        client.force_login(user)
        client.post(reverse("portal:signing_code", args=[mediating.pk]),
                    {"signer": f"party:{row.pk}"})
        client.post(reverse("portal:sign", args=[mediating.pk]),
                    {"signer": f"party:{row.pk}", "code": outbox_code(phone_of(lawyer))})
        signature = Signature.objects.get(agreement=agreement, party_row=row)
        assert signature.representative.person == lawyer
        assert "委托代理人" in signature.signer_name


class TestSecondReview:
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
        rows, _by_institution = contact_report(world.supervisor, evening.date(),
                                               daytime().date())
        assert rows[0].late == 1

    def test_the_report_flags_the_week_and_counts_the_person_across_desks(
            self, world, mediating):
        debtor = debtor_of(mediating)
        start = daytime() - dt.timedelta(days=4)
        for day in range(4):  # two a day by two different desks: within the daily cap
            for who in (world.mediator, world.clerk):
                with clock.pinned(start + dt.timedelta(days=day)):
                    contact_record(actor=who, dispute_id=mediating.pk, party_id=debtor.pk,
                                   channel="call", outcome="no_answer",
                                   at=clock.now() - dt.timedelta(hours=1))
        rows, _inst = contact_report(world.supervisor, start.date(), daytime().date())
        assert sum(r.attempts for r in rows) == 8
        assert sum(r.over_cap for r in rows) == 1  # the eighth in 7 days

    def test_paper_service_keeps_its_address(self, world, mediating):
        notice = notice_generate(actor=world.clerk, dispute_id=mediating.pk,
                                 kind="options_notice")
        client = Client()
        client.force_login(world.clerk)
        with clock.pinned(daytime()):
            client.post(reverse("web:serve", args=[mediating.pk]), {
                "subject": f"document:{notice.pk}", "party": debtor_of(mediating).pk,
                "channel": "in_person", "result": "signed", "evidence": "本人签收",
                "address": "凯里市某村三组"})
        assert notice.services.get().address == "凯里市某村三组"

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

    def test_a_withdrawn_text_says_who_withdrew_it(self, world):
        made = template_create(actor=world.mediator, committee_id=world.committee.pk,
                               name="旧", purpose="general", body="{姓名}您好。")
        template_retire(actor=world.director, template_id=made.pk)
        made.refresh_from_db()
        assert made.retired_by == world.director
        assert made.retired_at is not None

    def test_one_address_cannot_exhaust_everyones_codes(self, world, settings):
        settings.PORTAL_CODES_PER_ADDRESS_HOUR = 3
        for n in range(3):
            sign_in_code_send(phone=f"1390000{n:04d}", client_ip="203.0.113.9")
        with pytest.raises(SignInInvalid, match="频繁"):
            sign_in_code_send(phone="13900009999", client_ip="203.0.113.9")
        sign_in_code_send(phone="13900009999", client_ip="203.0.113.10")

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

    def test_the_cost_cap_shown_is_the_disputes(self, world, mediating):
        client = Client()
        client.force_login(party_sign_in(debtor_of(mediating)))
        page = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()
        assert "年利率24%" in page


def notice_services(dispute, party):
    return list(dispute.services.filter(party=party).order_by("pk"))
