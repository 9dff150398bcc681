"""The list's batch form and the batch pages (issue 20 §4): who is offered what, the three
ways to choose (ticked, the page, all the filter finds, capped), the director's proposal
page, the results page, and who may see a batch."""

from __future__ import annotations

import pytest
from django.test import Client

from jintiao.disputes.models import Dispute
from jintiao.domain.lifecycle import Action, State
from jintiao.mediation import batch
from jintiao.mediation.models import BatchRun
from jintiao.mediation.services import action_apply
from tests.factories import intake
from tests.web.test_views import client_for


def received(world, n):
    return [intake(actor=world.clerk, committee=world.committee, institution=world.branch)
            for _ in range(n)]


def accepted(world, n):
    return [action_apply(actor=world.clerk, dispute_id=d.pk, action=Action.ACCEPT,
                         expected_version=d.version, notice_served=True)
            for d in received(world, n)]


def last_run(user) -> BatchRun:
    return BatchRun.objects.filter(actor=user).latest("pk")


class TestTheListOffers:
    def test_a_clerk_gets_checkboxes_and_batch_acceptance_only(self, world):
        received(world, 1)

        page = client_for(world.clerk).get("/disputes/").content.decode()

        assert 'name="pick"' in page
        assert "批量受理" in page
        assert "批量分派" not in page

    def test_a_director_gets_both(self, world):
        received(world, 1)

        page = client_for(world.director).get("/disputes/").content.decode()

        assert "批量受理" in page
        assert "批量分派" in page

    def test_a_mediator_gets_checkboxes_and_the_standard_menu_only(self, world, cases):
        page = client_for(world.mediator).get("/disputes/").content.decode()

        assert 'name="pick"' in page
        assert "发送标准还款方案" in page
        assert "批量受理" not in page
        assert "批量分派" not in page

    @pytest.mark.parametrize("who", ["agent", "supervisor", "judge"])
    def test_others_get_neither_checkboxes_nor_buttons(self, world, cases, who):
        page = client_for(getattr(world, who)).get("/disputes/").content.decode()

        assert 'name="pick"' not in page
        assert "批量" not in page


class TestBatchAccept:
    def test_the_ticked_rows_are_accepted_and_the_results_page_says_why_for_the_rest(
            self, world, cases):
        _ours, theirs = cases
        good, stale = received(world, 2)
        client = client_for(world.clerk)

        response = client.post("/disputes/batch/", {
            "action": "accept", "scope": "picked", "notice_served": "on",
            "pick": [f"{good.pk}:{good.version}", f"{stale.pk}:{stale.version - 1}",
                     f"{theirs.pk}:1"]}, follow=True)

        page = response.content.decode()
        assert "已办理 1 件" in page
        assert "未办理 2 件" in page
        assert "该纠纷已被他人修改" in page
        assert "纠纷不存在或无权查看" in page
        assert theirs.number not in page
        good.refresh_from_db()
        assert good.state == State.ACCEPTED

    def test_the_whole_page_is_accepted_without_ticking(self, world):
        disputes = received(world, 3)

        client_for(world.clerk).post("/disputes/batch/", {
            "action": "accept", "scope": "page", "notice_served": "on",
            "on_page": [f"{d.pk}:{d.version}" for d in disputes]})

        assert Dispute.objects.filter(pk__in=[d.pk for d in disputes],
                                      state=State.ACCEPTED).count() == 3

    def test_all_matching_the_filter_passes_the_filter_not_ids(self, world):
        card = received(world, 2)
        other = intake(actor=world.clerk, committee=world.committee,
                       dispute_type="consumer_loan")

        client_for(world.clerk).post("/disputes/batch/", {
            "action": "accept", "scope": "filter", "notice_served": "on",
            "filter": "dispute_type=credit_card&state=received"})

        assert {i.dispute_ref for i in last_run(world.clerk).items.all()} == {
            d.pk for d in card}
        other.refresh_from_db()
        assert other.state == State.RECEIVED

    def test_all_matching_beyond_the_cap_is_refused_with_a_clear_message(self, world,
                                                                      monkeypatch):
        received(world, 3)
        monkeypatch.setattr(batch, "MAX_DISPUTES", 2)

        response = client_for(world.clerk).post("/disputes/batch/", {
            "action": "accept", "scope": "filter", "filter": "state=received"}, follow=True)

        assert "符合筛选条件的纠纷超过 2 件" in response.content.decode()
        assert not BatchRun.objects.exists()

    def test_ids_and_versions_no_column_holds_are_dropped_not_a_500(self, world):
        """A hand-made ``pick`` beyond the columns (issue 20 review: 10**20 overflowed)."""
        response = client_for(world.clerk).post("/disputes/batch/", {
            "action": "accept", "scope": "picked",
            "pick": ["100000000000000000000:1", "5:99999999999", "-3:1", "x:y"]}, follow=True)

        assert response.status_code == 200
        assert not BatchRun.objects.filter(items__dispute_ref__gt=2**62).exists()

    def test_nothing_ticked_is_said_so(self, world):
        response = client_for(world.clerk).post(
            "/disputes/batch/", {"action": "accept", "scope": "picked"}, follow=True)

        assert "请先勾选" in response.content.decode()


