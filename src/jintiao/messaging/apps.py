from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "jintiao.messaging"
    verbose_name = "短信"
