"""URL configuration: the admin for now; the API and the workbench join here."""

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
