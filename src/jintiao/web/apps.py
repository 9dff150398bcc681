from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jintiao.web"
    verbose_name = "工作台"
