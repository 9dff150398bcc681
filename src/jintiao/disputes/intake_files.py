"""A bank's element-table file from upload to its per-row report (issue 20 §1).

The upload is read at once, so that a file that is no element table (another format, the
required columns missing, too many rows) is refused in the request with its reason and
nothing is kept. A readable file is stored and its rows checked and filed by the batch
intake (:func:`intake_batch.dispute_intake_many`): in the request when it is small, by the
task queue otherwise (``jintiao worker``; in-process under ``make run``), its progress kept
on the record for the page and the API to poll. The report is the file's own rows with what
became of each, as a workbook or as JSON.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet

from jintiao import clock
from jintiao.disputes import element_table
from jintiao.disputes.access import PermissionDenied, may_file
from jintiao.disputes.intake_batch import (
    OUTCOME_LABELS,
    ItemResult,
    Outcome,
    dispute_intake_many,
    outcome_counts,
)
from jintiao.disputes.models import IntakeFile, IntakeFileState
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.domain.lifecycle import Role
from jintiao.domain.tables import cell_text
from jintiao.orgs.models import INSTITUTION_KINDS, Organization, OrgKind, User
from jintiao.orgs.selectors import user_roles
from jintiao.parties import crypto

log = logging.getLogger(__name__)

# how long an uploaded file (every party's numbers in the clear) is kept for its report
RETENTION_DAYS = 30
RESULT_FIELDS = ("line", "outcome", "dispute_id", "number", "code", "message", "field")


def intake_file_upload(*, actor: User, institution: Organization, committee: Organization,
                       filename: str, data: bytes, all_or_nothing: bool) -> IntakeFile:
    """Take an element-table file for ``institution`` at ``committee`` (the committee of the
    rows that name none), refuse it whole if it cannot be read as one, and file its rows —
    now when it is small, else on the task queue.

    :raises PermissionDenied: the actor may not file at this committee for this institution
    :raises IntakeFileInvalid: not a workbook or CSV, unreadable, without the required
        columns or rows, or too large (nothing is kept)
    """
    if institution.kind not in INSTITUTION_KINDS or committee.kind != OrgKind.COMMITTEE:
        raise element_table.IntakeFileInvalid("请选择金融机构和受理调委会",
                                              "an institution and a committee are needed",
                                              field="committee")
    if not may_file(actor, committee, institution):
        raise PermissionDenied("无权向该调委会登记纠纷或代表该金融机构申请",
                               "not allowed to file at this committee or for this institution")
    table = element_table.read_table(data, filename)
    intake_files_purge()
    name = (filename.replace("\\", "/").rsplit("/", 1)[-1] or "要素表")[:200]
    with transaction.atomic():
        upload = IntakeFile(institution=institution, committee=committee, uploaded_by=actor,
                            filename=name, all_or_nothing=all_or_nothing,
                            rows_total=len(table.rows), uploaded_at=clock.now())
        # kept encrypted: every row holds full identity, card and phone numbers
        upload.file.save(f"{clock.now():%Y%m%d-%H%M%S}{_suffix(name)}.enc",
                         ContentFile(crypto.encrypt_bytes(data)), save=False)
        upload.save()
    if len(table.rows) <= settings.INTAKE_FILE_INLINE_ROWS:
        return intake_file_run(upload.pk)
    from jintiao.disputes import tasks  # the task module imports this one

    result = tasks.intake_file.enqueue(upload.pk)
    IntakeFile.objects.filter(pk=upload.pk, task_id="").update(task_id=str(result.id))
    upload.refresh_from_db()
    return upload


def _kept(upload: IntakeFile) -> bytes:
    """The uploaded file as the bank sent it, decrypted (one kept before files were
    encrypted is read as it was stored, until its keeping ends)."""
    with upload.file.open("rb") as stored:
        data: bytes = stored.read()
    if not (upload.file.name or "").endswith(".enc"):
        return data
    return crypto.decrypt_bytes(data)


def _suffix(name: str) -> str:
    lowered = name.lower()
    return next((e for e in element_table.EXTENSIONS if lowered.endswith(e)), ".bin")


def intake_file_run(file_id: int) -> IntakeFile:
    """Check and file the rows of an uploaded file, recording the progress as the checks go
    and each row's result at the end. Done, it does nothing; a failure is recorded with its
    reason (the write is one transaction: nothing of a failed file is filed)."""
    upload = IntakeFile.objects.select_related("institution", "committee", "uploaded_by").get(
        pk=file_id)
    if upload.state in (IntakeFileState.DONE, IntakeFileState.FAILED):
        return upload
    upload.state, upload.started_at, upload.rows_done = (IntakeFileState.CHECKING,
                                                         clock.now(), 0)
    upload.save(update_fields=["state", "started_at", "rows_done"])
    actor = upload.uploaded_by
    if not actor.is_active:
        return _failed(upload, "上传人的账号已停用")

    def progress(done: int) -> None:
        state = IntakeFileState.WRITING if done >= upload.rows_total else IntakeFileState.CHECKING
        IntakeFile.objects.filter(pk=upload.pk).update(rows_done=min(done, upload.rows_total),
                                                       state=state)

    try:
        table = element_table.read_table(_kept(upload), upload.filename)
        context = element_table.Context.of(upload.institution, upload.committee)
        items = element_table.requests_of(table, context)
        results = dispute_intake_many(actor=actor, all_or_nothing=upload.all_or_nothing,
                                      items=items, progress=progress)
    except Exception as exc:
        log.exception("intake file %s failed", upload.pk)
        _failed(upload, f"处理时出错（{type(exc).__name__}），未登记任何纠纷；请重新上传，"
                        "仍不成功请联系管理员")
        raise
    upload.results = [[table.lines[r.index], *_entry(r, items[r.index])] for r in results]
    upload.counts = outcome_counts(results)
    upload.state, upload.rows_done, upload.finished_at = (IntakeFileState.DONE,
                                                          len(results), clock.now())
    upload.save(update_fields=["results", "counts", "state", "rows_done", "finished_at"])
    log.info("intake file %s: %s", upload.pk, upload.counts)
    return upload


def _entry(r: ItemResult, item: object) -> list[Any]:
    """A row's result as kept: what a refusal is about named by its column."""
    error = r.error
    return [r.outcome.value, r.dispute.pk if r.dispute else None,
            r.dispute.number if r.dispute else "", str(error.code) if error else "",
            error.message if error else "",
            element_table.column_of(item, error.details) if error else ""]


