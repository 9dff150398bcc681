"""Judicial confirmation in batches (issue 20 §6): each application of a batch is filed, and
each agreement of a group confirmed, by the single service in its own transaction; a
refusal is that dispute's outcome with its code and message and stops nothing else."""

from __future__ import annotations

import pytest

from jintiao.confirmation.batch import (
    BatchInvalid,
    confirmation_batch_apply,
    confirmation_batch_confirm,
)
from jintiao.confirmation.models import Application, ConfirmationBatch
from jintiao.confirmation.services import confirmation_accept
from jintiao.disputes.access import PermissionDenied, RecordNotFound
from jintiao.domain import events
from jintiao.domain.confirmation import judge_items
from jintiao.domain.lifecycle import State
from jintiao.timeline.models import Event
from tests.confirmation.batch_helpers import agreed


def _events(dispute, type_):
    return Event.objects.filter(dispute=dispute, type=type_).count()


class TestBatchApply:
    def test_files_each_ready_dispute_and_lists_each_refusal(self, desk, cases):
        ready = [agreed(desk), agreed(desk)]
        unsigned = agreed(desk, signed=False)
        hidden = cases[1]  # another committee's dispute

        batch = confirmation_batch_apply(
            actor=desk.mediator, court_id=desk.court.pk,
            disputes={d.pk: d.version for d in [*ready, unsigned, hidden]})

        outcomes = {o["dispute"]: o for o in batch.outcomes}
        assert [outcomes[d.pk]["status"] for d in ready] == ["ok", "ok"]
        assert set(batch.applications.values_list("dispute", flat=True)) == {
            d.pk for d in ready}
        for d in ready:
            d.refresh_from_db()
            assert d.state == State.CONFIRMATION_PENDING
            assert _events(d, events.DISPUTE_APPLY_CONFIRMATION) == 1
        refused = outcomes[unsigned.pk]
        assert refused["status"] == "refused"
        assert refused["code"] == "confirmation_invalid"
        assert "尚未签署" in refused["message"]
        assert refused["number"] == unsigned.number
        unsigned.refresh_from_db()
        assert unsigned.state == State.AGREED
        assert not Application.objects.filter(dispute=unsigned).exists()
        assert outcomes[hidden.pk] == {"dispute": hidden.pk, "number": "",
                                       "status": "refused", "application": None,
                                       "code": "dispute_not_found",
                                       "message": outcomes[hidden.pk]["message"]}

    def test_a_stale_version_is_that_disputes_refusal(self, desk, cases):
        dispute = agreed(desk)

        batch = confirmation_batch_apply(actor=desk.mediator, court_id=desk.court.pk,
                                         disputes={dispute.pk: dispute.version - 1})

        (outcome,) = batch.outcomes
        assert outcome["status"] == "refused"
        assert outcome["code"] == "conflict"
        assert batch.applications.count() == 0

    def test_is_the_committee_desks_and_needs_a_court_and_a_dispute(self, desk, cases):
        dispute = agreed(desk)
        for outsider in (desk.judge, desk.agent, desk.clerk):
            with pytest.raises(PermissionDenied):
                confirmation_batch_apply(actor=outsider, court_id=desk.court.pk,
                                         disputes={dispute.pk: dispute.version})
        with pytest.raises(BatchInvalid, match="请选择"):
            confirmation_batch_apply(actor=desk.mediator, court_id=desk.court.pk, disputes={})
        with pytest.raises(BatchInvalid, match="法院不存在"):
            confirmation_batch_apply(actor=desk.mediator, court_id=desk.committee.pk,
                                     disputes={dispute.pk: dispute.version})
        assert not ConfirmationBatch.objects.exists()


class TestBatchConfirm:
    def _accepted(self, desk, count):
        disputes = [agreed(desk) for _ in range(count)]
        batch = confirmation_batch_apply(actor=desk.mediator, court_id=desk.court.pk,
                                         disputes={d.pk: d.version for d in disputes})
        apps = list(batch.applications.order_by("pk"))
        for app in apps:
            confirmation_accept(actor=desk.judge, application_id=app.pk)
        for d in disputes:
            d.refresh_from_db()
        return disputes, apps

    def test_confirms_each_in_its_own_ruling_and_lists_the_one_refused(self, desk, cases):
        disputes, apps = self._accepted(desk, 3)
        stale = disputes[2]

        outcomes = confirmation_batch_confirm(
            actor=desk.judge, court_id=desk.court.pk,
            applications={apps[0].pk: disputes[0].version, apps[1].pk: disputes[1].version,
                          apps[2].pk: stale.version - 1},
            attested=list(judge_items()))

        assert [o.ok for o in outcomes] == [True, True, False]
        assert outcomes[2].code == "conflict"
        assert outcomes[2].number == stale.number
        for d, app in zip(disputes[:2], apps[:2], strict=True):
            d.refresh_from_db()
            app.refresh_from_db()
            assert d.state == State.PERFORMING
            assert app.status == Application.Status.CONFIRMED
            assert app.attested == sorted(judge_items())
            assert _events(d, events.DISPUTE_CONFIRM) == 1
        stale.refresh_from_db()
        assert stale.state == State.CONFIRMATION_PENDING

    def test_refuses_each_without_the_judges_attestations(self, desk, cases):
        disputes, apps = self._accepted(desk, 1)

        (outcome,) = confirmation_batch_confirm(
            actor=desk.judge, court_id=desk.court.pk,
            applications={apps[0].pk: disputes[0].version}, attested=[])

        assert not outcome.ok
        assert outcome.code == "confirmation_invalid"
        assert "尚未认定" in outcome.message

    def test_is_the_courts_judges(self, desk, cases):
        disputes, apps = self._accepted(desk, 1)
        with pytest.raises(RecordNotFound):
            confirmation_batch_confirm(actor=desk.other_judge, court_id=desk.court.pk,
                                       applications={apps[0].pk: disputes[0].version},
                                       attested=list(judge_items()))
        (outcome,) = confirmation_batch_confirm(
            actor=desk.other_judge, court_id=desk.other_court.pk,
            applications={apps[0].pk: disputes[0].version}, attested=list(judge_items()))
        assert outcome.code == "not_found"
        assert outcome.number == ""
