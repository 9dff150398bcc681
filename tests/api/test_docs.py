"""The API's documentation page works on an intranet: Swagger UI comes from the platform's
own static files, never from a CDN."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, RequestFactory


def assets_of(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)


def test_the_docs_page_loads_swagger_from_the_platforms_own_static_files():
    page = Client().get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assets = assets_of(html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), assets
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.IGNORECASE), \
        "no address of another host"
    assert "ninja" in settings.INSTALLED_APPS
    static = StaticFilesHandler(WSGIHandler())  # as `runserver` and a static host serve them
    for url in assets:
        assert url.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/")
                              else f"/{settings.STATIC_URL}"), url
        answer = static.get_response(RequestFactory().get(url))
        assert answer.status_code == 200, url
        assert b"".join(answer.streaming_content), url


def test_the_openapi_document_needs_no_token():
    assert Client().get("/api/v1/openapi.json").status_code == 200
