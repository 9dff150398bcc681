from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "jintiao.policies"
    verbose_name = "规则配置与工作日历"
