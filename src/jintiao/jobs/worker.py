"""``jintiao worker``: django-tasks-db's own worker loop with a lease.

The loop, the claim (``SELECT … FOR UPDATE SKIP LOCKED``; an exclusive transaction on
SQLite) and the graceful stop on SIGTERM are django-tasks-db's. Added here: a heartbeat
thread that renews this worker's lease every third of the lease and, on each beat, takes
up the tasks of workers that died (:mod:`jintiao.jobs.leases`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from django.db import DatabaseError, close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.jobs import conf
from jintiao.jobs.leases import lease_beat, lease_register, lease_release, leases_recover

log = logging.getLogger(__name__)


class NoQueue(DomainError):
    code = ErrorCode.PERFORMANCE_INVALID


def database_backend(alias: str = "default") -> DatabaseBackend:
    """The database queue the worker serves.

    :raises NoQueue: the backend is not django-tasks-db's (the in-process default)
    """
    backend = task_backends[alias]
    if not isinstance(backend, DatabaseBackend):
        raise NoQueue(
            "任务后端不是数据库队列，无需工作进程：请设置 "
            "JINTIAO_TASKS_BACKEND=django_tasks_db.DatabaseBackend",
            "the task backend is not the database queue; set "
            "JINTIAO_TASKS_BACKEND=django_tasks_db.DatabaseBackend")
    return backend


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"


class Heartbeat(threading.Thread):
    """Renews the lease and recovers dead workers' tasks, on its own connection."""

    def __init__(self, worker: LeasedWorker, every: float) -> None:
        super().__init__(name=f"heartbeat-{worker.worker_id}", daemon=True)
        self.worker = worker
        self.every = every
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.every):
                self.beat()
        finally:
            connection.close()  # this thread's own

    def beat(self) -> None:
        try:
            close_old_connections()
            lease_beat(self.worker.worker_id, self.worker.current)
            leases_recover()
        except DatabaseError:  # the database is away or locked: the next beat tries again
            log.warning("worker %s: heartbeat not written", self.worker.worker_id,
                        exc_info=True)


class LeasedWorker(Worker):
    """A django-tasks-db worker whose running task is leased through its heartbeat."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.current = ""

    def run(self) -> None:
        lease_register(self.worker_id)
        leases_recover()
        heartbeat = Heartbeat(self, every=max(conf.lease().total_seconds() / 3, 0.2))
        heartbeat.start()
        try:
            super().run()
        finally:
            heartbeat.stopping.set()
            heartbeat.join(timeout=5)
            try:
                lease_release(self.worker_id)
            except DatabaseError:  # the lease then expires on its own
                log.warning("worker %s: lease not released", self.worker_id)

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        self.current = str(db_task_result.pk)
        try:
            lease_beat(self.worker_id, self.current)
            super().run_task(db_task_result)
        finally:
            self.current = ""


def worker_run(*, queues: list[str], interval: float = 1.0, batch: bool = False,
               max_tasks: int | None = None, worker_id: str = "",
               backend: str = "default") -> None:
    """Serve the queue until stopped (SIGTERM finishes the task in hand first), or until it
    is empty with ``batch``.

    :raises NoQueue: the configured backend is not the database queue
    """
    database_backend(backend)
    LeasedWorker(queue_names=queues, interval=interval, batch=batch, backend_name=backend,
                 startup_delay=not batch, max_tasks=max_tasks,
                 worker_id=worker_id or new_worker_id(), excluded_queue_names=[]).run()
