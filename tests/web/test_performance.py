"""The performance page and the payments file: the same answers as the services give —
a surplus only when stated and then shown as money to refund, a reference used once,
reversal by the desk with a reason, payments a page at a time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.test import Client

from jintiao import clock
from jintiao.performance.models import Payment
from tests.api.client import Api
from tests.performance.helpers import at, second_performing, total

JAN = dt.date(2027, 1, 20)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, dispute) -> str:
    return client.get(f"/disputes/{dispute.pk}/performance/").content.decode()


class TestSurplus:
    def test_the_form_refuses_more_than_is_owed_unless_the_surplus_is_ticked(self, desk,
                                                                            performing):
        bank = client_for(desk.agent)
        body = {"reference": "OVER", "paid_on": "2027-01-20",
                "amount": f"{total(performing) + 10:.2f}"}
        with clock.pinned(at(JAN)):
            refused = bank.post(f"/disputes/{performing.pk}/payments/", body, follow=True)
            assert not Payment.objects.filter(dispute=performing).exists()
            assert "多付10.00元" in refused.content.decode()

            taken = bank.post(f"/disputes/{performing.pk}/payments/",
                              {**body, "surplus_intended": "on"}, follow=True)
            shown = page(bank, performing)

        assert "其中多付10.00元，应退还当事人" in taken.content.decode()
        assert Payment.objects.get(dispute=performing).surplus_intended
        assert 'id="to-refund"' in shown
        assert "10.00" in shown.split('id="to-refund"')[1].split("</div>")[0]
        assert "含多付，应退还" in shown

    def test_the_file_page_answers_every_line(self, desk, performing):
        from django.core.files.uploadedfile import SimpleUploadedFile

        csv = ("dispute,reference,paid_on,amount,surplus_intended\n"
               f"{performing.number},F-1,2027-01-20,100.00,\n"
               f"{performing.number},F-2,2027-01-20,{total(performing) + D(5):.2f},是\n")
        with clock.pinned(at(JAN)):
            shown = client_for(desk.agent).post(
                "/payments/import/",
                {"file": SimpleUploadedFile("p.csv", csv.encode(), "text/csv")}).content.decode()

        rows = shown.split('id="import-rows"')[1]
        assert rows.count('class="row-created"') == 2
        assert "其中多付105.00元，应退还" in rows


class TestReference:
    def test_the_form_refuses_a_reference_booked_on_another_dispute(self, desk, performing):

        other = second_performing(desk)
        bank = client_for(desk.agent)
        body = {"reference": "TX-1", "paid_on": "2027-01-20", "amount": "100.00"}
        with clock.pinned(at(JAN)):
            bank.post(f"/disputes/{performing.pk}/payments/", body)
            refused = bank.post(f"/disputes/{other.pk}/payments/", body, follow=True)

        assert "已登记为本机构另一纠纷的还款" in refused.content.decode()
        assert not Payment.objects.filter(dispute=other).exists()


class TestReversal:
    def test_the_desk_reverses_a_payment_with_a_reason_and_the_row_stays_marked(
            self, desk, performing):
        with clock.pinned(at(JAN)):
            client_for(desk.agent).post(f"/disputes/{performing.pk}/payments/", {
                "reference": "TX-1", "paid_on": "2027-01-20", "amount": "100.00"})
        paid = Payment.objects.get(dispute=performing)
        desk_client = client_for(desk.mediator)

        with clock.pinned(at(JAN)):
            assert "冲正原因" not in page(client_for(desk.agent), performing)
            assert client_for(desk.agent).post(f"/payments/{paid.pk}/reverse/",
                                               {"reason": "录错"}).status_code == 302
            assert Payment.objects.get(pk=paid.pk).reversed_at is None  # not the bank's to do
            no_reason = desk_client.post(f"/payments/{paid.pk}/reverse/", {"reason": " "},
                                         follow=True)
            assert "须写明冲正原因" in no_reason.content.decode()
            done = desk_client.post(f"/payments/{paid.pk}/reverse/",
                                    {"reason": "金额录错，应为120元"}, follow=True)
            resent = client_for(desk.agent).post(f"/disputes/{performing.pk}/payments/", {
                "reference": "TX-1", "paid_on": "2027-01-20", "amount": "100.00"}, follow=True)

        shown = done.content.decode()
        assert "已冲正该笔还款" in shown
        row = shown.split(f'id="payment-{paid.pk}"')[1].split("</tr>")[0]
        assert "冲正：金额录错，应为120元" in row
        assert Payment.objects.get(pk=paid.pk).reversal_reason == "金额录错，应为120元"
        assert "该流水号的还款已登记并已冲正，未重新记账" in resent.content.decode()
        assert Payment.objects.filter(dispute=performing).count() == 1

    def test_a_payment_of_a_dispute_you_cannot_see_is_missing(self, desk, performing):
        with clock.pinned(at(JAN)):
            client_for(desk.agent).post(f"/disputes/{performing.pk}/payments/", {
                "reference": "TX-1", "paid_on": "2027-01-20", "amount": "100.00"})
        paid = Payment.objects.get(dispute=performing)

        response = client_for(desk.other_clerk).post(f"/payments/{paid.pk}/reverse/",
                                                     {"reason": "x"})

        assert response.status_code == 404
        assert Payment.objects.get(pk=paid.pk).reversed_at is None


class TestPaymentsList:
    def test_the_payments_come_fifty_a_page(self, desk, performing):
        with clock.pinned(at(JAN)):
            for n in range(51):
                client_for(desk.agent).post(f"/disputes/{performing.pk}/payments/", {
                    "reference": f"P-{n:02d}", "paid_on": "2027-01-20", "amount": "1.00"})
            bank = client_for(desk.agent)
            first, second = page(bank, performing), bank.get(
                f"/disputes/{performing.pk}/performance/?page=2").content.decode()

        assert "共51笔" in first
        assert first.count('id="payment-') == 50
        assert second.count('id="payment-') == 1
        assert "P-50" in second


class TestDefault:
    def test_after_default_the_schedule_shows_no_instalment_still_to_come(self, desk,
                                                                        performing):
        from jintiao.performance.services import performance_review

        with clock.pinned(at(dt.date(2027, 2, 21))):
            performance_review(actor=desk.agent, dispute_id=performing.pk)
        with clock.pinned(at(dt.date(2027, 2, 22))):
            shown = page(client_for(desk.agent), performing)
            api = Api(desk.agent)
            state = api.get(f"/disputes/{performing.pk}/performance").json()

        schedule = shown.split('id="schedule"')[1].split("</section>")[0]
        assert "待还" not in schedule
        assert "原定2027-12-20，加速到期" in schedule
        assert {i["status"] for i in state["instalments"]} == {"late"}
        assert state["instalments"][-1]["scheduled_on"] == "2027-12-20"


class TestFollowUps:
    def test_after_enforcement_the_visits_left_read_cancelled_without_a_form(self, desk,
                                                                           performing):
        from jintiao.performance.services import (
            enforcement_apply,
            follow_ups_plan,
            performance_review,
        )

        follow_ups_plan(performing)
        with clock.pinned(at(dt.date(2027, 2, 21))):
            performance_review(actor=desk.agent, dispute_id=performing.pk)
            performing.refresh_from_db()
            enforcement_apply(actor=desk.agent, dispute_id=performing.pk,
                              expected_version=performing.version)
            shown = page(client_for(desk.mediator), performing)
            state = Api(desk.mediator).get(f"/disputes/{performing.pk}/performance").json()

        visits = shown.split('id="follow-ups"')[1].split("</section>")[0]
        assert visits.count("取消：已申请强制执行，不再回访") == 3
        assert "<form" not in visits
        assert {f["cancel_reason"] for f in state["follow_ups"]} == {"已申请强制执行，不再回访"}


class TestInstitutionQueue:
    def test_the_banks_home_lists_letters_to_confirm_and_the_reminder(self, desk, performing):
        """Regression: nothing told the institution a credit-repair letter was waiting."""
        from jintiao.jobs import checks
        from jintiao.performance.services import payment_record

        with clock.pinned(at(JAN)):
            payment_record(actor=desk.agent, dispute_id=performing.pk, reference="ALL",
                           paid_on=JAN, amount=total(performing))
            in_time = client_for(desk.agent).get("/").content.decode()
            assert 'id="credit-repairs"' not in client_for(desk.mediator).get("/") \
                .content.decode()
        with clock.pinned(at(dt.date(2027, 2, 10))):
            checks.run(["credit_repairs"])
            late = client_for(desk.agent).get("/").content.decode()

        queue = in_time.split('id="credit-repairs"')[1].split("</section>")[0]
        assert performing.number in queue
        assert "2027-02-09" in queue
        assert "已过确认期限" not in queue
        queue = late.split('id="credit-repairs"')[1].split("</section>")[0]
        assert "1件已过确认期限" in queue
        assert "已于 2027-02-10 提醒" in queue
