"""Queue the disputes with a recorded session for a rebuild of their figures: a debtor
recorded present at a session now counts as 已参与 on the reach funnel, and the figures
already built did not read the session records."""

from typing import Any

from django.db import migrations
from django.db.models import Max


def queue(apps: Any, schema_editor: Any) -> None:
    Event = apps.get_model("timeline", "Event")
    FiguresBacklog = apps.get_model("timeline", "FiguresBacklog")
    held = Event.objects.filter(type="mediation.session_held").values("dispute_id")
    last = (Event.objects.filter(dispute_id__in=held).values("dispute_id")
            .annotate(last=Max("seq")).values_list("dispute_id", "last"))
    FiguresBacklog.objects.bulk_create(
        [FiguresBacklog(dispute_id=d, seq=s) for d, s in last.iterator()], batch_size=2000,
        ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0001_initial"),
        ("timeline", "0003_queue_existing_disputes"),
    ]

    operations = [
        migrations.RunPython(queue, migrations.RunPython.noop),
    ]
