"""Writes of outreach: the contact log under the policy's caps, texts from vetted templates
with a verification code, service of documents by channel, alternate contacts, and the
"cannot reach" decision. Each step of reaching a party is also a ``reach.*`` event once per
party and dispute (invited, served, contacted, engaged), so supervision can count the
funnel; agreeing and signing are the mediation and agreement events.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse

from jintiao import clock
from jintiao.disputes.access import (
    PermissionDenied,
    RecordNotFound,
    Standing,
    acting_for,
    may_approve_texts,
    may_draft_texts,
    standing_of,
)
from jintiao.disputes.changes import lock_behind, record_event
from jintiao.disputes.models import Dispute, DisputeParty, PartyRole
from jintiao.documents.models import Document
from jintiao.domain import events, identity
from jintiao.domain.dates import written
from jintiao.domain.events import EventType
from jintiao.domain.lifecycle import Action
from jintiao.domain.outreach import (
    CODE_ALPHABET,
    PLACEHOLDERS,
    ContactChannel,
    ContactOutcome,
    ContactRefused,
    OutreachInvalid,
    ReachStage,
    ServiceChannel,
    ServiceResult,
    TemplateRefused,
    contact_refusal,
    format_code,
    limits_of,
    render_template,
    service_refusal,
    template_problems,
)
from jintiao.mediation import selectors as mediation
from jintiao.mediation.models import Session
from jintiao.mediation.services import action_apply
from jintiao.messaging.backends import mask_email, sms_backend
from jintiao.orgs.models import Organization, User
from jintiao.outreach import selectors
from jintiao.outreach.models import (
    AlternateContact,
    ContactAttempt,
    MessageTemplate,
    Service,
    Verification,
)
from jintiao.parties import crypto
from jintiao.parties.models import Party, PartyAccount

BACKDATED = dt.timedelta(minutes=15)  # older than this, a contact is logged as it happened


def _missing() -> RecordNotFound:
    return RecordNotFound("纠纷不存在或无权查看", "dispute not found")


def reach_step(dispute: Dispute, party: Party, step: EventType, actor: User,
               at: dt.datetime, **params: Any) -> bool:
    """Write the funnel's ``step`` (one of ``events.REACH_STEPS``) for this party once; True
    when it was new. The caller holds the dispute's lock."""
    if step not in events.REACH_STEPS:
        raise ValueError(step)
    if dispute.events.filter(type=step.type, params__party=party.pk).exists():
        return False
    record_event(dispute, step, actor, at, {"party": party.pk, **params})
    return True


def _desk(actor: User, dispute_id: int) -> Dispute:
    dispute = lock_behind(actor, dispute_id, _missing())
    standing_of(actor, dispute).require(Standing.may_serve, "联系当事人或送达文书")
    return dispute


def _party_of(dispute: Dispute, party_id: int) -> DisputeParty:
    row = (DisputeParty.objects.filter(dispute=dispute, party_id=party_id)
           .select_related("party").order_by("pk").first())
    if row is None:
        raise OutreachInvalid("该当事人不是本纠纷的当事人", "not a party of this dispute")
    return row


def _check_cap(dispute: Dispute, party: Party, now: dt.datetime,
               serving: ServiceChannel | None = None) -> None:
    """Refuse a contact beyond the caps or outside the hours — or, ``serving`` a document,
    only what the domain's :func:`service_refusal` refuses (paper service never). The
    party's row is locked first, so two desks contacting one person about two disputes
    are counted in turn."""
    Party.objects.select_for_update().filter(pk=party.pk).first()
    paused = mediation.pause_running(dispute) if serving is None else None
    if paused is not None and paused.ends_on is not None:  # issue 21 §3: legal service goes
        # on, collection does not
        raise ContactRefused(
            f"本纠纷纾困暂停至{written(paused.ends_on)}，暂停期间不得联系当事人催收或推送方案；"
            "送达法律文书不受影响", "collection contact is paused",
            reason="paused")
    local = now.astimezone(clock.TZ)
    earlier = selectors.outbound_times(party, local - dt.timedelta(days=7))
    limits = limits_of(mediation.policy_of(dispute))
    refused = (contact_refusal(local, earlier, limits) if serving is None
               else service_refusal(serving, local, earlier, limits))
    if refused is not None:
        raise refused


