"""``jintiao backup`` and ``jintiao restore``: the database, the files and the keys, with a
manifest that lets a restore refuse anything that is not exactly what was saved.

A backup folder::

    DIR/                    0700
      manifest.json         what is here: hashes, counts, versions, the keys' fingerprints
      database.sqlite3      SQLite's online backup, or
      database.pgdump       pg_dump's custom format
      media/…               every stored file (documents, attachments, scans)
      keys/…                PKI_DIR: the root, the organisations' and the checkpoint keys

The keys are copied first (the checkpoint log beside them then names no checkpoint the
database copy lacks), the database next, and the stored files last, so every file the
database copy refers to is in the folder (files are only ever added). ``keys/`` is secret:
the README says to keep it apart from the rest (``--keys`` finds it at restore) or to leave
it out (``--without-keys``).
The manifest is sealed with a key derived from the PII key, so whoever holds the folder but
not the keys cannot edit it and recompute the hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import posixpath
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from jintiao import __version__, clock
from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.ops import databases, keys
from jintiao.ops.databases import BackupInvalid

FORMAT = "jintiao-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
KEYS = "keys"
CHUNK = 1 << 20
# what the manifest counts, and the restore counts again
COUNTED = {"disputes": "disputes.Dispute", "events": "timeline.Event",
           "documents": "documents.Document", "agreements": "agreements.Agreement",
           "parties": "parties.Party", "users": "orgs.User",
           "organizations": "orgs.Organization"}
COUNT_LABELS = {"disputes": "纠纷", "events": "日志事件", "documents": "文书",
                "agreements": "调解协议", "parties": "当事人", "users": "用户",
                "organizations": "单位"}
# the secrets that stay in the environment; the restore compares them before anything
ENV_KEYS = ("pii_key", "secret_key")
FILE_KEYS = ("pki_root", "checkpoint_key")


class DatabaseNotEmpty(DomainError):
    """A restore into a database that already holds JinTiao's data: nothing is overwritten."""

    code = ErrorCode.DATABASE_NOT_EMPTY


# -- helpers ---------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _copy(source: IO[bytes], target: Path) -> dict[str, Any]:
    """Copy a stream into a new 0600 file, hashing on the way."""
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with target.open("xb") as out:
        os.chmod(target, 0o600)
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def _entry(path: Path) -> dict[str, Any]:
    return {"sha256": _sha256_file(path), "size": path.stat().st_size}


def _canonical(manifest: dict[str, Any]) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "seal"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def seal(manifest: dict[str, Any]) -> str:
    """HMAC-SHA256 of the manifest under a key derived from the PII key."""
    key = hashlib.sha256(f"jintiao:backup-seal:{settings.PII_KEY}".encode()).digest()
    return hmac.new(key, _canonical(manifest), hashlib.sha256).hexdigest()


