"""The background task that sends a batch of standard plan menus (issue 20 §5). On the
database queue in production (``jintiao worker`` runs it), in-process under ``make run``."""

from __future__ import annotations

from django_tasks import task

from jintiao.portfolio import batch


@task()
def menu_run(run_id: int) -> int:
    """Send the batch's menus; return how many disputes were sent one."""
    run = batch.menu_run_execute(run_id)
    return run.items.filter(status="done").count()
