"""A person's own application for mediation (人民调解申请书) made on the portal, and the
committee's clerk taking it in as a dispute — through the one intake service, so it is
checked and numbered like any other channel — or declining it with a reason (issue 21 §1).

The applicant proves the mobile with a code texted to it and gives the identity number
(checked by its own rules: the check digit, a birth date gone by, an adult); the People's
Mediation Law Art. 17 lets a party apply to a committee itself, and Art. 23 gives it the
right to choose the committee and to know what becomes of the application.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet

from jintiao import clock
from jintiao.disputes.access import (
    PermissionDenied,
    RecordNotFound,
    application_committees,
    may_take_applications,
)
from jintiao.disputes.models import Channel, Dispute, DisputeType
from jintiao.disputes.services import Filed, dispute_intake
from jintiao.domain import events, identity, periods
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.money import require_amount
from jintiao.domain.particulars import ADDRESS_MAX
from jintiao.messaging.backends import sms_backend
from jintiao.orgs.models import INSTITUTION_KINDS, Organization, OrgKind, User
from jintiao.parties.crypto import decrypt, decrypt_bytes, encrypt, encrypt_bytes, lookup_hash
from jintiao.parties.models import Party
from jintiao.portal.models import Application, ApplicationFile
from jintiao.portal.services import code_use
from jintiao.timeline.services import event_append

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
# What a court and a committee can open on any machine: scans and photos, PDF.
FILE_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
_MAGIC = {b"%PDF": "application/pdf", b"\xff\xd8\xff": "image/jpeg",
          b"\x89PNG": "image/png"}
TEXT_MAX = 5000
ADULT = 18


class ApplicationInvalid(DomainError):
    """An application that cannot be taken as it is; ``field`` names where."""

    code = ErrorCode.INTAKE_INVALID


@dataclass(frozen=True)
class Upload:
    """One attached file as the interface received it."""

    name: str
    data: bytes
    size: int | None = None  # when the interface did not read a file too large to keep

    @property
    def length(self) -> int:
        return len(self.data) if self.size is None else self.size


@dataclass(frozen=True)
class Applying:
    """What the applicant typed."""

    committee_id: int
    name: str
    id_number: str
    phone: str
    address: str
    side: str
    other_name: str
    institution_id: int | None
    dispute_type: str
    amount: Decimal | None
    facts: str
    requests: str
    consent_e_service: bool = False


def committees_open() -> QuerySet[Organization]:
    """The committees a person may apply to: those that take party applications."""
    return (Organization.objects.filter(kind=OrgKind.COMMITTEE)
            .order_by("path"))


def takes_party_applications(committee: Organization) -> bool:
    channels = committee.accepted_channels or []
    return not channels or Channel.PARTY_APPLICATION in channels


def _text(value: str, *, field: str, label: str, limit: int = TEXT_MAX) -> str:
    text = value.strip()
    if not text:
        raise ApplicationInvalid(f"请填写{label}", f"{field} is required", field=field)
    if len(text) > limit:
        raise ApplicationInvalid(f"{label}不能超过{limit}个字", f"{field} too long",
                                 field=field)
    return text


def _file_type(upload: Upload) -> str:
    """The type the file's first bytes say (never the name the browser sent).

    :raises ApplicationInvalid: not a PDF, JPEG or PNG, empty or too large
    """
    if upload.length > MAX_FILE_BYTES:
        raise ApplicationInvalid(f"附件“{upload.name[:60]}”超过10MB，请压缩或分开上传",
                                 "file too large", field="files")
    if not upload.data:
        raise ApplicationInvalid(f"附件“{upload.name[:60]}”是空文件", "empty file",
                                 field="files")
    for magic, kind in _MAGIC.items():
        if upload.data.startswith(magic):
            return kind
    raise ApplicationInvalid(f"附件“{upload.name[:60]}”不是PDF、JPG或PNG文件",
                             "not a PDF, JPEG or PNG", field="files")


def application_check(given: Applying, files: Sequence[Upload]
                      ) -> tuple[dict[str, Any], list[tuple[Upload, str]]]:
    """Every check an application passes before the code is used; the fields as stored.

    :raises ApplicationInvalid: a field missing, too long or not as it must be (``field``)
    """
    committee = committees_open().filter(pk=given.committee_id).first()
    if committee is None or not takes_party_applications(committee):
        raise ApplicationInvalid("请选择受理当事人申请的调解委员会", "no such committee",
                                 field="committee")
    today = clock.today()
    name = _checked(lambda: identity.validate_name(
        _text(given.name, field="name", label="姓名", limit=100), label="姓名"), "name")
    resident = _checked(lambda: identity.validate_resident_id(given.id_number, on=today),
                        "id_number")
    mobile = _checked(lambda: identity.validate_mobile(given.phone), "phone")
    born = identity.check_resident_id(resident, on=today).birth_date
    if born is not None and periods.years_before(today, ADULT) < born:
        raise ApplicationInvalid("未满十八周岁的，请由监护人代为申请或到调委会窗口办理",
                                 "a minor applies through a guardian", field="id_number")
    if given.side not in Application.Side.values:
        raise ApplicationInvalid("请选择您在纠纷中的地位", "unknown side", field="side")
    if given.dispute_type not in DisputeType.values:
        raise ApplicationInvalid("请选择纠纷类型", "unknown dispute type", field="dispute_type")
    institution = None
    if given.institution_id is not None:
        institution = Organization.objects.filter(pk=given.institution_id,
                                                  kind__in=INSTITUTION_KINDS).first()
        if institution is None:
            raise ApplicationInvalid("所选金融机构不存在", "no such institution",
                                     field="institution")
    other = given.other_name.strip() or (institution.name if institution else "")
    if not other:
        raise ApplicationInvalid("请选择或填写对方金融机构的名称", "the other side is required",
                                 field="other_name")
    amount = None
    if given.amount is not None:
        amount = require_amount(given.amount, field="amount", label="争议金额",
                                error=ApplicationInvalid)
        if amount <= 0:
            raise ApplicationInvalid("争议金额须大于零；不清楚的可以不填", "amount not positive",
                                     field="amount")
    if len(files) > MAX_FILES:
        raise ApplicationInvalid(f"附件最多{MAX_FILES}个", "too many files", field="files")
    typed = [(f, _file_type(f)) for f in files]
    fields = {
        "committee": committee, "name": name, "id_cipher": encrypt(resident),
        "id_masked": identity.mask_id_number(resident), "phone_cipher": encrypt(mobile),
        "phone_masked": identity.mask_mobile(mobile),
        "address": _text(given.address, field="address", label="住所", limit=ADDRESS_MAX),
        "side": given.side, "institution": institution,
        "other_name": _checked(lambda: identity.validate_name(other, label="对方名称"),
                               "other_name")[:200],
        "dispute_type": given.dispute_type, "amount": amount,
        "facts": _text(given.facts, field="facts", label="纠纷事实"),
        "requests": _text(given.requests, field="requests", label="申请事项"),
        "consent_e_service": bool(given.consent_e_service),
    }
    return fields, typed


def identity_note(id_number: str, name: str, phone: str) -> str:
    """What the platform already holds of this identity number, for the clerk: nothing, or
    that its mobile on file differs. Asked only once the code proved the mobile, so the
    answer is no free oracle of who is on file (each try costs a code).

    :raises ApplicationInvalid: the number is on file under another name — never filed
        under that person
    """
    known = Party.objects.filter(id_hash=lookup_hash(id_number)).first()
    if known is None:
        return ""
    if known.name != name:
        raise ApplicationInvalid("姓名与身份证号码不一致，请核对；如确系本人，请到调委会窗口办理",
                                 "the name does not match the identity number",
                                 field="id_number")
    if known.phone_hash != lookup_hash(phone):
        return "该身份证号码已在平台登记，但登记的手机号码与本次申请不同，受理前请核实申请人身份"
    return ""


def _checked(check: Callable[[], str], field: str) -> str:
    """An identity rule's answer, its refusal named at ``field``."""
    try:
        return check()
    except identity.IdentityInvalid as exc:
        raise ApplicationInvalid(exc.message, exc.message_en, field=field) from None


