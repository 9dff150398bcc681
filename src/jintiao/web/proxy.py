"""Which requests came through the platform's own proxy (``JINTIAO_BEHIND_PROXY`` with
``JINTIAO_FORWARDED_ALLOW_IPS``): only theirs may say, in ``X-Forwarded-*``, that the
client used HTTPS or where it was. A client that reaches the application's port directly —
another host on the intranet, when the port is not closed to it — could otherwise claim
HTTPS (Django's ``SECURE_PROXY_SSL_HEADER`` believes the header whoever sent it) or another
address, and spread its sign-in failures over addresses it made up."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
             "HTTP_X_FORWARDED_PORT", "HTTP_FORWARDED")


def from_proxy(request: HttpRequest) -> bool:
    """The request came from the platform's proxy: behind one, from an address it has."""
    allowed = settings.FORWARDED_ALLOW_IPS
    return settings.BEHIND_PROXY and ("*" in allowed
                                      or str(request.META.get("REMOTE_ADDR", "")) in allowed)


class ForwardedOnlyFromProxy:
    """Drops the forwarded headers of a request that did not come from the proxy, before
    the HTTPS redirect, the CSRF check or the lockout read them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not from_proxy(request):
            for name in FORWARDED:
                request.META.pop(name, None)
        return self.get_response(request)