def _failed(upload: IntakeFile, reason: str) -> IntakeFile:
    upload.state, upload.error, upload.finished_at = (IntakeFileState.FAILED, reason,
                                                      clock.now())
    upload.save(update_fields=["state", "error", "finished_at"])
    return upload


def row_results(upload: IntakeFile) -> list[dict[str, Any]]:
    """Each row's result as the API answers it; ``line`` is the row's line in the file
    (the header is line 1; an empty line keeps its number)."""
    return [dict(zip(RESULT_FIELDS, entry, strict=True)) for entry in upload.results]


def report_xlsx(upload: IntakeFile) -> bytes:
    """The report: the file's own columns and rows, each with its result, the dispute's
    number and, for a row not filed, why — the refused rows coloured, so that the bank can
    correct them in this workbook and upload it again. Every cell is text as it was given:
    one a spreadsheet would take for a formula is marked as text (quote prefix), its
    content unchanged, so that the report uploaded again is the same rows.

    :raises FileGone: the uploaded file is past its keeping
    """
    import xlsxwriter

    if not upload.file:
        raise FileGone(f"上传的文件已超过保留期限（{RETENTION_DAYS}天）并删除；逐行结果仍可查看",
                       "the uploaded file was deleted after its retention period")
    table = element_table.read_table(_kept(upload), upload.filename)
    temp = Path(settings.VAR_DIR) / "tmp"
    temp.mkdir(parents=True, exist_ok=True)
    out = tempfile.NamedTemporaryFile(dir=temp, suffix=".xlsx")
    # row by row in constant memory (the report of a 50,000-row file held whole was
    # hundreds of megabytes in the request), strings inline as written
    book = xlsxwriter.Workbook(out.name, {"constant_memory": True, "tmpdir": str(temp),
                                          "strings_to_formulas": False,
                                          "strings_to_numbers": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF",
                            "border": 1, "quote_prefix": True})
    bad = book.add_format({"bg_color": "#FCE4D6", "quote_prefix": True})
    plain = book.add_format({"quote_prefix": True})
    sheet = book.add_worksheet("处理结果")
    headers = ["处理结果", "纠纷编号", "说明", *table.headers]
    sheet.freeze_panes(1, 3)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 2, 50)
    sheet.set_column(3, len(headers), 16)
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, head)
    for at, (row, entry) in enumerate(zip(table.rows, row_results(upload), strict=False), 1):
        outcome = Outcome(entry["outcome"])
        refused = outcome in (Outcome.REFUSED, Outcome.CONFLICT, Outcome.UNSAVED)
        message, field = entry["message"], entry["field"]
        reason = message if not field or field in message else f"{field}：{message}"
        sheet.write_string(at, 0, str(OUTCOME_LABELS[outcome]), bad if refused else plain)
        sheet.write_string(at, 1, entry["number"], plain)
        sheet.write_string(at, 2, reason, plain)
        for col, value in enumerate(row, start=3):
            sheet.write_string(at, col, cell_text(value), plain)
    with out:
        book.close()
        return Path(out.name).read_bytes()


class FileGone(DomainError):
    code = ErrorCode.INTAKE_FILE_INVALID


def may_download(viewer: User, upload: IntakeFile) -> bool:
    """The report repeats the file as uploaded, full identity numbers and phones included:
    only the one who uploaded it (who had them) downloads it; others who follow the file
    see each row's result, which names no number."""
    return upload.uploaded_by_id == viewer.pk


def intake_files_purge(now: dt.datetime | None = None) -> int:
    """Delete the uploaded files older than :data:`RETENTION_DAYS` (their rows' results stay);
    return how many. The file holds every party's full numbers in the clear."""
    cutoff = (now or clock.now()) - dt.timedelta(days=RETENTION_DAYS)
    gone = 0
    for upload in IntakeFile.objects.filter(uploaded_at__lt=cutoff).exclude(file=""):
        if upload.in_progress:
            continue
        upload.file.delete(save=False)
        IntakeFile.objects.filter(pk=upload.pk).update(file="")
        gone += 1
    return gone


def intake_files_of(viewer: User) -> QuerySet[IntakeFile]:
    """The files the viewer may follow: those they uploaded, and an institution's agent those
    of the institution and its branches; newest first."""
    files = IntakeFile.objects.select_related("institution", "committee").order_by(
        "-uploaded_at", "-pk")
    node = viewer.organization
    if viewer.is_superuser:
        return files
    mine = Q(uploaded_by=viewer)
    if node is not None and Role.AGENT in user_roles(viewer):
        mine |= Q(institution__path__startswith=node.path)
    return files.filter(mine)


def intake_file_get_for(viewer: User, file_id: int) -> IntakeFile:
    """One file the viewer may follow.

    :raises IntakeFile.DoesNotExist: no such file, or not the viewer's to see
    """
    return intake_files_of(viewer).get(pk=file_id)
