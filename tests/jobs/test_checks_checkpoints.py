"""The daily checkpoint job: one signed checkpoint a day by the system, whatever runs it
twice (a worker's task taken up again, cron beside the scheduler); an operator's checkpoint
on demand does not stand in for it."""

from __future__ import annotations

import datetime as dt

from jintiao import clock
from jintiao.jobs import runs
from jintiao.orgs.services import system_actor
from jintiao.timeline.checkpoints import checkpoint_create
from jintiao.timeline.models import Checkpoint


def test_the_days_checkpoint_is_signed_once(cases):
    with clock.pinned(dt.datetime(2027, 1, 17, 0, 45, tzinfo=clock.TZ)):
        checkpoint_create()  # on demand, by an operator: not the day's
        assert runs.jobs_run(["checkpoints"]) == {"checkpoints": 2}  # both disputes' heads
        assert runs.jobs_run(["checkpoints"]) == {"checkpoints": 0}
    assert Checkpoint.objects.count() == 2
    assert Checkpoint.objects.filter(created_by=system_actor()).count() == 1
    with clock.pinned(dt.datetime(2027, 1, 18, 0, 45, tzinfo=clock.TZ)):
        assert runs.jobs_run(["checkpoints"]) == {"checkpoints": 2}  # the next day's
    assert Checkpoint.objects.filter(created_by=system_actor()).count() == 2
