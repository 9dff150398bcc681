"""The queue tests' database shared with processes of their own (workers, schedulers).

PostgreSQL: the test database itself, by its URL. SQLite: the test database lives in this
process's memory, so it is copied to a file for the processes and copied back for the
checks (SQLite's online backup, both ways)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class SharedDatabase:
    """Where the processes find the test's data, and how their writes come back."""

    env: dict[str, str]
    file: Path | None = None
    started: list[subprocess.Popen[str]] = field(default_factory=list)

    def push(self) -> None:
        """The test's rows to the processes (SQLite: to the file)."""
        if self.file is not None:
            connection.ensure_connection()
            self.file.unlink(missing_ok=True)
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)
            target.close()

    def pull(self) -> None:
        """The processes' writes back to the test (SQLite: from the file)."""
        if self.file is not None:
            connection.ensure_connection()
            source = sqlite3.connect(self.file)
            try:
                source.backup(connection.connection)
            finally:
                source.close()

    def start(self, at: str, *command: str, stall: Path | None = None,
              extra: dict[str, str] | None = None) -> subprocess.Popen[str]:
        """``jintiao command…`` in a process of its own, as of ``at``."""
        argv = [sys.executable, "-m", "tests.jobs.pinned_cli", "--at", at]
        if stall is not None:
            argv += ["--stall", str(stall)]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [*argv, "--", *command], cwd=ROOT, env={**self.env, **(extra or {})},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.started.append(process)
        return process


def _url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/" \
           f"{quote(db['NAME'])}"


@pytest.fixture
def shared_db(transactional_db, tmp_path):
    """The test database for processes of their own; every process started is ended after
    the test (a stalled worker would sleep for an hour)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jintiao.config.settings_test",
           "JINTIAO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
           "JINTIAO_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "JINTIAO_TEST_PKI_DIR": str(settings.PKI_DIR), "PYTHONUNBUFFERED": "1"}
    if connection.vendor == "sqlite":
        shared = SharedDatabase(env, file=tmp_path / "shared.sqlite3")
        env["DATABASE_URL"] = f"sqlite:///{shared.file}"
    else:
        env["DATABASE_URL"] = _url()
        shared = SharedDatabase(env)
    yield shared
    for process in shared.started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)
