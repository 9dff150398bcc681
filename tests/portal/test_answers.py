"""The debtor answers plans on the portal (issue 21 §1): accepts one with its terms read,
rejects one with a reason, or puts forward a plan of their own built by the designer's
rules — warned when a plan asks more a month than the budget they declared allows."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from jintiao import clock
from jintiao.disputes.access import PermissionDenied
from jintiao.domain.representation import Authority
from jintiao.mediation.models import Offer
from jintiao.mediation.services import MediationInvalid, budget_declare, offer_propose
from jintiao.portal.plans import counter_propose
from tests.factories import flat
from tests.portal.helpers import add_guarantor, appoint_representative, debtor_of, party_sign_in

pytestmark = pytest.mark.django_db
# the debtor's own plan starts after today and within a year
FIRST_DUE = clock.today() + dt.timedelta(days=45)


@pytest.fixture
def on_table(desk, mediating):
    """The bank's 24-month plan on the table (binding the bank), open for the debtor."""
    return offer_propose(actor=desk.agent, dispute_id=mediating.pk, options=flat(24),
                         discount_rate=Decimal("0.035"))


def _debtor_client(dispute) -> tuple[Client, object]:
    user = party_sign_in(debtor_of(dispute))
    client = Client()
    client.force_login(user)
    return client, user


def _page(client: Client, dispute) -> str:
    return client.get(reverse("portal:dispute", args=[dispute.pk])).content.decode()


class TestAnswering:
    def test_the_debtor_accepts_a_plan_with_its_terms_read(self, desk, mediating, on_table):
        client, user = _debtor_client(mediating)
        assert f"offer-{on_table.pk}" in _page(client, mediating)

        url = reverse("portal:offer_answer", args=[mediating.pk, on_table.pk])
        refused = client.post(url, {"answer": "accept"}, follow=True).content.decode()
        assert "请先阅读并勾选确认方案条款" in refused
        on_table.refresh_from_db()
        assert on_table.debtor_accepted_at is None

        client.post(url, {"answer": "accept", "agree": "on"})

        on_table.refresh_from_db()
        assert on_table.status == Offer.Status.ACCEPTED  # the bank's own offer bound it
        assert mediating.events.filter(type="mediation.offer_accepted", actor=user,
                                       params__side="debtor").exists()
        assert f"offer-{on_table.pk}" not in _page(client, mediating)  # nothing left to answer

    def test_a_rejection_needs_a_reason_and_tells_it(self, desk, mediating, on_table):
        client, user = _debtor_client(mediating)
        url = reverse("portal:offer_answer", args=[mediating.pk, on_table.pk])

        page = client.post(url, {"answer": "reject", "reason": "  "}, follow=True)
        assert "请写明不接受该方案的理由" in page.content.decode()
        on_table.refresh_from_db()
        assert on_table.status == Offer.Status.OPEN

        client.post(url, {"answer": "reject", "reason": "每月九千太多，最多四千"})
        on_table.refresh_from_db()
        assert on_table.status == Offer.Status.REJECTED
        event = mediating.events.get(type="mediation.offer_rejected")
        assert (event.actor_id, event.params["reason"]) == (user.pk, "每月九千太多，最多四千")

    def test_the_desk_still_records_a_rejection_without_a_reason(self, desk, mediating,
                                                                  on_table):
        from jintiao.mediation.services import offer_reject

        offer_reject(actor=desk.mediator, offer_id=on_table.pk, side="debtor")
        on_table.refresh_from_db()
        assert on_table.status == Offer.Status.REJECTED

    def test_another_persons_dispute_is_not_found(self, desk, mediating, on_table, cases):
        client, _user = _debtor_client(mediating)
        theirs = cases[1]
        response = client.post(reverse("portal:offer_answer", args=[theirs.pk, on_table.pk]),
                               {"answer": "accept", "agree": "on"})
        assert response.status_code == 404

    def test_a_guarantor_may_read_but_not_answer(self, desk, mediating, on_table):
        guarantor = add_guarantor(mediating)
        client = Client()
        client.force_login(party_sign_in(guarantor.party))
        assert f"offer-{on_table.pk}" not in _page(client, mediating)
        client.post(reverse("portal:offer_answer", args=[mediating.pk, on_table.pk]),
                    {"answer": "accept", "agree": "on"})
        on_table.refresh_from_db()
        assert on_table.debtor_accepted_at is None

    def test_a_general_authority_takes_part_but_does_not_settle(self, desk, mediating,
                                                                on_table):
        rep = appoint_representative(desk, mediating, Authority.GENERAL)
        user = party_sign_in(rep)
        with pytest.raises(PermissionDenied):
            counter_propose(actor=user, dispute_id=mediating.pk, periods=36,
                            first_due=FIRST_DUE)
        client = Client()
        client.force_login(user)
        page = _page(client, mediating)
        assert f"offer-{on_table.pk}" not in page
        assert 'id="counter"' not in page