def application_submit(*, given: Applying, code: str, files: Sequence[Upload] = ()
                       ) -> Application:
    """Check the application, then the code texted to its mobile, then keep it — with its
    files encrypted — in the committee's queue. A refusal writes nothing (a wrong code is
    counted against the code, as at sign-in).

    :raises ApplicationInvalid: see :func:`application_check`
    :raises SignInInvalid: a wrong or expired code
    """
    fields, typed = application_check(given, files)
    code_use(phone=given.phone, code=code)
    note = identity_note(decrypt(fields["id_cipher"]), fields["name"],
                         decrypt(fields["phone_cipher"]))
    with transaction.atomic():
        made = Application.objects.create(submitted_at=clock.now(), identity_note=note,
                                          **fields)
        for n, (upload, kind) in enumerate(typed, 1):
            stored = ApplicationFile(application=made, name=upload.name[:200],
                                     content_type=kind, size=len(upload.data),
                                     sha256=hashlib.sha256(upload.data).hexdigest())
            stored.file.save(f"{made.pk}-{n}.enc",
                             ContentFile(encrypt_bytes(upload.data)), save=False)
            stored.save()
    sms_backend().send(decrypt(made.phone_cipher), (
        f"【{made.committee.name}】已收到您的调解申请（{made.number}），调委会将在审查后"
        "短信告知是否受理。"), purpose="portal_application")
    return made


# --- the clerk's side ---

def handles_applications(viewer: User) -> bool:
    """Whether the viewer takes applications for any committee (the home page's tile)."""
    return application_committees(viewer).exists()


