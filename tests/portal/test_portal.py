"""The party portal: signing in by mobile code and identity number (only the mobile on the
case file, within hourly, daily and per-address limits, safe against concurrent tries),
seeing only one's own disputes, never the other side's private notes, offers or bound, nor
a guarantor the debtor's; acting for oneself (a blind bound, signing the agreement, a
recusal request) and through a representative as far as their authority goes."""

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
from jintiao.disputes.access import PermissionDenied, dispute_visible_to, standing_of
from jintiao.disputes.services import representative_appoint
from jintiao.domain.blind import CreditorBound, DebtorBound
from jintiao.domain.lifecycle import Role
from jintiao.domain.representation import Authority, Relation
from jintiao.mediation.models import Recusal, Session, Side
from jintiao.mediation.selectors import caucus_notes_for, figures_for, offers_for
from jintiao.mediation.services import (
    blind_bound_enter,
    caucus_note_add,
    offer_propose,
    session_schedule,
)
from jintiao.messaging.models import OutboxMessage
from jintiao.messaging.selectors import outbox_code
from jintiao.orgs.models import User
from jintiao.orgs.selectors import user_roles
from jintiao.outreach.services import alternate_contact_add
from jintiao.parties.models import PartyAccount
from jintiao.parties.services import PartyInput, party_get_or_create
from jintiao.portal.models import SignInCode
from jintiao.portal.services import SignInInvalid, sign_in, sign_in_code_send
from tests.factories import SCAN, flat, resident_id
from tests.helpers import CHARGES_SINCE, accept_plan
from tests.portal.helpers import (
    add_guarantor,
    appoint_representative,
    debtor_of,
    id_of,
    party_sign_in,
    phone_of,
)

pytestmark = pytest.mark.django_db

CREDITOR_NOTE = "银行内部：最低可接受一次性还款十五万"
CREDITOR_FLOOR = Decimal("228765.00")