def _safe(name: str) -> PurePosixPath:
    """A relative path inside the folder; anything else is refused."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name:
        raise BackupInvalid(f"备份清单中的路径不合法：{name}", f"unsafe path in manifest: {name}")
    return path


def _storage() -> Storage:
    return default_storage


def _stored_names(storage: Storage, prefix: str = "") -> Iterator[str]:
    """Every file in the storage, folders first-to-last in name order."""
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(prefix, name) if prefix else name
    for folder in sorted(folders):
        yield from _stored_names(storage, posixpath.join(prefix, folder) if prefix else folder)


def _key_files(folder: Path) -> Iterator[tuple[str, Path]]:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith(".tmp"):
            yield path.relative_to(folder).as_posix(), path


def _counted_tables() -> dict[str, str]:
    return {label: apps.get_model(name)._meta.db_table for label, name in COUNTED.items()}


# -- backup ----------------------------------------------------------------------------


@dataclass
class Made:
    """A backup just written, as the command reports it."""

    folder: Path
    manifest: dict[str, Any]


def backup(folder: Path, *, with_keys: bool = True, with_media: bool = True) -> Made:
    """Write a backup into ``folder`` (new or empty).

    :raises BackupInvalid: the folder holds something, or the database cannot be dumped
    """
    folder = folder.resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupInvalid(f"备份目标不是空文件夹：{folder}（每次备份请用一个新的文件夹）",
                            f"the backup folder is not empty: {folder}")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)  # personal data: the owner only
    when = clock.now()

    # the keys first: the checkpoint log in PKI_DIR must not name a checkpoint newer than
    # the database copy (audit verify would take it for a deleted one)
    key_files: dict[str, dict[str, Any]] = {}
    if with_keys:
        (folder / KEYS).mkdir(mode=0o700)
        for rel, path in _key_files(Path(settings.PKI_DIR)):
            with path.open("rb") as handle:
                key_files[rel] = _copy(handle, folder / KEYS / rel)

    dumped = databases.dump(folder, _counted_tables())
    files: dict[str, dict[str, Any]] = {dumped.file: _entry(folder / dumped.file)}

    media = {"included": with_media, "files": 0, "bytes": 0}
    if with_media:
        storage = _storage()
        for name in _stored_names(storage):
            with storage.open(name, "rb") as handle:
                entry = _copy(handle, folder / MEDIA / _safe(name))
            files[f"{MEDIA}/{name}"] = entry
            media["files"] += 1
            media["bytes"] += entry["size"]

    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": when.isoformat(),
        "version": __version__,
        "database": {"kind": databases.kind(), "file": dumped.file,
                     "server_version": dumped.server_version},
        "migrations": dumped.migrations,
        "counts": dumped.counts,
        "fingerprints": keys.current(),
        "media": media,
        "keys": {"included": with_keys, "files": key_files},
        "files": files,
    }
    manifest["seal"] = seal(manifest)
    for path in folder.rglob("*"):
        if path.is_dir():
            os.chmod(path, 0o700)
    target = folder / MANIFEST
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                      encoding="utf-8")
    os.chmod(target, 0o600)
    return Made(folder, manifest)


# -- restore ---------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupInvalid(f"不是金调通备份：{path} 不存在",
                            f"no {MANIFEST} in {folder}") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupInvalid("备份清单 manifest.json 已损坏，无法读取",
                            "manifest.json is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupInvalid("不是金调通备份清单", "not a JinTiao backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupInvalid(f"不支持的备份格式版本：{manifest.get('format_version')}",
                            "unsupported backup format version")
    return manifest


def _mismatches(folder: Path, listed: dict[str, Any], skip: str | None = None) -> list[str]:
    """Each file listed that is missing or differs, and each file there not listed."""
    problems = []
    for name, entry in sorted(listed.items()):
        path = folder / _safe(name)
        if not path.is_file():
            problems.append(f"缺少 {name}")
        elif path.stat().st_size != entry["size"] or _sha256_file(path) != entry["sha256"]:
            problems.append(f"{name} 与清单中的SHA-256不符")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel != MANIFEST and rel not in listed and not (skip and rel.startswith(f"{skip}/")):
            problems.append(f"{rel} 不在清单中")
    return problems


def _refuse(problems: list[str], what: str) -> None:
    if problems:
        shown = "；".join(problems[:5]) + (f"；另有 {len(problems) - 5} 处" if len(problems) > 5
                                          else "")
        raise BackupInvalid(f"{what}：{shown}。未做任何恢复",
                            f"{len(problems)} problem(s) in the backup; nothing restored")


@dataclass
class Checked:
    """A backup whose manifest, files and keys were all found as saved."""

    folder: Path
    manifest: dict[str, Any]
    keys_folder: Path | None


def check(folder: Path, keys_folder: Path | None = None) -> Checked:
    """Everything a restore checks before it writes a byte.

    :raises KeysMismatch: this machine's keys are not the backup's
    :raises BackupInvalid: the manifest was edited, a file differs, is missing or is extra,
        the keys folder is missing, or the backup comes from a newer version
    """
    folder = folder.resolve()
    manifest = read_manifest(folder)
    fingerprints = manifest.get("fingerprints") or {}
    keys.compare(fingerprints, ENV_KEYS)
    if not hmac.compare_digest(str(manifest.get("seal", "")), seal(manifest)):
        raise BackupInvalid("备份清单 manifest.json 已被改动（校验码不符），拒绝恢复",
                            "manifest.json was altered (its seal does not match)")
    files = manifest["files"]
    _refuse(_mismatches(folder, files, skip=KEYS), "备份文件与清单不符")
    key_files = manifest["keys"]["files"]
    found_keys: Path | None = None
    if manifest["keys"]["included"]:
        found_keys = (keys_folder or folder / KEYS).resolve()
        if not found_keys.is_dir():
            raise BackupInvalid(f"找不到密钥文件夹 {found_keys}：请用 --keys 指明另行保存的"
                                "密钥文件夹", f"keys folder not found: {found_keys}")
        _refuse(_mismatches(found_keys, key_files), "密钥文件与清单不符")
    else:
        keys.compare(fingerprints, FILE_KEYS)  # a backup without keys: PKI_DIR's own
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    newer = sorted(set(manifest["migrations"]) - known)
    if newer:
        raise BackupInvalid(f"备份来自较新的金调通版本（{manifest['version']}，"
                            f"本机不认识的迁移：{'、'.join(newer[:3])}）：请先升级再恢复",
                            "the backup comes from a newer version")
    return Checked(folder, manifest, found_keys)


# rows ``migrate`` itself writes into an empty database, which a restore may replace
FRESH_ROWS = {"contenttypes.contenttype", "auth.permission"}


def known_tables() -> set[str]:
    """Every table this version's migrations make: the models' (many-to-many included),
    the migrations' record and the database cache's (whichever cache is configured now).
    Nothing else is JinTiao's to drop."""
    names = {"django_migrations", settings.CACHE_TABLE}  # made even if the cache is Redis now
    names |= {model._meta.db_table for model in apps.get_models(include_auto_created=True)
              if model._meta.managed and not model._meta.proxy}
    names |= {str(cache["LOCATION"]) for cache in settings.CACHES.values()
              if cache["BACKEND"].endswith("db.DatabaseCache")}
    return names


