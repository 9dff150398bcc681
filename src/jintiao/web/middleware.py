"""Keeps people signed in to the party portal inside it (the workbench's pages and the
admin are for staff, whatever a party's session could otherwise reach), and gives a person
a page in Chinese where Django would answer a wrong method with an empty 405."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template import loader
from django.utils import timezone

from jintiao.orgs.selectors import is_party

OPEN_TO_PARTIES = ("/p/", "/static/")
# The API signs no one in by session: it answers a call without a token 401 in JSON itself.
OWN_SIGN_IN = ("/api/",)


class PortalBoundary:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (is_party(getattr(request, "user", None))
                and not request.path_info.startswith(OPEN_TO_PARTIES + OWN_SIGN_IN)):
            return redirect("portal:home")
        return self.get_response(request)


class MethodNotAllowedPage:
    """Django answers a method a view does not take (a GET on a form's address, a link to a
    POST-only action) with an empty 405; a person gets a page in Chinese saying what to do,
    with the same ``Allow`` header. The API answers its 405 in JSON itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or request.path_info.startswith(OWN_SIGN_IN):
            return response
        allowed = response["Allow"] if response.has_header("Allow") else ""
        form_only = "POST" in allowed and "GET" not in allowed
        page = HttpResponse(loader.render_to_string(
            "405.html", {"form_only": form_only}, request=request), status=405)
        if allowed:
            page["Allow"] = allowed
        return page


class IdleSessionRefresh:
    """Idle sessions end (``SESSION_COOKIE_AGE``), so a request must move the end on — but
    saving the session on every request (``SESSION_SAVE_EVERY_REQUEST``) is an UPDATE and a
    commit per page view, which the load benchmark showed on every request. A session is
    saved again once a minute at most: the end is exact to the minute."""

    EVERY_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or session.is_empty():
            return response
        now = int(timezone.now().timestamp())
        if now - int(session.get("_touched", 0)) >= self.EVERY_SECONDS:
            session["_touched"] = now  # marks it modified: saved with a new expiry
        return response
