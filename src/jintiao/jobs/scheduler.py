"""``jintiao scheduler``: queue each periodic job at its time of day, once per slot however
many schedulers run.

Each tick claims every job's current slot (:func:`jintiao.jobs.schedule.due`) with a unique
row (:class:`SlotClaim`); the claim and the task's row are written in one transaction on
the database queue, so a slot is either claimed and queued or neither, and a second
scheduler on another host finds the row and moves on. On the in-process backend the job runs
right after the claim commits, in the scheduler's own process. Each tick also takes up the
tasks of dead workers (:func:`jintiao.jobs.leases.leases_recover`).
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from jintiao import clock
from jintiao.jobs import runs, schedule, tasks
from jintiao.jobs.leases import leases_recover
from jintiao.jobs.models import SlotClaim

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Queued:
    slot: schedule.Slot
    task_id: str


def slot_claim(slot: schedule.Slot, by: str) -> Queued | None:
    """Claim ``slot`` and queue its job; None when another scheduler has claimed it."""
    on_queue = isinstance(tasks.TASKS[slot.job].get_backend(), DatabaseBackend)
    try:
        with transaction.atomic():
            claim = SlotClaim.objects.create(job=slot.job, slot=slot.at, claimed_by=by[:128],
                                             claimed_at=timezone.now())
            if on_queue:
                claim.task_id = str(tasks.enqueue(slot.job, day=slot.day, slot=slot.at).id)
                claim.save(update_fields=["task_id"])
    except IntegrityError:
        return None
    if not on_queue:  # in-process: the job runs here, outside the claim's transaction
        claim.task_id = str(tasks.enqueue(slot.job, day=slot.day, slot=slot.at).id)
        SlotClaim.objects.filter(pk=claim.pk).update(task_id=claim.task_id)
    return Queued(slot, claim.task_id)


def tick(now: dt.datetime | None = None, *, only: list[str] | None = None,
         by: str = "") -> list[Queued]:
    """One pass: recover dead workers' tasks, then claim and queue every due slot (of the
    ``only`` jobs, when given); return what this pass queued.

    :raises JobsConfigInvalid: ``JINTIAO_SCHEDULE`` cannot be read
    :raises JobInvalid: an unknown job in ``only``
    """
    wanted = runs.names_checked(only)
    table = schedule.configured(runs.job_names())
    leases_recover()
    queued = []
    for slot in schedule.due(table, now or clock.now()):
        if slot.job in wanted and (done := slot_claim(slot, by or runs.process_name())):
            queued.append(done)
    return queued


class Loop:
    """The long-running scheduler: a tick every ``interval`` seconds until SIGTERM/SIGINT."""

    def __init__(self, interval: float, report: Callable[[list[Queued]], None],
                 only: list[str] | None = None) -> None:
        self.interval = interval
        self.report = report
        self.only = only
        self.stopping = False

    def stop(self, signum: int, frame: FrameType | None) -> None:
        log.info("scheduler: %s, stopping", signal.strsignal(signum))
        self.stopping = True

    def pause(self) -> None:
        """Wait for the next tick in short sleeps, so a stop is heard within a second."""
        until = time.monotonic() + self.interval
        while not self.stopping and (left := until - time.monotonic()) > 0:
            time.sleep(min(left, 0.5))

    def run(self) -> None:
        before = {s: signal.signal(s, self.stop) for s in (signal.SIGTERM, signal.SIGINT)}
        by = runs.process_name()
        try:
            while not self.stopping:
                close_old_connections()
                try:
                    self.report(tick(only=self.only, by=by))
                except Exception:  # the database is away: the next tick tries again
                    log.exception("scheduler tick failed")
                close_old_connections()
                self.pause()
        finally:
            for signum, handler in before.items():
                signal.signal(signum, handler)
