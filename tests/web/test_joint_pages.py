"""Joint mediation on the workbench (issue 21 §2): the desk joins the debtor's two
disputes from the mediation page, previews and puts forward the consolidated plan; a bank
reads only that its part belongs to a joint plan; strangers get nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from jintiao import clock
from jintiao.mediation.models import JointMediation, Offer
from tests.mediation.test_joint import FIRST

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_joined_from_the_page_then_previewed_and_put_forward(desk, mediating, second_loan):
    from jintiao.mediation.services import budget_declare

    budget_declare(actor=desk.mediator, dispute_id=mediating.pk,
                   party_row_id=mediating.party_rows.get(role="debtor").pk,
                   monthly_income="12000", other_obligations="0", dependants=1)
    mediator = _as(desk.mediator)
    page = mediator.get(reverse("web:mediation", args=[mediating.pk])).content.decode()
    assert second_loan.number in page
    made = mediator.post(reverse("web:joint_create", args=[mediating.pk]),
                         {"disputes": [second_loan.pk], "sessions": "joint",
                          "agreement_form": "per_creditor"})
    joint = JointMediation.objects.get()
    assert made.url == reverse("web:joint", args=[joint.pk])
    form = {"rule": "", "amount": "", "first_due": FIRST.isoformat(),
            f"m{mediating.pk}-method": "flat", f"m{second_loan.pk}-method": "flat"}
    preview = mediator.post(made.url, {**form, "step": "preview"}).content.decode()
    assert "合并方案（预览，尚未提出）" in preview
    assert "每月最多可用于还款 6,000.00 元" in preview
    assert not Offer.objects.exists()
    mark = re.search(r'name="previewed" value="([0-9a-f]+)"', preview).group(1)
    mediator.post(made.url, {**form, "step": "send", "previewed": mark})
    assert Offer.objects.filter(status=Offer.Status.OPEN).count() == 2
    assert "已提出的合并方案（第1版）" in mediator.get(made.url).content.decode()


def test_a_bank_reads_only_its_part_and_strangers_nothing(desk, mediating, second_loan,
                                                          joined):
    bank = _as(desk.agent).get(reverse("web:mediation", args=[mediating.pk])).content.decode()
    assert "债务人的多笔债务正在联合调解" in bank
    assert second_loan.number not in bank
    assert _as(desk.agent).get(reverse("web:joint", args=[joined.pk])).status_code == 404
    assert _as(desk.other_clerk).get(reverse("web:joint", args=[joined.pk])).status_code == 404
    assert JointMediation.objects.count() == 1


def test_a_bank_cannot_join_disputes(desk, mediating, second_loan):
    """Found in review: the refusal was tested on disputes joined already, so it could not
    fail; on two free ones the bank's post joins nothing."""
    _as(desk.agent).post(reverse("web:joint_create", args=[mediating.pk]),
                         {"disputes": [second_loan.pk], "sessions": "joint",
                          "agreement_form": "per_creditor"})
    assert JointMediation.objects.count() == 0


def test_the_desk_files_the_one_application_from_the_joint_page(desk, mediating, second_loan,
                                                                both_agreed):
    from jintiao.confirmation.models import Application
    from tests.helpers import apply, other_side

    client = _as(desk.mediator)
    page = client.get(reverse("web:joint", args=[both_agreed.pk])).content.decode()
    assert 'id="joint-confirmation"' in page
    # found trying it as a user: the card was once inside the page's <title>
    assert re.search(r"<title>联合调解[^<]*</title>", page)
    assert page.count('id="joint-confirmation"') == 1
    assert 'id="joint-plan"' not in page  # the plan is made: no more plans from here
    assert "尚未签署申请书" in page  # each applicant signs on their own dispute's page
    assert "尚未确认送达地址" in page  # and confirms an address for service there
    assert 'id="joint-apply"' in page
    url = reverse("web:joint_confirmation_apply", args=[both_agreed.pk])
    refused = client.post(url, {"court": desk.court.pk}, follow=True).content.decode()
    assert "尚未签署" in refused
    assert not Application.objects.exists()
    apply(desk, mediating)
    apply(other_side(desk), second_loan)
    done = client.post(url, {"court": desk.court.pk}, follow=True).content.decode()
    assert "已向法院一并提交" in done
    assert Application.objects.count() == 2
    assert mediating.number in done
    assert second_loan.number in done
    note = client.get(reverse("web:agreement", args=[mediating.pk])).content.decode()
    assert 'id="joint-note"' not in note  # filed: nothing left to apply for
    # found trying it: a post to the joint page past mediation still computed a plan
    late = client.post(reverse("web:joint", args=[both_agreed.pk]),
                       {"first_due": "2027-03-01", "step": "preview"}, follow=True)
    assert "不能再计算或提出合并方案" in late.content.decode()
    assert "合并方案（预览，尚未提出）" not in late.content.decode()


