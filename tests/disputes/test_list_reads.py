"""What the dispute list costs over many disputes (bench/bench_load.py found each): the
filters' committees and institutions from one read of the disputes, a search by name
without joining every dispute to its parties, workbench rows without the representatives
and mediators only the API shows, and — on PostgreSQL — the default order, the deadline
order and the filters' choices served by indexes instead of sorts and scans of the table.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jintiao.disputes.access import dispute_visible_to
from jintiao.disputes.models import Dispute
from jintiao.disputes.selectors import dispute_list, filter_choices
from tests.factories import intake


def _reads_of(table: str, queries: CaptureQueriesContext) -> int:
    return sum(1 for q in queries.captured_queries if f'"{table}"' in q["sql"])


def test_the_filters_choices_read_the_disputes_once(world, cases):
    with CaptureQueriesContext(connection) as queries:
        choices = filter_choices(world.supervisor)
        committees = list(choices["committees"])
        institutions = list(choices["institutions"])
    assert _reads_of("disputes_dispute", queries) == 1
    assert committees == [world.committee, world.other_committee]
    assert set(institutions) == {world.branch, world.other_bank}


def test_the_filters_name_only_what_the_viewer_sees(world, cases):
    choices = filter_choices(world.clerk)
    assert list(choices["committees"]) == [world.committee]
    assert list(choices["institutions"]) == [world.branch]
    assert not filter_choices(world.other_agent)["institutions"].filter(
        pk=world.branch.pk).exists()


def test_a_search_by_name_does_not_join_every_dispute_to_its_parties(world, cases):
    ours, _theirs = cases
    found = dispute_list(world.supervisor, text=ours.party_rows.get(role="debtor").party.name)
    assert list(found) == [ours]
    sql = str(found.query)
    assert "DISTINCT" not in sql
    assert " JOIN \"disputes_disputeparty\"" not in sql


def test_a_search_in_chinese_compares_without_changing_case(world, cases):
    ours, _theirs = cases
    name = ours.party_rows.get(role="debtor").party.name
    found = dispute_list(world.supervisor, text=name)
    assert "UPPER" not in str(found.query)
    assert list(found) == [ours]


def test_a_search_with_latin_letters_ignores_their_case(world, cases):
    ours, _theirs = cases
    Dispute.objects.filter(pk=ours.pk).update(summary="信用卡ABC逾期")
    assert list(dispute_list(world.supervisor, text="abc")) == [ours]
    assert list(dispute_list(world.supervisor, text="卡aBc逾")) == [ours]


def test_a_search_finds_by_number_and_summary_too(world, cases):
    ours, theirs = cases
    assert list(dispute_list(world.supervisor, text=theirs.number)) == [theirs]
    assert ours in dispute_list(world.supervisor, text=ours.number[-6:])


def test_workbench_rows_read_no_representatives_or_mediators(world, cases):
    for _ in range(3):
        intake(actor=world.clerk, committee=world.committee, institution=world.branch)
    client = Client()
    client.force_login(world.supervisor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/disputes/")
    assert response.status_code == 200
    assert _reads_of("disputes_disputerepresentative", queries) == 0
    assert _reads_of("disputes_disputemediator", queries) == 0
    assert _reads_of("disputes_disputeparty", queries) == 1


def test_the_api_list_still_shows_representatives_and_standing(world, cases):
    from tests.api.client import Api

    api = Api(world.supervisor)
    body = api.get("/disputes").json()
    assert body["count"] == 2
    assert all("representatives" in p for item in body["items"] for p in item["parties"])


def test_the_api_lists_page_reads_its_organisations_once_and_no_team_it_does_not_need(
        world, cases):
    """A supervisor's page names each committee, bank and court from one read of them, and
    reads no mediators (only a mediator or expert can be on a team); the mediator on the
    team still gets the team's actions (issue 19 §1: a page's three organisation instances
    a row and its mediators were a third of the list's time)."""
    from tests.api.client import Api

    for _ in range(3):
        intake(actor=world.clerk, committee=world.committee, institution=world.branch,
               court=world.court)
    with CaptureQueriesContext(connection) as queries:
        body = Api(world.supervisor).get("/disputes").json()
    assert body["count"] == 5
    assert _reads_of("disputes_disputemediator", queries) == 0
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in sql if '"disputes_dispute"' in q and '"orgs_organization"' in q]
    assert len([q for q in sql if q.startswith('SELECT "orgs_organization"."id", ')]) == 1
    ours = {item["id"]: item for item in body["items"]}[cases[0].pk]
    assert ours["committee"] == {"id": world.committee.pk, "name": world.committee.name,
                                 "kind": "committee"}
    assert ours["court"]["name"] == world.court.name
    mine = Api(world.mediator).get("/disputes").json()["items"]
    assert [item["id"] for item in mine] == [cases[0].pk]
    assert mine[0]["available_actions"] == ["fail", "withdraw"]  # the team's, in mediation
    assert all(item["available_actions"] == [] for item in body["items"])  # a supervisor's


