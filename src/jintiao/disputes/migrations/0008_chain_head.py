"""Each dispute records its timeline's length and last hash (issue 18 §4a); filled here
from the events as they stand, which is all that can be vouched for today."""

from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

GENESIS = "0" * 64


def fill(apps: Any, schema_editor: Any) -> None:
    Dispute = apps.get_model("disputes", "Dispute")
    Event = apps.get_model("timeline", "Event")
    last = Event.objects.filter(dispute=OuterRef("pk")).order_by("-seq")
    Dispute.objects.update(
        events_seq=Coalesce(Subquery(last.values("seq")[:1]), Value(0)),
        events_head=Coalesce(Subquery(last.values("hash")[:1]), Value(GENESIS)))


class Migration(migrations.Migration):

    dependencies = [
        ('disputes', '0007_mandate_scan'),
        ('timeline', '0004_record_altered_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='dispute',
            name='events_head',
            field=models.CharField(default=GENESIS, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='dispute',
            name='events_seq',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
