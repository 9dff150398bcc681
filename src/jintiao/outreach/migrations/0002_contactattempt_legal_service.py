"""Paper service of a document is no collection contact: mark it, including the contacts
logged by earlier service in person or through a township node (same dispute, party and
instant as their service record), so the caps stop counting them."""

from typing import Any

from django.db import migrations, models


def mark_earlier_paper_service(apps: Any, schema_editor: Any) -> None:
    ContactAttempt = apps.get_model("outreach", "ContactAttempt")
    Service = apps.get_model("outreach", "Service")
    for service in Service.objects.filter(channel__in=["in_person", "township"]).iterator():
        ContactAttempt.objects.filter(
            dispute_id=service.dispute_id, party_id=service.party_id, at=service.at,
            channel__in=["visit", "township"], note__startswith="送达：",
        ).update(legal_service=True)


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='contactattempt',
            name='legal_service',
            field=models.BooleanField(default=False, verbose_name='送达文书'),
        ),
        migrations.RunPython(mark_earlier_paper_service, migrations.RunPython.noop),
    ]
