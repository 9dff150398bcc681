"""Ledger exports too large for the request (issue 19 §3): asked for by a supervisor,
written by a background task to a file with its progress recorded, offered to the one who
asked once every row is in it, removed after ``EXPORT_KEEP_DAYS``.

The export is not a state of any dispute, so it writes no timeline event: the
:class:`~jintiao.supervision.models.LedgerExport` row is its record (who, what filter, when,
how many rows), kept after its file is removed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet

from jintiao import clock, paging
from jintiao.disputes.access import PermissionDenied
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.orgs.models import User
from jintiao.supervision import exports
from jintiao.supervision.models import ExportFormat, ExportState, LedgerExport
from jintiao.supervision.selectors import (
    LEDGER_CHUNK,
    LedgerFilter,
    ledger,
    ledger_chunks,
    may_supervise,
)

log = logging.getLogger(__name__)


class ExportInvalid(DomainError):
    code = ErrorCode.EXPORT_INVALID


def filters_of(want: LedgerFilter) -> dict[str, Any]:
    """A filter as the export keeps it (JSON: dates as ISO text)."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v
            for k, v in dataclasses.asdict(want).items()}


def filter_from(kept: dict[str, Any]) -> LedgerFilter:
    values = dict(kept)
    for key in ("received_from", "received_to"):
        if values.get(key):
            values[key] = dt.date.fromisoformat(values[key])
    return LedgerFilter(**values)


def too_large_to_answer(rows: QuerySet[Any]) -> paging.Counted | None:
    """How many rows ``rows`` (of :func:`ledger`) hold when they are more than one request
    writes (``EXPORT_INLINE_ROWS``): such an export is made in the background; None when
    the request may answer it."""
    counted = paging.capped_count(rows, settings.EXPORT_INLINE_ROWS)
    return counted if counted.estimated else None


def ledger_export_request(viewer: User, want: LedgerFilter, fmt: str) -> LedgerExport:
    """Record an export of the viewer's ledger as filtered and put it on the queue (on the
    in-process backend, ``make run``: write it now). Expired exports' files go first."""
    if not may_supervise(viewer) or viewer.organization is None:
        raise PermissionDenied("只有督导人员可以导出工作台账", "only supervisors export the ledger")
    if fmt not in ExportFormat.values:
        raise ExportInvalid(f"不支持的导出格式：{fmt}", f"unknown export format: {fmt}",
                            field="format")
    ledger_exports_purge()
    with transaction.atomic():
        export = LedgerExport.objects.create(
            requested_by=viewer, node=viewer.organization, filters=filters_of(want),
            format=fmt, requested_at=clock.now())
    from jintiao.supervision import tasks  # the task module imports this one

    result = tasks.ledger_export.enqueue(export.pk)
    LedgerExport.objects.filter(pk=export.pk, task_id="").update(task_id=str(result.id))
    export.refresh_from_db()
    return export


def ledger_export_run(export_id: int, *, chunk: int = LEDGER_CHUNK) -> LedgerExport:
    """Write the export's file: every row of the ledger as it stands now, the rows written
    recorded after each chunk (``chunk`` rows) so its page shows the progress. Run again (a
    worker that died mid-way), it starts over; done, it does nothing. A failure is recorded
    with its reason and no file is offered."""
    export = LedgerExport.objects.select_related("requested_by").get(pk=export_id)
    if export.state == ExportState.DONE:
        return export
    viewer = export.requested_by
    rows = ledger(viewer, filter_from(export.filters))
    export.state, export.started_at, export.error = ExportState.RUNNING, clock.now(), ""
    export.rows_done, export.rows_total = 0, rows.count()
    export.save(update_fields=["state", "started_at", "error", "rows_done", "rows_total"])
    if not may_supervise(viewer) or not viewer.is_active:
        return _failed(export, "导出人已无查看工作台账的权限")

    def progress(done: int) -> None:
        LedgerExport.objects.filter(pk=export.pk).update(rows_done=done)

    temp = Path(settings.VAR_DIR) / "tmp"
    temp.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.NamedTemporaryFile(dir=temp, suffix=f".{export.format}") as out:
            if export.format == ExportFormat.CSV:
                with open(out.name, "w", encoding="utf-8", newline="") as text:
                    done = exports.csv_write(ledger_chunks(rows, chunk), text, progress)
                sheets = 0
            else:
                done, sheets = exports.xlsx_write(ledger_chunks(rows, chunk), out.name,
                                                  title="工作台账", progress=progress)
            stamp = clock.now().strftime("%Y%m%d-%H%M")
            with transaction.atomic():
                with open(out.name, "rb") as written:
                    export.file.save(f"ledger-{stamp}-{export.pk}.{export.format}",
                                     File(written), save=False)
                export.state, export.rows_done, export.sheets = ExportState.DONE, done, sheets
                export.size, export.finished_at = export.file.size, clock.now()
                export.save(update_fields=["file", "state", "rows_done", "sheets", "size",
                                           "finished_at"])
    except Exception as exc:
        log.exception("ledger export %s failed", export.pk)
        _failed(export, f"导出时出错（{type(exc).__name__}），请重新导出；仍不成功请联系管理员")
        raise
    log.info("ledger export %s: %s rows, %s bytes", export.pk, export.rows_done, export.size)
    return export


def _failed(export: LedgerExport, reason: str) -> LedgerExport:
    export.state, export.error, export.finished_at = ExportState.FAILED, reason, clock.now()
    export.save(update_fields=["state", "error", "finished_at"])
    return export


def ledger_exports_purge() -> int:
    """Remove the files of exports older than ``EXPORT_KEEP_DAYS`` (their records stay);
    return how many."""
    before = clock.now() - dt.timedelta(days=settings.EXPORT_KEEP_DAYS)
    purged = 0
    for export in LedgerExport.objects.filter(requested_at__lt=before).exclude(file=""):
        export.file.delete(save=False)
        LedgerExport.objects.filter(pk=export.pk).update(file="")
        purged += 1
    return purged
