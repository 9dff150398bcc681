"""Queue every dispute that already has events, so its figures are built on first use."""

from typing import Any

from django.db import migrations
from django.db.models import Max


def queue(apps: Any, schema_editor: Any) -> None:
    Event = apps.get_model("timeline", "Event")
    FiguresBacklog = apps.get_model("timeline", "FiguresBacklog")
    last = Event.objects.values("dispute_id").annotate(last=Max("seq")).values_list(
        "dispute_id", "last")
    FiguresBacklog.objects.bulk_create(
        [FiguresBacklog(dispute_id=d, seq=s) for d, s in last.iterator()], batch_size=2000,
        ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("timeline", "0002_figuresbacklog"),
    ]

    operations = [
        migrations.RunPython(queue, migrations.RunPython.noop),
    ]