def test_a_list_names_the_viewers_nodes_and_a_single_check_reads_them_in_its_query(
        world, cases):
    listed = str(dispute_list(world.clerk).query)
    assert '"orgs_organization" U0' not in listed  # no subquery over the organisations
    assert f'"committee_id" IN ({world.committee.pk})' in listed
    assert '"orgs_organization" U0' in str(dispute_visible_to(world.clerk).query)
    assert set(dispute_list(world.clerk)) == set(dispute_visible_to(world.clerk))


def _plan(rows, *, only: str = "") -> str:
    """The plan PostgreSQL would choose for ``rows`` over a province's table. A test's few
    rows make any plan the cheapest (CI's planner once read them through another index), so
    the planner is shown the table as a million rows on 25,000 pages, all visible — set
    inside the test's transaction and rolled back with it — and sorts and scans of the whole
    table are priced out: a plan that still has one has no index to serve the query.
    (``enable_indexscan = off`` cannot isolate index-only scans: it turns them off too.)
    ``only``: the one index of the table the planner may use — the others marked invalid,
    also rolled back — for a test of whether that index serves the query: the planner reads
    the table's true handful of pages and scales the made-up density by them, so with a few
    rows two indexes can cost the same and either be chosen (a full PostgreSQL run chose
    another once).
    """
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        if only:
            cursor.execute("UPDATE pg_index SET indisvalid = false WHERE indrelid = "
                           "'disputes_dispute'::regclass AND indexrelid <> %s::regclass",
                           [only])
        cursor.execute("UPDATE pg_class SET reltuples = 1000000, relpages = 25000, "
                       "relallvisible = 25000 WHERE oid = 'disputes_dispute'::regclass")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_default_and_the_deadline_orders_come_from_indexes(world, cases):
    newest = _plan(dispute_list(world.supervisor)[:50])
    assert "Sort" not in newest
    assert "dispute_received" in newest
    soonest = _plan(dispute_list(world.supervisor, sort="deadline")[:50])
    assert "Sort" not in soonest
    assert "dispute_deadline" in soonest


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_a_committees_first_page_is_read_newest_first_from_the_index(world, cases):
    for _ in range(3):
        intake(actor=world.clerk, committee=world.committee, institution=world.branch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE disputes_dispute")
    plan = _plan(dispute_list(world.clerk)[:50])
    assert "Sort" not in plan
    assert "Index Scan Backward using dispute_committee_received" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_a_branchs_first_page_is_read_newest_first_from_its_index(world, cases):
    """A bank's branch is one of a province's hundreds: its disputes newest first come
    from (institution, received_on, id), not from walking every dispute's."""
    for _ in range(3):
        intake(actor=world.clerk, committee=world.committee, institution=world.branch)
    plan = _plan(dispute_list(world.agent)[:50])
    assert "Sort" not in plan
    assert "Index Scan Backward using dispute_institution_received" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_filters_choices_come_from_one_index(world, cases):
    from jintiao.disputes.access import dispute_visible_to

    pairs = (dispute_visible_to(world.supervisor).order_by()
             .values_list("committee_id", "institution_id").distinct())
    plan = _plan(pairs)
    assert "Index Only Scan using dispute_committee_institution" in plan
    assert "Seq Scan on disputes_dispute" not in plan


class TestTheChoicesKeptAWhile:
    """Reading the pairs cost a supervisor of 100,000 disputes 40 ms a page: they are kept
    in the cache under the viewer's visibility query (settings_test turns that off, since
    tests reuse ids)."""

    @pytest.fixture(autouse=True)
    def kept(self, settings):
        settings.LIST_CHOICES_SECONDS = 60
        settings.CACHES = {"default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "list-choices-test"}}
        from django.core.cache import cache

        cache.clear()

    def test_the_second_page_reads_no_disputes_for_them(self, world, cases):
        first = filter_choices(world.supervisor)
        assert list(first["committees"]) == [world.committee, world.other_committee]
        with CaptureQueriesContext(connection) as queries:
            again = filter_choices(world.supervisor)
            assert list(again["committees"]) == [world.committee, world.other_committee]
            assert set(again["institutions"]) == {world.branch, world.other_bank}
        assert _reads_of("disputes_dispute", queries) == 0

    def test_each_viewer_gets_the_choices_of_what_they_see(self, world, cases):
        filter_choices(world.supervisor)
        assert list(filter_choices(world.clerk)["committees"]) == [world.committee]
        assert list(filter_choices(world.clerk)["institutions"]) == [world.branch]

    def test_a_cache_that_is_down_costs_the_read_not_the_page(self, world, cases,
                                                               monkeypatch):
        from jintiao.disputes import selectors

        class Down:
            def get(self, *args, **kwargs):
                raise ConnectionError("redis restarting")

            set = get

        monkeypatch.setattr(selectors, "cache", Down())
        assert list(filter_choices(world.clerk)["committees"]) == [world.committee]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
@pytest.mark.parametrize("filters", [{"state": "received"}, {"mine": True}])
def test_a_committees_disputes_by_state_are_counted_and_read_from_one_index(world, cases,
                                                                          filters):
    """A committee's disputes lie one to a page of the table: filtered by state they were
    read page by page (bench/bench_load.py, 7,000 pages for one committee's list)."""
    rows = dispute_list(world.clerk, **filters)
    counted = _plan(rows.order_by().values("pk")[:2001])  # as count() asks
    assert "Index Only Scan using dispute_committee_state" in counted
    listed = _plan(rows[:50])
    # newest first from an index — the committee's and state's, the committee's or the
    # state's, as the shares decide (a test's tables have none to weigh)
    assert "Index Scan Backward using dispute_" in listed
    assert "Sort" not in listed


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_a_supervisors_list_by_state_is_read_newest_first_from_the_state_index(world, cases):
    """Over every committee, the disputes of one state newest first: walking all disputes
    newest first to find those performed years back read 850 ms at 1,000,000."""
    plan = _plan(dispute_list(world.supervisor, state="performed")[:50])
    assert "Sort" not in plan
    assert "Index Scan Backward using dispute_state_received" in plan


def test_a_supervisors_list_names_only_the_committees_below_not_the_groups(world, cases):
    """Only committees hold disputes: naming the leading groups too made PostgreSQL's
    estimate of a prefecture's list a third short (64,393 for 100,000 at bench scale)."""
    listed = str(dispute_list(world.supervisor).query)
    named = {world.committee.pk, world.other_committee.pk}
    assert f'"committee_id" IN ({", ".join(map(str, sorted(named)))})' in listed
    assert set(dispute_list(world.supervisor)) == set(dispute_visible_to(world.supervisor))
    assert {d.pk for d in dispute_list(world.supervisor)} == {c.pk for c in cases}


def test_a_supervisor_with_no_committee_below_sees_an_empty_list_not_an_error(world, cases):
    """The demo's regulator: a supervisor of a node with no committee under it. Naming
    only the committees below left the list's condition empty, and the page answered 500
    (found trying the demo in a browser)."""
    from jintiao.domain.lifecycle import Role
    from jintiao.orgs.models import OrgKind
    from jintiao.orgs.services import token_create
    from tests.factories import OrganizationFactory, UserFactory

    regulator = OrganizationFactory(name="地方金融管理局", kind=OrgKind.REGULATOR)
    watcher = UserFactory(organization=regulator, roles=[Role.SUPERVISOR])
    assert list(dispute_list(watcher)) == []
    assert {k: list(v) for k, v in filter_choices(watcher).items()} == {
        "committees": [], "institutions": []}
    web = Client()
    web.force_login(watcher)
    for path in ("/disputes/", "/disputes/?state=accepted", "/ledger/"):
        page = web.get(path)
        assert page.status_code == 200, path
    token = token_create(user=watcher, name="t", system="t", days=1, scopes=["read"])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/disputes")
    assert api.status_code == 200
    assert api.json()["count"] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_what_is_late_in_mediation_is_counted_from_its_own_index(world, cases):
    """The supervisor's dashboard counts, by committee, the disputes past their deadline
    in the mediation stages: from the partial index alone (31,218 of 1,000,000 in the
    bench took 250 ms through the deadlines, 33 ms from it)."""
    from django.db.models import Count, Min

    from jintiao import clock
    from jintiao.domain.figures import MEDIATION_STAGES

    late = (Dispute.objects.filter(committee__path__startswith=world.prefecture.path,
                                   deadline__lt=clock.today(),
                                   state__in=[s.value for s in MEDIATION_STAGES])
            .values("committee__name", "committee__path")
            .annotate(n=Count("pk"), oldest=Min("deadline")))
    assert "dispute_mediation_late" in _plan(late, only="dispute_mediation_late")
