"""Supervision: the ledger, the statistics and reports, the dashboard and spot checks."""
from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "jintiao.supervision"
    verbose_name = "督导统计"
