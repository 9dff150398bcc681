from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "jintiao.disputes"
    verbose_name = "纠纷"
