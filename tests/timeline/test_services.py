"""The hash-chained timeline: appending, and catching any rewrite."""

from __future__ import annotations

import pytest

from jintiao import clock
from jintiao.domain import events
from jintiao.domain.events import EventType, UnknownEventType
from jintiao.domain.lifecycle import Action
from jintiao.mediation.services import action_apply
from jintiao.timeline.models import Event, FiguresBacklog
from jintiao.timeline.services import GENESIS, audit_verify, event_append, event_hash
from tests.factories import intake


def _two_disputes(world):
    first = intake(actor=world.clerk, committee=world.committee)
    action_apply(actor=world.clerk, dispute_id=first.pk, action=Action.ACCEPT,
                         expected_version=1, notice_served=True)
    second = intake(actor=world.clerk, committee=world.committee)
    return first, second


class TestChain:
    def test_events_link_to_their_predecessor(self, world):
        first, _ = _two_disputes(world)
        events = list(Event.objects.filter(dispute=first).order_by("seq"))
        assert events[0].prev_hash == GENESIS
        assert events[1].prev_hash == events[0].hash
        assert audit_verify() == (3, [])

    def test_an_edited_event_is_caught_and_named(self, world):
        first, _second = _two_disputes(world)
        Event.objects.filter(dispute=first, seq=1).update(params={"claim_total": "1.00"})
        checked, broken = audit_verify()
        assert checked == 3
        assert [(b.dispute_id, b.seq) for b in broken] == [(first.pk, 1)]
        assert "改动" in broken[0].reason

    def test_a_deleted_event_is_caught(self, world):
        first, _ = _two_disputes(world)
        Event.objects.filter(dispute=first, seq=1).delete()
        _, broken = audit_verify()
        assert [(b.dispute_id, b.seq) for b in broken] == [(first.pk, 2)]

    def test_a_reordered_chain_is_caught(self, world):
        first, _ = _two_disputes(world)
        _e1, e2 = Event.objects.filter(dispute=first).order_by("seq")
        Event.objects.filter(pk=e2.pk).update(prev_hash=GENESIS)
        _, broken = audit_verify()
        assert broken
        assert broken[0].seq == 2


class TestRegisteredTypesOnly:
    @pytest.mark.parametrize("unregistered", [
        "payment.receieved",  # a typo of a registered type
        "dispute.accepted",  # the action's event is stored as dispute.accept
        EventType("payment.recorded", "登记还款"),  # a look-alike declared outside the registry
    ], ids=["typo", "wrong-tense", "look-alike"])
    def test_an_unregistered_type_is_refused_and_nothing_is_written(self, world, unregistered):
        dispute = intake(actor=world.clerk, committee=world.committee)
        chain = list(Event.objects.values_list("seq", "type", "hash"))
        backlog = FiguresBacklog.objects.get(dispute=dispute).seq
        with pytest.raises(UnknownEventType, match="unregistered timeline event type"):
            event_append(dispute=dispute, type=unregistered, actor=world.clerk,
                         at=clock.now(), params={"amount": "1.00"})
        assert list(Event.objects.values_list("seq", "type", "hash")) == chain
        assert FiguresBacklog.objects.get(dispute=dispute).seq == backlog
        assert audit_verify() == (1, [])

    def test_a_declared_type_is_stored_as_its_string_inside_the_chain(self, world):
        dispute = intake(actor=world.clerk, committee=world.committee)
        made = event_append(dispute=dispute, type=events.PAYMENT_RECORDED, actor=world.clerk,
                            at=clock.now(), params={"amount": "1.00"})
        assert Event.objects.get(pk=made.pk).type == "payment.recorded"
        assert audit_verify() == (2, [])