def _log(dispute: Dispute, party: Party, channel: ContactChannel, outcome: ContactOutcome,
         actor: User, now: dt.datetime, *, inbound: bool = False, to: str = "", note: str = "",
         template: MessageTemplate | None = None, verification: Verification | None = None,
         happened: dt.datetime | None = None, legal_service: bool = False) -> ContactAttempt:
    """Write one contact (``happened`` when logged after the fact; ``legal_service`` for
    paper service, which the caps neither refuse nor count), its event at ``now`` and the
    reach steps it makes (the caller checked the caps, holds the dispute's lock and its
    transaction)."""
    made = ContactAttempt.objects.create(
        dispute=dispute, party=party, channel=channel, outcome=outcome, inbound=inbound,
        legal_service=legal_service,
        at=happened or now, to=identity.mask_numbers_in(to.strip())[:120],
        note=identity.mask_numbers_in(note.strip())[:500], template=template,
        verification=verification, actor=actor)
    record_event(dispute, events.OUTREACH_CONTACT, actor, now,
                 {"contact": made.pk, "party": party.pk, "channel": channel.value,
                  "outcome": outcome.value, "inbound": inbound,
                  **({"happened": happened.isoformat()} if happened else {}),
                  **({"template": note} if channel is ContactChannel.SMS and note else {})})
    if not inbound:
        reach_step(dispute, party, events.REACH_INVITED, actor, now, channel=channel.value)
    if outcome.reached_person:
        reach_step(dispute, party, events.REACH_CONTACTED, actor, now, channel=channel.value)
    if inbound:
        reach_step(dispute, party, events.REACH_ENGAGED, actor, now, channel=channel.value)
    return made


@transaction.atomic
def contact_record(*, actor: User, dispute_id: int, party_id: int, channel: str,
                   outcome: str, inbound: bool = False, to: str = "", note: str = "",
                   at: dt.datetime | None = None) -> ContactAttempt:
    """Log a call, visit or letter to a party — checked against the policy's caps and
    hours first, so the fourth call of a day under a cap of three is refused and nothing is
    written. A party who gets in touch themselves (``inbound``) is never capped.

    A contact made earlier (``at``, up to 7 days back: a visit logged on return) is recorded
    as it happened, never refused — the log must stay true — and the supervisors' report
    flags it if it broke the hours or the caps.

    :raises ContactRefused: night, or the day's or week's cap reached
    :raises OutreachInvalid: an unknown channel or outcome, not a party of the dispute, a
        time in the future or more than 7 days back
    """
    dispute = _desk(actor, dispute_id)
    row = _party_of(dispute, party_id)
    try:
        how, result = ContactChannel(channel), ContactOutcome(outcome)
    except ValueError:
        raise OutreachInvalid("联系方式或结果无效", "unknown channel or outcome") from None
    if how is ContactChannel.SMS:
        raise OutreachInvalid("短信须从已审核的模板发送", "texts go through message_send")
    if inbound and result is not ContactOutcome.REACHED:
        raise OutreachInvalid("当事人主动联系的，结果只能是已联系上",
                              "an inbound contact reached the party")
    now = clock.now()
    if at is not None and at.tzinfo is None:
        raise OutreachInvalid("联系时间须带时区", "at must be aware")
    if at is not None and (at > now or at < now - dt.timedelta(days=7)):
        raise OutreachInvalid("补记的联系时间须在7日之内且不晚于现在", "at out of range")
    if at is not None and at.astimezone(clock.TZ).date() < dispute.received_on:
        raise OutreachInvalid(f"补记的联系时间不能早于收案日期{dispute.received_on:%Y-%m-%d}",
                              "at before the dispute was received", field="at")
    late_entry = at is not None and at < now - BACKDATED
    if not inbound and not late_entry:
        _check_cap(dispute, row.party, now)
    return _log(dispute, row.party, how, result, actor, now, inbound=inbound, to=to,
                note=note, happened=at if late_entry else None)


