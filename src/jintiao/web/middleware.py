"""Keeps people signed in to the party portal inside it: the workbench's pages and the
admin are for staff, whatever a party's session could otherwise reach."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

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
