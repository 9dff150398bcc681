"""Sign-in throttling on the workbench, the admin and the party portal (django-axes, counted
in the database, so every worker and host sees one count).

After ``AXES_FAILURE_LIMIT`` failures for one account (a staff user name, or a party's
mobile number) or from one address, sign-in is refused for the cool-off; every try while
refused starts the wait again. The staff sign-ins go through Django's ``authenticate`` and
axes' backend; the portal's code and identity number are checked by the portal's service,
and this module counts its failures under the mobile number's keyed hash (never the number).
"""

from __future__ import annotations

import math
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_credentials
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jintiao.web.proxy import from_proxy


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes has no type hints
    """Axes' database handler, except that a successful sign-in clears only that account's
    failures. Axes' own clears every failure from the same address too, so signing in to
    one's own account between guesses would wipe the count of another account's password
    being guessed from that machine."""

    def reset_user_attempts(self, request: HttpRequest,
                            credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count: int = AccessAttempt.objects.filter(username=username).delete()[0]
        return count


def client_ip(request: HttpRequest) -> str:
    """The address a request came from: the peer, or for a request from the platform's own
    proxy (:func:`jintiao.web.proxy.from_proxy`) the address that proxy appended to
    ``X-Forwarded-For`` — the right-most one; whatever a client wrote there itself stands to
    its left and is not believed, nor is the header of a request from anywhere else. (Axes
    reads ``REMOTE_ADDR`` alone without django-ipware: behind a proxy that is the proxy, and
    one address's limit would lock everyone out.)"""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    if not from_proxy(request):
        return peer
    forwarded = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
                 if a.strip()]
    return forwarded[-1] if forwarded else peer


def wait_minutes(request: HttpRequest | None = None) -> int:
    """The cool-off in whole minutes (rounded up)."""
    cool_off = get_cool_off(request)
    return math.ceil(cool_off.total_seconds() / 60) if cool_off else 0


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict[str, Any] | None = None) -> HttpResponse:
    """The page for a refused sign-in (``AXES_LOCKOUT_CALLABLE``): 429, how long to wait,
    whom to call; the portal's in its own look. ``Retry-After`` says the wait to a machine."""
    minutes = wait_minutes(request)
    portal = request.path_info.startswith("/p/")
    response = render(request, "web/portal/lockout.html" if portal else "web/lockout.html", {
        "minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT,
        "contact": settings.PORTAL_HELP_CONTACT if portal else settings.LOCKOUT_CONTACT,
    }, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


# --- the portal: its failures are counted here, under the number's keyed hash


def portal_refused(request: HttpRequest, key: str) -> HttpResponse | None:
    """The lockout page when this number or this address is locked out, else ``None``.
    A try while locked out counts and starts the wait again, as on the staff sign-in."""
    credentials = get_credentials(key)
    if AxesProxyHandler.is_allowed(request, credentials):
        return None
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return locked_out(request, None, credentials)


def portal_failed(request: HttpRequest, key: str) -> HttpResponse | None:
    """Count a wrong code or identity number; the lockout page if that was one too many."""
    credentials = get_credentials(key)
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        return locked_out(request, None, credentials)
    return None


def portal_signed_in(key: str) -> None:
    """The number's failures are forgiven once its owner signs in."""
    AxesProxyHandler.reset_attempts(username=key)
