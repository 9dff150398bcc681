"""Every change to an agreement: draft or revise, send a signing code, sign, seal.

Each runs in one transaction and writes a timeline event. Signing binds the signer to the
version's digest; a revision after any signature is a new version, so signatures on the
old one stop counting. Sealing by the committee's director makes the agreement take effect
(People's Mediation Law Art. 29) and moves the dispute to AGREED.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from jintiao import clock
from jintiao.agreements import content as texts
from jintiao.agreements import integrity, selectors
from jintiao.agreements.models import Agreement, Signature, SigningCode
from jintiao.disputes.access import PermissionDenied, Standing, standing_of
from jintiao.disputes.changes import require_state
from jintiao.disputes.models import Dispute, DisputeRepresentative
from jintiao.disputes.services import dispute_apply_action, dispute_lock
from jintiao.documents import texts as doc_texts
from jintiao.documents.integrity import RecordAltered
from jintiao.documents.render import to_html
from jintiao.documents.services import document_generate
from jintiao.domain import events
from jintiao.domain.confirmation import cost_cap, unmet
from jintiao.domain.dates import written
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.events import EventType
from jintiao.domain.identity import mask_mobile
from jintiao.domain.lifecycle import Action, State
from jintiao.domain.representation import Authority, mandate_problems
from jintiao.mediation.models import Offer
from jintiao.mediation.selectors import policy_of
from jintiao.messaging.backends import sms_backend
from jintiao.orgs.models import User
from jintiao.parties.crypto import decrypt, lookup_hash
from jintiao.timeline.services import event_append


class AgreementInvalid(DomainError):
    code = ErrorCode.AGREEMENT_INVALID


class SignatureInvalid(DomainError):
    code = ErrorCode.SIGNATURE_INVALID


MAX_ATTEMPTS = 5  # wrong tries that burn a code
MAX_CODES = 5  # codes one signer may be sent for one version
# Characters Word and PDF cannot carry (pasted from other programs): refused at drafting,
# not discovered at sealing after everyone has signed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _event(dispute: Dispute, type: EventType, actor: User, at: dt.datetime,
           **params: object) -> None:
    event_append(dispute=dispute, type=type, actor=actor, at=at, state_before=dispute.state,
                 state_after=dispute.state, params=dict(params))


def _bump(dispute: Dispute) -> None:
    dispute.version += 1
    dispute.save(update_fields=["version"])


@transaction.atomic
def agreement_draft(*, actor: User, dispute_id: int, expected_version: int,
                    draft: texts.Draft) -> Agreement:
    """Draft the agreement from the plan both sides accepted, or revise it: a revision is a
    new version, and the signatures on the one it replaces no longer count.

    :raises DisputeNotFound: missing or hidden
    :raises PermissionDenied: not the dispute's mediator or director
    :raises TransitionRefused: the dispute is not under mediation
    :raises AgreementInvalid: no accepted plan, no facts or way of performance, or the
        acceleration clause below one instalment
    """
    dispute = dispute_lock(actor, dispute_id, expected_version)
    standing_of(actor, dispute).require(Standing.may_mediate, "起草调解协议")
    return draft_write(dispute, draft, actor=actor, drafted_by=actor)


def draft_problem(draft: texts.Draft) -> AgreementInvalid | None:
    """Why the mediator's words cannot make an agreement (None when they can): the one
    check of :func:`agreement_draft`, also asked before words are kept for a draft made
    later (a standard plan's way of performance, sent before the debtor chooses)."""
    texts_given = (draft.facts, draft.performance_manner, draft.responsibility,
                   draft.other_terms)
    if any(_CONTROL.search(t) for t in texts_given):
        return AgreementInvalid("协议文字含有无法打印的控制字符，请删除后重新输入",
                                "control characters in the agreement's text")
    if not draft.facts.strip() or not draft.performance_manner.strip():
        return AgreementInvalid("须写明纠纷事实和履行方式（收款账户、还款方式）",
                                "facts and the way of performance are required")
    if draft.acceleration_missed is not None and draft.acceleration_missed < 1:
        return AgreementInvalid("加速到期条件至少为一期", "acceleration needs at least one")
    return None


def plan_cost_problem(dispute: Dispute, offer: Offer, charges_since: dt.date | None) -> str:
    """Why an agreement on ``offer`` would fail the court's cost-cap check (empty when it
    would pass): the checklist's own rule (:func:`jintiao.domain.confirmation.cost_cap`) on
    the content the draft would hold — asked before a standard plan is sent for a debtor to
    choose, so that a choice never makes an agreement nobody may sign."""
    data = texts.build(dispute, offer, texts.Draft(facts="—", performance_manner="—",
                                                   charges_since=charges_since), version=0)
    ok, why = cost_cap(principal=Decimal(data["claim"]["principal"]),
                       settled_charges=texts.settled_charges(data),
                       plan_rate=Decimal(data["terms"]["annual_rate"]),
                       cap=policy_of(dispute).annual_cost_cap, charges_since=charges_since,
                       charges_as_of=dispute.claim_as_of)
    return "" if ok else why


def draft_write(dispute: Dispute, draft: texts.Draft, *, actor: User, drafted_by: User,
                **context: object) -> Agreement:
    """Write the next version of the agreement on the accepted plan. The caller holds the
    dispute's lock and its transaction and has decided that ``actor`` may cause the draft:
    the mediator drafting, or the debtor choosing a standard plan the desk sent with its
    words (``drafted_by`` the desk, ``context`` on the event says which).

    :raises TransitionRefused: the dispute is not under mediation
    :raises AgreementInvalid: no accepted plan, :func:`draft_problem`, or a joint mediation
        of one agreement whose other parts are not all accepted
    """
    now = clock.now()
    require_state(dispute, State.MEDIATING, doing="起草调解协议")
    offer = Offer.objects.filter(dispute=dispute, status=Offer.Status.ACCEPTED).first()
    if offer is None:
        raise AgreementInvalid("双方尚未接受还款方案，不能起草调解协议",
                               "no plan accepted by both sides")
    problem = draft_problem(draft)
    if problem is not None:
        raise problem
    unsettled = texts.joint_unsettled(dispute)
    if unsettled:
        raise AgreementInvalid(
            f"联合调解采用“一份协议，各债权人分列还款计划”，须各债权人均接受其部分后再起草；"
            f"尚未接受：{'、'.join(unsettled)}", "one agreement waits for every creditor's part")
    previous = selectors.current(dispute)
    version = (Agreement.objects.filter(dispute=dispute).aggregate(m=Max("version"))["m"]
               or 0) + 1
    if previous is not None:
        previous.status = Agreement.Status.SUPERSEDED
        previous.save(update_fields=["status"])
    data = texts.build(dispute, offer, draft, version=version,
                       court=dispute.court.name if dispute.court else "")
    made = Agreement.objects.create(dispute=dispute, offer=offer, version=version, content=data,
                                    digest=texts.digest(data), drafted_by=drafted_by,
                                    created_at=now)
    _bump(dispute)
    _event(dispute, events.AGREEMENT_DRAFTED, actor, now, agreement=made.pk, version=version,
           digest=made.digest, replaces=previous.pk if previous else None,
           voided_signatures=previous.signatures.count() if previous else 0, **context)
    return made


def _phone_of(actor: User, standing: Standing, signer: selectors.Signer,
              representative: DisputeRepresentative | None) -> str:
    """The verified mobile the code goes to, once the actor may ask for it."""
    problem = selectors.code_problem(standing, signer)
    if problem:
        raise PermissionDenied(problem, "not one who may ask for this signer's code")
    if signer.mediator is not None:
        return signer.mediator.mobile
    if signer.party_row is None:  # neither a mediator nor a party: not a signer
        raise SignatureInvalid("签署人不属于本协议", "not a signer of this agreement")
    if signer.is_entity and signer.party_row.role == "creditor":
        return actor.mobile
    cipher = (representative.person if representative else signer.party_row.party).phone_cipher
    return decrypt(cipher) if cipher else ""


def _representative(signer: selectors.Signer, representative_id: int | None,
                    today: dt.date) -> DisputeRepresentative | None:
    if representative_id is None:
        return None
    rep = DisputeRepresentative.objects.select_related("person").filter(
        pk=representative_id, party_row=signer.party_row).first()
    if rep is None:
        raise SignatureInvalid("该代理人不是此当事人的代理人", "not this party's representative")
    if Authority(rep.authority) is not Authority.SPECIAL:
        raise SignatureInvalid("一般授权的代理人无权代为签署调解协议",
                               "a general authority may not settle")
    problems = mandate_problems(signed_on=rep.signed_on, valid_until=rep.valid_until, on=today)
    if problems:
        raise SignatureInvalid("；".join(problems), "the power of attorney is not in force")
    return rep


def _signable(actor: User, agreement_id: int) -> tuple[Agreement, Dispute]:
    agreement = selectors.agreement_get_for(actor, agreement_id)
    dispute = dispute_lock(actor, agreement.dispute_id)
    agreement.dispute = dispute
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != Agreement.Status.DRAFT:
        raise SignatureInvalid(f"协议第{agreement.version}版{agreement.get_status_display()}，"
                               "不能签署", "the agreement is not open for signing")
    require_state(dispute, State.MEDIATING, doing="签署调解协议")
    failing = unmet(selectors.checklist_of(agreement))
    if failing:
        raise AgreementInvalid("协议草案未通过司法确认审查，请先修改："
                               + "；".join(f"{c.label}（{c.detail}）" for c in failing),
                               "the draft fails the confirmation checklist",
                               checks=",".join(c.code for c in failing))
    return agreement, dispute


def signing_code_send(*, actor: User, agreement_id: int, signer: str,
                      representative_id: int | None = None) -> SigningCode:
    """Send a one-time code to the signer's verified mobile for this version.

    The desk sends codes to parties (or their specially authorised representative); an
    institution's agent asks for the creditor's; a mediator for their own.

    :raises RecordNotFound: the agreement is missing or hidden
    :raises RecordAltered: its content no longer gives its digest (no code is sent)
    :raises SignatureInvalid: not open for signing, not a signer, already signed, no mobile
    :raises AgreementInvalid: the draft fails the court checklist
    :raises PermissionDenied: the actor may not ask for this signer's code
    """
    integrity.require_intact_by_id(agreement_id, actor=actor)
    return _send_code(actor, agreement_id, signer, representative_id)


@transaction.atomic
def _send_code(actor: User, agreement_id: int, signer: str,
               representative_id: int | None) -> SigningCode:
    now = clock.now()
    agreement, dispute = _signable(actor, agreement_id)
    who = selectors.signer_of(agreement, signer)
    if who is None:
        raise SignatureInvalid("签署人不属于本协议", "not a signer of this agreement")
    if who.signature is not None:
        raise SignatureInvalid(f"{who.name}已签署本版本", "already signed")
    standing = standing_of(actor, dispute)
    as_rep = (dict(standing.represented).get(who.party_row.pk)
              if who.party_row is not None else None)
    if as_rep is not None and representative_id != as_rep:  # a representative in the portal
        raise SignatureInvalid("委托代理人须以代理人身份签署", "a representative signs as one")
    rep = _representative(who, representative_id, now.astimezone(clock.TZ).date())
    phone = _phone_of(actor, standing, who, rep)
    if not phone:
        raise SignatureInvalid(f"{who.name}没有登记手机号码，无法发送验证码", "no mobile on file")
    if SigningCode.objects.filter(agreement=agreement, party_row=who.party_row,
                                  mediator=who.mediator).count() >= MAX_CODES:
        raise SignatureInvalid(f"已向{who.name}发送{MAX_CODES}次验证码，请核实身份后由调委会主任"
                               "修订协议重新签署", "too many codes for this signer")
    code = f"{secrets.randbelow(10**6):06d}"
    SigningCode.objects.filter(agreement=agreement, party_row=who.party_row,
                               mediator=who.mediator, used_at__isnull=True).update(used_at=now)
    name = f"{who.name}（委托代理人{rep.person.name}）" if rep else who.name
    made = SigningCode.objects.create(
        agreement=agreement, party_row=who.party_row, mediator=who.mediator, representative=rep,
        signer_name=name, capacity=who.capacity, phone_masked=mask_mobile(phone),
        code_hash=_hash(agreement, code), sent_at=now, expires_at=now + _ttl(),
        requested_by=actor)
    sms_backend().send(phone, (
        f"【{dispute.committee.name}】您正在签署调解协议{dispute.number}（第{agreement.version}版，"
        f"摘要{agreement.digest[:8]}），验证码{code}，"
        f"{int(_ttl().total_seconds() // 60)}分钟内有效。"
        "如非本人操作，请勿告知他人。"), purpose="agreement_signing")
    _event(dispute, events.AGREEMENT_CODE_SENT, actor, now, agreement=agreement.pk,
           signer=who.key, capacity=who.capacity, to=made.phone_masked)
    return made


def _ttl() -> dt.timedelta:
    minutes = getattr(settings, "SIGNING_CODE_MINUTES", 10)
    return dt.timedelta(minutes=int(minutes))


def _hash(agreement: Agreement, code: str) -> str:
    return lookup_hash(f"signing:{agreement.pk}:{agreement.digest}:{code}")


def _check_code(actor: User, agreement: Agreement, who: selectors.Signer, code: str,
                now: dt.datetime) -> SigningCode:
    """The live code for this signer, if ``code`` matches; a wrong try is counted and kept
    even though the signing fails (call it outside any transaction of the caller's). Only
    who asked for the code, or the desk, may try it: nobody else can burn it."""
    with transaction.atomic():
        live = (SigningCode.objects.select_for_update()
                .filter(agreement=agreement, party_row=who.party_row, mediator=who.mediator,
                        used_at__isnull=True).order_by("-sent_at").first())
        if live is not None and live.requested_by_id != actor.pk \
                and not standing_of(actor, agreement.dispute).desk:
            raise PermissionDenied("只能在发送验证码的签署页面签署",
                                   "sign where the code was asked for")
        if live is None or live.expires_at < now or live.attempts >= MAX_ATTEMPTS:
            return SigningCode()
        if not hmac.compare_digest(live.code_hash, _hash(agreement, code.strip())):
            live.attempts += 1
            live.save(update_fields=["attempts"])
            return SigningCode()
        return live


def agreement_sign(*, actor: User, agreement_id: int, signer: str, code: str,
                   client_ip: str = "", client_agent: str = "") -> Signature:
    """Sign the agreement's version with the code sent to the signer's mobile. The
    signature binds signer, time, client and the version's digest.

    :raises SignatureInvalid: no live code, a wrong or expired code (tries are counted),
        or the version is no longer open for signing
    :raises RecordAltered: the content no longer gives the digest the code was sent for
    """
    now = clock.now()
    agreement = integrity.require_intact_by_id(agreement_id, actor=actor)
    who = selectors.signer_of(agreement, signer)
    if who is None:
        raise SignatureInvalid("签署人不属于本协议", "not a signer of this agreement")
    live = _check_code(actor, agreement, who, code, now)
    if live.pk is None:
        raise SignatureInvalid("验证码错误或已失效，请重新获取", "wrong or expired code")
    return _sign(actor, agreement_id, who.key, live.pk, now, client_ip, client_agent)


@transaction.atomic
def _sign(actor: User, agreement_id: int, key: str, code_id: int, now: dt.datetime,
          client_ip: str, client_agent: str) -> Signature:
    agreement, dispute = _signable(actor, agreement_id)
    who = selectors.signer_of(agreement, key)
    live = SigningCode.objects.select_for_update().get(pk=code_id)
    if who is None or who.signature is not None or live.used_at is not None:
        raise SignatureInvalid("已签署或验证码已使用", "already signed or code used")
    if live.requested_by_id != actor.pk and not standing_of(actor, dispute).desk:
        raise PermissionDenied("只能在发送验证码的签署页面签署", "sign where the code was asked")
    live.used_at = now
    live.save(update_fields=["used_at"])
    made = Signature.objects.create(
        agreement=agreement, party_row=who.party_row, mediator=who.mediator,
        representative=live.representative, signer_name=live.signer_name,
        capacity=who.capacity, signed_by=actor, digest=agreement.digest, signed_at=now,
        client_ip=client_ip[:64], client_agent=client_agent[:300], code=live)
    if selectors.all_signed(agreement):
        agreement.status = Agreement.Status.SIGNED
        agreement.save(update_fields=["status"])
    _bump(dispute)
    _event(dispute, events.AGREEMENT_SIGNED, actor, now, agreement=agreement.pk, signer=who.key,
           name=live.signer_name, capacity=who.capacity, digest=agreement.digest,
           complete=agreement.status == Agreement.Status.SIGNED)
    return made


def _moment(at: dt.datetime) -> str:
    """When a signature or the seal was given, as the document prints it: 2026年12月6日 10:05."""
    local = at.astimezone(clock.TZ)
    return f"{written(local.date())} {local:%H:%M}"


def signature_lines(agreement: Agreement) -> list[tuple[str, str, str]]:
    lines = []
    for s in selectors.signers_of(agreement):
        sig = s.signature
        lines.append((f"{s.capacity}：{sig.signer_name if sig else s.name}",
                      f"电子签名（验证码核验，{sig.code.phone_masked}）" if sig else "（未签署）",
                      _moment(sig.signed_at)
                      if sig else ""))
    return lines


def agreement_seal(*, actor: User, agreement_id: int, expected_version: int) -> Agreement:
    """The director applies the committee's e-seal once every party and the mediator have
    signed the final version: the agreement takes effect, its document is generated and
    the dispute moves to AGREED with the confirmation window running.

    :raises PermissionDenied: not the committee's director
    :raises SignatureInvalid: a signature is missing
    :raises RecordAltered: the content no longer gives the digest the signers bound
    """
    found = selectors.agreement_get_for(actor, agreement_id)
    standing_of(actor, found.dispute).require(Standing.may_direct, "加盖调委会印章")
    integrity.require_intact(found, actor=actor)
    try:
        return _seal(actor, agreement_id, expected_version)
    except RecordAltered:  # altered since the check: refused inside, told now
        integrity.report(found, actor=actor)
        raise


@transaction.atomic
def _seal(actor: User, agreement_id: int, expected_version: int) -> Agreement:
    now = clock.now()
    agreement = selectors.agreement_get_for(actor, agreement_id)
    dispute = dispute_lock(actor, agreement.dispute_id, expected_version)
    standing_of(actor, dispute).require(Standing.may_direct, "加盖调委会印章")
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    integrity.recheck(agreement)
    if agreement.status != Agreement.Status.SIGNED or not selectors.all_signed(agreement):
        missing = [s.name for s in selectors.signers_of(agreement) if s.signature is None]
        raise SignatureInvalid(f"尚未签署：{'、'.join(missing) or '协议已盖章或已被取代'}",
                               "not every signer has signed this version")
    agreement.status = Agreement.Status.EFFECTIVE
    agreement.sealed_by = actor
    agreement.effective_at = now
    content = {**agreement.content, "digest": agreement.digest,
               "parties": texts.with_numbers(agreement.content["parties"])}
    lines = [*signature_lines(agreement),
             (dispute.committee.name, f"电子印章（{actor.get_full_name() or actor.username}）",
              _moment(now))]
    agreement.document = document_generate(
        actor=actor, dispute=dispute, doc=doc_texts.agreement(content, signatures=lines),
        source=f"agreement:{agreement.pk}")
    agreement.save(update_fields=["status", "sealed_by", "effective_at", "document"])
    dispute.refresh_from_db()
    dispute_apply_action(actor=actor, dispute_id=dispute.pk, action=Action.AGREE,
                         expected_version=dispute.version,
                         established={"agreement_signed_by_all", "committee_seal_applied"},
                         details={"agreement": agreement.pk, "version": agreement.version,
                                  "digest": agreement.digest})
    return agreement


def preview(agreement: Agreement) -> str:
    """The agreement as HTML for the browser, with the signatures given so far."""
    content = {**agreement.content, "digest": agreement.digest}
    return to_html(doc_texts.agreement(content, signatures=signature_lines(agreement)),
                   standalone=False)
