"""Batch work at the desk (issue 20 §4): many disputes accepted or assigned in one action,
each through the single action's service in its own transaction, with its own event, every
refusal that dispute's outcome with its code and reason."""

from __future__ import annotations

import pytest

from jintiao import clock
from jintiao.disputes.access import PermissionDenied, RecordNotFound
from jintiao.disputes.models import Dispute
from jintiao.domain.lifecycle import Action, Role, State
from jintiao.domain.policy import Track
from jintiao.mediation import batch
from jintiao.mediation.models import BatchItem, BatchRun, Recusal
from jintiao.mediation.services import MediationInvalid, action_apply
from jintiao.orgs.services import mediator_profile_set
from tests.factories import UserFactory, intake


def received(world, n, **kwargs):
    return [intake(actor=world.clerk, committee=world.committee, institution=world.branch,
                   **kwargs) for _ in range(n)]


def accepted(world, n):
    return [action_apply(actor=world.clerk, dispute_id=d.pk, action=Action.ACCEPT,
                         expected_version=d.version, notice_served=True)
            for d in received(world, n)]


def events_of(dispute, type_):
    return list(dispute.events.filter(type=type_))


class TestBatchAccept:
    def test_a_mixed_batch_accepts_what_it_may_and_says_why_for_each_of_the_others(
            self, world, cases):
        """Wrong state, another committee's dispute, a stale one: each refused with its
        reason, the rest accepted — each with its own event."""
        fresh = received(world, 2)
        stale = received(world, 1)[0]
        declined = received(world, 1)[0]
        action_apply(actor=world.clerk, dispute_id=declined.pk, action=Action.DECLINE,
                     expected_version=declined.version, reason="不属于受理范围")
        ours, theirs = cases  # ours is under mediation; theirs is Huangping's
        stale_version = stale.version
        # someone changes the stale one after the clerk saw it (a second number on file)
        Dispute.objects.filter(pk=stale.pk).update(version=stale_version + 1)
        ids = [fresh[0].pk, declined.pk, theirs.pk, stale.pk, ours.pk, fresh[1].pk]

        outcomes = batch.batch_accept(actor=world.clerk, dispute_ids=ids, notice_served=True,
                                      versions={stale.pk: stale_version})

        by_id = {o.id: o for o in outcomes}
        assert [o.id for o in outcomes] == ids
        assert by_id[fresh[0].pk].ok
        assert by_id[fresh[1].pk].ok
        assert by_id[declined.pk].code == "transition_refused"
        assert "不予受理" in by_id[declined.pk].message
        assert (by_id[theirs.pk].code, by_id[theirs.pk].number) == ("dispute_not_found", "")
        assert by_id[theirs.pk].message == "纠纷不存在或无权查看"
        assert by_id[stale.pk].code == "conflict"
        assert "已被他人修改" in by_id[stale.pk].message
        assert by_id[ours.pk].code == "transition_refused"
        assert by_id[ours.pk].number == ours.number
        for d in fresh:
            d.refresh_from_db()
            assert d.state == State.ACCEPTED
            accepted_events = events_of(d, "dispute.accept")
            assert len(accepted_events) == 1
            assert accepted_events[0].params["batch"] is True
            assert accepted_events[0].params["attested"] == ["non_litigation_notice_served"]
        for d in (stale, declined, theirs):
            d.refresh_from_db()
            assert not events_of(d, "dispute.accept")
        assert theirs.state == State.RECEIVED

    def test_without_the_clerks_word_only_a_notice_on_record_lets_a_dispute_in(self, world):
        told = intake(actor=world.clerk, committee=world.committee, institution=world.branch)
        Dispute.objects.filter(pk=told.pk).update(non_litigation_notice_served=True)
        untold = received(world, 1)[0]

        outcomes = batch.batch_accept(actor=world.clerk, dispute_ids=[told.pk, untold.pk])

        assert outcomes[0].ok
        assert not outcomes[1].ok
        assert outcomes[1].code == "transition_refused"
        assert "告知" in outcomes[1].message

    def test_the_same_dispute_twice_is_one(self, world):
        d = received(world, 1)[0]

        outcomes = batch.batch_accept(actor=world.clerk, dispute_ids=[d.pk, d.pk],
                                      notice_served=True)

        assert len(outcomes) == 1
        assert len(events_of(d, "dispute.accept")) == 1

    @pytest.mark.parametrize("who", ["mediator", "agent", "supervisor", "judge"])
    def test_a_role_that_takes_no_acceptance_is_refused_the_whole_batch(self, world, who):
        d = received(world, 1)[0]

        with pytest.raises(PermissionDenied, match="只有窗口受理员或调委会主任可以批量受理"):
            batch.batch_accept(actor=getattr(world, who), dispute_ids=[d.pk])

    def test_an_empty_or_too_large_batch_is_refused(self, world, monkeypatch):
        with pytest.raises(MediationInvalid, match="请选择"):
            batch.batch_accept(actor=world.clerk, dispute_ids=[])
        monkeypatch.setattr(batch, "MAX_DISPUTES", 2)
        with pytest.raises(MediationInvalid, match="一次最多处理2件"):
            batch.batch_accept(actor=world.clerk, dispute_ids=[1, 2, 3])