def in_contact_hours(dispute: Dispute, at: dt.datetime) -> bool:
    """Whether the dispute's policy allows contact at ``at`` (caps aside)."""
    policy = mediation.policy_of(dispute)
    return policy.contact_day_starts_hour <= at.astimezone(clock.TZ).hour \
        < policy.contact_day_ends_hour


def system_text(*, actor: User, dispute: Dispute, party: Party, body: str,
                purpose: str) -> ContactAttempt:
    """A text the platform writes itself (a payment reminder the agreement provides for):
    the committee's name first and a verification code last like every text, logged as a
    contact. Not capped — the party agreed to the schedule and its reminders — but the
    caller keeps to the contact hours (:func:`in_contact_hours`). The caller holds the
    dispute's lock and its transaction."""
    phone = _phone(party)
    now = clock.now()
    check = _verification(dispute, identity.mask_mobile(phone), purpose, now)
    delivered = sms_backend().send(phone, (
        f"【{dispute.committee.name}】{body}核验码{format_code(check.code)}，"
        f"可在{settings.PUBLIC_URL}{reverse('portal:verify')}查验本短信真伪。"), purpose=purpose)
    return _log(dispute, party, ContactChannel.SMS,
                ContactOutcome.WRONG_NUMBER if delivered is False else ContactOutcome.SENT,
                actor, now, to=check.to_masked, note=selectors.purpose_label(purpose),
                verification=check)


def _verification(dispute: Dispute, to: str, purpose: str, now: dt.datetime) -> Verification:
    """A fresh code for one message to ``to`` (already masked)."""
    for _try in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        try:
            with transaction.atomic():
                return Verification.objects.create(
                    code=code, committee=dispute.committee, dispute=dispute,
                    to_masked=to, purpose=purpose, sent_at=now)
        except IntegrityError:  # the same code drawn twice: draw again
            continue
    raise OutreachInvalid("核验码生成失败，请重试", "could not draw a unique code")


def _portal_url() -> str:
    return settings.PUBLIC_URL + reverse("portal:home")


def _text(dispute: Dispute, row: DisputeParty, body: str, code: str,
          extra: dict[str, str] | None = None) -> str:
    session = (mediation.sessions_of(dispute)  # the next one that will take place
               .filter(status=Session.Status.SCHEDULED, starts_at__gte=clock.now())
               .order_by("starts_at").first())
    team = mediation.team_of(dispute)
    values = {"姓名": row.party.name, "纠纷编号": dispute.number, "调委会": dispute.committee.name,
              "调解员": str(team[0].user) if team else "",
              "调解时间": (session.starts_at.astimezone(clock.TZ).strftime("%m月%d日%H:%M")
                       if session else ""),
              "链接": _portal_url(), **(extra or {})}
    return (f"【{dispute.committee.name}】{render_template(body, values)}"
            f"核验码{format_code(code)}，可在{settings.PUBLIC_URL}{reverse('portal:verify')}"
            "查验本短信真伪。")


def _served(title: str) -> str:
    """The fixed words of a service by text or e-mail (filled like a vetted template)."""
    return (f"{{姓名}}：{{调委会}}向您送达“{title}”（纠纷{{纠纷编号}}），"
            "请登录当事人端查阅：{链接}。")