class TestCounterOffer:
    def test_the_debtor_previews_then_puts_their_plan_forward(self, desk, mediating,
                                                              on_table):
        client, user = _debtor_client(mediating)
        url = reverse("portal:counter", args=[mediating.pk])
        choice = {"periods": "48", "first_due": FIRST_DUE.isoformat()}

        preview = client.post(url, choice).content.decode()
        assert "您的方案（尚未提交）" in preview
        assert "分48期，每月约 <b>4,816.83</b> 元" in preview  # 231,208.40 over 48 months
        assert not Offer.objects.filter(dispute=mediating, by=Offer.By.DEBTOR).exists()

        mark = re.search(r'name="previewed" value="([0-9a-f]+)"', preview).group(1)
        changed = client.post(url, {**choice, "periods": "36", "step": "send",
                                    "previewed": mark}).content.decode()
        assert "方案条件已修改" in changed  # not what was previewed: previewed again
        assert "分36期" in changed
        assert not Offer.objects.filter(dispute=mediating, by=Offer.By.DEBTOR).exists()

        client.post(url, {**choice, "step": "send", "previewed": mark})

        made = Offer.objects.get(dispute=mediating, by=Offer.By.DEBTOR)
        assert made.debtor_accepted_at is not None
        assert made.creditor_accepted_at is None
        assert made.options["periods"] == 48
        assert made.proposed_by_id == user.pk
        assert mediating.events.filter(type="mediation.offer_made", actor=user,
                                       params__by="debtor").exists()

    def test_a_first_day_gone_by_is_refused_and_nothing_is_made(self, desk, mediating):
        client, _user = _debtor_client(mediating)
        page = client.post(reverse("portal:counter", args=[mediating.pk]), {
            "periods": "12", "first_due": (dt.date(2020, 1, 1)).isoformat(),
            "step": "send"}, follow=True).content.decode()
        assert 'class="msg error"' in page
        assert not Offer.objects.filter(dispute=mediating).exists()

    def test_no_counter_once_a_plan_is_agreed(self, desk, mediating, on_table):
        from jintiao.mediation.services import offer_accept

        offer_accept(actor=desk.mediator, offer_id=on_table.pk, side="debtor")
        client, user = _debtor_client(mediating)
        assert 'id="counter"' not in _page(client, mediating)
        with pytest.raises(MediationInvalid):
            counter_propose(actor=user, dispute_id=mediating.pk, periods=36,
                            first_due=FIRST_DUE)


class TestBudgetWarning:
    def test_a_plan_beyond_the_declared_budget_is_flagged(self, desk, mediating, on_table):
        client, user = _debtor_client(mediating)
        assert "超出按您申报的收支" not in _page(client, mediating)  # nothing declared yet
        budget_declare(actor=user, dispute_id=mediating.pk,
                       party_row_id=mediating.party_rows.get(role="debtor").pk,
                       monthly_income=Decimal("12000"), other_obligations=Decimal("1000"),
                       dependants=1)
        page = _page(client, mediating)
        # 24 months of 9,633.68 against 12,000 × 50 % − 1,000 = 5,000 a month
        assert "每月需还约 9,633.68 元，超出按您申报的收支每月最多可还的 5,000.00 元" in page

        preview = client.post(reverse("portal:counter", args=[mediating.pk]), {
            "periods": "60", "first_due": FIRST_DUE.isoformat()}).content.decode()
        assert "3,853.47" in preview
        assert "超出按您申报的收支" not in preview.split('id="counter-preview"')[1] \
            .split("</div>")[0]


class TestTheDays:
    """Found trying it as a user: a plan starting in the past or decades ahead went through."""

    @pytest.mark.parametrize(("ahead", "words"), [
        (0, "须晚于今天"), (-3, "须晚于今天"), (400, "不能晚于一年以后")])
    def test_the_first_day_is_after_today_and_within_a_year(self, desk, mediating, ahead,
                                                            words):
        client, user = _debtor_client(mediating)
        first = clock.today() + dt.timedelta(days=ahead)
        preview = client.post(reverse("portal:counter", args=[mediating.pk]), {
            "periods": "12", "first_due": first.isoformat()}).content.decode()
        assert words in preview
        with pytest.raises(MediationInvalid, match=words):
            counter_propose(actor=user, dispute_id=mediating.pk, periods=12, first_due=first)
        assert not Offer.objects.filter(dispute=mediating).exists()


def test_a_new_plan_of_the_debtors_replaces_the_earlier_one(desk, mediating):
    """Found trying it as a user: the debtor's counter-offers piled up on the table."""
    user = party_sign_in(debtor_of(mediating))
    first = counter_propose(actor=user, dispute_id=mediating.pk, periods=36,
                            first_due=FIRST_DUE)
    counter_propose(actor=user, dispute_id=mediating.pk, periods=48, first_due=FIRST_DUE)
    first.refresh_from_db()
    assert first.status == Offer.Status.WITHDRAWN
    assert Offer.objects.filter(dispute=mediating, by=Offer.By.DEBTOR,
                                status=Offer.Status.OPEN).count() == 1


def test_the_debtor_sees_what_they_decided(desk, mediating, on_table):
    """Found trying it as a user: a rejected plan vanished, an accepted one still said 待答复."""
    client, user = _debtor_client(mediating)
    mine = counter_propose(actor=user, dispute_id=mediating.pk, periods=48,
                           first_due=FIRST_DUE)
    client.post(reverse("portal:offer_answer", args=[mediating.pk, on_table.pk]),
                {"answer": "reject", "reason": "太高"})
    page = _page(client, mediating)
    assert f"方案{on_table.seq}（债权人提出）" in page
    assert "已拒绝" in page
    assert f"方案{mine.seq}（债务人提出）" in page
    assert "您方已接受，待对方答复" in page


def test_the_budget_sheet_shows_what_was_declared(desk, mediating):
    """Found trying it as a user: the sheet came back empty and a second save wiped it."""
    client, _user = _debtor_client(mediating)
    client.post(reverse("portal:budget", args=[mediating.pk]),
                {"wage": "9,000", "business": "1,000", "debts": "1,500", "dependants": "2"})
    page = _page(client, mediating)
    assert 'name="wage" value="10000.00"' in page
    assert 'name="debts" value="1500.00"' in page
    assert 'name="dependants" value="2"' in page
