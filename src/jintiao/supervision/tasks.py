"""Supervision's background task: writing a large ledger export (issue 19 §3). On the
database queue in production (``jintiao worker`` runs it), in-process under ``make run``."""

from __future__ import annotations

from django_tasks import task

from jintiao.supervision import ledger_exports


@task()
def ledger_export(export_id: int) -> int:
    """Write the export's file; return the rows written."""
    return ledger_exports.ledger_export_run(export_id).rows_done
