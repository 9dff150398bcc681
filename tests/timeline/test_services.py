"""The hash-chained timeline: appending, and catching any rewrite."""

from __future__ import annotations

import pytest

from jintiao import clock
from jintiao.domain import events
from jintiao.domain.events import EventType, UnknownEventType
from jintiao.domain.lifecycle import Action
from jintiao.mediation.services import action_apply
from jintiao.timeline.models import Event, FiguresBacklog
from jintiao.timeline.services import GENESIS, audit_verify, event_append
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