def test_only_the_desk_files_the_joint_application(desk, mediating, second_loan,
                                                   both_agreed):
    from jintiao.confirmation.models import Application

    url = reverse("web:joint_confirmation_apply", args=[both_agreed.pk])
    for user in (desk.agent, desk.other_agent, desk.clerk, desk.judge):
        assert _as(user).post(url, {"court": desk.court.pk}).status_code == 404
    assert _as(desk.mediator).post(url, {"court": 999999}, follow=True).status_code == 200
    assert not Application.objects.exists()
    assert _as(desk.mediator).get(url).status_code == 405


def test_the_desk_calls_the_joint_meeting_from_the_joint_page(desk, mediating, second_loan,
                                                              joined):
    from jintiao.mediation.models import Session

    client = _as(desk.mediator)
    assert 'id="joint-session"' in client.get(
        reverse("web:joint", args=[joined.pk])).content.decode()
    url = reverse("web:joint_session", args=[joined.pk])
    bad = client.post(url, {"mode": "face_to_face", "starts_at": "", "place": "调解室"},
                      follow=True)
    assert not Session.objects.exists()
    assert bad.status_code == 200
    when = (clock.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT10:00")
    done = client.post(url, {"mode": "face_to_face", "starts_at": when, "place": "调解室"},
                       follow=True).content.decode()
    assert "已合并安排调解会议" in done
    assert set(Session.objects.values_list("dispute_id", flat=True)) == {mediating.pk,
                                                                         second_loan.pk}
    assert 'id="joint-meetings"' in done  # the page lists the meeting called (found trying)
    assert _as(desk.agent).post(url, {"mode": "face_to_face", "starts_at": when,
                                      "place": "调解室"}).status_code == 404


def test_the_judge_reads_which_applications_came_together(desk, mediating, second_loan,
                                                          both_agreed):
    from jintiao.confirmation.joined import joined_apply
    from tests.helpers import apply, other_side

    apply(desk, mediating)
    apply(other_side(desk), second_loan)
    batch = joined_apply(actor=desk.mediator, joint_id=both_agreed.pk, court_id=desk.court.pk)
    first, second = batch.applications.order_by("pk")
    page = _as(desk.judge).get(reverse("web:confirmation", args=[first.pk])).content.decode()
    assert 'id="filed-with"' in page
    assert reverse("web:confirmation", args=[second.pk]) in page
    # a bank reads its own application alone (found in review: the other's was listed)
    bank = _as(desk.agent).get(reverse("web:confirmation", args=[
        next(a.pk for a in (first, second) if a.dispute_id == mediating.pk)]))
    assert 'id="filed-with"' not in bank.content.decode()
    # the court's review page names it for what it is, not a bulk filing (found trying it)
    review = _as(desk.judge).get(reverse("web:court_review", args=[desk.court.pk]),
                                 {"batch": batch.pk}).content.decode()
    assert "联合调解一并申请" in review
    mine = _as(desk.mediator).get(reverse("web:confirmation_batch", args=[batch.pk]))
    assert "联合调解一并申请司法确认" in mine.content.decode()
    assert "继续批量申请" not in mine.content.decode()


def test_the_debtor_tells_the_joined_debts_apart_on_the_portal(desk, mediating, second_loan,
                                                               joined):
    """Found trying it as the debtor on a phone: two cards showing only case numbers."""
    from tests.portal.helpers import debtor_of, party_sign_in

    client = Client()
    client.force_login(party_sign_in(debtor_of(mediating)))
    page = client.get(reverse("portal:home")).content.decode()
    for d in (mediating, second_loan):
        assert f"与{d.party_rows.get(role='creditor').party.name}" in page
    assert page.count("与您的其他债务合并调解") == 2
    assert "主张金额 215,000.00 元" in page
