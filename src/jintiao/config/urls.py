"""URL configuration: the admin for now; the API and the workbench join here."""

from django.contrib import admin
from django.urls import include, path

from jintiao.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("p/", include("jintiao.web.portal_urls")),
    path("", include("jintiao.web.urls")),
]
