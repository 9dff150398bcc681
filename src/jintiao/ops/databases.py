"""The database's own copy and restore: SQLite's online backup API, PostgreSQL's pg_dump
and pg_restore (custom format). Each dump comes with the row counts and the migrations of
the very snapshot it holds, so the manifest describes exactly what was saved."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction

from jintiao.domain.errors import DomainError, ErrorCode

Query = Callable[[str], list[tuple[Any, ...]]]
PG_TOOL_HELP = ("请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client），"
                "或用 JINTIAO_PG_BIN 指明 pg_dump 所在的文件夹")


class BackupInvalid(DomainError):
    """A backup that cannot be made or restored as it stands; nothing was changed."""

    code = ErrorCode.BACKUP_INVALID


@dataclass(frozen=True)
class Dumped:
    """What :func:`dump` wrote: the file, the engine's version, and what the snapshot held."""

    file: str
    server_version: str
    counts: dict[str, int]
    migrations: list[str]


def kind() -> str:
    """``sqlite`` or ``postgresql``: the engines JinTiao runs on."""
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupInvalid(f"不支持备份此类数据库：{vendor}", f"unsupported database: {vendor}")
    return vendor


def _snapshot_facts(query: Query, tables: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    # the tables are our models' own names, never input
    counts = {label: int(query(f'SELECT COUNT(*) FROM "{table}"')[0][0])  # noqa: S608
              for label, table in tables.items()}
    migrations = sorted(f"{app}.{name}"
                        for app, name in query("SELECT app, name FROM django_migrations"))
    return counts, migrations


def dump(folder: Path, tables: dict[str, str]) -> Dumped:
    """Write the database into ``folder``; ``tables``: label → table to count."""
    if kind() == "sqlite":
        return _sqlite_dump(folder, tables)
    return _pg_dump(folder, tables)


def _sqlite_dump(folder: Path, tables: dict[str, str]) -> Dumped:
    """SQLite's online backup: a consistent copy while the platform keeps writing."""
    if connection.in_atomic_block:
        raise BackupInvalid("不能在事务中备份SQLite数据库", "cannot back up inside a transaction")
    target = folder / "database.sqlite3"
    connection.ensure_connection()
    source = connection.connection
    out = sqlite3.connect(target)
    try:
        source.backup(out)
        counts, migrations = _snapshot_facts(lambda sql: out.execute(sql).fetchall(), tables)
    finally:
        out.close()
    os.chmod(target, 0o600)
    return Dumped(target.name, sqlite3.sqlite_version, counts, migrations)


# -- PostgreSQL ------------------------------------------------------------------------


def _major(path: Path) -> int:
    found = re.search(r"/(\d+)/bin/", str(path))
    return int(found.group(1)) if found else 0


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: ``JINTIAO_PG_BIN`` first, then the server's own major version
    under /usr/lib/postgresql (a client older than the server refuses to dump), then PATH,
    then the newest installed.

    :raises BackupInvalid: none is installed
    """
    candidates: list[Path] = []
    if os.environ.get("JINTIAO_PG_BIN"):
        candidates.append(Path(os.environ["JINTIAO_PG_BIN"]) / name)
    connection.ensure_connection()
    server = int(getattr(connection, "pg_version", 0)) // 10000
    candidates.append(Path(f"/usr/lib/postgresql/{server}/bin/{name}"))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=_major,
                         reverse=True)
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    raise BackupInvalid(f"找不到 {name}：{PG_TOOL_HELP}",
                        f"{name} not found: install the PostgreSQL client or set JINTIAO_PG_BIN")


def pg_env() -> dict[str, str]:
    """The connection as libpq's variables: no password on a command line."""
    env = dict(os.environ)
    settings_dict = connection.settings_dict
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                     ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    # with a primary and its replica in DATABASE_URL, dump from the one that takes writes
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service",
                   "target_session_attrs"):
        if options.get(option):
            env[f"PG{option.upper().replace('_', '')}"] = str(options[option])
    return env


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, env=pg_env(), capture_output=True, text=True, check=False)  # noqa: S603 - our own argv, no shell
    if done.returncode != 0:
        tail = " ".join(done.stderr.strip().splitlines()[-3:])
        raise BackupInvalid(f"{what}失败：{tail}", f"{Path(argv[0]).name} failed: {tail}")


@contextmanager
def _pg_snapshot() -> Iterator[tuple[str, Query]]:
    """A read-only repeatable-read transaction whose snapshot pg_dump shares
    (``--snapshot``): the counts are those of the dump, to the row."""
    if connection.in_atomic_block:
        raise BackupInvalid("不能在事务中备份数据库", "cannot back up inside a transaction")
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchone()[0])

        def query(sql: str) -> list[tuple[Any, ...]]:
            cursor.execute(sql)
            return list(cursor.fetchall())

        yield snapshot, query


def _pg_dump(folder: Path, tables: dict[str, str]) -> Dumped:
    tool = pg_tool("pg_dump")
    target = folder / "database.pgdump"
    with _pg_snapshot() as (snapshot, query):
        counts, migrations = _snapshot_facts(query, tables)
        version = str(query("SHOW server_version")[0][0])
        _run([tool, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
             "pg_dump 备份数据库")
    os.chmod(target, 0o600)
    return Dumped(target.name, version, counts, migrations)


# -- restore ---------------------------------------------------------------------------


def load(file: Path, dumped_kind: str, ours: set[str]) -> None:
    """Write the dump into the configured database, which the caller found empty of data
    and of tables not ``ours``: the tables ``migrate`` made are dropped first, so the dump's
    schema is the one restored; a table not ours stops it (SQLite's restore replaces the
    whole file)."""
    here = kind()
    if here != dumped_kind:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupInvalid(
            f"备份的是 {names.get(dumped_kind, dumped_kind)} 数据库，当前配置的是 "
            f"{names[here]}：请用同类数据库恢复（DATABASE_URL）",
            f"the backup is {dumped_kind}, the configured database is {here}")
    with connection.cursor() as cursor:
        strangers = sorted(set(connection.introspection.table_names(cursor)) - ours)
    if strangers:
        raise BackupInvalid(f"数据库中有不属于金调通的表（{'、'.join(strangers[:5])}）：拒绝恢复",
                            "the database holds tables that are not JinTiao's")
    if here == "sqlite":
        _sqlite_load(file)
    else:
        _pg_load(file, ours)
    connections.close_all()


def _sqlite_load(file: Path) -> None:
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupInvalid("当前配置的是内存中的SQLite数据库，无处恢复",
                            "the configured SQLite database is in memory")
    connections.close_all()
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    out = sqlite3.connect(name)
    try:
        source.backup(out)  # replaces every page of the target, schema included
    finally:
        out.close()
        source.close()


def _pg_load(file: Path, ours: set[str]) -> None:
    tool = pg_tool("pg_restore")
    with connection.cursor() as cursor:
        for table in sorted(set(connection.introspection.table_names(cursor)) & ours):
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    connections.close_all()
    dbname = str(connection.settings_dict["NAME"])
    _run([tool, "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
          f"--dbname={dbname}", str(file)], "pg_restore 恢复数据库")
