from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "jintiao.ops"
    verbose_name = "运行维护"

    def ready(self) -> None:
        from django.core import checks
        from django.db.models.signals import post_migrate

        from jintiao.ops import keys

        # runserver, check, migrate, db_worker and every command that runs Django's checks
        # stop on a key that does not fit the data; `jintiao serve` asks verify_keys() itself
        checks.register(keys.check_keys, keys.CHECK_TAG)
        post_migrate.connect(keys.record_after_migrate, sender=self,
                             dispatch_uid="jintiao.ops.keys.record_after_migrate")
