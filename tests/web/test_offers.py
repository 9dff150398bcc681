"""Blind bounds entered through the pages: the refusals are the service's, word for word,
and nothing is written."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.client import Api

# (side, the figures posted, the code and message every interface gives)
REFUSED = [
    ("creditor", {"min_total": "231208.41", "max_term_months": "12"},
     "blind_bound_outside_claim",
     "可接受的最低还款总额231,208.41元超过债权总额231,208.40元：底线须在零与债权总额之间"),
    ("debtor", {"max_monthly": "4300", "max_total": "300000"}, "blind_bound_outside_claim",
     "最多还款总额300,000.00元超过债权总额231,208.40元：底线须在零与债权总额之间"),
    ("debtor", {"max_monthly": "-1", "max_total": "1000"}, "blind_bound_outside_claim",
     "每月最多还款不能为负数：底线须在零与债权总额之间"),
    ("creditor", {"min_total": "-5", "max_term_months": "12"}, "blind_bound_outside_claim",
     "可接受的最低还款总额不能为负数：底线须在零与债权总额之间"),
    ("creditor", {"min_total": "200000"}, "blind_bound_incomplete",
     "债权人底线须填写可接受的最低还款总额和最长期限"),
    ("debtor", {"max_total": "200000"}, "blind_bound_incomplete",
     "债务人底线须填写每月最多还款和最多还款总额"),
]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("side", "figures", "code", "message"), REFUSED)
def test_the_page_and_the_api_refuse_a_bad_bound_alike(desk, mediating, side, figures, code,
                                                       message):
    """The bank's agent enters the creditor's bound, the mediator the debtor's: outside the
    claim or incomplete, the page shows the very message the API answers with its code."""
    user = desk.agent if side == "creditor" else desk.mediator

    page = client_for(user).post(f"/disputes/{mediating.pk}/blind/",
                                 {"side": side, **figures}, follow=True)
    api = Api(user).post(f"/disputes/{mediating.pk}/blind-bounds", {
        "side": side, **{k: int(v) if k == "max_term_months" else v
                         for k, v in figures.items()}})

    assert page.status_code == 200
    assert message in page.content.decode()
    assert (api.status_code, api.json()["code"], api.json()["message"]) == (400, code, message)
    assert not mediating.blind_rounds.exists()
