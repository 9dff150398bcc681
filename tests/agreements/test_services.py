"""The agreement: the court checklist before signing, text without control characters,
codes from the outbox that only the signer can use and that are not sent without end, a
revision voiding signatures, the seal, and the documents as Word and PDF."""

from __future__ import annotations

import hashlib
import io

import docx
import pytest
from pypdf import PdfReader

from jintiao.agreements.content import Draft
from jintiao.agreements.models import Agreement, SigningCode
from jintiao.agreements.selectors import checklist_of, signers_of
from jintiao.agreements.services import (
    AgreementInvalid,
    SignatureInvalid,
    agreement_draft,
    agreement_sign,
    signing_code_send,
)
from jintiao.disputes.access import PermissionDenied
from jintiao.documents.render import cjk_font_installed
from jintiao.domain.confirmation import Verdict
from jintiao.domain.lifecycle import State
from jintiao.messaging.models import OutboxMessage
from jintiao.parties.crypto import decrypt
from jintiao.timeline.models import Event
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, DRAFT, accept_plan, agree, last_code


def drafted(w, dispute, draft: Draft = DRAFT) -> Agreement:
    accept_plan(w, dispute, flat(12))
    dispute.refresh_from_db()
    return agreement_draft(actor=w.mediator, dispute_id=dispute.pk,
                           expected_version=dispute.version, draft=draft)


def test_a_draft_is_checked_against_the_courts_grounds_before_anyone_signs(desk, mediating):
    agreement = drafted(desk, mediating)
    checks = {c.code: c for c in checklist_of(agreement)}
    # the test claim has 31,208.40 of interest and the draft names no date it ran from
    assert checks["cost_cap"].verdict is Verdict.UNMET
    assert checks["amounts"].verdict is Verdict.MET
    assert "231,208.40元 = 人民币贰拾叁万壹仟贰佰零捌元肆角整" in checks["amounts"].detail
    assert checks["signatures"].verdict is Verdict.PENDING
    assert {checks[c].verdict for c in ("voluntary", "no_fraud", "no_harm")} == {
        Verdict.FOR_JUDGE}
    debtor = next(s for s in signers_of(agreement) if s.party_row and not s.is_entity)
    with pytest.raises(AgreementInvalid, match="利息、罚息、复利和费用不超过年24%"):
        signing_code_send(actor=desk.mediator, agreement_id=agreement.pk, signer=debtor.key)


def test_signing_binds_the_digest_and_a_revision_voids_the_signatures(desk, mediating):
    draft = CHARGES_SINCE
    agreement = drafted(desk, mediating, draft)
    debtor = next(s for s in signers_of(agreement) if s.party_row and not s.is_entity)
    phone = decrypt(debtor.party_row.party.phone_cipher)
    signing_code_send(actor=desk.mediator, agreement_id=agreement.pk, signer=debtor.key)
    code = last_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(SignatureInvalid, match="验证码错误"):
        agreement_sign(actor=desk.mediator, agreement_id=agreement.pk, signer=debtor.key,
                       code=wrong)
    assert SigningCode.objects.get(agreement=agreement).attempts == 1  # kept despite refusal
    signed = agreement_sign(actor=desk.mediator, agreement_id=agreement.pk, signer=debtor.key,
                            code=code, client_ip="10.0.0.8", client_agent="tablet")
    assert signed.digest == agreement.digest
    assert signed.client_ip == "10.0.0.8"
    with pytest.raises(SignatureInvalid):  # a code is used once
        agreement_sign(actor=desk.mediator, agreement_id=agreement.pk, signer=debtor.key,
                       code=code)
    # the bank's side is signed by its agent, never by the desk
    bank = next(s for s in signers_of(agreement) if s.is_entity)
    with pytest.raises(PermissionDenied):
        signing_code_send(actor=desk.mediator, agreement_id=agreement.pk, signer=bank.key)
    # a change after a signature is a new version; the old signature does not count
    mediating.refresh_from_db()
    revised = agreement_draft(actor=desk.mediator, dispute_id=mediating.pk,
                              expected_version=mediating.version,
                              draft=Draft(**{**draft.__dict__, "other_terms": "双方无其他争议。"}))
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SUPERSEDED
    assert revised.version == 2
    assert revised.digest != agreement.digest
    assert all(s.signature is None for s in signers_of(revised))
    event = Event.objects.filter(dispute=mediating, type="agreement.drafted").last()
    assert event.params["voided_signatures"] == 1
    # no code, message or event carries the code itself
    assert code not in str(list(Event.objects.filter(dispute=mediating).values("params")))


def test_sealed_agreement_takes_effect_with_its_documents(desk, mediating):
    accept_plan(desk, mediating, flat(12))
    agreement = agree(desk, mediating, CHARGES_SINCE)
    mediating.refresh_from_db()
    assert mediating.state == State.AGREED
    assert agreement.status == Agreement.Status.EFFECTIVE
    doc = agreement.document
    word = docx.Document(io.BytesIO(doc.docx.read()))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "调解协议书" in text
    assert "人民币贰拾叁万壹仟贰佰零捌元肆角整" in text
    names = [p["name"] for p in agreement.content["parties"]]
    cells = " ".join(c.text for t in word.tables for row in t.rows for c in row.cells)
    assert all(n in text or n in cells for n in names)
    doc.pdf.seek(0)
    data = doc.pdf.read()
    assert hashlib.sha256(data).hexdigest() == doc.pdf_sha256
    assert cjk_font_installed(), "apt-get install fonts-noto-cjk: without it Chinese is boxes"
    page_one = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert all(n in page_one for n in names), page_one[:300]


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
