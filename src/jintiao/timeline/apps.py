from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "jintiao.timeline"
    verbose_name = "案件日志"
