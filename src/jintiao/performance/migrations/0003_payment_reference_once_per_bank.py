import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


INSTITUTION_KINDS = ("institution", "branch")


def fill_banks(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Give recorded payments their bank; a reference already booked under the same bank
    (the fault this constraint ends) keeps no bank on its later rows, so the migration
    never fails on old data."""
    Payment = apps.get_model("performance", "Payment")
    Organization = apps.get_model("orgs", "Organization")
    kinds = dict(Organization.objects.values_list("pk", "kind"))
    parents = dict(Organization.objects.values_list("pk", "parent_id"))
    seen = set()
    for payment in Payment.objects.select_related("dispute").order_by("pk").iterator():
        node, bank = payment.dispute.institution_id, None
        while node is not None and kinds.get(node) in INSTITUTION_KINDS:
            bank, node = node, parents.get(node)
        if bank is None or (bank, payment.reference) in seen:
            continue
        seen.add((bank, payment.reference))
        Payment.objects.filter(pk=payment.pk).update(bank_id=bank)


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0002_initial'),
        ('disputes', '0004_mediator_assignments'),
        ('orgs', '0004_user_mobile'),
        ('performance', '0002_payment_surplus_intended'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='payment',
            name='bank',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization', verbose_name='流水号所属金融机构'),
        ),
        migrations.RunPython(fill_banks, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.UniqueConstraint(fields=('bank', 'reference'), name='payment_reference_once_per_bank'),
        ),
    ]