def _email(party: Party) -> str:
    """The newest usable e-mail address the party gave themselves: service goes to an
    address the addressee designated (CPL 90), not one the bank or a relative supplied."""
    found = (AlternateContact.objects.filter(
        party=party, kind=AlternateContact.Kind.EMAIL, usable=True,
        source=AlternateContact.Source.PARTY).order_by("-added_at").first())
    if found is None:
        raise OutreachInvalid(f"{party.name}没有登记本人提供的电子邮箱", "no e-mail of the party's")
    return crypto.decrypt(found.value_cipher)


def _phone(party: Party) -> str:
    if not party.phone_cipher:
        raise OutreachInvalid(f"{party.name}没有登记手机号码", "no mobile on file")
    return crypto.decrypt(party.phone_cipher)


@transaction.atomic
def message_send(*, actor: User, dispute_id: int, party_id: int, template_id: int,
                 contact_id: int | None = None) -> ContactAttempt:
    """Text a party from one of the committee's approved templates: the committee's name
    first, values filled from the record, a verification code last; counted as a contact.

    The text is vetted again before it goes: a template approved under older, weaker
    rules is not sent.

    :raises ContactRefused: night or a cap reached (nothing is sent)
    :raises TemplateRefused: the text fails today's vetting (nothing is sent)
    :raises OutreachInvalid: the template is not approved for this committee, no mobile
    """
    dispute = _desk(actor, dispute_id)
    row = _party_of(dispute, party_id)
    template = selectors.templates_for(dispute).filter(pk=template_id).first()
    if template is None:
        raise OutreachInvalid("只能使用本调委会已审核的短信模板", "not an approved template")
    _vetted(template.body, "该模板按现行审核规则不能发送，请主任停用后重新起草")
    if contact_id is None:
        phone = _phone(row.party)
    else:  # contact repair: another number of the same person
        other = AlternateContact.objects.filter(pk=contact_id, party=row.party, usable=True,
                                                kind=AlternateContact.Kind.MOBILE).first()
        if other is None:
            raise OutreachInvalid("该备用号码不属于该当事人或已停用",
                                  "not a usable number of the party")
        phone = crypto.decrypt(other.value_cipher)
    now = clock.now()
    _check_cap(dispute, row.party, now)
    check = _verification(dispute, identity.mask_mobile(phone), template.purpose, now)
    delivered = sms_backend().send(phone, _text(dispute, row, template.body, check.code),
                                   purpose=f"outreach:{template.purpose}")
    return _log(dispute, row.party, ContactChannel.SMS,
                ContactOutcome.WRONG_NUMBER if delivered is False else ContactOutcome.SENT,
                actor, now, to=check.to_masked, note=template.name, template=template,
                verification=check)


@transaction.atomic
def platform_text(*, actor: User, dispute_id: int, party_id: int, body: str,
                  known: Mapping[str, str], values: dict[str, str], purpose: str,
                  title: str) -> ContactAttempt:
    """Text a party the platform's own fixed words (a standard plan menu, issue 20 §5) as
    the desk: vetted like a committee's template before they go (``known`` the
    placeholders they may hold, ``values`` the ones beyond the record's), the committee's
    name first and a verification code last, a contact under the caps and the hours.

    :raises ContactRefused: night or a cap reached (nothing is sent)
    :raises TemplateRefused: the words fail the vetting (nothing is sent)
    :raises OutreachInvalid: not a party of the dispute, no mobile on file
    """
    dispute = _desk(actor, dispute_id)
    row = _party_of(dispute, party_id)
    _vetted(body, "平台短信未通过审核，未发送", known)
    phone = _phone(row.party)
    now = clock.now()
    _check_cap(dispute, row.party, now)
    check = _verification(dispute, identity.mask_mobile(phone), purpose, now)
    delivered = sms_backend().send(phone, _text(dispute, row, body, check.code, values),
                                   purpose=f"outreach:{purpose}")
    return _log(dispute, row.party, ContactChannel.SMS,
                ContactOutcome.WRONG_NUMBER if delivered is False else ContactOutcome.SENT,
                actor, now, to=check.to_masked, note=title, verification=check)


