"""A party confirms the record of undisputed facts on the portal with a code (issue 21 §1;
ONLINE Art. 22: in writing) — the bank's officer on the workbench the same way — and the
confirmation names the digest of the facts it signed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jintiao.disputes.access import PermissionDenied
from jintiao.disputes.models import Statement
from jintiao.documents.statements import StatementInvalid
from jintiao.domain.lifecycle import Action
from jintiao.mediation.models import FactsConfirmation
from jintiao.mediation.selectors import facts_complete
from jintiao.mediation.services import (
    MediationInvalid,
    action_apply,
    facts_code_send,
    facts_sign,
    undisputed_facts_record,
)
from jintiao.messaging.selectors import outbox_code
from tests.portal.helpers import add_guarantor, debtor_of, party_sign_in, phone_of

pytestmark = pytest.mark.django_db

FACTS = ["2023年3月1日，债务人向银行申领信用卡，额度5万元", "截至2026年6月30日，尚欠本金20万元"]


@pytest.fixture
def failed(desk, mediating):
    mediating.refresh_from_db()
    d = action_apply(actor=desk.mediator, dispute_id=mediating.pk, action=Action.FAIL,
                     expected_version=mediating.version, reason="双方对期限分歧较大")
    undisputed_facts_record(actor=desk.mediator, dispute_id=d.pk, facts=FACTS,
                            disputed="罚息是否应当减免")
    return d


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_debtor_confirms_on_the_phone_with_a_code(desk, failed):
    debtor = debtor_of(failed)
    user = party_sign_in(debtor)
    client = _client(user)
    page = client.get(reverse("portal:dispute", args=[failed.pk])).content.decode()
    assert FACTS[1] in page
    assert "罚息是否应当减免" in page

    client.post(reverse("portal:facts_code", args=[failed.pk]))
    sent = Statement.objects.get(kind=Statement.Kind.UNDISPUTED_FACTS)
    assert sent.content["facts"] == FACTS
    page = client.get(reverse("portal:dispute", args=[failed.pk])).content.decode()
    assert "我已核对，确认以上事实无争议" in page

    wrong = client.post(reverse("portal:facts_sign", args=[failed.pk]),
                        {"statement": sent.pk, "code": "000000"}, follow=True)
    assert "验证码错误" in wrong.content.decode()
    assert not FactsConfirmation.objects.exists()

    client.post(reverse("portal:facts_sign", args=[failed.pk]),
                {"statement": sent.pk, "code": outbox_code(phone_of(debtor))})

    made = FactsConfirmation.objects.get()
    assert made.party_row.party == debtor
    assert made.how == f"当事人端验证码签署（摘要{sent.digest[:8]}）"
    assert failed.events.filter(type="mediation.facts_confirmed", actor=user).exists()
    page = client.get(reverse("portal:dispute", args=[failed.pk])).content.decode()
    assert "您已确认" in page


def test_the_bank_confirms_with_its_officers_code_and_the_record_is_complete(desk, failed):
    debtor = debtor_of(failed)
    sent = facts_code_send(actor=party_sign_in(debtor), dispute_id=failed.pk)
    facts_sign(actor=sent.requested_by, dispute_id=failed.pk, statement_id=sent.pk,
               code=outbox_code(phone_of(debtor)))
    assert not facts_complete(failed)
    banks = facts_code_send(actor=desk.agent, dispute_id=failed.pk)
    facts_sign(actor=desk.agent, dispute_id=failed.pk, statement_id=banks.pk,
               code=outbox_code(desk.agent.mobile))
    assert facts_complete(failed)


def test_a_record_replaced_after_the_code_is_refused(desk, failed):
    debtor = debtor_of(failed)
    user = party_sign_in(debtor)
    sent = facts_code_send(actor=user, dispute_id=failed.pk)
    undisputed_facts_record(actor=desk.mediator, dispute_id=failed.pk, facts=[FACTS[0]])
    with pytest.raises(MediationInvalid, match="重新获取验证码"):
        facts_sign(actor=user, dispute_id=failed.pk, statement_id=sent.pk,
                   code=outbox_code(phone_of(debtor)))
    assert not FactsConfirmation.objects.exists()
    # found in review: the superseded facts were left signed on file
    assert not Statement.objects.filter(signed_at__isnull=False).exists()


def test_twice_is_refused_and_a_stranger_cannot_confirm(desk, failed, cases):
    debtor = debtor_of(failed)
    user = party_sign_in(debtor)
    sent = facts_code_send(actor=user, dispute_id=failed.pk)
    facts_sign(actor=user, dispute_id=failed.pk, statement_id=sent.pk,
               code=outbox_code(phone_of(debtor)))
    with pytest.raises(MediationInvalid, match="已确认"):
        facts_code_send(actor=user, dispute_id=failed.pk)
    with pytest.raises(PermissionDenied):
        facts_code_send(actor=desk.mediator, dispute_id=failed.pk)  # the desk records paper
    other = _client(user).post(reverse("portal:facts_code", args=[cases[1].pk]))
    assert other.status_code == 404


def test_a_guarantor_confirms_for_itself(desk, failed):
    row = add_guarantor(failed)
    user = party_sign_in(row.party)
    sent = facts_code_send(actor=user, dispute_id=failed.pk)
    assert sent.party_row_id == row.pk
    with pytest.raises(StatementInvalid):
        facts_sign(actor=user, dispute_id=failed.pk, statement_id=sent.pk, code="12")


def test_nothing_to_confirm_before_failure(desk, mediating):
    user = party_sign_in(debtor_of(mediating))
    page = _client(user).get(reverse("portal:dispute", args=[mediating.pk])).content.decode()
    assert 'id="facts"' not in page
    with pytest.raises(Exception, match="确认无争议事实"):
        facts_code_send(actor=user, dispute_id=mediating.pk)
