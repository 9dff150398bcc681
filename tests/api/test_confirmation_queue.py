"""GET /courts/{id}/confirmation-queue (issue 20 §6): the court's applications grouped as
the judge's review page groups them, each with its checklist; the court's judges only."""

from __future__ import annotations

from jintiao.confirmation.batch import confirmation_batch_apply
from jintiao.confirmation.services import confirmation_accept
from jintiao.domain.lifecycle import Role
from tests.api.client import Api
from tests.confirmation.batch_helpers import agreed
from tests.factories import UserFactory, flat


def test_the_queue_groups_the_alike_applications_with_their_checklists(desk, cases):
    alike = [agreed(desk), agreed(desk)]
    other = agreed(desk, flat(6))
    waiting = agreed(desk)
    batch = confirmation_batch_apply(actor=desk.mediator, court_id=desk.court.pk,
                                     disputes={d.pk: d.version for d in [*alike, other]})
    for app in batch.applications.all():
        confirmation_accept(actor=desk.judge, application_id=app.pk)
    confirmation_batch_apply(actor=desk.mediator, court_id=desk.court.pk,
                             disputes={waiting.pk: waiting.version})

    answer = Api(desk.judge).get(f"/courts/{desk.court.pk}/confirmation-queue")

    assert answer.status_code == 200
    body = answer.json()
    assert [g["count"] for g in body["groups"]] == [2, 1]
    first = body["groups"][0]
    assert first["instalments"] == 12
    assert sorted(i["dispute_number"] for i in first["items"]) == sorted(
        d.number for d in alike)
    item = first["items"][0]
    assert item["ready"] is True
    assert [c["code"] for c in item["checklist"] if c["verdict"] != "met"] == [
        "voluntary", "no_fraud", "no_harm"]
    assert [i["dispute_number"] for i in body["docketing"]] == [waiting.number]


def test_only_the_courts_judges_read_it(desk, cases):
    court_clerk = UserFactory(organization=desk.court, roles=[Role.COURT_CLERK])
    path = f"/courts/{desk.court.pk}/confirmation-queue"

    assert Api(court_clerk).get(path).status_code == 403
    assert Api(desk.other_judge).get(path).status_code == 404
    assert Api(desk.mediator).get(path).status_code == 404
    assert Api(desk.judge).get("/courts/999999/confirmation-queue").status_code == 404
