"""A party's full number, shown only to the committee's desk handling the dispute and its
court, on a request with a reason; each reveal on the timeline for the desk and the
supervisors — whose data, which numbers, why — and never the number itself."""

from __future__ import annotations

import json
import logging

import pytest

from jintiao.disputes.access import DisputeNotFound, PermissionDenied, standing_of
from jintiao.disputes.reveal import party_reveal
from jintiao.domain import events
from jintiao.domain.disclosure import RevealInvalid
from jintiao.domain.lifecycle import Role
from jintiao.outreach.selectors import events_seen_by
from jintiao.parties.crypto import decrypt
from jintiao.timeline.models import Event
from jintiao.timeline.services import audit_verify
from tests.factories import UserFactory
from tests.portal.helpers import debtor_of, party_sign_in

WHY = {"reason": "verify_identity", "note": "调解前核对身份证原件"}


def debtor_row(dispute):
    return dispute.party_rows.get(role="debtor")


def reveal(user, dispute, row=None, fields=("id_number", "phone"), **why):
    return party_reveal(actor=user, dispute_id=dispute.pk,
                        party_row_id=(row or debtor_row(dispute)).pk, fields=fields,
                        **(why or WHY))


def reveals_of(dispute):
    return Event.objects.filter(dispute=dispute, type=events.PARTY_REVEALED.type)


@pytest.mark.parametrize("who", ["clerk", "director", "mediator", "judge", "court_clerk"])
def test_the_desk_and_the_court_see_the_full_numbers(world, cases, who):
    world.court_clerk = UserFactory(organization=world.court, roles=[Role.COURT_CLERK])
    ours, _theirs = cases
    party = debtor_of(ours)
    shown = reveal(getattr(world, who), ours)
    assert shown.id_number == decrypt(party.id_cipher)
    assert shown.phone == decrypt(party.phone_cipher) == "13812345678"
    assert shown.name == party.name
    assert reveals_of(ours).get().actor == getattr(world, who)


def test_only_what_was_asked_for_is_shown(world, cases):
    ours, _theirs = cases
    shown = reveal(world.mediator, ours, fields=["phone"])
    assert shown.id_number is None
    assert shown.phone == "13812345678"
    assert reveals_of(ours).get().params["fields"] == ["phone"]


@pytest.mark.parametrize("who", ["agent", "hq_agent", "supervisor", "administrator", "debtor"])
def test_those_who_see_the_dispute_but_need_no_number_are_refused(world, cases, who):
    ours, _theirs = cases
    world.administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    if who == "debtor":
        world.debtor = party_sign_in(debtor_of(ours))
    user = getattr(world, who)
    assert standing_of(user, ours)  # they see it
    with pytest.raises(PermissionDenied, match="只有本纠纷的调委会工作人员、调解员或法院"):
        reveal(user, ours)
    assert not reveals_of(ours).exists()


@pytest.mark.parametrize("who", ["other_clerk", "other_mediator", "banker_mediator",
                                 "other_agent", "other_judge", "county_supervisor"])
def test_those_who_do_not_see_it_find_nothing_there(world, cases, who):
    ours, _theirs = cases
    with pytest.raises(DisputeNotFound):
        reveal(getattr(world, who), ours)
    assert not reveals_of(ours).exists()


def test_a_party_of_another_dispute_is_not_revealed_through_this_one(world, cases):
    ours, theirs = cases
    with pytest.raises(PermissionDenied, match="不属于该纠纷"):
        reveal(world.clerk, ours, row=debtor_row(theirs))


def test_a_request_without_a_proper_reason_shows_and_writes_nothing(world, cases):
    ours, _theirs = cases
    with pytest.raises(RevealInvalid):
        reveal(world.clerk, ours, reason="verify_identity", note="看")
    with pytest.raises(RevealInvalid, match="请勿填写"):
        reveal(world.clerk, ours, reason="other", note="对方说号码是13812345678")
    creditor = ours.party_rows.get(role="creditor")
    with pytest.raises(RevealInvalid, match="没有登记手机号码"):
        reveal(world.clerk, ours, row=creditor, fields=["phone"])
    assert not reveals_of(ours).exists()


def test_the_event_and_the_logs_hold_no_number(world, cases, caplog):
    ours, _theirs = cases
    party = debtor_of(ours)
    number, phone = decrypt(party.id_cipher), decrypt(party.phone_cipher)
    with caplog.at_level(logging.DEBUG):
        reveal(world.mediator, ours, reason="contact_or_serve", note="电话通知调解时间")
    event = reveals_of(ours).get()
    stored = json.dumps([event.params, event.meta, event.hash, event.prev_hash],
                        ensure_ascii=False)
    for secret in (number, phone, number[6:14], phone[3:7]):
        assert secret not in stored
        assert secret not in caplog.text
    assert event.params["reason"] == "contact_or_serve"
    said = events.lookup(event.type).describe(event.params)
    assert said == (f"{party.name}的证件号码、手机号码，"
                    "理由：联系当事人或送达文书（电话通知调解时间）")
    assert audit_verify()[1] == []  # on the chain like any event


def test_the_reveal_is_on_the_timeline_for_the_desk_and_supervisors_not_the_bank(world,
                                                                                   cases):
    ours, _theirs = cases
    reveal(world.judge, ours)
    event = reveals_of(ours).get()
    assert event in events_seen_by(standing_of(world.director, ours))
    assert event in events_seen_by(standing_of(world.supervisor, ours))
    assert event not in events_seen_by(standing_of(world.agent, ours))


def test_an_expert_on_the_team_who_is_no_mediator_is_refused(world, cases):
    """The neutral evaluator needs the claim, not who the debtor is."""
    ours, _theirs = cases
    expert = UserFactory(organization=world.committee, roles=[Role.EXPERT])
    ours.mediator_rows.create(user=expert)
    assert standing_of(expert, ours).on_team
    with pytest.raises(PermissionDenied):
        reveal(expert, ours)
    both = UserFactory(organization=world.committee, roles=[Role.MEDIATOR, Role.EXPERT])
    ours.mediator_rows.create(user=both)
    assert reveal(both, ours).phone == "13812345678"
