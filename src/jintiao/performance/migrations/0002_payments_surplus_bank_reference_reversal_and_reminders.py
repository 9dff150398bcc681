"""Payments: a surplus stated by the recorder, a bank's reference booked once, reversal by
the desk with a reason; follow-up visits cancelled on enforcement; credit-repair letters
withdrawn after a reversal and reminded once."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

INSTITUTION_KINDS = ("institution", "branch")


def fill_banks(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Give recorded payments their bank (the top of the creditor's run of institution
    nodes); a reference already booked under the same bank (the fault the constraint ends)
    keeps no bank on its later rows, so the migration never fails on old data."""
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
        ('performance', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='payment',
            name='payment_reference_per_dispute',
        ),
        migrations.AddField(
            model_name='creditrepair',
            name='reminded_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='提醒时间'),
        ),
        migrations.AddField(
            model_name='creditrepair',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='撤回时间'),
        ),
        migrations.AddField(
            model_name='followup',
            name='cancel_reason',
            field=models.CharField(blank=True, max_length=100, verbose_name='取消原因'),
        ),
        migrations.AddField(
            model_name='followup',
            name='cancelled_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='取消时间'),
        ),
        migrations.AddField(
            model_name='payment',
            name='bank',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization', verbose_name='流水号所属金融机构'),
        ),
        migrations.AddField(
            model_name='payment',
            name='reversal_reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='冲正原因'),
        ),
        migrations.AddField(
            model_name='payment',
            name='reversed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='冲正时间'),
        ),
        migrations.AddField(
            model_name='payment',
            name='reversed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='payment',
            name='surplus_intended',
            field=models.BooleanField(default=False, verbose_name='多付应退'),
        ),
        migrations.RunPython(fill_banks, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.UniqueConstraint(condition=models.Q(('reversed_at__isnull', True)), fields=('dispute', 'reference'), name='payment_reference_per_dispute'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.UniqueConstraint(condition=models.Q(('reversed_at__isnull', True)), fields=('bank', 'reference'), name='payment_reference_once_per_bank'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('reversal_reason', ''), ('reversed_at__isnull', True)), models.Q(('reversed_at__isnull', False), models.Q(('reversal_reason', ''), _negated=True)), _connector='OR'), name='payment_reversal_has_reason'),
        ),
    ]
