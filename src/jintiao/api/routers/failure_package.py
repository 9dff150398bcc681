"""The failure package over HTTP (调解不成移送材料, issue 21 §4): the court's system fetches a
failed dispute's package as one JSON document, validates it against the published schema
and takes each evidence file by its number; the committee's system may make it.

Who may read it is decided in :meth:`jintiao.disputes.access.Standing.may_read_failure_package`
(the committee's desk, the dispute's court): a bank answers 403, a court that does not have
the dispute 404, like any dispute it cannot see.
"""

from __future__ import annotations

import io
from typing import Annotated, Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from jintiao.api.routers.disputes import ERRORS, DisputeId
from jintiao.documents import packages
from jintiao.mediation import selectors as mediation
from jintiao.mediation import services
from jintiao.orgs.models import User

router = Router(tags=["failure package"])


def _viewer(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class PackageInfoOut(Schema):
    version: int
    generated_at: str
    generated_by: str
    committee: str


class PackageDisputeOut(Schema):
    id: int
    number: str
    type: str
    type_label: str
    matter: str
    state: str
    committee: str
    court: str | None
    institution: str | None
    contract_ref: str
    pending_case_number: str
    received_on: str


class PackageMediationOut(Schema):
    committee: str
    started_on: str | None
    ended_on: str | None
    how_ended: str
    reason: str


class PackageRepresentativeOut(Schema):
    role: str
    name: str
    title: str


class PackageAgentOut(Schema):
    name: str
    relation: str
    authority: str


class PackageServiceAddressOut(Schema):
    postal_address: str
    recipient: str
    email: str
    e_service: bool
    signed_at: str


class PackagePartyOut(Schema):
    row: int
    role: str
    role_label: str
    case_role: str
    kind: str
    name: str
    id_type: str
    id_number: str
    phone: str
    sex: str
    birth_date: str | None
    ethnicity: str
    occupation: str
    address: str
    residence: str
    representative: PackageRepresentativeOut | None
    agents: list[PackageAgentOut]
    service_address: PackageServiceAddressOut | None


class PackageClaimPartOut(Schema):
    key: str
    label: str
    amount: str


class PackageClaimOut(Schema):
    as_of: str
    charges_since: str | None
    currency: str
    parts: list[PackageClaimPartOut]
    total: str


class PackageElementOut(Schema):
    key: str
    section: str
    label: str
    value: str
    filled: bool
    source: str
    hint: str
    amounts: dict[str, str]
    facts: list[int]


class PackageComplaintOut(Schema):
    template: str
    title: str
    source: str
    elements: list[PackageElementOut]


class PackageAnswerElementOut(Schema):
    key: str
    section: str
    label: str
    position: str
    facts: list[int]
    note: str


class PackageAnswerOut(Schema):
    title: str
    respondents: list[str]
    debtor_confirmed: bool
    elements: list[PackageAnswerElementOut]


class PackageFactOut(Schema):
    no: int
    text: str
    element: str | None


class PackageConfirmationOut(Schema):
    party: str
    case_role: str
    how: str
    confirmed_at: str


class PackageFactsOut(Schema):
    facts: list[PackageFactOut]
    disputed: str
    none_reason: str
    confirmations: list[PackageConfirmationOut]


class PackageFileOut(Schema):
    kind: str
    id: int
    name: str
    media_type: str
    size: int
    sha256: str
    url: str


class PackageEvidenceOut(Schema):
    no: int
    name: str
    source: str
    proves: str
    pages: int | None
    file: PackageFileOut


class PackageDocumentOut(Schema):
    role: str
    id: int
    kind: str
    title: str
    template_version: str
    pdf_sha256: str
    docx_sha256: str
    pdf_url: str
    docx_url: str


class FailurePackageOut(Schema):
    """The package's JSON exactly as stored and hashed; its schema is published at
    ``/api/v1/schemas/failure-package.json``."""

    schema_id: str = Field(alias="$schema")
    schema_version: str
    package: PackageInfoOut
    dispute: PackageDisputeOut
    mediation: PackageMediationOut
    parties: list[PackagePartyOut]
    claim: PackageClaimOut
    complaint: PackageComplaintOut
    answer: PackageAnswerOut
    undisputed_facts: PackageFactsOut
    evidence: list[PackageEvidenceOut]
    documents: list[PackageDocumentOut]


class FailurePackageIn(Schema):
    """``fact_elements``: undisputed fact number (from 1) → the element key it establishes
    (see the schema's complaint elements); omitted, the latest version's ties are kept
    while the facts are unchanged. ``evidence_notes``: a shared evidence file's id (the
    evidence index's ``file.id``) → what it proves; omitted, the latest version's are kept."""

    fact_elements: dict[Annotated[int, Field(ge=1, le=30)],
                        Annotated[str, Field(max_length=32)]] | None = None
    evidence_notes: dict[Annotated[int, Field(ge=1, le=2**53)],
                         Annotated[str, Field(max_length=200)]] | None = None


class PackageVersion(Schema):
    version: Annotated[int, Field(ge=1, le=2**31)] | None = None


@router.get("/disputes/{dispute_id}/failure-package",
            response={200: FailurePackageOut, **ERRORS}, operation_id="failure_package_get",
            by_alias=True)
def failure_package_get(request: HttpRequest, dispute_id: DisputeId,
                        query: Query[PackageVersion]) -> dict[str, Any]:
    """The dispute's failure package (latest, or ``version``) as one JSON document valid
    against ``/api/v1/schemas/failure-package.json``: the parties' full particulars, the
    claim, the element-style complaint and answer, the undisputed facts, the evidence index
    and the signed documents with their SHA-256. The dispute's court and the committee's
    desk may read it; who read it is on the dispute's timeline."""
    found = packages.failure_package_read(_viewer(request), dispute_id, query.version)
    return found.content  # type: ignore[no-any-return]


@router.post("/disputes/{dispute_id}/failure-package",
             response={201: FailurePackageOut, **ERRORS},
             operation_id="failure_package_generate", by_alias=True)
def failure_package_generate(request: HttpRequest, dispute_id: DisputeId,
                             body: FailurePackageIn) -> Status[dict[str, Any]]:
    """Make the package of a failed loan or card dispute (the committee's desk): a new
    version when the case changed since the last, else the last one."""
    made = services.failure_package_generate(actor=_viewer(request), dispute_id=dispute_id,
                                             fact_elements=body.fact_elements,
                                             evidence_notes=body.evidence_notes)
    return Status(201, made.content)


BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get("/disputes/{dispute_id}/failure-package/files/{no}",
            response={200: None, **ERRORS}, operation_id="failure_package_file",
            openapi_extra={"responses": {200: {"description": "证据文件", "content": {
                "application/pdf": BINARY, "image/jpeg": BINARY, "image/png": BINARY,
                "application/octet-stream": BINARY}}}})
def failure_package_file(request: HttpRequest, dispute_id: DisputeId,
                         no: Annotated[int, Field(ge=1, le=10_000)],
                         query: Query[PackageVersion]) -> FileResponse:
    """Evidence item ``no`` of the package's evidence index, checked against the SHA-256 the
    package records (409 ``record_altered`` when the stored file no longer matches)."""
    found = mediation.failure_package_file(_viewer(request), dispute_id, no, query.version)
    return FileResponse(io.BytesIO(found.data), as_attachment=True, filename=found.name,
                        content_type=found.media_type)


class PackageListItemOut(Schema):
    id: int
    dispute_id: int
    number: str
    court: str | None
    version: int
    template: str
    created_at: str
    content_sha256: str
    url: str


class PackageListOut(Schema):
    items: list[PackageListItemOut]
    next_after: int = Field(description="下次读取时作 after：本页最后一份的 id（无新材料时不变）")


class PackageListQuery(Schema):
    after: Annotated[int, Field(ge=0, le=2**53, description=(
        "只列出 id 大于此值的移送材料（上次读取的 next_after）"))] = 0
    limit: Annotated[int, Field(ge=1, le=200)] = 50


@router.get("/failure-packages", response={200: PackageListOut, **ERRORS},
            operation_id="failure_packages_list")
def failure_packages_list(request: HttpRequest,
                          query: Query[PackageListQuery]) -> PackageListOut:
    """The failure packages made since ``after`` that the caller may read (a court: its
    disputes'; a committee: its own), oldest first, each version once: a court's system
    polls this, then fetches each package by its ``url``."""
    found = packages.failure_packages_after(_viewer(request), query.after, query.limit)
    return PackageListOut(items=[PackageListItemOut(
        id=p.pk, dispute_id=p.dispute_id, number=p.dispute.number,
        court=p.dispute.court.name if p.dispute.court else None, version=p.version,
        template=p.template, created_at=p.created_at.isoformat(),
        content_sha256=p.content_sha256,
        url=f"/api/v1/disputes/{p.dispute_id}/failure-package?version={p.version}")
        for p in found], next_after=found[-1].pk if found else query.after)


class JsonSchemaOut(Schema):
    """A JSON Schema document (draft 2020-12): the keywords at its top; the rest is the
    schema itself, served as the file is."""

    schema_dialect: str = Field(alias="$schema")
    schema_id: str = Field(alias="$id")
    title: str
    description: str
    type: str
    required: list[str]
    properties: dict[str, Any]
    defs: dict[str, Any] = Field(alias="$defs")


@router.get("/schemas/failure-package.json", auth=None, response={200: JsonSchemaOut},
            operation_id="schemas_failure_package", by_alias=True)
def failure_package_schema(request: HttpRequest) -> HttpResponse:
    """The published JSON Schema (draft 2020-12) of the failure package, version 1, for the
    courts' systems to validate what they fetch. Public: it holds no data."""
    return HttpResponse(packages.SCHEMA_FILE.read_bytes(),
                        content_type="application/json; charset=utf-8")
