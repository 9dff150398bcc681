"""The hardship pause on the mediation page (issue 21 §3): the desk asks, the director
decides, the bank sees that one runs but not the evidence, and nobody else may act."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jintiao.mediation.models import HardshipPause

pytestmark = pytest.mark.django_db

EVIDENCE = "凯里市第一人民医院住院证明（2026年11月20日）"


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_asked_granted_shown_and_the_evidence_kept_from_the_bank(desk, mediating):
    page = reverse("web:mediation", args=[mediating.pk])
    mediator = _as(desk.mediator)
    assert "申请纾困暂停" in mediator.get(page).content.decode()
    mediator.post(reverse("web:pause_request", args=[mediating.pk]),
                  {"ground": "illness", "evidence": EVIDENCE, "days": "30"})
    asked = HardshipPause.objects.get()

    refused = _as(desk.mediator).post(reverse("web:pause_decide", args=[mediating.pk, asked.pk]),
                                      {"grant": "yes", "reason": "同意"})
    assert refused.status_code == 302
    asked.refresh_from_db()
    assert asked.status == HardshipPause.Status.REQUESTED  # the mediator may not grant

    _as(desk.director).post(reverse("web:pause_decide", args=[mediating.pk, asked.pk]),
                            {"grant": "yes", "reason": "材料属实"})
    asked.refresh_from_db()
    assert asked.status == HardshipPause.Status.ACTIVE
    desk_page = mediator.get(page).content.decode()
    assert "纾困暂停中，调解期限停止计算" in desk_page
    assert EVIDENCE in desk_page
    bank_page = _as(desk.agent).get(page).content.decode()
    assert "暂停中，至" in bank_page
    assert EVIDENCE not in bank_page


def test_strangers_cannot_ask_or_decide(desk, mediating, cases):
    other = _as(desk.other_clerk)
    response = other.post(reverse("web:pause_request", args=[mediating.pk]),
                          {"ground": "illness", "evidence": EVIDENCE, "days": "30"})
    assert response.status_code == 404
    agent = _as(desk.agent)
    agent.post(reverse("web:pause_request", args=[mediating.pk]),
               {"ground": "illness", "evidence": EVIDENCE, "days": "30"})
    assert not HardshipPause.objects.exists()


def test_a_length_beyond_the_policy_is_refused_in_words(desk, mediating):
    answer = _as(desk.mediator).post(reverse("web:pause_request", args=[mediating.pk]),
                                     {"ground": "job_loss", "evidence": "失业登记证明",
                                      "days": "120"}, follow=True)
    assert "暂停天数须在1至90天之间" in answer.content.decode()
    assert not HardshipPause.objects.exists()


def test_the_debtor_reads_it_on_the_portal(desk, mediating):
    from jintiao.mediation.services import pause_decide, pause_request
    from tests.portal.helpers import debtor_of, party_sign_in

    asked = pause_request(actor=desk.mediator, dispute_id=mediating.pk, ground="disaster",
                          evidence="村委会受灾证明", days=20)
    pause_decide(actor=desk.director, dispute_id=mediating.pk, pause_id=asked.pk, approve=True)
    page = _as(party_sign_in(debtor_of(mediating))).get(
        reverse("portal:dispute", args=[mediating.pk])).content.decode()
    assert "纾困暂停至" in page
    assert "村委会受灾证明" not in page


def test_the_supervisors_count_pauses_and_their_outcomes(desk, mediating):
    from jintiao.mediation.services import pause_decide, pause_end, pause_request

    asked = pause_request(actor=desk.mediator, dispute_id=mediating.pk, ground="illness",
                          evidence="诊断证明", days=20)
    pause_decide(actor=desk.director, dispute_id=mediating.pk, pause_id=asked.pk, approve=True)
    pause_end(actor=desk.mediator, dispute_id=mediating.pk, pause_id=asked.pk, reason="已康复")
    again = pause_request(actor=desk.mediator, dispute_id=mediating.pk, ground="job_loss",
                          evidence="失业登记", days=20)
    pause_decide(actor=desk.director, dispute_id=mediating.pk, pause_id=again.pk,
                 approve=False, reason="材料不足")
    page = _as(desk.supervisor).get(reverse("web:dashboard")).content.decode()
    assert "申请 2 件，批准 1 件，未批准 1 件，目前暂停中 0 件。" in page
    assert "提前恢复 1 件" in page


def test_the_director_finds_the_requests_on_the_home_page(desk, mediating):
    """Found trying it as a user: a request waited with nothing on the director's desk."""
    from jintiao.mediation.services import pause_request

    pause_request(actor=desk.mediator, dispute_id=mediating.pk, ground="family",
                  evidence="死亡证明", days=15)
    home = _as(desk.director).get(reverse("web:home")).content.decode()
    assert "待审批的纾困暂停" in home
    assert mediating.number in home
    assert "待审批的纾困暂停" not in _as(desk.mediator).get(reverse("web:home")).content.decode()
