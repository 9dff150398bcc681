from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "jintiao.portfolio"
    verbose_name = "批量标准方案"
