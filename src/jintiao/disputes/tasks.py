"""Disputes' background task: filing the rows of a large element-table file (issue 20 §1).
On the database queue in production (``jintiao worker`` runs it), in-process under
``make run``."""

from __future__ import annotations

from django_tasks import task

from jintiao.disputes import intake_files


@task()
def intake_file(file_id: int) -> int:
    """Check and file the file's rows; return how many were read."""
    return intake_files.intake_file_run(file_id).rows_done