def applications_for(viewer: User) -> QuerySet[Application]:
    """The applications to the committees ``viewer`` takes applications for, newest first."""
    return (Application.objects.filter(committee__in=application_committees(viewer))
            .select_related("committee", "institution", "dispute").order_by("-submitted_at"))


def application_for(viewer: User, application_id: int) -> Application:
    """:raises RecordNotFound: missing, or not one the viewer handles"""
    found = applications_for(viewer).filter(pk=application_id).first()
    if found is None:
        raise RecordNotFound("申请不存在或无权查看", "no such application")
    return found


def application_file(viewer: User, file_id: int) -> tuple[ApplicationFile, bytes]:
    """An attached file and its bytes, for the viewer who handles its application.

    :raises RecordNotFound: missing or not the viewer's
    """
    found = (ApplicationFile.objects.select_related("application")
             .filter(pk=file_id, application__in=applications_for(viewer)).first())
    if found is None:
        raise RecordNotFound("附件不存在或无权查看", "no such file")
    with found.file.open("rb") as handle:
        return found, decrypt_bytes(handle.read())


def application_identity(application: Application) -> tuple[str, str]:
    """The applicant's full identity number and mobile, for the clerk taking it in (the
    intake form needs them; the list shows the masks)."""
    return decrypt(application.id_cipher), decrypt(application.phone_cipher)


def _locked(actor: User, application_id: int) -> Application:
    found = Application.objects.select_for_update().filter(pk=application_id).first()
    if found is None or not may_take_applications(actor, found.committee):
        raise RecordNotFound("申请不存在或无权查看", "no such application")
    if found.status != Application.Status.SUBMITTED:
        raise ApplicationInvalid(f"该申请的状态为“{found.get_status_display()}”，不能再次处理",
                                 "the application was handled", field="application")
    return found


@transaction.atomic
def application_take_in(*, actor: User, application_id: int, **intake: Any) -> Filed:
    """Take the application in as a dispute through :func:`dispute_intake` (the clerk has
    checked and completed the claim and the parties), on the application's committee, as a
    party's application; the dispute's timeline names the application.

    :raises RecordNotFound: not an application the actor handles
    :raises ApplicationInvalid: handled already
    :raises DomainError: whatever intake refuses (nothing is written)
    """
    application = _locked(actor, application_id)
    if intake.get("committee") not in (None, application.committee):
        raise PermissionDenied("网上申请只能在申请人所选的调委会登记",
                               "the applicant chose the committee", field="committee")
    applicant = decrypt(application.id_cipher)
    if not any(role == application.side and inputs.id_number.strip().upper() == applicant
               for inputs, role in intake.get("parties", ())):
        # the person whose mobile and number were checked is a party of what is filed, in
        # the place they applied in (found in review: the form's pre-fill was the only tie)
        raise ApplicationInvalid(
            f"申请人{application.name}（{application.id_masked}）须列为{application.get_side_display()}"
            "一方当事人，身份证号码与申请时一致", "the applicant must be a party",
            field="parties")
    intake.update(committee=application.committee, channel=Channel.PARTY_APPLICATION)
    filed = dispute_intake(actor=actor, **intake)
    if not filed.created:
        raise ApplicationInvalid("该申请对应的纠纷已登记", "already filed", field="application")
    now = clock.now()
    application.status, application.dispute = Application.Status.TAKEN, filed.dispute
    application.decided_by, application.decided_at = actor, now
    application.save(update_fields=["status", "dispute", "decided_by", "decided_at"])
    dispute = Dispute.objects.select_for_update().get(pk=filed.dispute.pk)
    event_append(dispute=dispute, type=events.DISPUTE_FROM_APPLICATION, actor=actor, at=now,
                 state_before=dispute.state, state_after=dispute.state,
                 params={"application": application.number,
                         "files": application.files.count()})
    # sent last, as the signing codes are: nothing after it can refuse
    sms_backend().send(
        decrypt(application.phone_cipher),
        f"【{application.committee.name}】您的调解申请（{application.number}）已登记为"
        f"{dispute.number}，可凭本手机号登录当事人端查看进展。", purpose="portal_application")
    return filed


@transaction.atomic
def application_decline(*, actor: User, application_id: int, reason: str) -> Application:
    """Decline the application with the reason texted to the applicant (People's Mediation
    Law Art. 18: a committee not taking a dispute says so; the applicant may go elsewhere).

    :raises RecordNotFound: not an application the actor handles
    :raises ApplicationInvalid: no reason, or handled already
    """
    application = _locked(actor, application_id)
    why = _text(reason, field="reason", label="不予受理的理由", limit=500)
    application.status, application.decline_reason = Application.Status.DECLINED, why
    application.decided_by, application.decided_at = actor, clock.now()
    application.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
    sms_backend().send(
        decrypt(application.phone_cipher),
        f"【{application.committee.name}】您的调解申请（{application.number}）不予受理，"
        f"理由：{why}。您可以向其他调解组织申请或依法向人民法院起诉。",
        purpose="portal_application")
    return application
