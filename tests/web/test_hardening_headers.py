"""Security headers on every kind of answer (issue 18): pages, the portal, the admin, the
API and its documentation, the lockout page and the error pages each carry
``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``,
``X-Frame-Options: DENY`` and a Content-Security-Policy of the platform's own files only —
no ``'unsafe-inline'`` or ``'unsafe-eval'``, ``frame-ancestors 'none'``. And no page, nor
any template or Python that writes HTML, carries inline script, inline style, an event
handler attribute or a ``javascript:`` link that such a policy would refuse."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from jintiao.config.urls import handler400
from jintiao.config.urls import urlpatterns as site
from jintiao.domain.lifecycle import Role
from tests.factories import UserFactory
from tests.portal.helpers import debtor_of, party_sign_in

SRC = Path(__file__).resolve().parents[2] / "src" / "jintiao"


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a fault in a view")


# the site's own URLs and handlers, and two views that fail on purpose
urlpatterns = [*site, path("test-forbidden/", forbidden), path("test-broken/", broken)]
__all__ = ["handler400", "urlpatterns"]


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: sources for name, *sources in
            (part.split() for part in header.split(";") if part.strip())}


def assert_hardened(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = policy_of(response)
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    for sources in policy.values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(sources), sources


class Inline(HTMLParser):
    """What a strict policy refuses in a page: a script without ``src`` (JSON data blocks
    are data, never run), a style element, a style attribute, an ``on…`` handler, a
    ``javascript:`` address, htmx's ``hx-on`` (evaluated code)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script" and not a.get("src") and a.get("type") != "application/json":
            self.found.append("inline script")
        if tag == "style":
            self.found.append("style element")
        for name, value in a.items():
            if name == "style" or name.startswith(("on", "hx-on")):
                self.found.append(f"<{tag} {name}=…>")
            if value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")


def inline_in(response) -> list[str]:
    parser = Inline()
    parser.feed(response.content.decode())
    return parser.found


def staff(world, *roles: str):
    user = UserFactory(organization=world.committee, roles=list(roles))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(world):
    user = UserFactory(organization=world.committee, roles=[Role.ADMINISTRATOR])
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(user)
    return client


def test_pages_of_every_kind_are_hardened_and_carry_no_inline_code(world, cases, admin):
    clerk = staff(world, Role.INTAKE_CLERK)
    party = Client()
    party.force_login(party_sign_in(debtor_of(cases[0])))
    pages = [
        (Client(), "/login/"), (clerk, "/"), (clerk, "/disputes/"),
        (clerk, f"/disputes/{cases[0].pk}/"), (clerk, "/disputes/new/"),
        (staff(world, Role.SUPERVISOR), "/supervision/"),
        (staff(world, Role.SUPERVISOR), "/reports/"),
        (Client(), "/p/login/"), (Client(), "/p/help/"), (party, "/p/"),
        (party, f"/p/d/{cases[0].pk}/"),
        (Client(), "/admin/login/"), (admin, "/admin/"), (admin, "/admin/orgs/user/"),
        (admin, "/admin/orgs/user/add/"), (Client(), "/api/v1/docs"),
    ]
    found = []
    for client, where in pages:
        response = client.get(where)
        assert response.status_code == 200, where
        assert_hardened(response)
        found += [f"{where}: {f}" for f in inline_in(response)]
    assert found == []


def test_the_api_answers_are_hardened(db):
    for response in (Client().get("/api/v1/disputes"), Client().get("/api/v1/openapi.json"),
                     Client().post("/api/v1/disputes", "{", content_type="application/json"),
                     Client().get("/api/v1/no-such-thing")):
        assert response["Content-Type"].startswith("application/json")
        assert_hardened(response)


def test_error_pages_and_the_lockout_page_are_hardened(world):
    clerk = staff(world, Role.INTAKE_CLERK)
    strict = Client(enforce_csrf_checks=True)
    for n in range(5):
        locked = Client().post("/login/", {"username": "x", "password": f"wrong-{n}"})
    answers = [
        (400, Client().get("/login/", headers={"host": "evil.example"})),
        (403, clerk.get("/test-forbidden/")),
        (403, strict.post("/login/", {"username": "x", "password": "y"})),  # CSRF
        (404, clerk.get("/no-such-page/")),
        (405, clerk.get("/logout/")),
        (500, Client(raise_request_exception=False).get("/test-broken/")),
        (429, locked),
    ]
    for status, response in answers:
        assert response.status_code == status
        assert_hardened(response)
        assert inline_in(response) == [], status


def test_htmx_brings_no_inline_script_with_debug_on_or_off(world, settings):
    """django-htmx's tag writes script elements with ``src`` only; with DEBUG on it adds its
    debug helper, a file as well (which evaluates an error page's scripts only when an htmx
    request fails, in development). htmx itself is told to add no style element."""
    for debug in (False, True):
        settings.DEBUG = debug
        html = staff(world, Role.INTAKE_CLERK).get("/").content.decode()
        scripts = re.findall(r"<script[^>]*>", html)
        assert all('src="' in s for s in scripts), scripts
        assert ("django-htmx.js" in html) is debug
        assert '"includeIndicatorStyles": false' in html


# --- the sources: templates and Python that write HTML

# Written only into PDFs (WeasyPrint), never served to a browser, so no policy applies.
PDF_ONLY = {"web/templates/web/supervision/report_print.html", "documents/render.py"}
INLINE = re.compile(r"<style|<script(?![^>]*\bsrc=)(?![^>]*application/json)|\sstyle=|"
                    r"\son[a-z]+=|hx-on|javascript:", re.IGNORECASE)


def test_no_template_writes_inline_script_style_or_handlers():
    found = []
    for template in sorted(SRC.glob("**/templates/**/*.html")):
        name = str(template.relative_to(SRC))
        found += [f"{name}: {m.group()}" for m in INLINE.finditer(template.read_text())
                  if name not in PDF_ONLY]
    assert found == []


# Names inline style only to take it out of matplotlib's drawings (tested below).
STRIPS_INLINE = {"supervision/charts.py"}


def test_no_python_writes_inline_style_or_script_into_html():
    found = []
    for module in sorted(SRC.glob("**/*.py")):
        name = str(module.relative_to(SRC))
        if name in PDF_ONLY | STRIPS_INLINE or "/migrations/" in name:
            continue
        for line in module.read_text().splitlines():
            if re.search(r"""<style|<script|\sstyle=["']|\son[a-z]+=["']""", line):
                found.append(f"{name}: {line.strip()}")
    assert found == []


def test_the_charts_are_drawn_without_inline_style():
    from jintiao.supervision import charts

    svg = charts.bars(["凯里市", "黄平县"], [3, 1], [2, 0], ("受理", "调解成功"), title="各县")
    assert "<style" not in svg
    assert " style=" not in svg
    assert 'fill="#1f4e79"' in svg  # the colours kept, as attributes
    assert svg.startswith('<svg stroke-linejoin="round" stroke-linecap="butt"')
