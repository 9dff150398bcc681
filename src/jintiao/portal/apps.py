"""The party portal: parties sign in with their mobile and see and act on their disputes."""
from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "jintiao.portal"
    verbose_name = "当事人端"
