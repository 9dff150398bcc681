"""Query budgets: what a page or an API read costs does not grow with what the dispute holds.

Each read is made twice — on a dispute with one session, offer and payment, and after more
were added — and must cost the same number of queries, within a stated ceiling (Zulip's and
NetBox's query-count tests). A ceiling that no longer holds is a new N+1, not a number to
raise.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jintiao import clock
from jintiao.mediation.models import Session, Side
from jintiao.mediation.services import (
    attachment_add,
    caucus_note_add,
    offer_propose,
    session_record,
    session_schedule,
)
from tests.api.client import TOKEN_CHECK_QUERIES, Api
from tests.factories import flat


def _client(user) -> Client:
    """Signed in, its session touched this minute as after any page: the budgets are a
    read's own cost, not the once-a-minute save of an idle session's end."""
    from django.utils import timezone

    client = Client()
    client.force_login(user)
    session = client.session
    session["_touched"] = int(timezone.now().timestamp())
    session.save()
    return client


def _cost(read) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = read()
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def _add_round(desk, dispute, n: int) -> None:
    """One more held back-to-back session with a note of each side and a file, and one more
    offer from each side."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = list(dispute.party_rows.values_list("pk", flat=True))
    made = session_schedule(actor=desk.mediator, dispute_id=dispute.pk,
                            mode=Session.Mode.BACK_TO_BACK,
                            starts_at=clock.now() - dt.timedelta(hours=n + 1),
                            party_row_ids=rows, place="调解室")
    for side in (Side.CREDITOR, Side.DEBTOR):
        caucus_note_add(actor=desk.mediator, session_id=made.pk, side=side, text=f"第{n}次")
    attachment_add(actor=desk.mediator, session_id=made.pk, kind="evidence", name="a.pdf",
                   content=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"), side="")
    session_record(actor=desk.mediator, session_id=made.pk, record=f"第{n}次调解",
                   attended=dict.fromkeys(rows, True))
    offer_propose(actor=desk.agent, dispute_id=dispute.pk, options=flat(12 + n),
                  discount_rate=D("0.035"))
    offer_propose(actor=desk.mediator, dispute_id=dispute.pk, options=flat(24 + n),
                  discount_rate=D("0.035"), on_behalf_of="debtor")


WEB_READS = {
    "dispute page": "/disputes/{d}/",
    "mediation page": "/disputes/{d}/mediation/",
    "plan designer": "/disputes/{d}/plans/",
}
API_READS = {
    "dispute": "/disputes/{d}",
    "timeline": "/disputes/{d}/timeline",
    "sessions": "/disputes/{d}/sessions",
    "offers": "/disputes/{d}/offers",
}
# The most any of these reads may cost (the web pages include the session, the user, the
# navigation's checks and the messages; the API's reads the token's check).
CEILING = {"dispute page": 40, "mediation page": 45, "plan designer": 40,
           **{name: n + TOKEN_CHECK_QUERIES
              for name, n in {"dispute": 12, "timeline": 12, "sessions": 16,
                              "offers": 16}.items()}}


@pytest.mark.parametrize("persona", ["mediator", "agent", "director"])
def test_the_mediation_reads_cost_the_same_with_more_sessions_and_offers(desk, mediating,
                                                                         persona):
    user = getattr(desk, persona)
    web, api = _client(user), Api(user)

    def costs():
        found = {name: _cost(lambda p=path: web.get(p.format(d=mediating.pk)))
                 for name, path in WEB_READS.items()}
        found |= {name: _cost(lambda p=path: api.get(p.format(d=mediating.pk)))
                  for name, path in API_READS.items()}
        return found

    _add_round(desk, mediating, 1)
    api.get("/me")  # the token's first use is written once; its later ones within the minute not
    one = costs()
    for n in (2, 3, 4):
        _add_round(desk, mediating, n)
    four = costs()

    assert four == one, {k: (one[k], four[k]) for k in one if one[k] != four[k]}
    assert {name: n for name, n in four.items() if n > CEILING[name]} == {}


@pytest.mark.parametrize("persona", ["clerk", "agent", "supervisor"])
def test_the_lists_cost_the_same_with_more_disputes(world, persona):
    """The dispute list, on the web and through the API, and the workbench."""
    from tests.factories import intake

    user = getattr(world, persona)
    web, api = _client(user), Api(user)

    def costs():
        return {"web list": _cost(lambda: web.get("/disputes/")),
                "home": _cost(lambda: web.get("/")),
                "api list": _cost(lambda: api.get("/disputes"))}

    intake(actor=world.clerk, committee=world.committee, institution=world.branch)
    api.get("/me")  # the token's first use is written once; its later ones within the minute not
    one = costs()
    for _ in range(4):
        intake(actor=world.clerk, committee=world.committee, institution=world.branch)
    five = costs()

    assert five == one, {k: (one[k], five[k]) for k in one if one[k] != five[k]}


@pytest.mark.parametrize("persona", ["mediator", "agent"])
def test_the_performance_reads_cost_the_same_with_more_payments(desk, performing, persona):
    """The performance page and the API's performance and payments: the same with five
    payments as with one."""
    from jintiao.performance.services import payment_record
    from tests.performance.helpers import at, instalment

    user = getattr(desk, persona)
    web, api = _client(user), Api(user)
    path = performing.pk

    def pay(n: int) -> None:
        with clock.pinned(at(dt.date(2027, 1, 20) + dt.timedelta(days=30 * n))):
            payment_record(actor=desk.agent, dispute_id=path, reference=f"BANK-{n}",
                           paid_on=clock.today(), amount=instalment(performing))

    def costs():
        with clock.pinned(at(dt.date(2027, 6, 30))):
            api.get("/me")  # the token's use is written once a minute, not in these reads
            return {
                "performance page": _cost(lambda: web.get(f"/disputes/{path}/performance/")),
                "api performance": _cost(lambda: api.get(f"/disputes/{path}/performance")),
                "api payments": _cost(lambda: api.get(f"/disputes/{path}/payments"))}

    pay(0)
    one = costs()
    for n in range(1, 5):
        pay(n)
    five = costs()

    assert five == one, {k: (one[k], five[k]) for k in one if one[k] != five[k]}
