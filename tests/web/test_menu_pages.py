"""Portfolio offers on the web (issue 20 §5): the desk sends the standard menu from the
list, follows the batch's uptake, and the debtor chooses on the portal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from jintiao import clock
from jintiao.agreements.models import Agreement
from jintiao.disputes.models import Dispute
from jintiao.mediation.models import BatchRun
from jintiao.mediation.services import menu_publish
from jintiao.portfolio.models import MenuOffer
from jintiao.portfolio.services import menu_offer_send
from tests.portal.helpers import add_guarantor, daytime, debtor_of, party_sign_in
from tests.portfolio.test_menu_offers import MANNER, MENU, SINCE
from tests.web.test_views import client_for


@pytest.fixture
def menu(desk, cases):
    Dispute.objects.filter(pk__in=[c.pk for c in cases]).update(charges_since=SINCE)
    return menu_publish(actor=desk.approver, institution=desk.bank, items=MENU)


def post_menu(client, disputes, **changes):
    data = {"scope": "picked", "pick": [f"{d.pk}:{d.version}" for d in disputes],
            "reply_by": (clock.today() + dt.timedelta(days=7)).isoformat(),
            "performance_manner": MANNER, "text": "on", **changes}
    with clock.pinned(daytime()):
        return client.post(reverse("web:menu_batch_start"), data, follow=True)


class TestTheDeskSends:
    def test_the_menu_goes_to_the_ticked_disputes_and_the_page_shows_the_uptake(
            self, desk, cases, menu):
        ours, theirs = cases
        response = post_menu(client_for(desk.mediator), [ours, theirs])

        page = response.content.decode()
        run = BatchRun.objects.get(actor=desk.mediator)
        assert run.action == BatchRun.Action.MENU
        assert run.state == BatchRun.State.DONE
        assert MenuOffer.objects.get().dispute == ours
        assert "已发送2种方案，已短信通知" in page
        assert "纠纷不存在或无权查看" in page  # theirs: another committee's, refused
        assert "data-uptake" in page
        assert "12期免息" in page

    def test_the_uptake_follows_the_debtors_choice(self, desk, cases, menu):
        ours, _theirs = cases
        post_menu(client_for(desk.mediator), [ours])
        made = MenuOffer.objects.get()
        debtor = Client()
        debtor.force_login(party_sign_in(debtor_of(ours)))
        debtor.get(reverse("portal:dispute", args=[ours.pk]))
        debtor.post(reverse("portal:menu_choose", args=[ours.pk]),
                    {"offer": made.items[1]["offer"], "agree": "on"})

        page = client_for(desk.mediator).get(
            reverse("web:batch_detail", args=[made.run_id])).content.decode()
        assert '<tr data-step="chosen"><th scope="row">已选择方案</th><td>1</td>' in page
        assert '<tr data-step="opened"><th scope="row">已查看</th><td>1</td>' in page
        assert "已选择，待签署" in page

    def test_a_batch_where_nothing_was_sent_says_so(self, desk, cases):
        page = post_menu(client_for(desk.mediator), [cases[0]]).content.decode()  # no menu
        assert "（成功 0 件，未办理 1 件）" in page
        assert "本批没有一件办理成功" in page
        assert "data-uptake" not in page
        runs = client_for(desk.mediator).get(reverse("web:batch_list")).content.decode()
        assert "<td>0</td><td>1</td>" in runs

    @pytest.mark.parametrize(("changes", "message"), [
        ({"performance_manner": ""}, "履行方式"),
        ({"reply_by": ""}, "债务人选择期限"),
        ({"reply_by": "2026-13-45"}, "债务人选择期限"),
        ({"reply_by": "2020-01-01"}, "选择期限须晚于今天"),
        ({"pick": []}, "请先勾选要办理的纠纷"),
    ])
    def test_bad_terms_start_nothing(self, desk, cases, menu, changes, message):
        response = post_menu(client_for(desk.mediator), [cases[0]], **changes)

        assert message in response.content.decode()
        assert not BatchRun.objects.exists()
        assert not MenuOffer.objects.exists()

    def test_a_refusal_keeps_the_ticks_and_the_words_and_says_where(self, desk, cases, menu):
        ours = cases[0]
        client = client_for(desk.mediator)
        page = post_menu(client, [ours], reply_by="2020-01-01",
                         performance_manner="存入还款账户").content.decode()
        ticked = f'id="pick-{ours.pk}" form="batch" checked'
        assert ticked in page
        assert "存入还款账户</textarea>" in page
        assert 'id="menu-reply_by_error"' in page
        assert "选择期限须晚于今天" in page
        assert '<details class="menu-batch" open>' in page
        assert ticked not in client.get("/disputes/").content.decode()  # once only

    @pytest.mark.parametrize("who", ["agent", "clerk", "supervisor", "approver"])
    def test_who_does_not_send_menus_gets_not_found(self, desk, cases, menu, who):
        response = post_menu(client_for(getattr(desk, who)), [cases[0]])
        assert response.status_code == 404
        assert not BatchRun.objects.exists()

    def test_a_batch_is_its_senders_alone(self, desk, cases, menu):
        post_menu(client_for(desk.mediator), [cases[0]])
        run = BatchRun.objects.get()
        assert client_for(desk.director).get(
            reverse("web:batch_detail", args=[run.pk])).status_code == 404
        mine = client_for(desk.mediator).get(reverse("web:batch_list")).content.decode()
        assert "批量发送标准方案" in mine
        assert "批量发送标准方案" not in client_for(desk.director).get(
            reverse("web:batch_list")).content.decode()


def sent(desk, dispute, reply_in=7):
    with clock.pinned(daytime()):
        return menu_offer_send(actor=desk.mediator, dispute_id=dispute.pk,
                               reply_by=clock.today() + dt.timedelta(days=reply_in),
                               performance_manner=MANNER, text=False)


class TestTheDebtorChooses:
    def test_the_debtor_sees_the_plans_and_chooses_one(self, desk, mediating, menu):
        made = sent(desk, mediating)
        client = Client()
        client.force_login(party_sign_in(debtor_of(mediating)))

        page = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()
        assert 'id="menu"' in page
        assert "36期，利息减半（违约恢复）" in page
        assert "选择此方案" in page
        made.refresh_from_db()
        assert made.opened_at is not None

        response = client.post(reverse("portal:menu_choose", args=[mediating.pk]),
                               {"offer": made.items[0]["offer"], "agree": "on"}, follow=True)
        page = response.content.decode()
        assert "调解协议已生成" in page
        assert 'id="agreement"' in page
        assert Agreement.objects.get(dispute=mediating).offer_id == made.items[0]["offer"]
        assert 'id="menu"' not in page

    def test_without_agreeing_to_the_terms_nothing_is_chosen(self, desk, mediating, menu):
        made = sent(desk, mediating)
        client = Client()
        client.force_login(party_sign_in(debtor_of(mediating)))
        response = client.post(reverse("portal:menu_choose", args=[mediating.pk]),
                               {"offer": made.items[0]["offer"]}, follow=True)
        assert "同意按此方案还款" in response.content.decode()
        assert not Agreement.objects.exists()

    @pytest.mark.parametrize("offer", ["", "abc", "-1", "0", str(2**70)])
    def test_a_malformed_choice_is_refused(self, desk, mediating, menu, offer):
        sent(desk, mediating)
        client = Client()
        client.force_login(party_sign_in(debtor_of(mediating)))
        response = client.post(reverse("portal:menu_choose", args=[mediating.pk]),
                               {"offer": offer, "agree": "on"}, follow=True)
        assert response.status_code == 200
        assert not Agreement.objects.exists()

    def test_a_guarantor_sees_no_choice_and_cannot_post_one(self, desk, mediating, menu):
        made = sent(desk, mediating)
        client = Client()
        client.force_login(party_sign_in(add_guarantor(mediating).party))
        page = client.get(reverse("portal:dispute", args=[mediating.pk])).content.decode()
        assert 'id="menu"' not in page
        response = client.post(reverse("portal:menu_choose", args=[mediating.pk]),
                               {"offer": made.items[0]["offer"], "agree": "on"}, follow=True)
        assert "只有债务人本人或有特别授权的代理人可以选择还款方案" in response.content.decode()
        assert not Agreement.objects.exists()
        made.refresh_from_db()
        assert made.opened_at is None

    def test_another_disputes_debtor_gets_not_found(self, desk, cases, menu):
        ours, theirs = cases
        made = sent(desk, ours)
        client = Client()
        client.force_login(party_sign_in(debtor_of(theirs)))
        response = client.post(reverse("portal:menu_choose", args=[ours.pk]),
                               {"offer": made.items[0]["offer"], "agree": "on"})
        assert response.status_code == 404

    def test_staff_are_sent_to_the_portals_sign_in(self, desk, mediating, menu):
        response = client_for(desk.mediator).post(
            reverse("portal:menu_choose", args=[mediating.pk]), {"offer": "1", "agree": "on"})
        assert response.status_code == 302
        assert not Agreement.objects.exists()
