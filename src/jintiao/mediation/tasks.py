"""The mediation desk's background task: a batch of acceptances or assignments (issue 20
§4). On the database queue in production (``jintiao worker`` runs it), in-process under
``make run``."""

from __future__ import annotations

from django_tasks import task

from jintiao.mediation import batch


@task()
def batch_run(run_id: int) -> int:
    """Work through the batch; return how many of its disputes were done."""
    run = batch.batch_run_execute(run_id)
    return run.items.filter(status="done").count()
