"""``jintiao serve``: the production server starts, serves hashed static files with DEBUG off,
answers the load balancer's probes, and refuses to start on what would fail later."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from tests.deploy.conftest import production_env, run


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our test server
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_serve_answers_with_hashed_compressed_static_files_and_secure_headers(serving):
    base, _ = serving
    status, headers, body = get(f"{base}/login/")
    assert status == 200
    page = body.decode()
    css = page.split('href="/static/web/app.', 1)[1].split('"', 1)[0]
    assert css.endswith(".css")
    assert len(css.split(".")[0]) == 12  # app.<hash>.css
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, headers, _ = get(f"{base}/static/web/app.{css}", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]


def test_probes_answer_any_host_and_name_their_checks(serving):
    base, _ = serving
    status, _, body = get(f"{base}/healthz", Host="10.1.2.3")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, headers, body = get(f"{base}/readyz", Host="10.1.2.3")
    answer = json.loads(body)
    assert status == 200, answer
    assert answer == {"status": "ready", "checks": {
        "database": "ok", "queue": "ok", "storage": "ok", "cache": "ok", "keys": "ok"}}
    assert headers["Cache-Control"] == "no-store"


def test_an_unknown_host_is_still_refused_outside_the_probes(serving):
    base, _ = serving
    status, _, _ = get(f"{base}/login/", Host="evil.example")
    assert status == 400


def test_serve_refuses_a_database_not_migrated(tmp_path: Path):
    done = run(["serve", "--check"], production_env(tmp_path))
    assert done.returncode == 2
    assert "迁移尚未执行" in done.stderr
    assert "jintiao manage migrate" in done.stderr


def test_serve_refuses_debug(platform: Path):
    done = run(["serve", "--check", "--no-collectstatic"],
               production_env(platform, JINTIAO_DEBUG="1"))
    assert done.returncode == 2
    assert "调试模式" in done.stderr


def test_serve_refuses_bad_worker_counts(platform: Path):
    done = run(["serve", "--workers", "0"], production_env(platform))
    assert done.returncode == 2
    assert "1至256" in done.stderr
    done = run(["serve", "--check"], production_env(platform, JINTIAO_WORKERS="many"))
    assert done.returncode == 2
    assert "JINTIAO_WORKERS 应为1至256之间的整数：many" in done.stderr


def test_readyz_fails_when_the_database_is_gone(tmp_path: Path):
    """A probe against a database that does not answer says so, with 503, and names no
    path or host."""
    env = production_env(tmp_path, JINTIAO_HTTPS="0",
                         DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    done = run(["manage", "shell", "-c",
                "from django.test import Client; r = Client().get('/readyz');"
                "print(r.status_code, r.content.decode())"], env)
    assert done.returncode == 0, done.stderr
    status, body = done.stdout.strip().splitlines()[-1].split(" ", 1)
    answer = json.loads(body)
    assert status == "503"
    assert answer["status"] == "not ready"
    assert answer["checks"]["database"].startswith("不可用")
    assert "127.0.0.1" not in body


def test_readyz_names_a_cache_that_is_down(client, monkeypatch, db):
    """Several hosts share Redis; a host that cannot reach it is not ready (the API's rate
    counts would go uncounted), and the answer names the check, not the address."""
    from jintiao.web import health

    class Down:
        def set(self, *args: object, **kwargs: object) -> None:
            raise ConnectionError("Error 111 connecting to 10.0.0.9:6379")

    monkeypatch.setattr(health, "cache", Down())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "不可用（ConnectionError）"
    assert "10.0.0.9" not in response.content.decode()


def test_readyz_writes_nothing_to_the_storage(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert client.get("/readyz").status_code == 200
    assert list((tmp_path / "media").iterdir()) == []


def test_serve_says_when_background_exports_would_run_inside_requests(platform: Path):
    """A large ledger export is a background task; with the in-process backend it runs in
    the request that asked for it, and a million rows would meet the request timeout."""
    done = run(["serve", "--check", "--no-collectstatic"], production_env(platform))
    assert done.returncode == 0, done.stderr
    assert "未设置 JINTIAO_TASKS_BACKEND" in done.stderr
    assert "120 秒" in done.stderr
    done = run(["serve", "--check", "--no-collectstatic"], production_env(
        platform, JINTIAO_TASKS_BACKEND="django_tasks_db.DatabaseBackend"))
    assert done.returncode == 0, done.stderr
    assert "JINTIAO_TASKS_BACKEND" not in done.stderr
