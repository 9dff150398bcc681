from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "jintiao.parties"
    verbose_name = "当事人"
