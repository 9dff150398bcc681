"""When each periodic job runs: times of day in Asia/Shanghai, per job, and the slot a
scheduler must make sure is queued at a given instant.

A *slot* is one planned run: a job and the local date and time it is planned for. At any
instant a job's current slot is the latest planned time not in the future; a scheduler that
was down at 09:00 and comes back at 11:00 still queues the 09:00 run (once), but not the
runs of days it missed (``jintiao jobs run --date`` replays those).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jintiao import clock
from jintiao.jobs.conf import JobsConfigInvalid, schedule_text

# In the day's order: the night's bookkeeping first, then the work that texts people or
# institutions inside contact hours; reminders go out before the review may find a dispute
# defaulted (as ``jintiao jobs run`` orders them), and again in the afternoon for committees
# whose contact hours start late (a reminder is sent once whichever run sends it).
DEFAULT_SCHEDULE: dict[str, tuple[dt.time, ...]] = {
    "figures": (dt.time(0, 30),),
    "checkpoints": (dt.time(0, 45),),
    "deadlines": (dt.time(1, 0),),
    "follow_ups": (dt.time(8, 30),),
    "reminders": (dt.time(9, 0), dt.time(15, 0)),
    "performance": (dt.time(10, 0),),
    "credit_repairs": (dt.time(10, 30),),
}


@dataclass(frozen=True)
class Slot:
    job: str
    at: dt.datetime  # aware, Asia/Shanghai

    @property
    def day(self) -> dt.date:
        """The business day the run is for: the slot's own date, even if a worker reaches it
        after midnight."""
        return self.at.astimezone(clock.TZ).date()


def _time(job: str, text: str) -> dt.time:
    try:
        hours, minutes = text.strip().split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise JobsConfigInvalid(f"定时任务{job}的时间应为HH:MM：{text}",
                                f"time for job {job} must be HH:MM: {text}") from None


def parse(text: str, jobs: list[str]) -> dict[str, tuple[dt.time, ...]]:
    """Read ``JINTIAO_SCHEDULE`` over the defaults: ``job=HH:MM[,HH:MM…]`` entries separated
    by ``;``, ``job=off`` for a job the deployment runs otherwise (or not at all). Only the
    jobs in ``jobs`` are scheduled (a default for a job not registered is dropped).

    :raises JobsConfigInvalid: an unknown job or a time that is not HH:MM
    """
    table = {job: times for job, times in DEFAULT_SCHEDULE.items() if job in jobs}
    for entry in filter(None, (e.strip() for e in text.split(";"))):
        job, sep, value = entry.partition("=")
        job = job.strip()
        if not sep or job not in jobs:
            raise JobsConfigInvalid(
                f"JINTIAO_SCHEDULE中无法识别的定时任务：{entry}（可用：{'、'.join(jobs)}）",
                f"JINTIAO_SCHEDULE: unknown job in {entry!r} (known: {', '.join(jobs)})")
        if value.strip().lower() == "off":
            table.pop(job, None)
            continue
        table[job] = tuple(sorted({_time(job, t) for t in value.split(",") if t.strip()}))
        if not table[job]:
            raise JobsConfigInvalid(f"定时任务{job}没有给出时间：{entry}",
                                    f"no time given for job {job}: {entry!r}")
    return table


def configured(jobs: list[str]) -> dict[str, tuple[dt.time, ...]]:
    return parse(schedule_text(), jobs)


def current_slot(job: str, times: tuple[dt.time, ...], now: dt.datetime) -> Slot:
    """The latest planned run of ``job`` at or before ``now``."""
    local = now.astimezone(clock.TZ)
    candidates = [dt.datetime.combine(local.date() - dt.timedelta(days=back), t, clock.TZ)
                  for back in (0, 1) for t in times]
    return Slot(job, max(c for c in candidates if c <= local))


def due(table: dict[str, tuple[dt.time, ...]], now: dt.datetime) -> list[Slot]:
    """Every scheduled job's current slot, in the order of their times of day."""
    slots = [current_slot(job, times, now) for job, times in table.items() if times]
    return sorted(slots, key=lambda s: (s.at, s.job))


def next_run(times: tuple[dt.time, ...], now: dt.datetime) -> dt.datetime:
    """The next planned time after ``now`` (for the status page)."""
    local = now.astimezone(clock.TZ)
    return min(c for back in (0, 1) for t in times
               if (c := dt.datetime.combine(local.date() + dt.timedelta(days=back), t,
                                            clock.TZ)) > local)
