"""Keeps people signed in to the party portal inside it: the workbench's pages and the
admin are for staff, whatever a party's session could otherwise reach."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from jintiao.domain.lifecycle import Role
from jintiao.orgs.models import User
from jintiao.orgs.selectors import user_roles

OPEN_TO_PARTIES = ("/p/", "/static/")


class PortalBoundary:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (isinstance(user, User) and user.is_authenticated
                and Role.PARTY in user_roles(user)
                and not request.path_info.startswith(OPEN_TO_PARTIES)):
            return redirect("portal:home")
        return self.get_response(request)