class TestBatchAssign:
    def test_the_proposal_balances_the_committees_mediators_and_changes_nothing(self, world):
        disputes = accepted(world, 4)

        proposals = batch.batch_assign_propose(actor=world.director,
                                               dispute_ids=[d.pk for d in disputes])

        leads = [p.lead for p in proposals]
        assert sorted(leads) == sorted([world.mediator.pk, world.other_mediator.pk] * 2)
        assert world.banker_mediator.pk not in leads  # the branch's: tied, and not ours
        assert all(p.track == Track.SIMPLE and p.track_suggested for p in proposals)
        assert all("小额标准" in p.track_why[0] for p in proposals)
        for d in disputes:
            d.refresh_from_db()
            assert d.state == State.ACCEPTED
            assert d.track == ""

    def test_a_mediator_of_another_committee_is_never_proposed(self, world):
        """Huangping's dispute goes to Huangping's mediator, Kaili's to Kaili's — even with
        Huangping's mediator idle and Kaili's busy."""
        huangping = UserFactory(organization=world.other_committee, roles=[Role.MEDIATOR])
        world.other_director = UserFactory(organization=world.county.parent,
                                           roles=[Role.DIRECTOR])
        kaili = accepted(world, 1)[0]
        theirs = intake(actor=world.other_clerk, committee=world.other_committee)
        theirs = action_apply(actor=world.other_clerk, dispute_id=theirs.pk,
                              action=Action.ACCEPT, expected_version=1, notice_served=True)

        proposals = batch.batch_assign_propose(actor=world.other_director,
                                               dispute_ids=[kaili.pk, theirs.pk])

        assert proposals[0].lead in {world.mediator.pk, world.other_mediator.pk}
        assert proposals[1].lead == huangping.pk

    def test_recused_and_unavailable_mediators_are_skipped_and_none_left_says_why(self,
                                                                                 world):
        dispute = accepted(world, 1)[0]
        # a recusal the director granted on this dispute
        Recusal.objects.create(dispute=dispute, mediator=world.mediator,
                               requested_by=dispute.party_rows.get(role="debtor"),
                               reason="亲属关系", status=Recusal.Status.GRANTED,
                               requested_at=clock.now(), decided_at=clock.now())
        mediator_profile_set(user=world.other_mediator, available=False)

        [proposal] = batch.batch_assign_propose(actor=world.director, dispute_ids=[dispute.pk])

        assert proposal.lead is None
        assert proposal.code == "mediator_invalid"
        assert proposal.message == "本调委会2名调解员均不能指派（已回避1名、暂不可指派1名）"

    def test_a_mediator_tied_to_the_creditor_at_the_committee_is_skipped(self, world):
        """A committee mediator affiliated with the creditor's bank group (a retired
        manager, say) is not proposed, however light their load."""
        mediator_profile_set(user=world.mediator, affiliations=[world.bank])
        UserFactory(organization=world.committee, roles=[Role.MEDIATOR])  # busy below
        disputes = accepted(world, 3)

        proposals = batch.batch_assign_propose(actor=world.director,
                                               dispute_ids=[d.pk for d in disputes])

        assert world.mediator.pk not in {p.lead for p in proposals}
        assert all(p.ok for p in proposals)

    def test_expertise_in_the_type_is_preferred(self, world):
        mediator_profile_set(user=world.other_mediator, expertise=["credit_card"])
        disputes = accepted(world, 1)

        [proposal] = batch.batch_assign_propose(actor=world.director,
                                                dispute_ids=[disputes[0].pk])

        assert proposal.lead == world.other_mediator.pk
        assert "擅长此类纠纷" in proposal.why

    def test_confirming_assigns_each_with_its_triage_and_assignment_events(self, world,
                                                                          cases):
        ours, theirs = cases
        disputes = accepted(world, 2)
        stale = accepted(world, 1)[0]
        ids = [disputes[0].pk, ours.pk, theirs.pk, stale.pk, disputes[1].pk]
        proposals = batch.batch_assign_propose(actor=world.director, dispute_ids=ids)
        # the stale one is triaged by someone else after the proposal was made
        action_apply(actor=world.director, dispute_id=stale.pk, action=Action.TRIAGE,
                     expected_version=stale.version, track=Track.ORDINARY)

        outcomes = batch.batch_assign(actor=world.director, proposals=proposals)

        by_id = {o.id: o for o in outcomes}
        assert by_id[disputes[0].pk].ok
        assert by_id[disputes[1].pk].ok
        assert by_id[ours.pk].code == "transition_refused"  # under mediation already
        assert "调解中" in by_id[ours.pk].message
        assert by_id[theirs.pk].code == "dispute_not_found"
        assert by_id[stale.pk].code == "conflict"
        for d in disputes:
            d.refresh_from_db()
            assert d.state == State.MEDIATING
            assert d.track == Track.SIMPLE
            assert len(events_of(d, "dispute.triage")) == 1
            [assigned] = events_of(d, "dispute.assign")
            assert assigned.params["batch"] is True
            assert assigned.params["mediators"] == [by_id[d.pk].lead]
        assert {by_id[d.pk].lead for d in disputes} <= {world.mediator.pk,
                                                       world.other_mediator.pk}
        stale.refresh_from_db()
        assert stale.state == State.ACCEPTED

    def test_a_lead_slipped_in_from_another_committee_is_refused(self, world):
        outsider = UserFactory(organization=world.other_committee, roles=[Role.MEDIATOR])
        dispute = accepted(world, 1)[0]
        [proposal] = batch.batch_assign_propose(actor=world.director, dispute_ids=[dispute.pk])
        forged = batch.Proposal(**{**proposal.__dict__, "lead": outsider.pk})

        [outcome] = batch.batch_assign(actor=world.director, proposals=[forged])

        assert outcome.code == "mediator_invalid"
        assert outcome.message == "所选调解员不是本调委会在册的调解员"
        dispute.refresh_from_db()
        assert dispute.state == State.ACCEPTED

    @pytest.mark.parametrize("who", ["clerk", "mediator", "agent", "supervisor"])
    def test_only_a_director_assigns_in_a_batch(self, world, who):
        dispute = accepted(world, 1)[0]

        with pytest.raises(PermissionDenied, match="只有调委会主任可以批量指派调解员"):
            batch.batch_assign_propose(actor=getattr(world, who), dispute_ids=[dispute.pk])


