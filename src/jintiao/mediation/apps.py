from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "jintiao.mediation"
    verbose_name = "调解"
