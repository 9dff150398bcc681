"""The joint application is signed by every applicant before it is filed, and each
applicant's address for service is confirmed (法释〔2011〕5号 Art. 4); what was signed is in
the filed application, with the format's undertaking and the numbers in full."""

from __future__ import annotations

import io

import pytest
from docx import Document as Word

from jintiao.confirmation import joint
from jintiao.confirmation.services import ConfirmationInvalid, confirmation_apply
from jintiao.disputes.access import DisputeNotFound, PermissionDenied
from jintiao.disputes.models import Statement
from jintiao.documents import statements
from jintiao.documents.statements import StatementInvalid
from jintiao.messaging.selectors import outbox_code
from jintiao.outreach.selectors import e_service_consented
from jintiao.parties.crypto import decrypt
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree, apply
from tests.portal.helpers import debtor_of, party_sign_in, phone_of


@pytest.fixture
def agreed(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agree(desk, mediating, CHARGES_SINCE)
    mediating.refresh_from_db()
    return mediating


def row_of(dispute, role):
    return dispute.party_rows.select_related("party").get(role=role)


def confirm_address(desk, dispute, role, **changes):
    row = row_of(dispute, role)
    content = statements.service_address_content(
        row, **{"postal_address": "贵州省凯里市北京东路1号", "e_service": True, **changes})
    return statements.statement_record_at_desk(
        actor=desk.mediator, dispute_id=dispute.pk, party_row_id=row.pk,
        kind=Statement.Kind.SERVICE_ADDRESS, content=content)


def file(desk, dispute):
    dispute.refresh_from_db()
    return confirmation_apply(actor=desk.mediator, dispute_id=dispute.pk,
                              expected_version=dispute.version, court_id=desk.court.pk)


def test_nothing_is_filed_until_every_applicant_has_signed(desk, agreed):
    with pytest.raises(ConfirmationInvalid, match="尚未签署") as refused:
        file(desk, agreed)
    assert refused.value.details["checks"] == "joint_application_signed"
    debtor = row_of(agreed, "debtor")
    joint.record_at_desk(actor=desk.mediator, dispute_id=agreed.pk, party_row_id=debtor.pk,
                         court_id=desk.court.pk)
    with pytest.raises(ConfirmationInvalid, match="尚未签署") as still:
        file(desk, agreed)
    assert debtor.party.name not in still.value.message
    assert not agreed.confirmations.exists()


def test_an_address_for_service_is_needed_from_every_applicant(desk, agreed):
    for row in agreed.party_rows.all():
        joint.record_at_desk(actor=desk.mediator, dispute_id=agreed.pk, party_row_id=row.pk,
                             court_id=desk.court.pk)
    with pytest.raises(ConfirmationInvalid, match="送达地址") as refused:
        file(desk, agreed)
    assert refused.value.details["checks"] == "service_addresses"


def test_a_signature_for_another_court_does_not_count(desk, agreed, world):
    desk.court.region_code = agreed.committee.region_code
    desk.court.save()
    for row in agreed.party_rows.all():
        joint.record_at_desk(actor=desk.mediator, dispute_id=agreed.pk, party_row_id=row.pk,
                             court_id=desk.court.pk)
    signed = joint.signatures(agreed, agreed.agreements.get(status="effective"), desk.court)
    assert all(signed.values())
    with pytest.raises(joint.JointApplicationInvalid, match=r"不是调解组织所在地|委派"):
        joint.record_at_desk(actor=desk.mediator, dispute_id=agreed.pk,
                             party_row_id=row_of(agreed, "debtor").pk,
                             court_id=desk.other_court.pk)


def test_the_debtor_signs_on_the_phone_a_code_the_desk_sent(desk, agreed):
    debtor = row_of(agreed, "debtor")
    user = party_sign_in(debtor.party)
    sent = joint.code_send(actor=desk.mediator, dispute_id=agreed.pk, party_row_id=debtor.pk,
                           court_id=desk.court.pk)
    assert sent.phone_masked.endswith(phone_of(debtor.party)[-4:])
    pending = joint.pending_for(agreed, [debtor.pk])
    assert [p.pk for p in pending] == [sent.pk]
    with pytest.raises(StatementInvalid, match="验证码错误"):
        statements.statement_sign(actor=user, statement_id=sent.pk, code="000000")
    sent.refresh_from_db()
    assert sent.attempts == 1
    assert sent.signed_at is None
    code = outbox_code(phone_of(debtor.party))
    signed = statements.statement_sign(actor=user, statement_id=sent.pk, code=code)
    assert signed.signed_at is not None
    assert signed.signed_by == user
    event = agreed.events.order_by("seq").last()
    assert event.type == "statement.signed"
    assert event.params["kind"] == "joint_application"
    with pytest.raises(StatementInvalid, match="已失效"):  # a code signs once
        statements.statement_sign(actor=user, statement_id=sent.pk, code=code)


def test_the_bank_signs_through_its_agent_and_never_for_the_debtor(desk, agreed):
    creditor, debtor = row_of(agreed, "creditor"), row_of(agreed, "debtor")
    with pytest.raises(PermissionDenied):
        joint.code_send(actor=desk.agent, dispute_id=agreed.pk, party_row_id=debtor.pk,
                        court_id=desk.court.pk)
    sent = joint.code_send(actor=desk.agent, dispute_id=agreed.pk, party_row_id=creditor.pk,
                           court_id=desk.court.pk)
    assert "经办人" in sent.signer_name
    statements.statement_sign(actor=desk.agent, statement_id=sent.pk,
                              code=outbox_code(desk.agent.mobile))
    with pytest.raises(PermissionDenied):  # the desk is not the bank
        joint.code_send(actor=desk.mediator, dispute_id=agreed.pk, party_row_id=creditor.pk,
                        court_id=desk.court.pk)


def test_another_committee_sees_nothing(desk, agreed, world):
    with pytest.raises(DisputeNotFound):
        joint.code_send(actor=world.other_clerk, dispute_id=agreed.pk,
                        party_row_id=row_of(agreed, "debtor").pk, court_id=desk.court.pk)


def test_the_filed_application_carries_what_was_signed(desk, agreed):
    confirm_address(desk, agreed, "debtor", email="wu@example.cn")
    apply(desk, agreed)
    app = file(desk, agreed)
    word = Word(io.BytesIO(app.application_document.docx.read()))
    text = "\n".join(p.text for p in word.paragraphs) + "\n".join(
        c.text for t in word.tables for r in t.rows for c in r.cells)
    debtor = debtor_of(agreed)
    assert decrypt(debtor.id_cipher) in text  # the court filing carries the number in full
    assert f"{debtor.sex}，" in text
    assert "送达地址：贵州省凯里市北京东路1号" in text
    assert f"手机：{phone_of(debtor)}" in text  # the court gets a number it can call
    assert "电子邮箱：wu@example.cn" in text
    assert "同意电子送达" in text
    assert joint.UNDERTAKING in text
    assert "手机验证码电子签名" in text
    assert "电子签名见调解协议" not in text


@pytest.mark.parametrize(("changes", "field"), [
    ({"postal_address": "  "}, "postal_address"),
    ({"postal_address": "凯里\u200b市"}, "postal_address"),
    ({"email": "not-an-address"}, "email"),
])
def test_a_bad_address_for_service_is_refused_at_its_field(desk, agreed, changes, field):
    with pytest.raises(StatementInvalid) as refused:
        confirm_address(desk, agreed, "debtor", **changes)
    assert refused.value.details["field"] == field
    assert not Statement.objects.exists()


def test_electronic_service_needs_a_mobile_or_an_email(desk, agreed):
    creditor = row_of(agreed, "creditor")
    assert not creditor.party.phone_masked
    with pytest.raises(StatementInvalid, match="手机号码或电子邮箱"):
        statements.service_address_content(creditor, postal_address="凯里市", e_service=True)


def test_the_address_for_service_decides_electronic_service_in_its_dispute(desk, agreed):
    debtor = row_of(agreed, "debtor")
    party_sign_in(debtor.party, consent=True)
    assert e_service_consented(debtor.party, agreed)
    confirm_address(desk, agreed, "debtor", e_service=False)
    assert not e_service_consented(debtor.party, agreed)
    assert e_service_consented(debtor.party)  # elsewhere, the account's consent stands


def test_who_took_a_filing_with_full_particulars_is_on_the_timeline(desk, agreed):
    from django.test import Client

    apply(desk, agreed)
    app = file(desk, agreed)
    client = Client()
    client.force_login(desk.agent)
    response = client.get(f"/documents/{app.application_document.pk}/pdf/")
    assert response.status_code == 200
    took = agreed.events.filter(type="record.read")
    assert took.count() == 1
    assert took.get().actor == desk.agent
    assert took.get().params["kind"] == "confirmation_application"
    notice = agreed.documents.filter(kind="options_notice").first()
    if notice is not None:  # a notice carries no numbers: not logged
        client.get(f"/documents/{notice.pk}/pdf/")
        assert took.count() == 1


def test_a_signature_survives_a_renamed_court_and_not_corrected_particulars(desk, agreed):
    """Regression: the signature matched the whole content, court and committee names
    included, and did not bind the particulars the filing prints."""
    from jintiao.disputes.particulars import party_update

    agreement = agreed.agreements.get(status="effective")
    debtor = row_of(agreed, "debtor")
    joint.record_at_desk(actor=desk.mediator, dispute_id=agreed.pk, party_row_id=debtor.pk,
                         court_id=desk.court.pk)
    desk.court.name = "凯里市人民法院（更名）"
    desk.court.save()
    assert joint.signatures(agreed, agreement, desk.court)[debtor.pk] is not None
    party_update(actor=desk.clerk, dispute_id=agreed.pk, party_row_id=debtor.pk,
                 expected_version=debtor.party.version, changes={"ethnicity": "侗族"})
    assert joint.signatures(agreed, agreement, desk.court)[debtor.pk] is None


def test_a_code_sent_again_while_another_is_typed_waits_its_turn(desk, agreed):
    """Regression: signing locked the statement, then the dispute; sending locked the
    dispute, then the statements — a deadlock on PostgreSQL. Both take the dispute first."""
    import inspect

    source = inspect.getsource(statements.statement_sign)
    assert source.index("dispute_lock(") < source.index("select_for_update()")
