"""Joint mediation (issue 21 §2): the desk joins one debtor's disputes with two banks and
puts forward one consolidated plan — the one budget shared by the rule, a part on each
dispute's table that each bank accepts within its own authority."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jintiao import clock
from jintiao.disputes.access import PermissionDenied, RecordNotFound
from jintiao.domain.authority import AuthorityLimits
from jintiao.domain.joint import JointInvalid
from jintiao.domain.lifecycle import Action
from jintiao.domain.policy import Track
from jintiao.mediation.models import JointMember, Offer
from jintiao.mediation.selectors import PartTerms, joinable_with, joint_parts
from jintiao.mediation.services import (
    ApprovalRequired,
    MediationInvalid,
    action_apply,
    joint_create,
    joint_plan_propose,
    offer_accept,
    offer_propose,
)
from jintiao.orgs.services import authority_grant_set

pytestmark = pytest.mark.django_db
FIRST = clock.today() + dt.timedelta(days=45)  # after today, as a joint plan must be


def test_the_desk_finds_and_joins_the_debtors_other_dispute(desk, mediating, second_loan):
    assert joinable_with(desk.mediator, mediating) == [second_loan]
    joint = joint_create(actor=desk.mediator, dispute_ids=[mediating.pk, second_loan.pk])
    assert set(joint.members.values_list("dispute_id", flat=True)) == {mediating.pk,
                                                                       second_loan.pk}
    assert mediating.events.filter(type="mediation.joined").exists()
    assert joinable_with(desk.mediator, mediating) == []
    with pytest.raises(JointInvalid, match="已纳入联合调解"):
        joint_create(actor=desk.mediator, dispute_ids=[mediating.pk, second_loan.pk])


def test_other_debtors_and_strangers_cannot_be_joined(desk, mediating, cases, second_loan):
    from tests.factories import intake

    other = intake(actor=desk.clerk, committee=desk.committee, institution=desk.other_bank)
    other = action_apply(actor=desk.clerk, dispute_id=other.pk, action=Action.ACCEPT,
                         expected_version=other.version, notice_served=True)
    other = action_apply(actor=desk.director, dispute_id=other.pk, action=Action.ASSIGN,
                         expected_version=other.version, track=Track.SIMPLE,
                         mediators=[desk.mediator])
    with pytest.raises(JointInvalid, match="同一名债务人"):
        joint_create(actor=desk.mediator, dispute_ids=[mediating.pk, other.pk])
    with pytest.raises(RecordNotFound):  # the other bank's dispute is hidden from this one
        joint_create(actor=desk.agent, dispute_ids=[mediating.pk, second_loan.pk])
    with pytest.raises(PermissionDenied):  # the committee's clerk sees them, does not mediate
        joint_create(actor=desk.clerk, dispute_ids=[mediating.pk, second_loan.pk])
    with pytest.raises(JointInvalid, match="2至8件"):
        joint_create(actor=desk.mediator, dispute_ids=[mediating.pk])
    assert not JointMember.objects.exists()


def test_one_plan_shares_the_budget_and_each_bank_accepts_its_part(desk, mediating,
                                                                    second_loan, joined):
    joint = joint_plan_propose(actor=desk.mediator, joint_id=joined.pk, parts={},
                               first_due=FIRST)
    plan = joint.plan
    # 12,000 × 50 % = 6,000 a month, shared by the outstanding claims 231,208.40 : 215,000
    shares = [Decimal(p["share"]) for p in plan["parts"]]
    assert sum(shares) == Decimal(plan["amount"]) == Decimal("6000.00")
    assert shares[0] > shares[1]
    parts = joint_parts(joint)
    assert all(p.offer is not None and p.offer.status == Offer.Status.OPEN for p in parts)
    first, second = parts
    assert first.offer.label.startswith("联合调解合并方案")
    # the debtor's budget is the desk's: neither the label nor the banks' timeline tells it
    # (found trying it as a bank)
    assert "6,000" not in first.offer.label
    assert "amount" not in second_loan.events.get(type="mediation.joint_plan").params
    # each part is judged against the one budget, the other part's payments counted — not
    # against a minimum wage presumed on a dispute where no budget was declared (found
    # trying it: the loan's part read unaffordable on its own page, affordable on the joint's)
    for p in parts:
        assert p.offer.figures["affordable"] is True
        assert p.offer.figures["income_presumed"] is False
    # each bank within its own authority: the branch's agent may not go beyond 36 months,
    # the other bank's agent may go to ten years
    authority_grant_set(user=desk.other_agent, limits=AuthorityLimits(max_term_months=120))
    with pytest.raises(ApprovalRequired):
        offer_accept(actor=desk.agent, offer_id=first.offer.pk, side="creditor")
    offer_accept(actor=desk.other_agent, offer_id=second.offer.pk, side="creditor")
    second.offer.refresh_from_db()
    assert second.offer.creditor_accepted_at is not None
    assert second_loan.events.filter(type="mediation.joint_plan").exists()


def test_a_new_plan_withdraws_every_earlier_part(desk, mediating, second_loan, joined):
    joint_plan_propose(actor=desk.mediator, joint_id=joined.pk, parts={}, first_due=FIRST)
    before = {p.member.dispute_id: p.offer.pk for p in joint_parts(joined)}
    authority_grant_set(user=desk.other_agent, limits=AuthorityLimits(max_term_months=120))
    offer_accept(actor=desk.other_agent, offer_id=before[second_loan.pk], side="creditor")
    joint = joint_plan_propose(
        actor=desk.mediator, joint_id=joined.pk, first_due=FIRST, rule="agreed",
        parts={mediating.pk: PartTerms(agreed_share=Decimal("0.6")),
               second_loan.pk: PartTerms(agreed_share=Decimal("0.4"),
                                         waive=("penalty_interest",))})
    assert set(Offer.objects.filter(pk__in=before.values()).values_list("status", flat=True)) \
        == {Offer.Status.WITHDRAWN}
    shares = [Decimal(p["share"]) for p in joint.plan["parts"]]
    assert shares == [Decimal("3600.00"), Decimal("2400.00")]
    assert joint.plan_version == 2


def test_agreed_shares_not_summing_to_whole_are_refused_and_nothing_changes(
        desk, mediating, second_loan, joined):
    with pytest.raises(JointInvalid):
        joint_plan_propose(actor=desk.mediator, joint_id=joined.pk, first_due=FIRST,
                           rule="agreed",
                           parts={mediating.pk: PartTerms(agreed_share=Decimal("0.6")),
                                  second_loan.pk: PartTerms(agreed_share=Decimal("0.3"))})
    assert not Offer.objects.exists()


def test_a_plan_beyond_the_budget_needs_the_debtors_insistence(desk, mediating, second_loan,
                                                               joined):
    """Found trying it as a user: a plan the preview called unaffordable went forward."""
    with pytest.raises(JointInvalid, match="超出债务人测算的还款能力"):
        joint_plan_propose(actor=desk.mediator, joint_id=joined.pk, parts={},
                           first_due=FIRST, amount=Decimal("99999"))
    assert not Offer.objects.exists()
    joint_plan_propose(actor=desk.mediator, joint_id=joined.pk, parts={}, first_due=FIRST,
                       amount=Decimal("99999"), beyond_budget=True)
    assert Offer.objects.count() == 2


def test_a_dispute_with_a_plan_agreed_is_not_offered_for_joining(desk, mediating, second_loan):
    """Found trying it as a user: a settled dispute was joined, then refused at the plan."""
    from tests.factories import flat

    offer = offer_propose(actor=desk.mediator, dispute_id=second_loan.pk, options=flat(12),
                          discount_rate=Decimal("0.035"))
    offer_accept(actor=desk.mediator, offer_id=offer.pk, side="debtor")
    authority_grant_set(user=desk.other_agent, limits=AuthorityLimits(max_term_months=120))
    offer_accept(actor=desk.other_agent, offer_id=offer.pk, side="creditor")
    assert joinable_with(desk.mediator, mediating) == []
    with pytest.raises(JointInvalid, match="已有双方接受的方案"):
        joint_create(actor=desk.mediator, dispute_ids=[mediating.pk, second_loan.pk])


def test_a_joined_dispute_settles_only_on_its_part_of_the_joint_plan(desk, mediating,
                                                                     second_loan, joined):
    """Found in review: a joined dispute could still be settled on a plan of its own, which
    breaks the one budget the joint plan shares."""
    from tests.factories import flat

    early = Offer.objects.filter(dispute=mediating).count()
    with pytest.raises(MediationInvalid, match="合并调解（联合调解）"):
        offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(12),
                      discount_rate=Decimal("0.035"))
    with pytest.raises(MediationInvalid, match="合并调解（联合调解）"):  # the bank's own, too
        offer_propose(actor=desk.agent, dispute_id=mediating.pk, options=flat(12),
                      discount_rate=Decimal("0.035"))
    assert Offer.objects.filter(dispute=mediating).count() == early
    joint_plan_propose(actor=desk.mediator, joint_id=joined.pk, parts={}, first_due=FIRST)
    part = joint_parts(joined)[0]
    offer_accept(actor=desk.mediator, offer_id=part.offer.pk, side="debtor")  # its part: yes


def test_an_open_plan_from_before_the_joining_cannot_then_be_accepted(desk, mediating,
                                                                      second_loan):
    from tests.factories import flat

    before = offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(12),
                           discount_rate=Decimal("0.035"))
    joint_create(actor=desk.mediator, dispute_ids=[mediating.pk, second_loan.pk])
    before.refresh_from_db()  # taken off the table at the joining (found trying it as the
    assert before.status == Offer.Status.WITHDRAWN  # debtor: it was still offered to them)
    with pytest.raises(MediationInvalid):
        offer_accept(actor=desk.mediator, offer_id=before.pk, side="debtor")
    before.refresh_from_db()
    assert before.debtor_accepted_at is None
    assert mediating.events.filter(type="mediation.offer_withdrawn").exists()


def test_the_debtor_is_offered_no_counter_of_their_own_once_joined(desk, mediating,
                                                                   second_loan):
    from jintiao.portal.selectors import counter_open
    from tests.portal.helpers import debtor_of, party_sign_in

    debtor = party_sign_in(debtor_of(mediating))
    assert counter_open(debtor, mediating)
    joint_create(actor=desk.mediator, dispute_ids=[mediating.pk, second_loan.pk])
    assert not counter_open(debtor, mediating)


def test_a_joint_meeting_is_one_session_on_every_members_table(desk, mediating, second_loan,
                                                                joined):
    from jintiao.mediation.services import joint_session_schedule

    when = clock.now().replace(microsecond=0) + dt.timedelta(days=3)
    made = joint_session_schedule(actor=desk.mediator, joint_id=joined.pk, mode="face_to_face",
                                  starts_at=when, place="凯里市综治中心调解室")
    assert {s.dispute_id for s in made} == {mediating.pk, second_loan.pk}
    for s in made:
        invited = set(s.attendance.filter(party_row__isnull=False)
                      .values_list("party_row_id", flat=True))
        assert invited == set(s.dispute.party_rows.values_list("pk", flat=True))
        assert s.starts_at == when
        event = s.dispute.events.get(type="mediation.session_scheduled")
        assert event.params["joint"] == joined.pk
    with pytest.raises(RecordNotFound):  # a bank does not call the debtor's joint meeting
        joint_session_schedule(actor=desk.agent, joint_id=joined.pk, mode="face_to_face",
                               starts_at=when, place="某处")


def test_separate_meetings_are_called_on_each_dispute(desk, mediating, second_loan):
    from jintiao.mediation.services import joint_session_schedule

    joint = joint_create(actor=desk.mediator, dispute_ids=[mediating.pk, second_loan.pk],
                         sessions="separate")
    with pytest.raises(JointInvalid, match="分别召开"):
        joint_session_schedule(actor=desk.mediator, joint_id=joint.pk, mode="face_to_face",
                               starts_at=clock.now() + dt.timedelta(days=3), place="某处")
    assert not mediating.sessions.exists()


def test_two_lenders_who_are_people_can_be_joined(desk, mediating):
    """Found in review: the desk was never offered to join two disputes whose creditors are
    both people (no institution on either), though joining them was allowed."""
    from jintiao.disputes.models import Channel, DisputeType, PartyRole
    from jintiao.disputes.services import dispute_intake
    from jintiao.domain.claims import ClaimBreakdown
    from jintiao.domain.policy import Track
    from jintiao.parties.crypto import decrypt
    from jintiao.parties.models import PartyKind
    from jintiao.parties.services import PartyInput
    from tests.factories import resident_id

    debtor = mediating.party_rows.get(role="debtor").party
    made = []
    for n, name in ((701, "出借人甲"), (702, "出借人乙")):
        d = dispute_intake(
            actor=desk.clerk, committee=desk.committee, channel=Channel.PARTY_APPLICATION,
            dispute_type=DisputeType.OTHER,
            claim=ClaimBreakdown(as_of=dt.date(2026, 6, 30), principal=Decimal("50000.00")),
            parties=[(PartyInput(PartyKind.PERSON, name, resident_id(n)), PartyRole.CREDITOR),
                     (PartyInput(PartyKind.PERSON, debtor.name, decrypt(debtor.id_cipher),
                                 phone=decrypt(debtor.phone_cipher)), PartyRole.DEBTOR)]
        ).dispute
        d = action_apply(actor=desk.clerk, dispute_id=d.pk, action=Action.ACCEPT,
                         expected_version=d.version, notice_served=True)
        made.append(action_apply(actor=desk.director, dispute_id=d.pk, action=Action.ASSIGN,
                                 expected_version=d.version, track=Track.SIMPLE,
                                 mediators=[desk.mediator]))
    first, second = made
    assert second in joinable_with(desk.mediator, first)
    joint = joint_create(actor=desk.mediator, dispute_ids=[first.pk, second.pk])
    assert joint.members.count() == 2


def test_a_new_joint_plan_shares_what_the_agreed_parts_leave(desk, mediating, second_loan,
                                                             joined):
    """Found in review: once one member had agreed, no new joint plan could be put forward
    for the other, nor a plan of its own — it could only fail. Now the members still being
    mediated share what the one budget leaves after the parts agreed."""
    from jintiao.agreements.services import agreement_draft
    from tests.helpers import CHARGES_SINCE

    authority_grant_set(user=desk.agent, limits=AuthorityLimits(max_term_months=120))
    loan = _the_loan_agreed_alone(desk, joined, second_loan)
    agreed_peak = Decimal(Offer.objects.get(pk=loan.offer.pk).figures["peak_payment"])
    again = joint_plan_propose(actor=desk.mediator, joint_id=joined.pk, parts={},
                               first_due=FIRST)
    assert [p["key"] for p in again.plan["parts"]] == [mediating.number]
    # 12,000 × 50 % less what the loan's agreed part takes a month
    assert Decimal(again.plan["amount"]) == Decimal("6000.00") - agreed_peak
    assert Offer.objects.get(pk=loan.offer.pk).status == Offer.Status.ACCEPTED  # untouched
    card = next(p for p in joint_parts(joined) if p.member.dispute_id == mediating.pk)
    offer_accept(actor=desk.mediator, offer_id=card.offer.pk, side="debtor")
    offer_accept(actor=desk.agent, offer_id=card.offer.pk, side="creditor")
    mediating.refresh_from_db()
    agreement_draft(actor=desk.mediator, dispute_id=mediating.pk,
                    expected_version=mediating.version, draft=CHARGES_SINCE)


def test_no_blind_round_on_a_joined_dispute(desk, mediating, second_loan, joined):
    """Found in review: a blind round's overlap still made a plan of the joined dispute's
    own, which could then not be accepted."""
    from jintiao.domain import blind
    from jintiao.mediation.services import blind_bound_enter

    total = mediating.principal
    with pytest.raises(MediationInvalid, match="合并调解（联合调解）"):
        blind_bound_enter(actor=desk.agent, dispute_id=mediating.pk,
                          bound=blind.CreditorBound(total, 1))
    assert not mediating.blind_rounds.exists()


def test_a_joint_meeting_calls_only_the_members_still_mediated(desk, mediating, second_loan,
                                                               joined):
    """Found reading the diff: once one member had agreed, no joint meeting could be called
    for the others at all."""
    from jintiao.mediation.services import joint_session_schedule

    _the_loan_agreed_alone(desk, joined, second_loan)
    made = joint_session_schedule(actor=desk.mediator, joint_id=joined.pk,
                                  mode="face_to_face", place="调解室",
                                  starts_at=clock.now() + dt.timedelta(days=2))
    assert [s.dispute_id for s in made] == [mediating.pk]


def _the_loan_agreed_alone(desk, joined, second_loan):
    """The joint plan put forward, the loan's part accepted and its agreement sealed; the
    card's part left open. Returns the loan's part."""
    from tests.helpers import CHARGES_SINCE, agree, other_side

    authority_grant_set(user=desk.other_agent, limits=AuthorityLimits(max_term_months=120))
    joint_plan_propose(actor=desk.mediator, joint_id=joined.pk, parts={}, first_due=FIRST)
    loan = next(p for p in joint_parts(joined) if p.member.dispute_id == second_loan.pk)
    offer_accept(actor=desk.mediator, offer_id=loan.offer.pk, side="debtor")
    offer_accept(actor=desk.other_agent, offer_id=loan.offer.pk, side="creditor")
    agree(other_side(desk), second_loan, CHARGES_SINCE)
    return loan