@transaction.atomic
def notice_serve(*, actor: User, dispute_id: int, party_id: int, subject: str, channel: str,
                 result: str = "", address: str = "", evidence: str = "") -> Service:
    """Serve a document, a session invitation, a plan or the agreement to sign on a party
    through a channel, with its evidence; the policy says whether this attempt counts as
    service. By text or e-mail the portal link and a verification code go to the party's
    mobile or inbox (a contact, under the caps and hours); in person, by post or through
    a township node the desk records the result and the receipt — legal service, never
    refused by the caps or hours nor counted against them (:func:`service_refusal`).

    :raises ContactRefused: a text or an e-mail at night or beyond the caps
    :raises OutreachInvalid: nothing of that name to serve, an unknown channel, a result
        the channel cannot have, paper service without evidence, no mobile for a text
    """
    dispute = _desk(actor, dispute_id)
    row = _party_of(dispute, party_id)
    what = selectors.servable(dispute, subject)
    if what is None:
        raise OutreachInvalid("没有可送达的该项内容（文书不属于本纠纷，或方案、调解安排已过时）",
                              "nothing of that name to serve", subject=subject[:32])
    try:
        how = ServiceChannel(channel)
    except ValueError:
        raise OutreachInvalid("送达方式无效", "unknown service channel") from None
    if how is ServiceChannel.PORTAL:
        raise OutreachInvalid("当事人端查阅由当事人本人打开文书时自动记录",
                              "portal reads are recorded when the party opens it")
    now = clock.now()
    check = None
    _check_cap(dispute, row.party, now, serving=how)
    if how is ServiceChannel.EMAIL:
        address = _email(row.party)
        check = _verification(dispute, mask_email(address), "notice", now)
        body = _text(dispute, row, _served(what.title), check.code)
        try:
            sent = EmailMessage(f"【{dispute.committee.name}】送达：{what.title}", body,
                                to=[address],
                                headers={"X-Jintiao-Purpose": "outreach:notice"}).send()
        except (OSError, BadHeaderError):  # the server refused it or could not be reached
            sent = 0
        outcome = ServiceResult.DELIVERED if sent else ServiceResult.FAILED
        address = check.to_masked
    elif how is ServiceChannel.SMS:
        phone = _phone(row.party)
        check = _verification(dispute, identity.mask_mobile(phone), "notice", now)
        delivered = sms_backend().send(phone, _text(dispute, row, _served(what.title),
                                                    check.code), purpose="outreach:notice")
        outcome = {True: ServiceResult.DELIVERED, False: ServiceResult.FAILED,
                   None: ServiceResult.SENT}[delivered]
        address = check.to_masked
    else:
        try:
            outcome = ServiceResult(result)
        except ValueError:
            raise OutreachInvalid("送达结果无效", "unknown service result") from None
        if outcome is not ServiceResult.FAILED and not evidence.strip():
            raise OutreachInvalid("直接、邮寄或委托送达须登记送达凭证（签收人、回执或见证人）",
                                  "paper service needs its evidence")
    served = selectors.is_served(how, outcome, row.party, dispute)
    made = Service.objects.create(
        document=what.document, subject=what.subject, title=what.title[:200], dispute=dispute,
        party=row.party, channel=how, result=outcome,
        address=identity.mask_numbers_in(address.strip())[:120],
        evidence=identity.mask_numbers_in(evidence.strip())[:300], served=served, at=now,
        verification=check,
        actor=actor)
    _service_events(dispute, row.party, made, actor, now)
    if how is not ServiceChannel.POST:
        _log(dispute, row.party,
             {ServiceChannel.SMS: ContactChannel.SMS, ServiceChannel.EMAIL: ContactChannel.EMAIL,
              ServiceChannel.IN_PERSON: ContactChannel.VISIT}.get(how, ContactChannel.TOWNSHIP),
             (ContactOutcome.NOT_FOUND if outcome is ServiceResult.FAILED
              else ContactOutcome.SENT if how.electronic else ContactOutcome.REACHED),
             actor, now, to=made.address, note=f"送达：{what.title}",
             legal_service=not how.under_contact_caps)
    return made


