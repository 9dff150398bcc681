"""URL configuration: the admin for now; the API and the workbench join here."""

from django.contrib import admin
from django.urls import include, path

from jintiao.api import api

# Chinese error pages for people (templates 400/403/404/500 in jintiao/web/templates); a
# body too large gets its own 413 page.
handler400 = "jintiao.web.views.errors.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("p/", include("jintiao.web.portal_urls")),
    path("", include("jintiao.web.urls")),
]
