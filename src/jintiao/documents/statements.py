"""A party's signed statements other than the agreement: the 送达地址确认书 and the joint
application for judicial confirmation.

A statement is signed either with a one-time code sent to the signer's verified mobile
(the party in the portal, the creditor's agent on the workbench, or the party at the desk
with the code on their own phone), or on paper at the desk, which the clerk records. Either
way its content is fixed first and its SHA-256 is what the signature binds — the
Electronic Signature Law's art. 13: the code reaches only the signer's phone, and any
change of the content after signing changes the digest.

The content of each kind is built by the layer that knows it (the address here, the joint
application by confirmation); this module fixes, sends, checks and records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction

from jintiao import clock
from jintiao.disputes.access import PermissionDenied, Standing, standing_of
from jintiao.disputes.models import DisputeParty, DisputeRepresentative, PartyRole, Statement
from jintiao.disputes.services import dispute_lock
from jintiao.domain import events, identity
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.particulars import ADDRESS_MAX
from jintiao.messaging.backends import sms_backend
from jintiao.orgs.models import User
from jintiao.parties.crypto import decrypt, lookup_hash
from jintiao.timeline.services import event_append

MAX_ATTEMPTS = 5
MAX_CODES = 5


class StatementInvalid(DomainError):
    code = ErrorCode.SIGNATURE_INVALID


def digest(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON: what a statement's signature binds."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def service_address_content(row: DisputeParty, *, postal_address: str, e_service: bool,
                            email: str = "", recipient: str = "") -> dict[str, Any]:
    """The 送达地址确认书's content (SPC 《关于进一步加强民事送达工作的若干意见》(法发〔2017〕19号)
    §3–§8 and CPL Art. 90): where paper goes, who may receive it, the mobile and e-mail
    for electronic service and whether the party consents to it, and the party's
    undertaking that a document sent there is served even if returned.

    :raises StatementInvalid: no address, an address with invisible characters or too long,
        an e-mail that is not one, electronic service without any electronic address
    """
    address = postal_address.strip()
    if not address:
        raise StatementInvalid("请填写送达地址", "a postal address is required",
                               field="postal_address")
    try:
        address = identity.validate_name(address, label="送达地址")
        recipient = identity.validate_name(recipient, label="代收人") if recipient.strip() else ""
    except identity.NameInvalid as exc:
        raise StatementInvalid(exc.message, exc.message_en, field="postal_address") from None
    if len(address) > ADDRESS_MAX:
        raise StatementInvalid(f"送达地址不能超过{ADDRESS_MAX}个字", "address too long",
                               field="postal_address")
    email = email.strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise StatementInvalid(f"电子邮箱“{email[:60]}”格式不正确", "not an e-mail address",
                                   field="email") from None
    party = row.party
    if e_service and not (party.phone_masked or email):
        raise StatementInvalid("同意电子送达的，须有手机号码或电子邮箱",
                               "electronic service needs a mobile or an e-mail", field="e_service")
    return {
        "dispute": row.dispute.number, "party": party.name, "role": row.role,
        "postal_address": address, "recipient": recipient, "phone": party.phone_masked,
        "email": email, "e_service": bool(e_service),
        "undertaking": ("以上送达地址真实有效；送达地址变更的，将及时书面告知。按上述地址送达的"
                        "文书，因地址不准确、变更未及时告知、拒收或者无人签收而被退回的，退回之日"
                        "视为送达之日。" + ("本人同意以短信、电子邮件或当事人端向上述手机号码、"
                                         "电子邮箱电子送达，到达之日视为送达之日。"
                                         if e_service else "")),
    }


def _signer_phone(actor: User, me: Standing, row: DisputeParty) -> tuple[str, str]:
    """Who signs and the mobile the code goes to: the creditor's agent for an institution
    creditor, a representative in force for the party it represents, else the party's own
    verified mobile (the desk sends it there for a party in front of it).

    :raises PermissionDenied: the actor neither stands for this party nor is the desk
    """
    if row.role == PartyRole.CREDITOR and row.party.kind == "entity":
        if not me.creditor:
            raise PermissionDenied("金融机构一方由其经办人签署", "the creditor's agent signs")
        return f"{row.party.name}（经办人{actor.get_full_name() or actor.username}）", actor.mobile
    rep_id = dict(me.represented).get(row.pk)
    if rep_id is not None:
        rep = DisputeRepresentative.objects.select_related("person").get(pk=rep_id)
        phone = decrypt(rep.person.phone_cipher) if rep.person.phone_cipher else ""
        return f"{row.party.name}（委托代理人{rep.person.name}）", phone
    if not (me.acts_for(row.pk) or me.committee_desk):
        raise PermissionDenied("只有当事人本人、其代理人或调委会工作人员可以发起签署",
                               "only the party, its representative or the desk")
    phone = decrypt(row.party.phone_cipher) if row.party.phone_cipher else ""
    return row.party.name, phone


def _hash(statement_digest: str, code: str) -> str:
    return lookup_hash(f"statement:{statement_digest}:{code}")


def _row(dispute_id: int, party_row_id: int) -> DisputeParty:
    row = (DisputeParty.objects.filter(pk=party_row_id, dispute_id=dispute_id)
           .select_related("party", "dispute").first())
    if row is None:
        raise StatementInvalid("所选当事人不属于该纠纷", "not a party of this dispute")
    return row


@transaction.atomic
def statement_code_send(*, actor: User, dispute_id: int, party_row_id: int, kind: str,
                        content: dict[str, Any]) -> Statement:
    """Fix ``content`` as this party's statement of ``kind`` and send the signer a code.

    :raises DisputeNotFound: the dispute is missing or hidden
    :raises PermissionDenied: the actor does not stand for the party (nor is the desk)
    :raises StatementInvalid: no mobile on file, too many codes
    """
    now = clock.now()
    dispute = dispute_lock(actor, dispute_id)
    row = _row(dispute.pk, party_row_id)
    me = standing_of(actor, dispute)
    name, phone = _signer_phone(actor, me, row)
    if not phone:
        raise StatementInvalid(f"{name}没有登记手机号码，无法发送验证码；可以当面签署纸面文书",
                               "no mobile on file")
    sent = Statement.objects.filter(party_row=row, kind=kind, how=Statement.How.CODE,
                                    created_at__gte=now - dt.timedelta(days=1))
    if sent.count() >= MAX_CODES:
        raise StatementInvalid(f"今日已向{name}发送{MAX_CODES}次验证码，请明日再试或当面签署",
                               "too many codes today")
    sent.filter(signed_at__isnull=True).update(expires_at=now)  # one live code at a time
    code = f"{secrets.randbelow(10**6):06d}"
    fixed = digest(content)
    ttl = dt.timedelta(minutes=int(getattr(settings, "SIGNING_CODE_MINUTES", 10)))
    made = Statement.objects.create(
        party_row=row, kind=kind, content=content, digest=fixed, signer_name=name[:200],
        requested_by=actor, created_at=now, how=Statement.How.CODE,
        code_hash=_hash(fixed, code), phone_masked=identity.mask_mobile(phone),
        expires_at=now + ttl)
    label = Statement.Kind(kind).label
    event_append(dispute=dispute, type=events.STATEMENT_CODE_SENT, actor=actor, at=now,
                 state_before=dispute.state, state_after=dispute.state,
                 params={"kind": kind, "name": name, "to": made.phone_masked})
    # sent last, as the agreement's codes are: nothing after it can refuse
    sms_backend().send(phone, (
        f"【{dispute.committee.name}】您正在签署{label}（{dispute.number}，摘要{fixed[:8]}），"
        f"验证码{code}，{int(ttl.total_seconds() // 60)}分钟内有效。如非本人操作，请勿告知他人。"),
        purpose="statement_signing")
    return made


def statement_sign(*, actor: User, statement_id: int, code: str,
                   client_ip: str = "") -> Statement:
    """Sign a statement with the code sent for it. A wrong try is counted even though the
    signing fails.

    :raises StatementInvalid: no such live statement, a wrong or expired code
    :raises PermissionDenied: someone other than who asked for the code (or the desk)
    """
    now = clock.now()
    dispute_id = Statement.objects.filter(pk=statement_id).values_list(
        "party_row__dispute_id", flat=True).first()
    if dispute_id is None:
        raise StatementInvalid("签署请求不存在", "no such statement")
    with transaction.atomic():
        # the dispute first, then the statement: the order statement_code_send locks in
        dispute = dispute_lock(actor, dispute_id)
        found = Statement.objects.select_for_update().filter(pk=statement_id).first()
        if found is None or found.how != Statement.How.CODE:
            raise StatementInvalid("签署请求不存在", "no such statement")
        me = standing_of(actor, dispute)
        if not (found.requested_by_id == actor.pk or me.committee_desk
                or me.acts_for(found.party_row_id)):
            raise PermissionDenied("只能由该当事人或在发送验证码的页面签署",
                                   "only the party or where the code was asked")
        if (found.signed_at is not None or found.expires_at is None or found.expires_at < now
                or found.attempts >= MAX_ATTEMPTS):
            raise StatementInvalid("验证码已失效，请重新获取", "the code is no longer live")
        if not hmac.compare_digest(found.code_hash, _hash(found.digest, code.strip())):
            found.attempts += 1
            found.save(update_fields=["attempts"])
            wrong = True
        else:
            wrong = False
            found.signed_at, found.signed_by, found.client_ip = now, actor, client_ip[:64]
            found.save(update_fields=["signed_at", "signed_by", "client_ip"])
            _signed_event(found, actor, now)
    if wrong:  # outside the block: the counted try stays
        raise StatementInvalid("验证码错误，请重新输入", "wrong code")
    return found


@transaction.atomic
def statement_record_at_desk(*, actor: User, dispute_id: int, party_row_id: int, kind: str,
                             content: dict[str, Any], signer_name: str = "") -> Statement:
    """Record that the party signed the paper statement in front of the desk (the paper is
    kept in the file).

    :raises PermissionDenied: not the committee's desk
    """
    now = clock.now()
    dispute = dispute_lock(actor, dispute_id)
    standing_of(actor, dispute).require(Standing.may_edit_particulars, "登记当面签署")
    row = _row(dispute.pk, party_row_id)
    made = Statement.objects.create(
        party_row=row, kind=kind, content=content, digest=digest(content),
        signer_name=(signer_name.strip() or row.party.name)[:200], requested_by=actor,
        created_at=now,
        how=Statement.How.DESK, signed_at=now, signed_by=actor)
    _signed_event(made, actor, now)
    return made


def _signed_event(made: Statement, actor: User, now: dt.datetime) -> None:
    dispute = made.party_row.dispute
    event_append(dispute=dispute, type=events.STATEMENT_SIGNED, actor=actor, at=now,
                 state_before=dispute.state, state_after=dispute.state,
                 params={"kind": made.kind, "name": made.signer_name, "how": made.how,
                         "statement": made.pk},
                 meta={"digest": made.digest})


def latest(row: DisputeParty | int, kind: str) -> Statement | None:
    """The party's statement of ``kind`` in force: the latest signed one."""
    return (Statement.objects.filter(party_row=row, kind=kind, signed_at__isnull=False)
            .order_by("-signed_at", "-pk").first())