def database_contents() -> list[str]:
    """Why the configured database is not one to restore into (empty: it may be).

    Refused: a table no migration of this version makes — another program's data, which the
    restore would drop with the rest — and any row but those ``migrate`` writes itself
    (content types, permissions), the operations app's and the cache's."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and "memory" not in name and not Path(name).exists():
        return []  # a SQLite file still to be made
    tables = set(connection.introspection.table_names())
    held = [f"不属于金调通的表 {table}" for table in sorted(tables - known_tables())]
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if (meta.db_table in tables and meta.managed and not meta.proxy
                and meta.app_label != "ops" and meta.label_lower not in FRESH_ROWS
                and model._default_manager.exists()):
            what = (meta.verbose_name if model.__module__.startswith("jintiao.")
                    and not meta.auto_created else f"表 {meta.db_table} 中")
            held.append(f"{what}{model._default_manager.count()}条")
    return held


@dataclass
class Restored:
    """What a restore wrote and what it found after."""

    manifest: dict[str, Any]
    media: int = 0
    keys: int = 0
    keys_kept: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _preflight_media(folder: Path, files: dict[str, Any]) -> list[str]:
    """Names to write; a stored file of the same name with other content refuses all."""
    storage = _storage()
    todo, clashes = [], []
    for name, entry in files.items():
        if not name.startswith(f"{MEDIA}/"):
            continue
        stored = name[len(MEDIA) + 1:]
        if storage.exists(stored):
            with storage.open(stored, "rb") as handle:
                digest = hashlib.sha256()
                for chunk in iter(lambda: handle.read(CHUNK), b""):
                    digest.update(chunk)
            if digest.hexdigest() != entry["sha256"]:
                clashes.append(f"{stored} 已存在且内容不同")
            continue
        todo.append(stored)
    _refuse(clashes, "文件存储中已有不同的文件")
    return todo


def _preflight_keys(checked: Checked) -> tuple[list[str], int]:
    """Key files to write, and how many PKI_DIR already has. The root and the checkpoint key
    must be the backup's where PKI_DIR has them (else the signatures and checkpoints in the
    data would not verify); any other file there — an organisation's renewed certificate,
    a longer checkpoint log — is newer than the backup and kept."""
    files = checked.manifest["keys"]["files"] if checked.keys_folder else {}
    pki = Path(settings.PKI_DIR)
    must_match = {keys.root_path().relative_to(pki).as_posix(),
                  keys.checkpoint_key_path().relative_to(pki).as_posix()}
    todo, clashes, kept = [], [], 0
    for rel, entry in files.items():
        path = pki / _safe(rel)
        if not path.is_file():
            todo.append(rel)
        elif rel in must_match and _sha256_file(path) != entry["sha256"]:
            clashes.append(f"{path} 与备份中的不同")
        else:
            kept += 1
    if clashes:
        raise keys.KeysMismatch(
            "PKI_DIR 中已有另一套密钥，拒绝覆盖：" + "；".join(clashes) + "。请换一个空的 "
            "JINTIAO_PKI_DIR，或确认后移走这些文件再恢复",
            "PKI_DIR holds other keys; nothing restored")
    return todo, kept


def _write_key(source: Path, target: Path) -> None:
    """0600 in 0700 folders, written whole under a temporary name and moved into place."""
    here = Path(settings.PKI_DIR)
    here.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(here, 0o700)
    for part in target.parent.relative_to(here).parts:
        here = here / part
        here.mkdir(mode=0o700, exist_ok=True)
        os.chmod(here, 0o700)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                out.write(chunk)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def restore(folder: Path, keys_folder: Path | None = None) -> Restored:
    """Restore a backup into an empty database, its files into the storage and its keys into
    PKI_DIR, after checking all of it; then ``migrate`` (a backup of an older version) and
    count again. ``audit verify`` is the caller's next step.

    :raises KeysMismatch, BackupInvalid: see :func:`check`
    :raises DatabaseNotEmpty: the configured database holds JinTiao data
    """
    checked = check(folder, keys_folder)
    manifest = checked.manifest
    held = database_contents()
    if held:
        raise DatabaseNotEmpty(
            f"数据库不是空的（已有{'、'.join(held[:4])}{'等' if len(held) > 4 else ''}）："
            "恢复只写入空数据库，不覆盖现有数据。请新建一个空数据库（PostgreSQL：createdb；"
            "SQLite：换一个文件或移走原文件）并在 DATABASE_URL 中指明后再恢复",
            "the database is not empty; restore only into an empty one")
    media_todo = _preflight_media(checked.folder, manifest["files"])
    keys_todo, keys_kept = _preflight_keys(checked)

    databases.load(checked.folder / manifest["database"]["file"], manifest["database"]["kind"],
                   known_tables())
    done = Restored(manifest, keys_kept=keys_kept)
    if checked.keys_folder is not None:
        pki = Path(settings.PKI_DIR)
        for rel in keys_todo:
            _write_key(checked.keys_folder / rel, pki / rel)
            done.keys += 1
    storage = _storage()
    for name in media_todo:
        with (checked.folder / MEDIA / name).open("rb") as handle:
            saved = storage.save(name, File(handle, name=posixpath.basename(name)))
        if saved != name:
            raise BackupInvalid(f"文件存储把 {name} 存成了 {saved}", f"storage renamed {name}")
        done.media += 1
    call_command("migrate", interactive=False, verbosity=0)

    for label, name in COUNTED.items():
        done.counts[label] = apps.get_model(name)._default_manager.count()
        if done.counts[label] != manifest["counts"].get(label):
            done.problems.append(f"恢复后{COUNT_LABELS[label]}共 {done.counts[label]} 条，"
                                 f"与备份时的 {manifest['counts'].get(label)} 条不符 "
                                 f"({label}: {done.counts[label]} restored, "
                                 f"{manifest['counts'].get(label)} in the backup)")
    done.problems += keys.verify_keys()
    return done