class TestBatchAssign:
    def test_the_director_sees_the_proposed_team_then_confirms(self, world):
        disputes = accepted(world, 2)
        client = client_for(world.director)

        proposal = client.post("/disputes/batch/", {
            "action": "assign", "scope": "picked",
            "pick": [f"{d.pk}:{d.version}" for d in disputes]}, follow=True).content.decode()

        assert "拟分派方案" in proposal
        assert str(world.mediator) in proposal
        assert str(world.other_mediator) in proposal
        assert "确认分派（2 件）" in proposal
        assert Dispute.objects.filter(state=State.MEDIATING).count() == 0

        run = last_run(world.director)
        done = client.post(f"/disputes/batch/{run.pk}/confirm/", follow=True).content.decode()

        assert "已办理 2 件" in done
        assert Dispute.objects.filter(pk__in=[d.pk for d in disputes],
                                      state=State.MEDIATING).count() == 2


class TestWhoMay:
    @pytest.mark.parametrize(("who", "action"), [
        ("mediator", "accept"), ("agent", "accept"), ("supervisor", "accept"),
        ("clerk", "assign"), ("agent", "assign")])
    def test_a_role_that_does_not_take_the_action_is_404_and_nothing_changes(
            self, world, who, action):
        [d] = received(world, 1)

        response = client_for(getattr(world, who)).post("/disputes/batch/", {
            "action": action, "scope": "picked", "pick": [f"{d.pk}:{d.version}"]})

        assert response.status_code == 404
        assert not BatchRun.objects.exists()

    def test_anonymous_is_sent_to_sign_in(self, world):
        response = Client().post("/disputes/batch/", {"action": "accept"})

        assert response.status_code == 302
        assert "/login/" in response["Location"]

    def test_someone_elses_batch_is_404_to_see_and_to_confirm(self, world):
        disputes = accepted(world, 1)
        run = batch.batch_run_start(actor=world.director, action=Action.ASSIGN,
                                    dispute_ids=[disputes[0].pk])
        other_director = client_for(world.clerk)

        assert other_director.get(f"/disputes/batch/{run.pk}/").status_code == 404
        assert other_director.post(f"/disputes/batch/{run.pk}/confirm/").status_code == 404
        run.refresh_from_db()
        assert run.state == BatchRun.State.PROPOSED

    def test_the_progress_fragment_polls_while_the_batch_runs(self, world):
        [d] = received(world, 1)
        run = BatchRun.objects.create(actor=world.clerk, action="accept", total=1,
                                      created_at=d.events.first().at)

        response = client_for(world.clerk).get(f"/disputes/batch/{run.pk}/",
                                               headers={"HX-Request": "true",
                                                        "HX-Target": "batch-status"})

        fragment = response.content.decode()
        assert fragment.startswith('<div id="batch-status"')
        assert 'hx-trigger="every 2s"' in fragment
