"""The background task of a batch acceptance that texts the options notice (issue 20 §4).
On the database queue in production (``jintiao worker`` runs it), in-process under
``make run``."""

from __future__ import annotations

from django_tasks import task

from jintiao.outreach import batch


@task()
def accept_run(run_id: int) -> int:
    """Accept and notify the batch's disputes; return how many were accepted."""
    run = batch.accept_run_execute(run_id)
    return run.items.filter(status="done").count()
