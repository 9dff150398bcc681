"""The outbox keeps e-mails as well as texts: the address fields are renamed for both."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [
        migrations.RenameField("outboxmessage", "phone_cipher", "to_cipher"),
        migrations.RenameField("outboxmessage", "phone_masked", "to_masked"),
        migrations.RenameField("outboxmessage", "phone_hash", "to_hash"),
        migrations.AlterField("outboxmessage", "to_masked",
                              models.CharField(max_length=120, verbose_name="接收地址")),
        migrations.AddField("outboxmessage", "channel", models.CharField(
            choices=[("sms", "短信"), ("email", "电子邮件")], default="sms", max_length=8,
            verbose_name="渠道")),
    ]
