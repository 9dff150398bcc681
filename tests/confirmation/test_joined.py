"""A joint mediation's one application for judicial confirmation (issue 21 §2): every
member's agreement filed together with one 申请书 naming each applicant once, or nothing
filed; the court still rules on each, and one creditor's default leaves the other alone."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from docx import Document as Word

from jintiao import clock
from jintiao.agreements.selectors import effective
from jintiao.confirmation.joined import filed, joined_apply, waiting
from jintiao.confirmation.models import Application
from jintiao.confirmation.services import (
    ConfirmationInvalid,
    confirmation_accept,
    confirmation_decide,
)
from jintiao.disputes.access import RecordNotFound
from jintiao.domain.confirmation import judge_items
from jintiao.domain.lifecycle import State
from jintiao.performance.models import Enforcement
from jintiao.performance.services import payment_record, performance_review
from tests.helpers import apply, other_side

pytestmark = pytest.mark.django_db


def text_of(document) -> str:
    return "\n".join(p.text for p in Word(io.BytesIO(document.docx.read())).paragraphs)


def test_one_application_lists_every_agreement_and_each_applicant_once(
        desk, mediating, second_loan, both_agreed):
    apply(desk, mediating)
    apply(other_side(desk), second_loan)
    assert waiting(both_agreed) == []
    batch = joined_apply(actor=desk.mediator, joint_id=both_agreed.pk, court_id=desk.court.pk)
    apps = list(batch.applications.order_by("dispute_id"))
    assert [a.dispute_id for a in apps] == sorted([mediating.pk, second_loan.pk])
    assert {a.status for a in apps} == {Application.Status.FILED}
    assert filed(both_agreed) == batch
    for d in (mediating, second_loan):
        d.refresh_from_db()
        assert d.state == State.CONFIRMATION_PENDING
        event = d.events.get(type="dispute.apply_confirmation")
        assert event.params["joint"] == both_agreed.pk, event.params
    text = text_of(apps[0].application_document)
    assert text == text_of(apps[1].application_document)  # the same 申请书 on both files
    assert mediating.number in text
    assert second_loan.number in text
    assert "联合调解分别达成的下列调解协议有效" in text
    debtor = mediating.party_rows.get(role="debtor").party.name
    assert text.count(f"债务人：{debtor}，") == 1  # named once, though a party to both
    for d in (mediating, second_loan):  # each bank, as its own case names it
        assert f"债权人：{d.party_rows.get(role='creditor').party.name}" in text


def test_nothing_is_filed_while_one_applicant_has_not_signed(desk, mediating, second_loan,
                                                             both_agreed):
    apply(desk, mediating)  # the other bank's agreement is not yet signed for the court
    with pytest.raises(ConfirmationInvalid, match=f"{second_loan.number}.*尚未签署"):
        joined_apply(actor=desk.mediator, joint_id=both_agreed.pk, court_id=desk.court.pk)
    assert not Application.objects.exists()
    mediating.refresh_from_db()
    assert mediating.state == State.AGREED
    assert not mediating.events.filter(type="dispute.apply_confirmation").exists()


def test_a_member_still_in_mediation_holds_the_whole_application(desk, mediating,
                                                                 second_loan, joined):
    with pytest.raises(ConfirmationInvalid, match="尚未达成并生效调解协议"):
        joined_apply(actor=desk.mediator, joint_id=joined.pk, court_id=desk.court.pk)
    assert not Application.objects.exists()


def test_only_the_desk_of_every_member_files_it(desk, mediating, second_loan, both_agreed):
    apply(desk, mediating)
    apply(other_side(desk), second_loan)
    for stranger in (desk.agent, desk.other_agent, desk.clerk, desk.judge):
        with pytest.raises(RecordNotFound):
            joined_apply(actor=stranger, joint_id=both_agreed.pk, court_id=desk.court.pk)
    assert not Application.objects.exists()


def test_the_court_rules_on_each_and_one_default_leaves_the_other_alone(
        desk, mediating, second_loan, both_agreed):
    apply(desk, mediating)
    apply(other_side(desk), second_loan)
    batch = joined_apply(actor=desk.mediator, joint_id=both_agreed.pk, court_id=desk.court.pk)
    for application in batch.applications.all():
        confirmation_accept(actor=desk.judge, application_id=application.pk)
        dispute = application.dispute
        dispute.refresh_from_db()
        confirmation_decide(actor=desk.judge, application_id=application.pk,
                            expected_version=dispute.version, confirm=True,
                            attested=list(judge_items()))
    assert len(set(batch.applications.values_list("case_number", flat=True))) == 2
    for d in (mediating, second_loan):
        d.refresh_from_db()
        assert d.state == State.PERFORMING
    # the other bank is paid every instalment on its day; the branch is paid nothing
    schedule = effective(second_loan).content["terms"]["schedule"][:3]
    for i in schedule:
        due = dt.date.fromisoformat(i["due_on"])
        with clock.pinned(at(due)):
            payment_record(actor=desk.other_agent, dispute_id=second_loan.pk,
                           reference=f"L-{i['number']}", paid_on=due,
                           amount=Decimal(i["payment"]))
    after = dt.date.fromisoformat(schedule[-1]["due_on"]) + dt.timedelta(days=1)
    with clock.pinned(at(after)):
        assert performance_review(actor=desk.agent, dispute_id=mediating.pk) == "defaulted"
        assert performance_review(actor=desk.other_agent, dispute_id=second_loan.pk) == ""
    mediating.refresh_from_db()
    second_loan.refresh_from_db()
    assert (mediating.state, second_loan.state) == (State.DEFAULTED, State.PERFORMING)
    assert Enforcement.objects.filter(dispute=mediating).exists()
    assert not Enforcement.objects.filter(dispute=second_loan).exists()


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), clock.TZ)


def test_each_signature_binds_every_agreement_of_the_joint(desk, mediating, second_loan,
                                                           joined):
    """Found trying it as a user: each applicant signed an application of one agreement,
    and the court received one listing both. Now what is signed lists every agreement of the
    joint by its digest; one signed before the other agreement took effect counts no more."""
    from jintiao.agreements.selectors import effective as effective_of
    from jintiao.confirmation import joint as signing
    from jintiao.confirmation.services import confirmation_apply
    from tests.helpers import CHARGES_SINCE, accept_joint_plan, agree

    accept_joint_plan(desk, joined)
    agree(desk, mediating, CHARGES_SINCE)
    apply(desk, mediating)  # signed while the other agreement is not yet in effect
    court = desk.court
    assert signing.unsigned_names(mediating, effective_of(mediating), court) == []
    agree(other_side(desk), second_loan, CHARGES_SINCE)
    # the joint's agreements changed: the earlier signatures no longer match what is filed
    assert len(signing.unsigned_names(mediating, effective_of(mediating), court)) == 2
    apply(desk, mediating)
    apply(other_side(desk), second_loan)
    signed = signing.signatures(mediating, effective_of(mediating), court)
    listed = next(iter(signed.values())).content["joint"]["agreements"]
    assert [a["number"] for a in listed] == [mediating.number, second_loan.number]
    assert {a["digest"] for a in listed} == {effective_of(mediating).digest,
                                             effective_of(second_loan).digest}
    # a member is not filed alone: the one application carries it
    mediating.refresh_from_db()
    with pytest.raises(ConfirmationInvalid, match="联合调解"):
        confirmation_apply(actor=desk.mediator, dispute_id=mediating.pk,
                           expected_version=mediating.version, court_id=court.pk)
    assert not Application.objects.exists()
    joined_apply(actor=desk.mediator, joint_id=joined.pk, court_id=court.pk)
    assert Application.objects.count() == 2


def test_a_member_that_fails_leaves_and_the_other_goes_to_court_alone(desk, mediating,
                                                                      second_loan, joined):
    """Found in review: one member that ended without agreement held the others back for
    good — no plan, no application, alone or together."""
    from jintiao.agreements.selectors import effective as effective_of
    from jintiao.confirmation import joint as signing
    from jintiao.confirmation.services import confirmation_apply
    from jintiao.domain.lifecycle import Action
    from jintiao.mediation.services import action_apply
    from tests.helpers import CHARGES_SINCE, accept_joint_plan, agree

    accept_joint_plan(desk, joined)
    agree(other_side(desk), second_loan, CHARGES_SINCE)
    mediating.refresh_from_db()
    action_apply(actor=desk.mediator, dispute_id=mediating.pk, action=Action.FAIL,
                 expected_version=mediating.version, reason="双方对期限分歧较大")
    assert signing.joint_agreements(second_loan) == []  # nothing to carry with it
    apply(other_side(desk), second_loan)
    second_loan.refresh_from_db()
    made = confirmation_apply(actor=desk.mediator, dispute_id=second_loan.pk,
                              expected_version=second_loan.version, court_id=desk.court.pk)
    assert made.agreement == effective_of(second_loan)


def test_the_joint_application_carries_what_is_agreed_when_the_desk_files(
        desk, mediating, second_loan, joined):
    """A member still being mediated does not hold the agreed one's 30-day window hostage:
    the desk may file what is agreed; it goes in its own format when it is alone."""
    from tests.helpers import CHARGES_SINCE, accept_joint_plan, agree

    accept_joint_plan(desk, joined)
    agree(other_side(desk), second_loan, CHARGES_SINCE)
    assert waiting(joined) == [f"{mediating.number}尚未达成并生效调解协议（调解中）"]
    apply(other_side(desk), second_loan)
    batch = joined_apply(actor=desk.mediator, joint_id=joined.pk, court_id=desk.court.pk)
    [application] = batch.applications.all()
    assert application.dispute_id == second_loan.pk
    text = text_of(application.application_document)
    assert "联合调解分别达成" not in text  # one agreement: the one-agreement application
    assert second_loan.number in text