def _service_events(dispute: Dispute, party: Party, made: Service, actor: User,
                    now: dt.datetime) -> None:
    record_event(dispute, events.OUTREACH_SERVICE, actor, now,
                 {"service": made.pk, "subject": made.subject, "title": made.title,
                  "party": party.pk, "channel": made.channel, "result": made.result,
                  "served": made.served})
    reach_step(dispute, party, events.REACH_INVITED, actor, now, channel=made.channel)
    if made.served:
        reach_step(dispute, party, events.REACH_SERVED, actor, now, channel=made.channel)


def document_read(*, actor: User, document_id: int) -> Service | None:
    """A party opened a document in the portal (see :func:`notice_read`)."""
    document = Document.objects.filter(pk=document_id).only("dispute_id").first()
    if document is None:
        raise RecordNotFound("文书不存在或无权查看", "document not found")
    return notice_read(actor=actor, dispute_id=document.dispute_id,
                       subject=f"document:{document_id}")


@transaction.atomic
def notice_read(*, actor: User, dispute_id: int, subject: str) -> Service | None:
    """A party confirmed in the portal that they read a document, or an invitation, plan or
    agreement served on them: recorded once per party, and served when the reader consented
    to electronic service (a representative under their own consent). None when already
    recorded, or when the user stands in no party of the dispute.

    :raises OutreachInvalid: nothing of that name was served on the party
    """
    dispute = lock_behind(actor, dispute_id, _missing())
    rows = acting_for(actor, dispute)
    if not rows:
        return None
    row, rep = rows[0]
    party = row.party  # read by a representative: served on the party they act for
    if subject.startswith("document:"):
        what = selectors.servable(dispute, subject)
        title, document = (what.title, what.document) if what else ("", None)
    else:
        earlier = Service.objects.filter(dispute=dispute, party=party, subject=subject).first()
        title, document = (earlier.title, None) if earlier else ("", None)
    if not title:
        raise OutreachInvalid("没有向您送达该内容", "nothing of that name was served",
                              subject=subject[:32])
    if Service.objects.filter(dispute=dispute, party=party, subject=subject,
                              channel=ServiceChannel.PORTAL).exists():
        return None
    now = clock.now()
    reader = PartyAccount.objects.filter(user=actor).first()
    made = Service.objects.create(
        document=document, subject=subject, title=title, dispute=dispute, party=party,
        channel=ServiceChannel.PORTAL, result=ServiceResult.READ,
        served=selectors.is_served(
            ServiceChannel.PORTAL, ServiceResult.READ, party, dispute,
            consented=bool(reader and reader.e_service_consented_at)),
        at=now, actor=actor, evidence=(f"委托代理人{rep.person.name}" if rep else "当事人本人")
        + "在当事人端确认阅读")
    _service_events(dispute, party, made, actor, now)
    return made


