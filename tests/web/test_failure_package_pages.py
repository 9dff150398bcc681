"""The failure package's pages: the desk ties the facts and makes it, the desk and the court
see it on the dispute page with its documents, the bank and other courts do not."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jintiao.documents.models import FailurePackage
from jintiao.mediation.services import failure_package_generate
from tests.mediation.failure_package_helpers import TIES, evidence, failed, under_mediation


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def failed_loan(desk):
    d = under_mediation(desk)
    evidence(desk, d)
    return failed(desk, d)


def test_the_desk_ties_the_facts_and_makes_the_package(desk, failed_loan):
    desk_page = client_for(desk.mediator)
    page = desk_page.get(f"/disputes/{failed_loan.pk}/failure-package/")
    assert page.status_code == 200
    assert "第1条：借款合同约定借款金额250,000元" in page.content.decode()
    assert 'aria-current="page">移送材料</a>' in page.content.decode()  # its tab

    contract = failed_loan.sessions.get().attachments.get()
    made = desk_page.post(f"/disputes/{failed_loan.pk}/failure-package/make/",
                          {"fact_1": "amount", "fact_2": "rate", "fact_3": "",
                           f"proves_{contract.pk}": "借款合同关系成立"}, follow=True)

    package = FailurePackage.objects.get(dispute=failed_loan)
    assert package.fact_elements == {"1": "amount", "2": "rate"}
    assert package.evidence_notes == {str(contract.pk): "借款合同关系成立"}
    body = made.content.decode()
    assert "已制作调解不成移送材料" in body
    assert "民事起诉状（金融借款合同纠纷）" in body
    assert f"/documents/{package.complaint_id}/" in body
    assert 'value="amount" selected' in body  # the ties made are the form's choices now


def test_a_tie_to_an_element_the_text_lacks_changes_nothing(desk, failed_loan):
    answer = client_for(desk.mediator).post(
        f"/disputes/{failed_loan.pk}/failure-package/make/", {"fact_1": "card_terms"},
        follow=True)

    assert answer.status_code == 200
    assert "不在可选范围内" in answer.content.decode()
    assert not FailurePackage.objects.filter(dispute=failed_loan).exists()


def test_the_court_sees_it_on_the_dispute_page_and_takes_its_json(desk, failed_loan):
    package = failure_package_generate(actor=desk.mediator, dispute_id=failed_loan.pk,
                                       fact_elements=TIES)
    court = client_for(desk.judge)

    page = court.get(f"/disputes/{failed_loan.pk}/")

    body = page.content.decode()
    assert 'id="failure-package"' in body
    assert f"/documents/{package.answer_id}/" in body
    assert "制作或更新移送材料" not in body  # the court reads, the desk makes
    data = court.get(f"/disputes/{failed_loan.pk}/failure-package/1.json")
    assert data.status_code == 200
    assert json.loads(data.content)["package"]["version"] == 1


@pytest.mark.parametrize(("who", "status"), [("agent", 403), ("supervisor", 403),
                                             ("other_judge", 404), ("other_clerk", 404)])
def test_who_may_not_see_the_package(desk, failed_loan, who, status):
    failure_package_generate(actor=desk.mediator, dispute_id=failed_loan.pk)
    client = client_for(getattr(desk, who))

    assert client.get(f"/disputes/{failed_loan.pk}/failure-package/").status_code == status
    assert client.get(f"/disputes/{failed_loan.pk}/failure-package/1.json").status_code == status
    if status == 403:  # sees the dispute, not the package card
        page = client.get(f"/disputes/{failed_loan.pk}/").content.decode()
        assert 'id="failure-package"' not in page
        tabs = client.get(f"/disputes/{failed_loan.pk}/failure/").content.decode()
        assert "/failure-package/" not in tabs


@pytest.mark.parametrize("who", ["agent", "judge"])
def test_only_the_desk_makes_it(desk, failed_loan, who):
    client_for(getattr(desk, who)).post(f"/disputes/{failed_loan.pk}/failure-package/make/",
                                        {"fact_1": "amount"})

    assert not FailurePackage.objects.filter(dispute=failed_loan).exists()