class TestSignIn:
    def test_code_and_identity_open_an_account_with_the_party_role(self, cases):
        debtor = debtor_of(cases[0])
        user = party_sign_in(debtor)
        assert Role.PARTY in user_roles(user)
        account = PartyAccount.objects.get(user=user)
        assert account.party == debtor
        assert account.e_service_consented_at is not None
        assert cases[0].events.filter(type="reach.engaged", params__party=debtor.pk).count() == 1
        assert party_sign_in(debtor) == user  # the same account next time, engaged once
        assert cases[0].events.filter(type="reach.engaged").count() == 1

    def test_a_wrong_identity_number_is_refused_and_counts_as_a_wrong_try(self, cases):
        debtor = debtor_of(cases[0])
        sign_in_code_send(phone=phone_of(debtor))
        code = outbox_code(phone_of(debtor))
        with pytest.raises(SignInInvalid):
            sign_in(phone=phone_of(debtor), code=code, id_number=resident_id(999))
        assert SignInCode.objects.get().attempts == 1
        assert not PartyAccount.objects.exists()

    def test_a_wrong_code_is_refused_and_five_wrong_tries_burn_it(self, cases):
        debtor = debtor_of(cases[0])
        sign_in_code_send(phone=phone_of(debtor))
        code = outbox_code(phone_of(debtor))
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            with pytest.raises(SignInInvalid):
                sign_in(phone=phone_of(debtor), code=wrong, id_number=id_of(debtor))
        with pytest.raises(SignInInvalid):  # the right code no longer works
            sign_in(phone=phone_of(debtor), code=code, id_number=id_of(debtor))

    def test_an_unknown_number_gets_the_same_answer_and_no_text(self, cases):
        sign_in_code_send(phone="13900000001")  # no error: nobody learns who is on file
        assert not OutboxMessage.objects.filter(purpose="portal_sign_in").exists()

    def test_codes_cannot_be_asked_for_every_second(self, cases):
        phone = phone_of(debtor_of(cases[0]))
        sign_in_code_send(phone=phone)
        with pytest.raises(SignInInvalid, match="稍候"):
            sign_in_code_send(phone=phone)

    def test_not_a_mobile_number_is_refused(self, cases):
        with pytest.raises(SignInInvalid):
            sign_in_code_send(phone="12345")

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

    def test_asked_again_within_the_minute_the_code_box_is_still_offered(self, client, cases):
        """The walk: after a reload the page went back to the number, and asking again
        said to wait — with no box for the code already on the phone."""
        from jintiao.messaging.selectors import outbox_code

        debtor = debtor_of(cases[0])
        client.post(reverse("portal:login"), {"step": "code", "phone": phone_of(debtor)})
        page = client.post(reverse("portal:login"), {"step": "code",
                                                     "phone": phone_of(debtor)}).content.decode()
        assert "请稍候一分钟" in page
        assert 'name="code"' in page
        signed = client.post(reverse("portal:login"), {
            "step": "verify", "phone": phone_of(debtor), "code": outbox_code(phone_of(debtor)),
            "id_number": id_of(debtor)})
        assert signed.status_code == 302
        assert signed["Location"] == reverse("portal:home")

    def test_a_malformed_number_gets_no_code_box(self, client, cases):
        page = client.post(reverse("portal:login"), {"step": "code",
                                                     "phone": "12345"}).content.decode()
        assert 'name="code"' not in page

    def test_a_failed_sign_in_does_not_echo_the_identity_number(self, client, cases):
        debtor = debtor_of(cases[0])
        sign_in_code_send(phone=phone_of(debtor))
        page = client.post(reverse("portal:login"), {
            "step": "verify", "phone": phone_of(debtor), "code": "000000",
            "id_number": id_of(debtor)}).content.decode()
        assert "验证码或身份证号码不正确" in page
        assert id_of(debtor) not in page

    def test_account_consent_is_the_party_s_own(self, cases):
        debtor = debtor_of(cases[0])
        party_sign_in(debtor, consent=False)
        assert PartyAccount.objects.get(party=debtor).e_service_consented_at is None

    def test_one_address_cannot_exhaust_everyones_codes(self, world, settings):
        settings.PORTAL_CODES_PER_ADDRESS_HOUR = 3
        for n in range(3):
            sign_in_code_send(phone=f"1390000{n:04d}", client_ip="203.0.113.9")
        with pytest.raises(SignInInvalid, match="频繁"):
            sign_in_code_send(phone="13900009999", client_ip="203.0.113.9")
        sign_in_code_send(phone="13900009999", client_ip="203.0.113.10")


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


