"""The jobs as tasks for the configured backend: in-process by default, a database queue
with ``jintiao manage db_worker`` in production (``JINTIAO_TASKS_BACKEND``)."""

from __future__ import annotations

from django_tasks import task

from jintiao.jobs import checks


@task()
def run_jobs(names: list[str] | None = None) -> dict[str, int]:
    return checks.run(names)
