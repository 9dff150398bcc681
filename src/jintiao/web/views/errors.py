"""Error pages in Chinese for every answer a person can get from the web (the API answers in
JSON): Django renders ``400.html``, ``403.html``, ``403_csrf.html``, ``404.html`` and
``500.html`` itself; a request body beyond ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or with too many
fields) reaches Django as a bad request, and is told here that it was too large (413)."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults

TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A body too large is 413 with its own page (rendered without reading the request,
    whose body cannot be read); any other bad request is Django's 400 with ours."""
    if isinstance(exception, TOO_LARGE):
        return HttpResponse(loader.render_to_string("413.html"), status=413)
    return defaults.bad_request(request, exception)


def file_missing(request: HttpRequest, message: str, dispute_id: int | None = None) -> HttpResponse:
    """A record the viewer may see whose stored file is gone (a restore without the stored
    files): 404 with what happened and what to do, never a 500."""
    return render(request, "web/file_missing.html",
                  {"message": message, "dispute_id": dispute_id}, status=404)
