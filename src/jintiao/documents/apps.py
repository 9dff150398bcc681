from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "jintiao.documents"
    verbose_name = "文书"
