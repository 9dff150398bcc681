"""Reaching the parties: service of documents, the contact log, vetted texts, guardrails."""
from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "jintiao.outreach"
    verbose_name = "送达与联系"
