from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "jintiao.agreements"
    verbose_name = "调解协议"