class TestTheDisputeHoldsItsChain:
    """Issue 18 §4a: each dispute records its chain's length and head, so a chain cut
    short — its last events deleted, or all of them — no longer matches its dispute."""

    def test_each_event_moves_the_disputes_record_of_its_chain(self, world):
        first, second = _two_disputes(world)
        first.refresh_from_db()
        last = Event.objects.filter(dispute=first).order_by("-seq").first()
        assert (first.events_seq, first.events_head) == (2, last.hash)
        second.refresh_from_db()
        assert second.events_seq == 1

    def test_deleting_the_last_events_is_caught(self, world):
        first, _ = _two_disputes(world)
        Event.objects.filter(dispute=first, seq=2).delete()
        checked, broken = audit_verify()
        assert checked == 2
        assert [(b.dispute_id, b.seq) for b in broken] == [(first.pk, 2)]
        assert broken[0].reason == "纠纷记录有2条事件，日志只到第1条（其后的事件被删除）"

    def test_deleting_every_event_of_a_dispute_is_caught(self, world):
        first, second = _two_disputes(world)
        Event.objects.filter(dispute=first).delete()
        _, broken = audit_verify()
        assert [(b.dispute_id, b.seq) for b in broken] == [(first.pk, 1)]
        assert "一条也没有（全部被删除）" in broken[0].reason
        Event.objects.all().delete()
        _, broken = audit_verify()
        assert [b.dispute_id for b in broken] == [first.pk, second.pk]

    def test_an_event_added_by_hand_past_the_disputes_record_is_caught(self, world):
        first, _ = _two_disputes(world)
        last = Event.objects.filter(dispute=first).order_by("-seq").first()
        at = clock.now()
        digest = event_hash(dispute_id=first.pk, seq=3, type="dispute.withdrawn",
                            actor_id=None, at=at, state_before="", state_after="", params={},
                            meta={}, prev_hash=last.hash)
        Event.objects.create(dispute=first, seq=3, type="dispute.withdrawn", at=at,
                             prev_hash=last.hash, hash=digest)
        _, broken = audit_verify()
        assert [(b.dispute_id, b.seq) for b in broken] == [(first.pk, 3)]
        assert "纠纷记录只有2条" in broken[0].reason

    def test_a_recomputed_tail_that_the_dispute_does_not_name_is_caught(self, world):
        first, _ = _two_disputes(world)
        e2 = Event.objects.get(dispute=first, seq=2)
        forged = event_hash(dispute_id=first.pk, seq=2, type=e2.type, actor_id=e2.actor_id,
                            at=e2.at, state_before=e2.state_before, state_after="withdrawn",
                            params=e2.params, meta=e2.meta, prev_hash=e2.prev_hash)
        Event.objects.filter(pk=e2.pk).update(state_after="withdrawn", hash=forged)
        _, broken = audit_verify()
        assert [(b.dispute_id, b.seq) for b in broken] == [(first.pk, 2)]
        assert "链头不符" in broken[0].reason

    def test_an_event_after_a_deletion_leaves_the_gap_in_the_chain(self, world):
        first, _ = _two_disputes(world)
        Event.objects.filter(dispute=first, seq=2).delete()
        first.refresh_from_db()
        made = event_append(dispute=first, type=events.PAYMENT_RECORDED, actor=world.clerk,
                            at=clock.now(), params={"amount": "1.00"})
        assert made.seq == 3  # linked to the head the dispute records, not to event 1
        _, broken = audit_verify()
        assert [(b.dispute_id, b.seq, b.reason) for b in broken] == [
            (first.pk, 3, "缺少第2条事件")]

    def test_a_stale_copy_of_the_dispute_links_to_what_its_row_says(self, world):
        first, _ = _two_disputes(world)
        stale = type(first).objects.get(pk=first.pk)
        event_append(dispute=first, type=events.PAYMENT_RECORDED, actor=world.clerk,
                     at=clock.now(), params={"amount": "1.00"})
        made = event_append(dispute=stale, type=events.PAYMENT_RECORDED, actor=world.clerk,
                            at=clock.now(), params={"amount": "2.00"})
        assert made.seq == 4
        assert (stale.events_seq, stale.events_head) == (4, made.hash)
        assert audit_verify() == (5, [])

    def test_the_migration_fills_the_record_from_the_events_as_they_stand(self, world):
        from importlib import import_module

        from django.apps import apps

        first, second = _two_disputes(world)
        untouched = intake(actor=world.clerk, committee=world.committee)
        Event.objects.filter(dispute=untouched).delete()
        type(first).objects.update(events_seq=0, events_head=GENESIS)
        import_module("jintiao.disputes.migrations.0008_chain_head").fill(apps, None)
        heads = dict(type(first).objects.values_list("pk", "events_seq"))
        assert heads == {first.pk: 2, second.pk: 1, untouched.pk: 0}
        assert audit_verify() == (3, [])
