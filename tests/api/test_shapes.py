"""What the typed answers promise beyond their field names: instants in Shanghai time with
their offset, a caucus note answered as the session lists it, an enforcement's late periods
under their published names."""

from __future__ import annotations

import datetime as dt

from jintiao import clock
from jintiao.performance.services import performance_review
from tests.api.client import Api
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, confirm


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_an_instant_is_given_in_shanghai_time_whether_just_stamped_or_read_back(desk,
                                                                                mediating):
    """The database hands instants back in UTC and a service stamps them in Shanghai time:
    the same field used to read ``…Z`` in one answer and ``…+08:00`` in the next."""
    mediator = Api(desk.mediator)
    starts = dt.datetime(2026, 12, 1, 9, 30, tzinfo=clock.TZ)
    made = ok(mediator.post(f"/disputes/{mediating.pk}/sessions", {
        "mode": "back_to_back", "starts_at": starts.isoformat(), "place": "调解室"}), 201)
    note = ok(mediator.post(f"/sessions/{made['id']}/caucus-notes",
                            {"side": "debtor", "text": "每月最多还四千"}), 201)
    listed = ok(mediator.get(f"/disputes/{mediating.pk}/sessions"))
    assert made["starts_at"] == listed[0]["starts_at"] == "2026-12-01T09:30:00+08:00"
    assert note["at"].endswith("+08:00")
    assert listed[0]["caucus_notes"] == [note]
    events = ok(mediator.get(f"/disputes/{mediating.pk}/timeline"))
    assert all(e["at"].endswith("+08:00") for e in events)


def test_an_enforcement_lists_each_late_period_from_and_to(desk, mediating):
    """``from`` is a Python keyword: the schema names the field by alias, and the answer
    must still say ``from``."""
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    confirm(desk, mediating)
    with clock.pinned(dt.datetime(2027, 6, 2, 10, tzinfo=clock.TZ)):
        assert performance_review(actor=desk.agent, dispute_id=mediating.pk) == "defaulted"
        shown = ok(Api(desk.agent).get(f"/disputes/{mediating.pk}/performance"))
    enforcement = shown["enforcement"]
    late = enforcement["breakdown"]["late_days"]
    assert late, enforcement
    assert set(late[0]) == {"number", "from", "to", "base", "days"}
    assert dt.date.fromisoformat(late[0]["from"]) < dt.date.fromisoformat(late[0]["to"])
    assert enforcement["accelerated_on"] <= "2027-06-02"


def test_a_key_an_offer_stored_beyond_the_schema_is_passed_on_as_stored(desk, mediating):
    """An offer keeps the plan and figures its proposer saw: a figure the schema does not
    name yet reaches the client rather than vanishing — and the desk's own still do not."""
    mediator, agent = Api(desk.mediator), Api(desk.agent)
    made = ok(mediator.post(f"/disputes/{mediating.pk}/offers", {"plan": {
        "method": "flat", "periods": 12, "first_due": "2027-01-20"}}), 201)
    offer = mediating.offers.get(pk=made["id"])
    offer.figures = {**offer.figures, "lump_sum": "1000.00"}
    offer.options = {**offer.options, "note": "试行"}
    offer.save()
    for api in (mediator, agent):
        shown = ok(api.get(f"/disputes/{mediating.pk}/offers"))[0]
        assert shown["figures"]["lump_sum"] == "1000.00"
        assert shown["options"]["note"] == "试行"
    assert "max_affordable_payment" in ok(mediator.get(
        f"/disputes/{mediating.pk}/offers"))[0]["figures"]
    assert "max_affordable_payment" not in ok(agent.get(
        f"/disputes/{mediating.pk}/offers"))[0]["figures"]