@transaction.atomic
def alternate_contact_add(*, actor: User, dispute_id: int, party_id: int, kind: str,
                          value: str, source: str, note: str = "") -> AlternateContact:
    """Add another way to reach a party (kept encrypted, shown masked).

    :raises OutreachInvalid: an unknown kind or source, an invalid mobile, a duplicate
    """
    dispute = _desk(actor, dispute_id)
    row = _party_of(dispute, party_id)
    if kind not in AlternateContact.Kind.values or source not in AlternateContact.Source.values:
        raise OutreachInvalid("联系方式类别或来源无效", "unknown kind or source")
    value = value.strip()
    if kind == AlternateContact.Kind.MOBILE:
        try:
            value = identity.validate_mobile(value)
        except identity.IdentityInvalid as exc:
            raise OutreachInvalid(exc.message, exc.message_en) from None
        masked = identity.mask_mobile(value)
    elif kind == AlternateContact.Kind.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise OutreachInvalid("电子邮箱格式不正确", "not an e-mail address") from None
        if len(value) > 100:
            raise OutreachInvalid("电子邮箱不得超过100个字符", "e-mail address too long")
        masked = mask_email(value)
    elif not value or len(value) > 200 or any(ord(c) < 32 for c in value):
        raise OutreachInvalid("联系方式不能为空、不超过200字且不含控制字符",
                              "a contact of 1 to 200 printable characters")
    else:
        masked = value[:3] + "…" if len(value) > 3 else "…"
    key = crypto.lookup_hash(f"{kind}:{value}")
    now = clock.now()
    known = AlternateContact.objects.select_for_update().filter(
        party=row.party, kind=kind, value_hash=key).first()
    if known is not None and known.usable:
        raise OutreachInvalid("该联系方式已登记", "already on file")
    if known is not None:  # withdrawn earlier, confirmed again: usable once more
        known.usable, known.source = True, source
        known.note = identity.mask_numbers_in(note.strip())[:200]
        known.added_by, known.added_at = actor, now
        known.save(update_fields=["usable", "source", "note", "added_by", "added_at"])
        record_event(dispute, events.OUTREACH_CONTACT_ADDED, actor, now,
                     {"party": row.party_id, "kind": kind, "source": source,
                      "to": known.value_masked, "again": True})
        return known
    made = AlternateContact.objects.create(
        party=row.party, kind=kind, value_cipher=crypto.encrypt(value), value_masked=masked,
        value_hash=key, source=source, note=identity.mask_numbers_in(note.strip())[:200],
        added_by=actor, added_at=now)
    record_event(dispute, events.OUTREACH_CONTACT_ADDED, actor, now,
                 {"party": row.party_id, "kind": kind, "source": source, "to": masked})
    return made


@transaction.atomic
def alternate_contact_retire(*, actor: User, dispute_id: int, contact_id: int,
                             reason: str) -> AlternateContact:
    """Mark a party's alternate contact unusable (a wrong or stopped number, a wrong
    address): kept, masked, with the reason; no longer offered, texted or signed in with.

    :raises RecordNotFound: no such contact of a party of this dispute
    :raises OutreachInvalid: no reason, or already marked
    """
    dispute = _desk(actor, dispute_id)
    found = (AlternateContact.objects.select_for_update()
             .filter(pk=contact_id, party__dispute_rows__dispute=dispute).first())
    if found is None:
        raise RecordNotFound("联系方式不存在或无权查看", "contact not found")
    if not reason.strip():
        raise OutreachInvalid("请写明停用理由（如空号、非本人）", "a reason is required")
    if not found.usable:
        raise OutreachInvalid("该联系方式已停用", "already marked unusable")
    found.usable = False
    found.note = f"停用：{reason.strip()}"[:200]
    found.save(update_fields=["usable", "note"])
    record_event(dispute, events.OUTREACH_CONTACT_RETIRED, actor, clock.now(),
                 {"party": found.party_id, "kind": found.kind, "to": found.value_masked})
    return found


@transaction.atomic
def unreachable_close(*, actor: User, dispute_id: int, party_id: int,
                      expected_version: int) -> Dispute:
    """End mediation because a party cannot be reached — only once the policy's path was
    followed (attempts on several days, then a township visit), with the reason recorded.

    :raises OutreachInvalid: the path is not complete for that party
    """
    dispute = _desk(actor, dispute_id)
    row = _party_of(dispute, party_id)
    stage = next((r.stage for r in selectors.reach_of(dispute)
                  if r.row.pk == row.pk and row.role == PartyRole.DEBTOR), None)
    if stage is not ReachStage.MAY_CLOSE:
        raise OutreachInvalid(
            "尚不能以无法联系为由终止调解：" + (stage.label if stage else "该当事人不是债务人"),
            "the cannot-reach path is not complete", stage=stage.value if stage else "")
    return action_apply(
        actor=actor, dispute_id=dispute_id, action=Action.FAIL,
        expected_version=expected_version,
        reason=f"当事人{row.party.name}经多次联系及乡镇（街道）节点上门仍无法联系（在线调解规则第25条）",
        details={"ground": "unreachable", "party": row.party_id})


