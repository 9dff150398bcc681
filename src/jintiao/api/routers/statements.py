"""A party's signed statements over HTTP: the 送达地址确认书 and the joint application for
judicial confirmation, signed with a code on the signer's phone or recorded as signed on
paper at the desk; and, per applicant, where the application stands for a court."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field, StrictBool

from jintiao.agreements import selectors as agreements
from jintiao.api.routers.disputes import ERRORS, DisputeId
from jintiao.api.schemas import Id, Moment, text
from jintiao.confirmation import joint
from jintiao.disputes.access import RecordNotFound, dispute_get_for
from jintiao.disputes.models import DisputeParty, Statement
from jintiao.documents import statements
from jintiao.orgs.models import Organization, User

router = Router(tags=["statements"])
StatementId = Annotated[int, Path(ge=1, le=2**53)]


class StatementOut(Schema):
    id: int
    kind: str
    party_row_id: int
    signer_name: str
    how: str  # code | desk
    digest: str  # SHA-256 of the content the signature binds
    phone_masked: str  # where the code went ("" for a paper signature)
    expires_at: Moment | None
    signed_at: Moment | None


class ServiceAddressIn(Schema):
    party_row_id: Id
    postal_address: text(300, min_length=1)  # type: ignore[valid-type]
    recipient: text(100) = ""  # type: ignore[valid-type]
    email: text(254) = ""  # type: ignore[valid-type]
    e_service: StrictBool = False
    at_desk: StrictBool = Field(False, description="signed on paper at the desk (the desk "
                                "only); otherwise a code goes to the signer's phone")


class JointSignatureIn(Schema):
    party_row_id: Id
    court_id: Id
    at_desk: StrictBool = False


class StatementSignIn(Schema):
    code: Annotated[str, Field(pattern=r"^\s*\d{6}\s*$")]


class ApplicantOut(Schema):
    party_row_id: int
    name: str
    role: str
    service_address: StatementOut | None
    signature: StatementOut | None


class JointApplicationOut(Schema):
    court_id: int
    court: str
    applicants: list[ApplicantOut]
    ready: bool  # every applicant signed and confirmed an address: it may be filed


def _out(s: Statement) -> StatementOut:
    return StatementOut.model_validate({
        "id": s.pk, "kind": s.kind, "party_row_id": s.party_row_id,
        "signer_name": s.signer_name, "how": s.how, "digest": s.digest,
        "phone_masked": s.phone_masked, "expires_at": s.expires_at, "signed_at": s.signed_at})


@router.post("/disputes/{dispute_id}/service-address", response={201: StatementOut, **ERRORS},
             operation_id="statements_service_address")
def statements_service_address(request: HttpRequest, dispute_id: DisputeId,
                               payload: ServiceAddressIn) -> Status[StatementOut]:
    """A party's 送达地址确认书: a code to the signer's phone (the party or its
    representative, the bank's agent for the bank), or ``at_desk`` for a paper signature
    the desk records."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    dispute = dispute_get_for(viewer, dispute_id)
    row = DisputeParty.objects.select_related("party", "dispute").filter(
        pk=payload.party_row_id, dispute=dispute).first()
    if row is None:
        raise statements.StatementInvalid("所选当事人不属于该纠纷", "not a party",
                                          field="party_row_id")
    content = statements.service_address_content(
        row, postal_address=payload.postal_address, e_service=payload.e_service,
        email=payload.email, recipient=payload.recipient)
    kind = Statement.Kind.SERVICE_ADDRESS
    made = (statements.statement_record_at_desk if payload.at_desk
            else statements.statement_code_send)(
        actor=viewer, dispute_id=dispute.pk, party_row_id=row.pk, kind=kind, content=content)
    return Status(201, _out(made))


@router.post("/disputes/{dispute_id}/joint-application/signatures",
             response={201: StatementOut, **ERRORS},
             operation_id="statements_joint_application_sign")
def statements_joint_application_sign(request: HttpRequest, dispute_id: DisputeId,
                                      payload: JointSignatureIn) -> Status[StatementOut]:
    """One applicant's signature of the joint application to ``court_id``: a code to the
    signer's phone, then ``POST /statements/{id}/sign``; or ``at_desk`` (the desk only)."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    call = joint.record_at_desk if payload.at_desk else joint.code_send
    made = call(actor=viewer, dispute_id=dispute_id, party_row_id=payload.party_row_id,
                court_id=payload.court_id)
    return Status(201, _out(made))


@router.post("/statements/{statement_id}/sign", response={200: StatementOut, **ERRORS},
             operation_id="statements_sign")
def statements_sign(request: HttpRequest, statement_id: StatementId,
                    payload: StatementSignIn) -> StatementOut:
    """Sign a statement with the code its signer's phone received (a wrong code is counted;
    five end the code)."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    found = Statement.objects.filter(pk=statement_id).values_list(
        "party_row__dispute_id", flat=True).first()
    if found is None:
        raise RecordNotFound("文书不存在或无权查看", "no such statement")
    dispute_get_for(viewer, found)
    return _out(statements.statement_sign(actor=viewer, statement_id=statement_id,
                                          code=payload.code,
                                          client_ip=request.META.get("REMOTE_ADDR", "")))


class CourtQuery(Schema):
    court_id: Annotated[int, Field(ge=1, le=2**53)]  # a query string: lax, unlike bodies


@router.get("/disputes/{dispute_id}/joint-application",
            response={200: JointApplicationOut, **ERRORS},
            operation_id="statements_joint_application")
def statements_joint_application(request: HttpRequest, dispute_id: DisputeId,
                                 query: Query[CourtQuery]) -> JointApplicationOut:
    """Where the application to ``court_id`` stands: each applicant's address for service
    and signature."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    dispute = dispute_get_for(viewer, dispute_id)
    agreement = agreements.effective(dispute)
    court = Organization.objects.filter(pk=query.court_id).first()
    if agreement is None or court is None:
        raise joint.JointApplicationInvalid("没有生效的调解协议或法院不存在",
                                            "no effective agreement or no such court")
    signed = joint.signatures(dispute, agreement, court)
    served = joint.addresses(dispute, list(signed))
    names = {int(p["row"]): (p["name"], p["role"]) for p in agreement.content["parties"]}
    applicants = []
    for row, s in signed.items():
        address = served.get(row)
        applicants.append({"party_row_id": row, "name": names[row][0], "role": names[row][1],
                           "service_address": _out(address) if address else None,
                           "signature": _out(s) if s else None})
    return JointApplicationOut.model_validate({
        "court_id": court.pk, "court": court.name, "applicants": applicants,
        "ready": all(a["service_address"] and a["signature"] for a in applicants)})
