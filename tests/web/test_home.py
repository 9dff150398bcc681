"""The home page per role, and the list under htmx."""

from __future__ import annotations

import datetime as dt

from jintiao import clock
from jintiao.domain.lifecycle import Action
from jintiao.mediation.services import action_apply
from tests.factories import intake
from tests.web.test_views import client_for


def test_login_lands_on_the_home_page(world):
    from django.test import Client

    client = Client()
    response = client.post("/login/", {"username": world.clerk.username,
                                       "password": "pass-for-tests"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "工作台" in client.get("/").content.decode()


def test_the_clerk_sees_new_files_waiting_and_may_file(world):
    dispute = intake(actor=world.clerk, committee=world.committee)
    page = client_for(world.clerk).get("/").content.decode()
    assert dispute.number in page
    assert "处理环节：已登记" in page
    assert 'href="/disputes/new/"' in page


def test_the_supervisor_has_no_queue_but_sees_overdue_below_it(world):
    with clock.pinned(clock.now() - dt.timedelta(days=30)):
        late = intake(actor=world.clerk, committee=world.committee)
        late = action_apply(actor=world.clerk, dispute_id=late.pk, action=Action.ACCEPT,
                                    expected_version=1, notice_served=True)
    page = client_for(world.supervisor).get("/").content.decode()
    assert "您的角色不直接处理纠纷" in page
    assert late.number in page.split('id="overdue"')[1]
    assert "超期" in page
    assert 'href="/disputes/new/"' not in page  # supervisors do not file
    other = client_for(world.county_supervisor).get("/").content.decode()
    assert late.number not in other


def test_home_links_open_the_matching_list(world):
    with clock.pinned(clock.now() - dt.timedelta(days=30)):
        late = intake(actor=world.clerk, committee=world.committee)
        action_apply(actor=world.clerk, dispute_id=late.pk, action=Action.ACCEPT,
                             expected_version=1, notice_served=True)
    fresh = intake(actor=world.clerk, committee=world.committee)
    client = client_for(world.director)
    overdue = client.get("/disputes/?overdue=on").content.decode()
    assert late.number in overdue
    assert fresh.number not in overdue
    mine = client.get("/disputes/?mine=on").content.decode()
    assert fresh.number in mine
    assert late.number in mine


def test_the_list_answers_htmx_with_the_results_only(world):
    dispute = intake(actor=world.clerk, committee=world.committee, institution=world.branch)
    other = intake(actor=world.clerk, committee=world.committee)
    client = client_for(world.clerk)
    response = client.get(f"/disputes/?institution={world.branch.pk}",
                          headers={"HX-Request": "true", "HX-Target": "results"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert dispute.number in body
    assert other.number not in body
    assert "共 1 件" in body
    full = client.get(f"/disputes/?institution={world.branch.pk}").content.decode()
    assert "<html" in full
    assert 'hx-target="#results"' in full


def test_the_channel_and_committee_filters(world):
    delegated = intake(actor=world.clerk, committee=world.committee, channel="court_delegated",
                       court=world.court)
    applied = intake(actor=world.clerk, committee=world.committee)
    theirs = intake(actor=world.other_clerk, committee=world.other_committee)
    client = client_for(world.supervisor)
    page = client.get("/disputes/?channel=court_delegated").content.decode()
    assert delegated.number in page
    assert applied.number not in page
    page = client.get(f"/disputes/?committee={world.other_committee.pk}").content.decode()
    assert theirs.number in page
    assert delegated.number not in page


def test_every_workbench_page_needs_a_login(db):
    from django.test import Client

    for path in ("/", "/disputes/", "/disputes/new/", "/disputes/new/party-row/?index=3",
                 "/disputes/1/"):
        response = Client().get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/"), path


def test_the_overdue_count_says_what_it_counts(world):
    """The workbench's 已超期 counts every stage past its deadline; it says so where the
    figure is, and tells a supervisor why the dashboard's count is smaller."""
    from jintiao.domain.figures import DEFINITIONS

    page = client_for(world.supervisor).get("/").content.decode()
    overdue = page.split('id="overdue"')[1]
    assert f"口径：{DEFINITIONS['overdue']}" in overdue
    assert "督导首页另列“调解阶段超期”" in overdue
    assert f'title="{DEFINITIONS["overdue"]}"' in page  # on the tile too
    clerk = client_for(world.clerk).get("/").content.decode().split('id="overdue"')[1]
    assert f"口径：{DEFINITIONS['overdue']}" in clerk
    assert "督导首页" not in clerk


def test_the_court_clerk_sees_applications_waiting_to_be_docketed_with_their_deadline(desk,
                                                                                      mediating):
    """A joint application filed and not yet accepted waits on the court's clerks and judges:
    their home lists it with the day by which the court is to decide whether to accept it
    and a link to the review page; once docketed it leaves the list (issue 16)."""
    from jintiao.confirmation.selectors import acceptance_due
    from jintiao.confirmation.services import confirmation_accept, confirmation_apply
    from jintiao.domain.lifecycle import Role
    from tests.factories import UserFactory, flat
    from tests.helpers import CHARGES_SINCE, accept_plan, agree, apply

    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    apply(desk, mediating)
    mediating.refresh_from_db()
    app = confirmation_apply(actor=desk.mediator, dispute_id=mediating.pk,
                             expected_version=mediating.version, court_id=desk.court.pk)
    court_clerk = UserFactory(organization=desk.court, roles=[Role.COURT_CLERK])
    for who in (court_clerk, desk.judge):
        page = client_for(who).get("/").content.decode()
        assert 'id="docket"' in page
        docket = page.split('id="docket"')[1].split("</section>")[0]
        assert f'href="/confirmations/{app.pk}/"' in docket
        assert mediating.number in docket
        assert acceptance_due(app).isoformat() in docket
    assert 'id="docket"' not in client_for(desk.other_judge).get("/").content.decode()
    assert 'id="docket"' not in client_for(desk.mediator).get("/").content.decode()
    review = client_for(court_clerk).get(f"/confirmations/{app.pk}/").content.decode()
    assert f"应于{acceptance_due(app).isoformat()}前决定是否受理" in review
    confirmation_accept(actor=court_clerk, application_id=app.pk)
    assert 'id="docket"' not in client_for(court_clerk).get("/").content.decode()