def _vetted(body: str, refusal: str, known: Mapping[str, str] = PLACEHOLDERS) -> None:
    """:raises TemplateRefused: ``refusal``, then every reason the vetting found"""
    problems = template_problems(body, known)
    if problems:
        raise TemplateRefused(f"{refusal}：" + "；".join(problems),
                              "the text fails the vetting", problems="；".join(problems))


def _committee_desk(actor: User, committee: Organization, *, director: bool) -> None:
    if director and not may_approve_texts(actor, committee):
        raise PermissionDenied("只有本调委会主任可以审核短信模板", "not this committee's director")
    if not director and not may_draft_texts(actor, committee):
        raise PermissionDenied("只有本调委会工作人员可以起草短信模板", "not this committee's desk")


@transaction.atomic
def template_create(*, actor: User, committee_id: int, name: str, purpose: str,
                    body: str) -> MessageTemplate:
    """Draft a text for the committee; it is used only after the director approves it.

    :raises TemplateRefused: the text fails the vetting (every reason is named)
    :raises OutreachInvalid: an unknown purpose, no name, a name already used
    """
    committee = Organization.objects.filter(pk=committee_id).first()
    if committee is None:
        raise RecordNotFound("调委会不存在", "committee not found")
    _committee_desk(actor, committee, director=False)
    if purpose not in MessageTemplate.Purpose.values:
        raise OutreachInvalid("用途无效", "unknown purpose")
    if not name.strip():
        raise OutreachInvalid("名称不能为空", "a name is required")
    _vetted(body, "该短信模板不能提交审核")
    if MessageTemplate.objects.filter(committee=committee, name=name.strip()).exists():
        raise OutreachInvalid("同名模板已存在", "a template of that name exists")
    return MessageTemplate.objects.create(committee=committee, name=name.strip()[:60],
                                          purpose=purpose, body=body.strip(),
                                          created_by=actor, created_at=clock.now())


def _for_director(actor: User, template_id: int) -> MessageTemplate:
    """The template, locked, if the actor directs its committee."""
    template = MessageTemplate.objects.select_for_update().filter(pk=template_id).first()
    if template is None:
        raise RecordNotFound("模板不存在", "template not found")
    _committee_desk(actor, template.committee, director=True)
    return template


@transaction.atomic
def template_retire(*, actor: User, template_id: int) -> MessageTemplate:
    """The director withdraws a text: it is kept for the record and no longer sent."""
    template = _for_director(actor, template_id)
    if template.status == MessageTemplate.Status.RETIRED:
        raise OutreachInvalid("该模板已停用", "already retired")
    template.status = MessageTemplate.Status.RETIRED
    template.retired_by, template.retired_at = actor, clock.now()
    template.save(update_fields=["status", "retired_by", "retired_at"])
    return template


@transaction.atomic
def template_approve(*, actor: User, template_id: int) -> MessageTemplate:
    """The committee's director vets a draft text (checked again, by today's rules) and
    approves it.

    :raises TemplateRefused: the text fails the vetting (every reason is named)
    """
    template = _for_director(actor, template_id)
    if template.status != MessageTemplate.Status.DRAFT:
        raise OutreachInvalid("该模板不是待审核状态", "not a draft")
    _vetted(template.body, "该短信模板不能审核通过")
    template.status = MessageTemplate.Status.APPROVED
    template.approved_by = actor
    template.approved_at = clock.now()
    template.save(update_fields=["status", "approved_by", "approved_at"])
    return template