class TestBatchRuns:
    def test_an_acceptance_runs_at_once_in_process_and_records_each_outcome(self, world):
        good, wrong = received(world, 2)
        action_apply(actor=world.clerk, dispute_id=wrong.pk, action=Action.DECLINE,
                     expected_version=wrong.version, reason="重复申请")

        run = batch.batch_run_start(actor=world.clerk, action=Action.ACCEPT,
                                    dispute_ids=[good.pk, wrong.pk, 999_999],
                                    notice_served=True)

        run.refresh_from_db()
        assert run.state == BatchRun.State.DONE
        items = list(run.items.order_by("seq"))
        assert [i.status for i in items] == ["done", "refused", "refused"]
        assert items[1].code == "transition_refused"
        assert (items[2].code, items[2].number) == ("dispute_not_found", "")

    def test_an_assignment_waits_for_the_directors_confirmation(self, world):
        disputes = accepted(world, 2)

        run = batch.batch_run_start(actor=world.director, action=Action.ASSIGN,
                                    dispute_ids=[d.pk for d in disputes])

        assert run.state == BatchRun.State.PROPOSED
        assert all(i.lead_id for i in run.items.all())
        assert Dispute.objects.filter(pk__in=[d.pk for d in disputes],
                                      state=State.ACCEPTED).count() == 2

        done = batch.batch_run_confirm(actor=world.director, run_id=run.pk)

        assert done.state == BatchRun.State.DONE
        assert set(done.items.values_list("status", flat=True)) == {"done"}
        with pytest.raises(MediationInvalid, match="已确认"):
            batch.batch_run_confirm(actor=world.director, run_id=run.pk)

    def test_a_run_taken_up_again_does_only_what_is_pending(self, world):
        first, second = received(world, 2)
        run = BatchRun.objects.create(actor=world.clerk, action="accept", total=2,
                                      created_at=first.events.first().at,
                                      options={"notice_served": True})
        BatchItem.objects.create(run=run, seq=0, dispute_ref=first.pk, status="done")
        BatchItem.objects.create(run=run, seq=1, dispute_ref=second.pk)

        batch.batch_run_execute(run.pk)

        first.refresh_from_db()
        second.refresh_from_db()
        assert first.state == State.RECEIVED  # recorded as done before: not touched again
        assert second.state == State.ACCEPTED

    def test_someone_elses_batch_is_missing(self, world):
        d = received(world, 1)[0]
        run = batch.batch_run_start(actor=world.clerk, action=Action.ACCEPT,
                                    dispute_ids=[d.pk], notice_served=True)

        with pytest.raises(RecordNotFound):
            batch.batch_run_for(world.director, run.pk)
