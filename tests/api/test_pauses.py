"""A dispute's hardship pauses through the API (issue 21 §3): the bank's system sees that
one runs and until when, never the evidence; the desk reads it; others are refused."""

from __future__ import annotations

import pytest

from jintiao.mediation.services import pause_decide, pause_request
from tests.api.client import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def paused(desk, mediating):
    asked = pause_request(actor=desk.mediator, dispute_id=mediating.pk, ground="job_loss",
                          evidence="解除劳动合同证明书（2026年11月）", days=45)
    pause_decide(actor=desk.director, dispute_id=mediating.pk, pause_id=asked.pk,
                 approve=True)
    return mediating


def test_the_bank_sees_it_runs_but_not_the_evidence(desk, paused):
    answer = Api(desk.agent).get(f"/disputes/{paused.pk}/pauses")
    assert answer.status_code == 200
    [row] = answer.json()
    assert (row["status"], row["days"], row["evidence"]) == ("active", 45, None)
    assert row["ends_on"] is not None


def test_the_desk_reads_the_evidence(desk, paused):
    [row] = Api(desk.mediator).get(f"/disputes/{paused.pk}/pauses").json()
    assert row["evidence"] == "解除劳动合同证明书（2026年11月）"


def test_others_are_refused(desk, paused, cases):
    assert Api(desk.other_agent).get(f"/disputes/{paused.pk}/pauses").status_code == 404
    assert Api(desk.supervisor).get(f"/disputes/{paused.pk}/pauses").status_code == 403
