from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "jintiao.performance"
    verbose_name = "履行"
