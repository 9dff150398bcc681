"""Regression tests from the review of the loop: each failed before its fix."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from jintiao import clock
from jintiao.agreements.content import Draft
from jintiao.agreements.models import SigningCode
from jintiao.agreements.selectors import signers_of
from jintiao.agreements.services import (
    AgreementInvalid,
    SignatureInvalid,
    agreement_draft,
    agreement_sign,
    signing_code_send,
)
from jintiao.disputes.services import PermissionDenied
from jintiao.domain.lifecycle import Action, State
from jintiao.mediation.services import action_apply
from jintiao.messaging.models import OutboxMessage
from jintiao.performance.models import Enforcement
from jintiao.performance.services import payment_record, payments_import, performance_review
from tests.factories import flat, intake
from tests.helpers import CHARGES_SINCE, accept_plan


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), clock.TZ)


def _instalment(performing) -> D:
    return D(performing.agreements.get(status="effective").content["terms"]["schedule"][0]
             ["payment"])


def test_a_file_of_payments_made_on_time_but_sent_late_is_no_default(desk, performing):
    due = _instalment(performing)
    csv = "dispute,reference,paid_on,amount\n" + "".join(
        f"{performing.number},R{n},{day},{due}\n"
        for n, day in enumerate(["2027-01-20", "2027-02-20", "2027-03-20"], 1))
    with clock.pinned(at(dt.date(2027, 3, 23))):
        done = payments_import(actor=desk.agent, institution=desk.branch, text=csv)
    assert (done.created, done.errors) == (3, [])
    performing.refresh_from_db()
    assert performing.state == State.PERFORMING


def test_a_second_default_after_a_cure_replaces_the_first(desk, performing):
    with clock.pinned(at(dt.date(2027, 2, 21))):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"
        performing.refresh_from_db()
        action_apply(actor=desk.agent, dispute_id=performing.pk, action=Action.CURE,
                     expected_version=performing.version, attested=["creditor_consents"])
    # after the cure two more instalments must be missed: March's and April's
    with clock.pinned(at(dt.date(2027, 3, 21))):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == ""
    with clock.pinned(at(dt.date(2027, 4, 21))):
        assert performance_review(actor=desk.agent, dispute_id=performing.pk) == "defaulted"
    assert Enforcement.objects.get(dispute=performing).accelerated_on == dt.date(2027, 4, 21)


def test_an_approvers_payment_that_completes_the_plan_is_recorded(desk, performing):
    total = D(performing.agreements.get(status="effective").content["terms"]["total"])
    with clock.pinned(at(dt.date(2027, 1, 10))):
        payment_record(actor=desk.approver, dispute_id=performing.pk, reference="ALL",
                       paid_on=dt.date(2027, 1, 10), amount=total)
    performing.refresh_from_db()
    assert performing.state == State.PERFORMED
    assert performing.credit_repair.letter.kind == "credit_repair_letter"


def test_bad_lines_and_other_banks_disputes_are_errors_by_line(desk, performing):
    theirs = intake(actor=desk.other_clerk, committee=desk.other_committee,
                    institution=desk.other_bank)
    csv = ("dispute,reference,paid_on,amount\n"
           f"{performing.number},A\n"                      # short line
           f"{theirs.number},B,2026-12-01,1.00\n"           # someone else's dispute
           "（2099）000000金调99999号,C,2026-12-01,1.00\n")  # no such dispute
    done = payments_import(actor=desk.agent, institution=desk.branch, text=csv)
    assert [n for n, _m in done.errors] == [2, 3, 4]
    assert done.errors[1][1].replace(theirs.number, "X") == \
        done.errors[2][1].replace("（2099）000000金调99999号", "X")


def test_control_characters_are_refused_at_drafting(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    mediating.refresh_from_db()
    with pytest.raises(AgreementInvalid, match="控制字符"):
        agreement_draft(actor=desk.mediator, dispute_id=mediating.pk,
                        expected_version=mediating.version,
                        draft=Draft(**{**CHARGES_SINCE.__dict__, "facts": "欠款\x0b事实"}))


def test_nobody_else_can_burn_a_code_and_codes_are_not_sent_without_end(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    mediating.refresh_from_db()
    agreement = agreement_draft(actor=desk.mediator, dispute_id=mediating.pk,
                                expected_version=mediating.version, draft=CHARGES_SINCE)
    bank = next(s for s in signers_of(agreement) if s.is_entity)
    signing_code_send(actor=desk.agent, agreement_id=agreement.pk, signer=bank.key)
    with pytest.raises(PermissionDenied):  # the bank's code, tried by the approver
        agreement_sign(actor=desk.approver, agreement_id=agreement.pk, signer=bank.key,
                       code="123456")
    assert SigningCode.objects.get(agreement=agreement).attempts == 0
    for _ in range(4):
        signing_code_send(actor=desk.agent, agreement_id=agreement.pk, signer=bank.key)
    with pytest.raises(SignatureInvalid, match="5次"):
        signing_code_send(actor=desk.agent, agreement_id=agreement.pk, signer=bank.key)
    # the outbox keeps the text encrypted; the demo page reads it through .body
    message = OutboxMessage.objects.order_by("-pk").first()
    assert "验证码" in message.body
    assert "验证码" not in message.body_cipher


def test_a_file_sent_again_after_full_payment_changes_nothing_and_is_no_error(desk, performing):
    """Regression (read-through): repeats were refused once the dispute was performed."""
    total = D(performing.agreements.get(status="effective").content["terms"]["total"])
    csv = f"dispute,reference,paid_on,amount\n{performing.number},ALL,2027-01-10,{total}\n"
    with clock.pinned(at(dt.date(2027, 1, 10))):
        assert payments_import(actor=desk.agent, institution=desk.branch, text=csv).created == 1
        again = payments_import(actor=desk.agent, institution=desk.branch, text=csv)
    assert (again.created, again.repeated, again.errors) == (0, 1, [])
    performing.refresh_from_db()
    assert performing.state == State.PERFORMED
