"""Keeps everything under /api/ in JSON: a body over the limit is refused before anything
reads it, and an error Django or django-ninja answers as a page or plain text (an unknown
path, a method the path does not take, a fault outside an operation) is given in the API's
error shape with its status."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from jintiao.api import errors

API_PREFIX = "/api/"


def _declared_length(request: HttpRequest) -> int | None:
    """The body's declared length; ``None`` when it is not a number."""
    raw = request.META.get("CONTENT_LENGTH") or "0"
    try:
        return max(int(raw), 0)
    except ValueError:
        return None


class ApiErrorsAsJson:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        length = _declared_length(request)
        if length is None:
            return errors.json_error(400, errors.MALFORMED_BODY, "请求内容长度无效")
        limit: int = settings.API_MAX_BODY_BYTES
        if length > limit:
            return errors.json_error(413, errors.BODY_TOO_LARGE, "请求内容过大",
                                     {"limit": limit})
        response = self.get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
                "application/json"):
            return response
        code, message = errors.for_status(response.status_code)
        response.close()
        answer = errors.json_error(response.status_code, code, message)
        if response.has_header("Allow"):
            answer["Allow"] = response["Allow"]
        return answer

