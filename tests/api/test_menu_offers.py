"""POST /api/v1/disputes/menu-offers and GET /api/v1/menu-batches/{id} (issue 20 §5): who
may, each dispute's outcome, the uptake, and the choice it follows."""

from __future__ import annotations

import datetime as dt

import pytest

from jintiao import clock
from jintiao.disputes.models import Dispute
from jintiao.mediation.services import menu_publish
from jintiao.portfolio.models import MenuOffer
from jintiao.portfolio.services import menu_offer_choose
from tests.api.client import Api
from tests.portal.helpers import daytime, debtor_of, party_sign_in
from tests.portfolio.test_menu_offers import MANNER, MENU, SINCE

PATH = "/disputes/menu-offers"


@pytest.fixture
def menu(desk, cases):
    Dispute.objects.filter(pk__in=[c.pk for c in cases]).update(charges_since=SINCE)
    return menu_publish(actor=desk.approver, institution=desk.bank, items=MENU)


def body(disputes, **changes):
    return {"ids": [d.pk for d in disputes],
            "reply_by": (clock.today() + dt.timedelta(days=7)).isoformat(),
            "performance_manner": MANNER, "text": True, **changes}


def post(user, payload):
    with clock.pinned(daytime()):
        return Api(user).post(PATH, payload)


class TestSend:
    def test_each_dispute_has_its_outcome_and_the_uptake_follows_the_choice(
            self, desk, cases, menu):
        ours, theirs = cases
        response = post(desk.mediator, body([ours, theirs]))

        assert response.status_code == 200
        sent = response.json()
        assert (sent["state"], sent["done"], sent["refused"]) == ("done", 1, 1)
        assert sent["items"][0]["status"] == "ok"
        assert sent["items"][1] == {"id": theirs.pk, "number": "", "status": "refused",
                                    "code": "dispute_not_found",
                                    "message": "纠纷不存在或无权查看"}
        assert sent["uptake"]["sent"] == 1
        assert sent["uptake"]["texted"] == 1
        assert [p["label"] for p in sent["uptake"]["by_plan"]] == [m.label for m in MENU]

        made = MenuOffer.objects.get()
        menu_offer_choose(actor=party_sign_in(debtor_of(ours)), dispute_id=ours.pk,
                          offer_id=made.items[1]["offer"])
        again = Api(desk.mediator).get(f"/menu-batches/{sent['id']}").json()
        assert again["uptake"]["chosen"] == 1
        assert again["uptake"]["by_plan"][1] == {"label": MENU[1].label, "chosen": 1}
        assert again["uptake"]["lines"][0]["stage"] == "已选择，待签署"

    def test_a_refusal_of_the_single_send_is_the_disputes_outcome(self, desk, cases):
        sent = post(desk.mediator, body([cases[0]])).json()  # no menu published
        assert sent["items"][0]["code"] == "mediation_invalid"
        assert "尚未发布标准还款方案" in sent["items"][0]["message"]

    @pytest.mark.parametrize("changes", [
        {"ids": []}, {"ids": [0]}, {"ids": [10**38]}, {"ids": list(range(1, 202))},
        {"reply_by": "2026-13-45"}, {"reply_by": None}, {"performance_manner": ""},
        {"performance_manner": "长" * 1001}, {"text": "yes"}])
    def test_a_malformed_request_is_a_422(self, desk, cases, menu, changes):
        response = post(desk.mediator, body([cases[0]], **changes))
        assert response.status_code == 422
        assert not MenuOffer.objects.exists()

    def test_a_time_to_choose_in_the_past_is_refused_before_anything(self, desk, cases, menu):
        response = post(desk.mediator, body([cases[0]], reply_by="2020-01-01"))
        assert response.status_code == 400
        assert response.json()["code"] == "menu_offer_invalid"
        assert not MenuOffer.objects.exists()

    @pytest.mark.parametrize("who", ["agent", "approver", "clerk", "supervisor", "judge"])
    def test_who_does_not_send_menus_is_refused(self, desk, cases, menu, who):
        response = post(getattr(desk, who), body([cases[0]]))
        assert response.status_code == 403
        assert not MenuOffer.objects.exists()


class TestFollow:
    def test_a_batch_is_its_senders_alone(self, desk, cases, menu):
        sent = post(desk.mediator, body([cases[0]])).json()
        assert Api(desk.director).get(f"/menu-batches/{sent['id']}").status_code == 404
        assert Api(desk.mediator).get("/menu-batches/999999").status_code == 404
        assert Api(desk.mediator).get(f"/menu-batches/{10**30}").status_code == 422
