"""Element-table files through the API (issue 20 §1): the template, the upload, its progress
and per-row results, the report workbook. Thin: disputes.intake_files reads, checks and
files; disputes.access decides who may file where."""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StringConstraints

from jintiao.api.routers.disputes import ERRORS, DisputeId
from jintiao.disputes import element_table, intake_files
from jintiao.disputes.access import RecordNotFound, filing_scope
from jintiao.disputes.models import IntakeFile, IntakeFileState
from jintiao.orgs.models import Organization, User

router = Router(tags=["intake files"])
XLSX_ANSWER = {"responses": {200: {"description": "the workbook, as an attachment", "content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}}}}}}


class IntakeFileIn(Schema):
    institution_id: Annotated[int, Field(ge=1, le=2**53)]
    committee_id: Annotated[int, Field(ge=1, le=2**53, description=(
        "the committee of the rows whose 受理调委会 column is empty"))]
    mode: Annotated[str, StringConstraints(pattern=r"^(valid_only|all_or_nothing)$")] = (
        "valid_only")


class IntakeRowOut(Schema):
    line: int = Field(description="the row's line in the file; the header is line 1")
    outcome: str = Field(description="created, existing, conflict, refused or unsaved, as "
                                     "in POST /disputes/batch")
    dispute_id: int | None
    number: str
    code: str
    message: str
    field: str = Field(description="the column (its Chinese header) the refusal is about")


class IntakeFileOut(Schema):
    id: int
    filename: str
    institution_id: int
    committee_id: int
    mode: str
    state: str = Field(description="queued, checking, writing, done or failed")
    rows_total: int
    rows_done: int = Field(description="rows checked so far")
    counts: dict[str, int] = Field(description="rows by outcome, once done")
    error: str = Field(description="why the file was not processed, when it failed")
    uploaded_at: dt.datetime
    finished_at: dt.datetime | None
    rows: list[IntakeRowOut] | None = Field(description=(
        "each row's result once done (null while the file is processed)"))


def _viewer(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def file_out(upload: IntakeFile) -> IntakeFileOut:
    done = upload.state == IntakeFileState.DONE
    return IntakeFileOut(
        id=upload.pk, filename=upload.filename, institution_id=upload.institution_id,
        committee_id=upload.committee_id,
        mode="all_or_nothing" if upload.all_or_nothing else "valid_only", state=upload.state,
        rows_total=upload.rows_total, rows_done=upload.rows_done, counts=upload.counts or {},
        error=upload.error, uploaded_at=upload.uploaded_at, finished_at=upload.finished_at,
        rows=[IntakeRowOut(**r) for r in intake_files.row_results(upload)] if done else None)


def _file(request: HttpRequest, file_id: int) -> IntakeFile:
    try:
        return intake_files.intake_file_get_for(_viewer(request), file_id)
    except IntakeFile.DoesNotExist:
        raise RecordNotFound("要素表文件不存在或无权查看", "no such intake file") from None


@router.get("/institutions/{institution_id}/intake-template", response={200: None, **ERRORS},
            operation_id="intake_template", openapi_extra=XLSX_ANSWER)
def intake_template(request: HttpRequest, institution_id: DisputeId) -> FileResponse:
    """The element-table template (.xlsx) for an institution the caller may file for."""
    found = filing_scope(_viewer(request)).institutions.filter(pk=institution_id).first()
    if found is None:
        raise RecordNotFound("金融机构不存在或无权为其登记纠纷", "no such institution")
    return FileResponse(io.BytesIO(element_table.template_xlsx(found)), as_attachment=True,
                        filename=f"要素表模板-{found.name}.xlsx")


@router.post("/intake-files", response={201: IntakeFileOut, **ERRORS},
             operation_id="intake_files_upload")
def intake_files_upload(request: HttpRequest, payload: Form[IntakeFileIn],
                        file: File[UploadedFile]) -> Status[IntakeFileOut]:
    """Upload an element-table file (.xlsx, .xls, .ods, or CSV in UTF-8 or GB18030; up to
    50,000 rows). A file that is no element table is refused whole (400
    ``intake_file_invalid``) and nothing is kept. Otherwise its rows are checked and filed
    as ``POST /disputes/batch`` files items — in this request for a small file (``state``
    ``done`` with every row's result), in the background for a large one: follow it with
    ``GET /intake-files/{id}``."""
    viewer = _viewer(request)
    orgs: dict[int, Organization] = Organization.objects.in_bulk(
        [payload.institution_id, payload.committee_id])
    institution, committee = orgs.get(payload.institution_id), orgs.get(payload.committee_id)
    if institution is None or committee is None:
        raise element_table.IntakeFileInvalid(
            "金融机构或受理调委会不存在", "no such institution or committee",
            field="institution_id" if institution is None else "committee_id")
    made = intake_files.intake_file_upload(
        actor=viewer, institution=institution, committee=committee,
        filename=file.name or "要素表", data=file.read(element_table.MAX_BYTES + 1),
        all_or_nothing=payload.mode == "all_or_nothing")
    return Status(201, file_out(made))


@router.get("/intake-files/{file_id}", response={200: IntakeFileOut, **ERRORS},
            operation_id="intake_files_get")
def intake_files_get(request: HttpRequest, file_id: DisputeId) -> IntakeFileOut:
    """A file's progress (``rows_done`` of ``rows_total`` checked) and, once ``done``, what
    became of each row."""
    return file_out(_file(request, file_id))


@router.get("/intake-files/{file_id}/report", response={200: None, **ERRORS},
            operation_id="intake_files_report", openapi_extra=XLSX_ANSWER)
def intake_files_report(request: HttpRequest, file_id: DisputeId) -> Any:
    """The file's own rows with what became of each, as a workbook: to the one who uploaded
    it only (it repeats their file, full numbers included), once done and while the file is
    kept (30 days); 404 otherwise."""
    upload = _file(request, file_id)
    if upload.state != IntakeFileState.DONE or not intake_files.may_download(
            _viewer(request), upload):
        raise RecordNotFound("文件尚未处理完毕，或只有上传人可以下载处理结果",
                             "not processed yet, or not the uploader")
    try:
        data = intake_files.report_xlsx(upload)
    except intake_files.FileGone as gone:
        raise RecordNotFound(gone.message, gone.message_en) from None
    stem = upload.filename.rsplit(".", 1)[0]
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=f"处理结果-{stem}.xlsx")
