"""Signing in to the party portal: a one-time code to the mobile on the case file, then
the person's identity number — matched to the party whose record holds that mobile, so a
borrowed phone alone opens nothing, and nobody learns whether a number is on file."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from jintiao import clock
from jintiao.disputes.access import acting_for
from jintiao.disputes.models import Dispute
from jintiao.domain import events, identity
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import Role
from jintiao.messaging.backends import sms_backend
from jintiao.orgs.models import User, UserRole
from jintiao.outreach.services import reach_step
from jintiao.parties.crypto import lookup_hash
from jintiao.parties.models import Party, PartyAccount
from jintiao.portal.models import SignInCode, SignInThrottle

MAX_ATTEMPTS = 5
COOLDOWN = dt.timedelta(seconds=60)


class SignInInvalid(DomainError):
    code = ErrorCode.SIGN_IN_INVALID


class SignInThrottled(SignInInvalid):
    """A code asked for again too soon or too often: one sent before may still be valid."""


def _code_hash(phone_key: str, code: str) -> str:
    return lookup_hash(f"portal:{phone_key}:{code}")


def _mobile(phone: str) -> str:
    try:
        return identity.validate_mobile(phone)
    except identity.IdentityInvalid as exc:
        raise SignInInvalid(exc.message, exc.message_en) from None


@transaction.atomic
def sign_in_code_send(*, phone: str, client_ip: str = "", applying: bool = False) -> None:
    """Text a sign-in code to ``phone`` if it is a party's registered mobile. The answer is
    the same either way; the limits (a minute apart, so many an hour and a day) apply
    either way too, and requests for one number are counted in turn. ``applying``: the
    code proves the mobile of a person applying for mediation (issue 21 §1), texted to any
    mainland mobile under the same limits.

    One address asking for many numbers is limited as well, so nobody can exhaust every
    debtor's daily codes (and text them) from one machine.

    :raises SignInInvalid: not a mainland mobile number, or asked too often
    """
    number = _mobile(phone)
    key = lookup_hash(number)
    now = clock.now()
    ip_key = lookup_hash(f"ip:{client_ip}") if client_ip else ""
    if ip_key and SignInCode.objects.filter(
            ip_hash=ip_key, sent_at__gte=now - dt.timedelta(hours=1)).count() \
            >= settings.PORTAL_CODES_PER_ADDRESS_HOUR:
        raise SignInThrottled("请求过于频繁，请稍后再试", "too many codes from this address")
    SignInThrottle.objects.get_or_create(phone_hash=key)
    SignInThrottle.objects.select_for_update().get(phone_hash=key)
    codes = SignInCode.objects.filter(phone_hash=key)
    if codes.filter(sent_at__gte=now - dt.timedelta(days=1)).count() \
            >= settings.PORTAL_CODES_PER_DAY:
        raise SignInThrottled("今日获取验证码次数已达上限，请明日再试", "too many codes today")
    if codes.filter(sent_at__gte=now - dt.timedelta(hours=1)).count() \
            >= settings.PORTAL_CODES_PER_HOUR:
        raise SignInThrottled("获取验证码过于频繁，请一小时后再试", "too many codes this hour")
    if codes.filter(sent_at__gt=now - COOLDOWN).exists():
        raise SignInThrottled("验证码已发送，请稍候一分钟再重新获取", "wait a minute")
    codes.filter(used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = settings.PORTAL_CODE_MINUTES
    SignInCode.objects.create(phone_hash=key, ip_hash=ip_key, code_hash=_code_hash(key, code),
                              sent_at=now, expires_at=now + dt.timedelta(minutes=minutes))
    if applying:
        sms_backend().send(number, f"【金调通】您正在网上申请纠纷调解，验证码{code}，"
                                   f"{minutes}分钟内有效。如非本人操作，请忽略本短信。",
                           purpose="portal_application")
    elif _known(number):
        sms_backend().send(number, f"【金调通】您正在登录纠纷调解当事人端，验证码{code}，"
                                   f"{minutes}分钟内有效。如非本人操作，请忽略本短信。",
                           purpose="portal_sign_in")


def sign_in_key(phone: str) -> str:
    """The name failed sign-ins are counted under for this mobile number: its keyed hash,
    so the record of attempts names no number.

    :raises SignInInvalid: not a mainland mobile number
    """
    return f"portal:{lookup_hash(_mobile(phone))}"


def _known(number: str) -> bool:
    """Only the mobile on the case file (from the institution or the court, at intake) opens
    the portal: a number added later by one desk user could be their own."""
    return Party.objects.filter(phone_hash=lookup_hash(number)).exists()


def _wrong() -> SignInInvalid:
    return SignInInvalid("验证码或身份证号码不正确，或该手机号码未在调解案件中登记",
                         "wrong code or identity")


def _party(number: str, id_number: str) -> Party | None:
    try:
        resident = identity.validate_resident_id(id_number, on=clock.today())
    except identity.IdentityInvalid:
        return None
    party = Party.objects.filter(id_hash=lookup_hash(resident)).first()
    if party is None:
        return None
    if party.phone_hash == lookup_hash(number):
        return party
    return None


def sign_in(*, phone: str, code: str, id_number: str, consent_e_service: bool = False) -> User:
    """Check the code and the identity number; return the person's portal user (made the
    first time), and note on each of their disputes, once, that they engaged.

    :raises SignInInvalid: a wrong or expired code, or an identity that does not match the
        number (one answer for all, so nothing is learnt about who is on file); every wrong
        try counts against the code, which dies after five
    """
    number = _mobile(phone)
    key = lookup_hash(number)
    now = clock.now()
    matched = _check(key, number, code, id_number, now)
    if matched is None:
        raise _wrong()
    code_id, party = matched
    return _open(code_id, party, now, consent_e_service)


def code_use(*, phone: str, code: str) -> None:
    """Use the live code texted to ``phone`` (an application's proof of the mobile): a
    wrong try is counted against it, as at sign-in, and kept though the caller fails.

    :raises SignInInvalid: not a mobile, no live code, a wrong code
    """
    number = _mobile(phone)
    key = lookup_hash(number)
    now = clock.now()
    with transaction.atomic():
        live = (SignInCode.objects.select_for_update()
                .filter(phone_hash=key, used_at__isnull=True).order_by("-sent_at").first())
        right = (live is not None and live.expires_at >= now and live.attempts < MAX_ATTEMPTS
                 and hmac.compare_digest(live.code_hash, _code_hash(key, code.strip())))
        if live is not None and not right:
            SignInCode.objects.filter(pk=live.pk).update(attempts=F("attempts") + 1)
        elif live is not None:
            SignInCode.objects.filter(pk=live.pk).update(used_at=now)
    if not right:
        raise SignInInvalid("验证码不正确或已失效，请重新获取", "wrong or expired code",
                            field="code")


def _check(key: str, number: str, code: str, id_number: str, now: dt.datetime
           ) -> tuple[int, Party] | None:
    """The live code and the party, or None after counting a wrong try. The code's row is
    locked, so concurrent tries are counted one by one and the count is kept even though
    signing in fails (its own transaction, committed before the refusal is raised)."""
    with transaction.atomic():
        live = (SignInCode.objects.select_for_update()
                .filter(phone_hash=key, used_at__isnull=True).order_by("-sent_at").first())
        if live is None or live.expires_at < now or live.attempts >= MAX_ATTEMPTS:
            return None
        party = (_party(number, id_number)
                 if hmac.compare_digest(live.code_hash, _code_hash(key, code.strip())) else None)
        if party is None:
            SignInCode.objects.filter(pk=live.pk).update(attempts=F("attempts") + 1)
            return None
        return live.pk, party


@transaction.atomic
def _open(code_id: int, party: Party, now: dt.datetime, consent: bool) -> User:
    used = SignInCode.objects.filter(pk=code_id, used_at__isnull=True).update(used_at=now)
    if not used:
        raise _wrong()
    account = PartyAccount.objects.select_related("user").filter(party=party).first()
    if account is None:
        username = f"party-{party.pk}"
        if User.objects.filter(username=username).exists():  # a staff name, by chance
            username = f"party-{party.pk}-{secrets.token_hex(4)}"
        try:
            with transaction.atomic():
                user = User.objects.create(username=username, first_name=party.name)
                user.set_unusable_password()
                user.save(update_fields=["password"])
                UserRole.objects.create(user=user, role=Role.PARTY)
                account = PartyAccount.objects.create(user=user, party=party, created_at=now)
        except IntegrityError:  # opened at the same moment from another phone
            account = PartyAccount.objects.select_related("user").get(party=party)
    if consent and account.e_service_consented_at is None:
        account.e_service_consented_at = now
        account.save(update_fields=["e_service_consented_at"])
    user = account.user
    for row, _rep in acting_for(user):
        dispute = Dispute.objects.select_for_update().get(pk=row.dispute_id)
        reach_step(dispute, row.party, events.REACH_ENGAGED, user, now, channel="portal")
    return user
