"""A migrated platform in a folder of its own, for tests that run ``jintiao`` as a process."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

JINTIAO = str(Path(sys.executable).with_name("jintiao"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def production_env(var: Path, **extra: str) -> dict[str, str]:
    """The environment an operator sets: a long random key, hosts, DEBUG off, SQLite in
    ``var`` (DATABASE_URL unset, whatever the test run uses)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JINTIAO_", "DJANGO_", "DATABASE_URL"))}
    env.update(JINTIAO_VAR_DIR=str(var), JINTIAO_SECRET_KEY=secrets.token_urlsafe(50),
               JINTIAO_ALLOWED_HOSTS="127.0.0.1,localhost", **extra)
    return env


def run(args: list[str], env: dict[str, str],
        timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([JINTIAO, *args], env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A var folder with a migrated SQLite database (no demo)."""
    var = tmp_path_factory.mktemp("var")
    done = run(["manage", "migrate", "--noinput", "-v", "0"], production_env(var), timeout=600)
    assert done.returncode == 0, done.stderr
    return var


def wait_until_up(url: str, proc: subprocess.Popen[str], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else "exited"
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own test server
                return
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    said = proc.communicate(timeout=30)[0] if proc.stdout else ""
    raise AssertionError(f"{url} did not answer in {seconds} s: {said}")


@pytest.fixture
def serving(platform: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """``jintiao serve`` on a free port over the migrated platform, plain HTTP."""
    port = free_port()
    env = production_env(platform, JINTIAO_HTTPS="0")
    command = [JINTIAO, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2",
               "--threads", "2"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,  # noqa: S603 - ours
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", proc, seconds=180)
        yield base, env
    finally:
        proc.terminate()
        proc.wait(timeout=30)
