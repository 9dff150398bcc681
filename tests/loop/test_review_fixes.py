"""Regression tests from the second review (pages, jobs, failure): each failed before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jintiao import clock
from jintiao.cli import main
from jintiao.disputes.models import DisputeParty
from jintiao.documents.models import Document
from jintiao.domain.lifecycle import Action, State, TransitionRefused
from jintiao.jobs import checks
from jintiao.jobs.checks import JobInvalid
from jintiao.mediation.services import (
    action_apply,
    session_record,
    session_schedule,
    undisputed_facts_confirm,
    undisputed_facts_record,
)
from jintiao.performance.models import Payment
from jintiao.performance.selectors import account_of
from jintiao.performance.services import payments_import, performance_review
from tests.api.client import Api
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, consent_all, reject


class FailingGateway:
    def send(self, phone: str, body: str, *, purpose: str) -> None:
        raise ConnectionError("gateway down")


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), clock.TZ)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_cure_is_not_undone_by_the_next_review(desk, performing):
    with clock.pinned(at(dt.date(2027, 2, 21))):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"
        performing.refresh_from_db()
        action_apply(actor=desk.agent, dispute_id=performing.pk, action=Action.CURE,
                     expected_version=performing.version, attested=["creditor_consents"])
    with clock.pinned(at(dt.date(2027, 2, 22))):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == ""
    performing.refresh_from_db()
    assert performing.state == State.PERFORMING
    page = client_for(desk.agent).get(f"/disputes/{performing.pk}/performance/").content
    assert "违约与强制执行".encode() not in page


def test_jobs_never_run_for_a_future_day(performing):
    with pytest.raises(JobInvalid):
        checks.run(today=clock.today() + dt.timedelta(days=1))
    assert main(["jobs", "run", "--date", "2099-01-01"]) == 2


def test_one_failing_dispute_does_not_stop_the_jobs(desk, performing, settings):
    settings.SMS_BACKEND = "tests.loop.test_review_fixes.FailingGateway"
    with clock.pinned(at(dt.date(2027, 2, 21))):
        done = checks.run()
    assert done["reminders"] == 0  # the gateway failed: nothing marked as sent
    assert done["performance"] == 1  # and the review still ran


def test_bad_files_are_errors_not_crashes(desk, performing):
    long_field = "x" * 140_000
    done = payments_import(actor=desk.agent, institution=desk.branch,
                           text=f"dispute,reference,paid_on,amount\n{long_field},R,2027-01-01,1\n")
    assert done.errors
    assert done.errors[0][0] == 1
    done = payments_import(actor=desk.agent, institution=desk.branch, text=(
        f"dispute,reference,paid_on,amount\n{performing.number},R\x00,2026-12-01,1\n"
        f"{performing.number},S,2026-13-01,1\n"))
    assert [n for n, _m in done.errors] == [2, 3]
    assert "YYYY-MM-DD" in done.errors[1][1]
    assert "class" not in done.errors[1][1]
    big = SimpleUploadedFile("p.csv", b"dispute,reference,paid_on,amount\n" + b"x" * (3 << 20))
    response = client_for(desk.agent).post("/payments/import/", {"file": big}, follow=True)
    assert "文件过大".encode() in response.content
    assert not Payment.objects.exists()


def test_control_characters_never_break_a_document(desk, mediating):
    session = session_schedule(actor=desk.mediator, dispute_id=mediating.pk, mode="phone",
                               starts_at=clock.now() - dt.timedelta(hours=1))
    session_record(actor=desk.mediator, session_id=session.pk, record="双方\x01陈述", attended={})
    assert "双方陈述" in Document.objects.get(kind="session_record").html
    answer = Api(desk.mediator).post(f"/sessions/{session.pk}/record",
                                     {"record": "笔录\x01", "attended": {}})
    assert answer.status_code == 422


def test_a_refused_transfer_writes_no_document_and_facts_go_with_remediation(desk, mediating):
    mediating.refresh_from_db()
    d = action_apply(actor=desk.mediator, dispute_id=mediating.pk, action=Action.FAIL,
                     expected_version=mediating.version, reason="分歧大")
    undisputed_facts_record(actor=desk.mediator, dispute_id=d.pk, facts=["本金已发放"])
    for row in DisputeParty.objects.filter(dispute=d):
        undisputed_facts_confirm(actor=desk.mediator, dispute_id=d.pk, party_row_id=row.pk,
                                 how="书面签字")
    d.refresh_from_db()
    before = Document.objects.count()
    with pytest.raises(TransitionRefused):  # the agent may not transfer
        action_apply(actor=desk.agent, dispute_id=d.pk, action=Action.TRANSFER,
                     expected_version=d.version)
    assert Document.objects.count() == before


def test_back_in_mediation_the_rejected_agreement_is_not_performed_nor_its_facts_kept(
        desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    reject(desk, mediating, "违反自愿原则")
    undisputed_facts_record(actor=desk.mediator, dispute_id=mediating.pk, facts=["本金已发放"])
    for row in DisputeParty.objects.filter(dispute=mediating):
        undisputed_facts_confirm(actor=desk.mediator, dispute_id=mediating.pk,
                                 party_row_id=row.pk, how="书面签字")
    mediating.refresh_from_db()
    with pytest.raises(TransitionRefused):  # saying so is not enough: consents are on record
        action_apply(actor=desk.director, dispute_id=mediating.pk, action=Action.REMEDIATE,
                     expected_version=mediating.version, attested=["parties_consent"])
    consent_all(desk, mediating, "remediate")
    mediating.refresh_from_db()
    d = action_apply(actor=desk.director, dispute_id=mediating.pk, action=Action.REMEDIATE,
                     expected_version=mediating.version)
    assert account_of(d) is None
    assert Api(desk.agent).get(f"/disputes/{d.pk}/performance").status_code == 404
    d = action_apply(actor=desk.mediator, dispute_id=d.pk, action=Action.FAIL,
                     expected_version=d.version, reason="再次调解不成")
    with pytest.raises(TransitionRefused, match="无争议事实"):  # the old round's facts are gone
        action_apply(actor=desk.mediator, dispute_id=d.pk, action=Action.TRANSFER,
                     expected_version=d.version)
