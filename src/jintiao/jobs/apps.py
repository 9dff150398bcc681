from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jintiao.jobs"
    verbose_name = "定时任务"
