"""API tokens get an expiry, scopes, the system they were issued to, the last time they
were used and who revoked them when.

Tokens issued before keep working as they did — every scope — until the default lifetime
(``JINTIAO_API_TOKEN_DAYS``, 90 days) counted from the upgrade: an institution's integration
does not stop the day JinTiao is upgraded, and no token lives for ever any more. Operators
replace them with one token per system and only the scopes it needs
(``jintiao token create USER --system 核心系统 --scope read --scope intake``).
"""

import datetime as dt
from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from jintiao import clock

ALL_SCOPES = ["read", "intake", "payments", "documents"]


def keep_existing_tokens_working(apps: Any, schema_editor: Any) -> None:
    ApiToken = apps.get_model("orgs", "ApiToken")
    until = clock.now() + dt.timedelta(days=settings.API_TOKEN_DAYS)
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=until,
                                                            scopes=ALL_SCOPES)


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0007_court_code_unique'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='system',
            field=models.CharField(blank=True, max_length=50, verbose_name='使用系统'),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='scopes',
            field=models.JSONField(default=list, verbose_name='权限范围'),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(null=True, verbose_name='有效期至'),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='last_used_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='最近使用'),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='revoked_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='吊销时间'),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='revoked_by',
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL,
                                    related_name='+', to=settings.AUTH_USER_MODEL,
                                    verbose_name='吊销人'),
        ),
        migrations.RunPython(keep_existing_tokens_working, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(verbose_name='有效期至'),
        ),
        migrations.AddIndex(
            model_name='apitoken',
            index=models.Index(fields=['prefix'], name='api_token_prefix'),
        ),
    ]