class TestOwnDisputesOnly:
    def test_a_party_sees_their_disputes_and_no_one_elses(self, cases):
        ours, _theirs = cases
        user = party_sign_in(debtor_of(ours))
        assert list(dispute_visible_to(user)) == [ours]

    def test_a_shared_phone_opens_only_the_identity_given(self, world, cases):
        """Both debtors registered 13812345678 (one family phone): the identity number
        decides whose disputes open."""
        _ours, theirs = cases
        user = party_sign_in(debtor_of(theirs))
        assert list(dispute_visible_to(user)) == [theirs]

    def test_another_partys_dispute_page_is_404(self, client, cases):
        ours, theirs = cases
        client.force_login(party_sign_in(debtor_of(ours)))
        assert client.get(reverse("portal:dispute", args=[theirs.pk])).status_code == 404
        assert client.get(reverse("portal:dispute", args=[ours.pk])).status_code == 200

    def test_a_party_is_kept_out_of_the_workbench_and_the_admin(self, client, cases):
        client.force_login(party_sign_in(debtor_of(cases[0])))
        for url in ("/", f"/disputes/{cases[0].pk}/", f"/disputes/{cases[0].pk}/mediation/",
                    "/outbox/", "/admin/"):
            response = client.get(url)
            assert (response.status_code, response["Location"]) == (302, "/p/"), url

    def test_staff_are_sent_to_the_portal_sign_in(self, client, world, cases):
        client.force_login(world.mediator)
        response = client.get(reverse("portal:dispute", args=[cases[0].pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:login")


@pytest.fixture
def private_round(desk, mediating):
    """A back-to-back session with a note for each side, the creditor's private offer and
    its bound entered in a blind round."""
    session = session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                               mode=Session.Mode.BACK_TO_BACK,
                               starts_at=clock.now() + dt.timedelta(days=1),
                               place="调解室", online_link="https://meet.example.invalid/room")
    caucus_note_add(actor=desk.mediator, session_id=session.pk, side=Side.CREDITOR,
                    text=CREDITOR_NOTE)
    caucus_note_add(actor=desk.mediator, session_id=session.pk, side=Side.DEBTOR,
                    text="债务人：每月最多还四千")
    offer_propose(actor=desk.agent, dispute_id=mediating.pk, options=flat(36),
                  discount_rate=Decimal("0.035"), side=Side.CREDITOR)
    offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(24),
                  discount_rate=Decimal("0.035"))
    blind_bound_enter(actor=desk.agent, dispute_id=mediating.pk,
                      bound=CreditorBound(CREDITOR_FLOOR, 36))
    return session


class TestNeverTheOtherSide:
    def test_the_creditors_notes_offers_and_bound_never_reach_the_debtor(
            self, client, desk, mediating, private_round):
        user = party_sign_in(debtor_of(mediating))
        me = standing_of(user, mediating)
        assert [n.side for n in caucus_notes_for(me, private_round)] == [Side.DEBTOR]
        assert all(o.side in ("", Side.DEBTOR) for o in offers_for(me))
        client.force_login(user)
        page = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()
        assert CREDITOR_NOTE not in page
        assert "228,765" not in page
        assert "228765" not in page
        assert "方案1" not in page  # the creditor's private offer
        assert "方案2" in page
        assert "分24期" in page
        assert "https://meet.example.invalid/room" in page

    def test_the_debtor_enters_a_bound_and_only_the_outcome_is_shown(
            self, client, desk, mediating, private_round):
        user = party_sign_in(debtor_of(mediating))
        client.force_login(user)
        response = client.post(reverse("portal:bound", args=[mediating.pk]),
                               {"max_monthly": "9000", "max_total": "231208.40"}, follow=True)
        page = response.content.decode()
        assert "9,000" not in page
        assert "9000" not in page
        round_ = mediating.blind_rounds.get()
        assert round_.outcome == "overlap"
        assert round_.debtor_bound
        event = mediating.events.get(type="mediation.blind_bound_entered", actor=user)
        assert "9000" not in str(event.params)

    def test_the_creditor_cannot_be_impersonated_from_the_portal(self, desk, mediating):
        user = party_sign_in(debtor_of(mediating))
        with pytest.raises(PermissionDenied, match="债权"):
            blind_bound_enter(actor=user, dispute_id=mediating.pk,
                              bound=CreditorBound(Decimal("1.00"), 600))

    def test_a_guarantor_neither_enters_the_debtors_bound_nor_reads_its_private_plans(
            self, desk, mediating):
        guarantor = add_guarantor(mediating).party
        private = offer_propose(actor=desk.mediator, dispute_id=mediating.pk,
                                options=flat(12), discount_rate=Decimal("0.035"),
                                side=Side.DEBTOR, on_behalf_of="debtor")
        user = party_sign_in(guarantor)
        assert private not in offers_for(standing_of(user, mediating))
        with pytest.raises(PermissionDenied):
            blind_bound_enter(actor=user, dispute_id=mediating.pk,
                              bound=DebtorBound(Decimal("1.00"), Decimal("1.00")))
        assert not mediating.blind_rounds.exists()


class TestActing:
    def test_the_debtor_signs_the_agreement_with_a_code_to_their_own_phone(
            self, client, desk, mediating):
        accept_plan(desk, mediating, flat(12))
        mediating.refresh_from_db()
        agreement = agreement_draft(actor=desk.mediator, dispute_id=mediating.pk,
                                    expected_version=mediating.version, draft=CHARGES_SINCE)
        debtor = debtor_of(mediating)
        user = party_sign_in(debtor)
        client.force_login(user)
        page = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()
        assert "获取签署验证码" in page
        line = {"signer": f"party:{mediating.party_rows.get(role='debtor').pk}"}
        sent = client.post(reverse("portal:signing_code", args=[mediating.pk]), line,
                           follow=True)
        assert "签署验证码已发送" in sent.content.decode()
        code = outbox_code(phone_of(debtor))
        signed = client.post(reverse("portal:sign", args=[mediating.pk]),
                             {**line, "code": code}, follow=True)
        assert "您已签署调解协议" in signed.content.decode()
        signature = Signature.objects.get(agreement=agreement, party_row__party=debtor)
        assert signature.signed_by == user
        assert signature.digest == agreement.digest

    def test_a_party_asks_for_a_mediators_recusal(self, client, desk, mediating):
        user = party_sign_in(debtor_of(mediating))
        client.force_login(user)
        client.post(reverse("portal:recusal", args=[mediating.pk]),
                    {"mediator": desk.mediator.pk, "reason": "调解员是债权银行的前员工"})
        recusal = Recusal.objects.get(dispute=mediating)
        assert recusal.requested_by.party == debtor_of(mediating)

    def test_a_representative_sees_and_acts_for_the_party(self, client, desk, mediating):
        row = mediating.party_rows.get(role="debtor")
        lawyer = PartyInput("person", "李律师", resident_id(777), phone="13600000777")
        person = party_get_or_create(lawyer)
        representative_appoint(
            actor=desk.clerk, dispute_id=mediating.pk, expected_version=mediating.version,
            party_row_id=row.pk, person=lawyer,
            relation=Relation.LAWYER, authority=Authority.SPECIAL,
            signed_on=clock.today() - dt.timedelta(days=1), scan=SCAN)
        user = party_sign_in(person)
        assert list(dispute_visible_to(user)) == [mediating]
        client.force_login(user)
        page = client.get(reverse("portal:home")).content.decode()
        assert "的委托代理人" in page

    def test_a_general_authority_is_told_it_cannot_sign_and_is_offered_no_code(
            self, client, desk, mediating):
        accept_plan(desk, mediating, flat(12))
        mediating.refresh_from_db()
        agreement_draft(actor=desk.mediator, dispute_id=mediating.pk,
                        expected_version=mediating.version, draft=CHARGES_SINCE)
        representative = appoint_representative(desk, mediating, Authority.GENERAL)
        client.force_login(party_sign_in(representative))
        page = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()
        assert "一般授权的代理人不能代为签署" in page
        assert "获取签署验证码" not in page

    def test_a_representative_with_general_authority_does_not_settle(self, desk, mediating):
        user = party_sign_in(appoint_representative(desk, mediating, Authority.GENERAL))
        with pytest.raises(PermissionDenied):
            blind_bound_enter(actor=user, dispute_id=mediating.pk,
                              bound=DebtorBound(Decimal("1.00"), Decimal("1.00")))
        special = party_sign_in(appoint_representative(desk, mediating, Authority.SPECIAL, 779))
        blind_bound_enter(actor=special, dispute_id=mediating.pk,
                          bound=DebtorBound(Decimal("100.00"), Decimal("1000.00")))

    def test_a_representative_signs_as_the_representative_only(self, client, desk, mediating):
        accept_plan(desk, mediating, flat(12))
        mediating.refresh_from_db()
        agreement = agreement_draft(actor=desk.mediator, dispute_id=mediating.pk,
                                    expected_version=mediating.version, draft=CHARGES_SINCE)
        lawyer = appoint_representative(desk, mediating, Authority.SPECIAL)
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


class TestBudgetSheet:
    def test_the_debtors_budget_sheet_feeds_the_affordability_check(
            self, client, desk, mediating):
        user = party_sign_in(debtor_of(mediating))
        client.force_login(user)
        page = client.post(reverse("portal:budget", args=[mediating.pk]), {
            "wage": "4,000", "business": "1,500", "other_income": "", "debts": "800",
            "fixed": "700", "dependants": "1"}, follow=True).content.decode()
        budget = mediating.party_rows.get(role="debtor").budget
        assert (budget.monthly_income, budget.other_obligations, budget.dependants) \
            == (Decimal("5500.00"), Decimal("1500.00"), 1)
        # 5,500 − 1,500 − 790 × 2 = 2,420 left; the ratio test allows 50 % × 5,500 − 1,500
        assert "每月最多约可还 <b>1,250.00</b> 元" in page
        figures = figures_for(mediating, flat(12), Decimal("0.035"))
        assert figures.affordability is not None
        assert not figures.affordable  # 19,267.37 a month is far beyond 1,250
        assert mediating.events.filter(type="mediation.budget_declared", actor=user).exists()

    def test_the_creditor_never_sees_the_budget(self, desk, mediating):
        user = party_sign_in(debtor_of(mediating))
        party = Client()
        party.force_login(user)
        party.post(reverse("portal:budget", args=[mediating.pk]), {
            "wage": "6,789", "dependants": "0"})
        agent = Client()
        agent.force_login(desk.agent)
        page = agent.get(reverse("web:mediation", args=[mediating.pk])).content.decode()
        assert "6,789" not in page
        assert "6789" not in page


class TestWhatThePageSays:
    def test_the_cost_cap_shown_is_the_disputes(self, world, mediating):
        client = Client()
        client.force_login(party_sign_in(debtor_of(mediating)))
        page = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()
        assert "年利率24%" in page


class TestEnterpriseBudgetSheet:
    """An enterprise's representative fills in what its operations can pay a month; the
    sheet asks nothing of a household, and the plans are judged against that cash flow."""

    @pytest.fixture
    def company(self, desk):
        from tests.factories.mediation import company_debt

        return company_debt(desk)

    def test_the_sheet_asks_for_the_cash_flow_and_feeds_the_check(self, client, desk, company):
        """The company's employee, appointed with special authority, signs in for it."""
        employee = PartyInput("person", "王会计", resident_id(778), phone="13600000778")
        representative_appoint(
            actor=desk.clerk, dispute_id=company.pk, expected_version=company.version,
            party_row_id=company.party_rows.get(role="debtor").pk, person=employee,
            relation=Relation.EMPLOYEE, authority=Authority.SPECIAL,
            signed_on=clock.today() - dt.timedelta(days=1), scan=SCAN)
        user = party_sign_in(party_get_or_create(employee))
        client.force_login(user)
        sheet = client.get(reverse("portal:dispute", args=[company.pk])).content.decode()
        assert "企业每月经营可用于还款的现金流" in sheet
        assert "需要您抚养的人数" not in sheet

        page = client.post(reverse("portal:budget", args=[company.pk]), {
            "cash_flow": "12,000", "debts": "1,000"}, follow=True).content.decode()

        budget = company.party_rows.get(role="debtor").budget
        assert (budget.monthly_cash_flow, budget.other_obligations, budget.monthly_income) \
            == (Decimal("12000.00"), Decimal("1000.00"), None)
        assert "每月最多约可还 <b>11,000.00</b> 元" in page
        figures = figures_for(company, flat(24), Decimal("0.035"))
        assert figures.affordable  # 9,633.68 a month out of 11,000


class TestOffersTheDebtorReads:
    def test_a_final_lump_is_named_beside_the_monthly_figure(self, client, desk, mediating):
        """先息后本: the debtor reads not only the small monthly interest but the principal
        falling due with the last instalment."""
        from jintiao.domain.plans import PlanOptions
        from jintiao.domain.schedules import Method
        from jintiao.mediation.services import offer_propose
        from tests.factories import FIRST_DUE

        offer_propose(actor=desk.mediator, dispute_id=mediating.pk, discount_rate=Decimal("0.035"),
                      options=PlanOptions(Method.INTEREST_ONLY, 12, FIRST_DUE,
                                          annual_rate=Decimal("0.04")))
        client.force_login(party_sign_in(debtor_of(mediating)))

        page = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()

        assert "第12期需还 203,267.37 元" in page


class TestDebtorBoundRefusals:
    @pytest.mark.parametrize(("figures", "message"), [
        ({"max_monthly": "4300", "max_total": "300000"},
         "最多还款总额300,000.00元超过债权总额231,208.40元：底线须在零与债权总额之间"),
        ({"max_total": "200000"}, "债务人底线须填写每月最多还款和最多还款总额"),
    ])
    def test_the_portal_refuses_a_bad_bound_as_the_desk_does(self, client, desk, mediating,
                                                            figures, message):
        user = party_sign_in(debtor_of(mediating))
        client.force_login(user)
        page = client.post(reverse("portal:bound", args=[mediating.pk]), figures,
                           follow=True).content.decode()
        assert message in page
        assert not mediating.blind_rounds.exists()


class TestTotalsUnderTheSchedule:
    """The debtor reads under the schedule what the plan asks in all, what is paid and
    what is still owed — by the desk's ledger — and money paid beyond it to be refunded."""

    def page(self, client, dispute, day):
        from tests.performance.helpers import at

        client.force_login(party_sign_in(debtor_of(dispute)))
        with clock.pinned(at(day)):
            return client.get(reverse("portal:dispute", args=[dispute.pk])).content.decode()

    def test_the_sums_after_one_instalment(self, client, desk, performing):
        from jintiao.performance.services import payment_record
        from tests.performance.helpers import at, instalment, total

        day = dt.date(2027, 1, 20)
        with clock.pinned(at(day)):
            payment_record(actor=desk.agent, dispute_id=performing.pk, reference="JAN",
                           paid_on=day, amount=instalment(performing))
        page = self.page(client, performing, day)

        assert "应还合计" in page
        assert f"{total(performing):,.2f} 元" in page
        assert f"{instalment(performing):,.2f} 元" in page
        assert f"{total(performing) - instalment(performing):,.2f} 元" in page
        assert "应退还给您" not in page
        assert "全部提前到期" not in page

    def test_a_surplus_is_named_as_money_to_refund(self, client, desk, performing):
        from jintiao.performance.services import payment_record
        from tests.performance.helpers import at, total

        day = dt.date(2027, 1, 20)
        with clock.pinned(at(day)):
            payment_record(actor=desk.agent, dispute_id=performing.pk, reference="ALL",
                           paid_on=day, amount=total(performing) + 10, surplus_intended=True)
        page = self.page(client, performing, day)

        assert "您多付了 10.00 元" in page
        guarantor = add_guarantor(performing).party  # the money is the debtor's, not theirs
        client.force_login(party_sign_in(guarantor))
        with clock.pinned(at(day)):
            theirs = client.get(reverse("portal:dispute", args=[performing.pk])).content.decode()
        assert "应还合计" in theirs
        assert "多付" not in theirs

    def test_after_default_the_dates_no_longer_hold(self, client, desk, performing):
        from jintiao.performance.services import performance_review
        from tests.performance.helpers import at

        day = dt.date(2027, 2, 21)
        with clock.pinned(at(day)):
            assert performance_review(actor=desk.agent, dispute_id=performing.pk) == \
                "defaulted"
        page = self.page(client, performing, day)

        assert "剩余款项已全部提前到期" in page
