"""``/healthz`` and ``/readyz`` for load balancers, answered before anything else.

They come first in the middleware so a probe is never redirected to HTTPS, refused for its
Host header (a balancer probes by address) or sent to sign in. ``/healthz`` says the process
answers; ``/readyz`` says it can serve: the database answers, the queue's table is readable,
the file storage is writable, the shared cache answers and the keys are present and match
the data. The answer names each check and whether it passed, never a value or a path.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

Check = Callable[[], str]  # "" when the check passes, else what is wrong (in Chinese)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return ""


def _queue() -> str:
    backend = settings.TASKS["default"]["BACKEND"]
    if not backend.startswith("django_tasks_db."):
        return ""  # jobs run in-process: nothing to reach
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.only("pk").first()
    return ""


def _storage() -> str:
    """The media folder writable (local disk), or the bucket answering (S3: one HEAD, no
    write — a probe every few seconds would pile versions up in a versioned bucket)."""
    location = getattr(default_storage, "location", None)
    if isinstance(default_storage, FileSystemStorage) and location is not None:
        folder = Path(location)
        folder.mkdir(parents=True, exist_ok=True)
        return "" if os.access(folder, os.W_OK) else "文件存储目录不可写"
    default_storage.exists("health/probe.txt")
    return ""


def _cache() -> str:
    """The shared cache (Redis with JINTIAO_REDIS_URL): the API's rate counts live there."""
    cache.set("jintiao:readyz", "ok", timeout=10)
    return "" if cache.get("jintiao:readyz") == "ok" else "缓存不可用"


def _keys() -> str:
    from jintiao.pki.store import ca_load

    if ca_load() is None and not settings.PKI_AUTO_INIT:
        return "证书颁发机构未初始化（jintiao pki init）"
    try:
        from jintiao.ops.keys import verify_keys
    except ImportError:  # pragma: no cover - the fingerprints came in with backups
        return ""
    return "；".join(verify_keys(adopt=False))  # a probe records nothing


CHECKS: dict[str, Check] = {"database": _database, "queue": _queue, "storage": _storage,
                            "cache": _cache, "keys": _keys}


def readiness() -> dict[str, str]:
    """Run every check; a check that raises fails with the error's class name only (its
    message may hold a host, a path or a user name)."""
    found: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            found[name] = check()
        except Exception as exc:
            log.warning("readiness check %s failed: %s", name, type(exc).__name__)
            found[name] = f"不可用（{type(exc).__name__}）"
    return found


def _json(status: int, body: dict[str, object]) -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                            content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


class HealthProbes:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return _json(200, {"status": "ok"})
        if request.path_info == "/readyz":
            found = readiness()
            ready = not any(found.values())
            return _json(200 if ready else 503, {
                "status": "ready" if ready else "not ready",
                "checks": {k: (v or "ok") for k, v in found.items()}})
        return self.get_response(request)
