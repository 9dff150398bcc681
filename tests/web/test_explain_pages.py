"""计算说明 on the pages: folded under the deadline on the dispute and mediation pages, under
what is owed and the amount to enforce on the performance page, under each plan's
affordability in the designer (the desk's only) and under a neutral evaluation's fee."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.test import Client

from jintiao import clock
from jintiao.mediation.services import budget_declare, evaluation_record
from jintiao.performance.services import payment_record, performance_review
from tests.performance.helpers import at, instalment


def page(user, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def test_the_deadline_on_the_dispute_and_mediation_pages(desk, mediating):
    for path in (f"/disputes/{mediating.pk}/", f"/disputes/{mediating.pk}/mediation/"):
        html = page(desk.mediator, path)

        assert 'id="deadline-explain"' in html
        assert "期限如何计算" in html
        assert "简易程序调解期限为7个工作日" in html
        assert "起算日当日不计入期间" in html
        assert "民事诉讼法第八十五条" in html


def test_no_panel_without_a_deadline(desk, cases):
    _ours, theirs = cases  # just received: no deadline yet

    html = page(desk.other_clerk, f"/disputes/{theirs.pk}/")

    assert 'id="deadline-explain"' not in html


def test_the_performance_page_explains_what_is_owed_and_what_to_enforce(desk, performing):
    with clock.pinned(at(dt.date(2027, 1, 20))):
        payment_record(actor=desk.agent, dispute_id=performing.pk, reference="B-1",
                       paid_on=clock.today(), amount=instalment(performing))
    with clock.pinned(at(dt.date(2027, 2, 1))):
        html = page(desk.mediator, f"/disputes/{performing.pk}/performance/")
    assert 'id="account-explain"' in html
    assert "第1期本金" in html
    assert 'id="enforcement-explain"' not in html

    with clock.pinned(at(dt.date(2027, 3, 25))):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"
        html = page(desk.agent, f"/disputes/{performing.pk}/performance/")

    assert 'id="enforcement-explain"' in html
    assert "申请执行金额如何计算" in html
    assert "迟延履行利息" in html
    assert "× 0.0175%" in html


def test_the_designer_explains_affordability_to_the_desk_only(desk, mediating):
    debtor = mediating.party_rows.get(role="debtor")
    budget_declare(actor=desk.mediator, dispute_id=mediating.pk, party_row_id=debtor.pk,
                   monthly_income=D("9000"), other_obligations=D("1000"), dependants=2)

    desk_html = page(desk.mediator, f"/disputes/{mediating.pk}/plans/")
    bank_html = page(desk.agent, f"/disputes/{mediating.pk}/plans/")

    assert "可负担性计算说明" in desk_html
    assert desk_html.count('<details class="explain"') == 3  # one per compared plan
    assert "每人每月790.00元 × 3人" in desk_html
    assert "可负担性计算说明" not in bank_html
    assert "9,000.00" not in bank_html


def test_a_neutral_evaluation_explains_its_acceptance_fee(desk, evaluating):
    evaluation_record(actor=desk.expert, dispute_id=evaluating.pk, assessment="事实清楚",
                      contract_annual_rate=D("0.18"), discount_rate=D("0.035"), offer_id=None)

    html = page(desk.mediator, f"/disputes/{evaluating.pk}/evaluation/")

    assert "案件受理费如何计算" in html
    assert "诉讼费用交纳办法第十三条第（一）项" in html
    assert "超过2,000,000.00元至5,000,000.00元的部分" in html


def test_an_open_offers_affordability_is_explained_to_the_desk_on_the_mediation_page(
        desk, mediating):
    from jintiao.mediation.services import offer_propose
    from tests.factories import flat

    debtor = mediating.party_rows.get(role="debtor")
    budget_declare(actor=desk.mediator, dispute_id=mediating.pk, party_row_id=debtor.pk,
                   monthly_income=D("9000"), other_obligations=D("1000"), dependants=0)
    offer_propose(actor=desk.agent, dispute_id=mediating.pk, options=flat(12),
                  discount_rate=D("0.035"))

    desk_html = page(desk.mediator, f"/disputes/{mediating.pk}/mediation/")
    bank_html = page(desk.agent, f"/disputes/{mediating.pk}/mediation/")

    assert "债务人申报的月收入9,000.00元" in desk_html
    assert "可负担性" in desk_html
    assert "债务人申报的月收入" not in bank_html
