from django.apps import AppConfig


class ConfirmationConfig(AppConfig):
    name = "jintiao.confirmation"
    verbose_name = "司法确认"
