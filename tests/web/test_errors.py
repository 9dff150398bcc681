"""What a person sees when something goes wrong, with DEBUG off as in production: a page in
Chinese for 400, 403 (CSRF included), 404, 413 (a body too large) and 500 — never Django's
English pages ("Not Found", "Bad Request", "Server Error", "Forbidden")."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path

from jintiao.config.urls import handler400
from jintiao.config.urls import urlpatterns as site

ENGLISH = re.compile(r"Not Found|Bad Request|Server Error|Forbidden|CSRF|Traceback|Django")


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a fault in a view")


# the site's own URLs and handlers, and two views that fail on purpose
urlpatterns = [*site, path("test-forbidden/", forbidden), path("test-broken/", broken)]
__all__ = ["handler400", "urlpatterns"]


def assert_page(response, status: int, heading: str) -> None:
    html = response.content.decode()
    assert response.status_code == status
    assert heading in html
    assert 'lang="zh-CN"' in html
    assert not ENGLISH.search(html), ENGLISH.search(html)


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def test_a_page_that_does_not_exist(world):
    client = Client()
    client.force_login(world.clerk)
    assert_page(client.get("/no-such-page/"), 404, "页面不存在（404）")
    assert_page(client.get("/disputes/999999/"), 404, "页面不存在（404）")


def test_a_request_the_site_cannot_take(db):
    assert_page(Client().get("/login/", headers={"host": "evil.example"}), 400,
                "请求有误（400）")


def test_a_refusal_and_an_expired_form(world):
    client = Client()
    client.force_login(world.clerk)
    assert_page(client.get("/test-forbidden/"), 403, "无权访问（403）")
    strict = Client(enforce_csrf_checks=True)
    assert_page(strict.post("/login/", {"username": "x", "password": "y"}), 403,
                "页面已过期（403）")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_000)
def test_a_body_too_large(world):
    client = Client()
    client.force_login(world.clerk)
    response = client.post("/disputes/new/", {"summary": "字" * 5_000})
    assert_page(response, 413, "提交的内容过大（413）")


def test_a_fault_in_a_view(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.clerk)
    assert_page(client.get("/test-broken/"), 500, "系统出错（500）")


def test_a_form_address_opened_in_the_address_bar(world, cases):
    """Regression: a GET on an action's address (a bookmarked POST, a link pasted in a
    chat) was Django's empty 405."""
    ours, _ = cases
    client = Client()
    client.force_login(world.clerk)
    response = client.get(f"/disputes/{ours.pk}/triage/")
    assert_page(response, 405, "无法这样打开此页（405）")
    assert "只接受页面上的表单提交" in response.content.decode()
    assert response["Allow"] == "POST"
    assert response["X-Frame-Options"] == "DENY"  # as on every other page


def test_a_post_to_a_page_that_only_shows(world, cases):
    ours, _ = cases
    client = Client()
    client.force_login(world.clerk)
    response = client.post(f"/disputes/{ours.pk}/performance/")
    assert_page(response, 405, "无法这样打开此页（405）")
    assert "只能打开查看" in response.content.decode()


def test_the_api_answers_its_own_405_in_json(world):
    from tests.api.client import Api

    api = Api(world.clerk)
    response = api.client.delete("/api/v1/disputes", headers=api.headers)
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
