"""``jintiao backup`` → ``jintiao restore`` into an empty database → ``audit verify`` passes,
on the database the suite runs on (SQLite: a separate temporary file; PostgreSQL: a
throwaway database on the same server); and a restore refuses a backup that is not exactly
what was saved, another key, or a database that holds data — before it writes anything."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from jintiao.cli import main
from jintiao.disputes.models import Dispute
from jintiao.ops import backup as ops_backup
from jintiao.ops.keys import KeysMismatch
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree

pytestmark = pytest.mark.django_db(transaction=True)  # a backup reads committed data

RESTORE = ("import sys; from jintiao.cli import main; sys.exit(main(sys.argv[1:]))",)


def jintiao(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The command as an operator runs it, in a process of its own."""
    return subprocess.run([sys.executable, "-c", *RESTORE, *args], env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=600, check=False)


def fresh_machine(var: Path, database_url: str, settings) -> dict[str, str]:
    """Another machine: its own folders and database, the same two secrets set."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JINTIAO_", "DJANGO_", "DATABASE_URL"))}
    env.update(JINTIAO_VAR_DIR=str(var), DATABASE_URL=database_url,
               JINTIAO_SECRET_KEY=settings.SECRET_KEY, JINTIAO_PII_KEY=settings.PII_KEY)
    return env


@pytest.fixture
def sealed(desk, mediating):
    """A dispute with a signed agreement: events, parties, a document's files, keys."""
    accept_plan(desk, mediating, flat(12))
    return agree(desk, mediating, CHARGES_SINCE)


@pytest.fixture
def saved(world, tmp_path) -> Path:
    """A small backup: the world, one stored file, the run's keys."""
    default_storage.save("evidence/收据.pdf", ContentFile(b"%PDF-1.4 receipt"))
    folder = tmp_path / "backup"
    assert main(["backup", str(folder)]) == 0
    return folder


def restore_fails(folder: Path, capsys, *extra: str) -> str:
    """Run restore on this database and return its one error line."""
    assert main(["restore", str(folder), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：")
    assert err.count("\n") == 1
    return err


def assert_round_trip(sealed, folder: Path, env: dict[str, str]) -> None:
    """Restore into the empty database ``env`` names, then check what the platform says."""
    done = jintiao(["restore", str(folder)], env)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "备份清单与全部文件核对一致" in out
    assert "纠纷 2" in out  # ours and theirs, as in the backup
    assert "密钥与数据一致，恢复后的记录数与备份时相同" in out
    assert "所有纠纷的日志链完整" in out
    assert "所有协议内容与签署摘要一致，所有文书文件与存档摘要一致" in out
    assert "0 份损坏，0 份证书不受信任" in out  # the root came back with the keys

    again = jintiao(["restore", str(folder)], env)
    assert again.returncode == 2
    assert "数据库不是空的" in again.stderr

    wrong = jintiao(["manage", "check"], {**env, "JINTIAO_PII_KEY": "not-the-key"})
    assert wrong.returncode != 0
    assert "JINTIAO_PII_KEY 与数据库中的数据不符" in wrong.stderr + wrong.stdout
    assert "身份证号码与手机号将无法解密" in wrong.stderr + wrong.stdout
    assert jintiao(["manage", "check"], env).returncode == 0


class TestRoundTrip:
    def test_sqlite_into_a_separate_file(self, sealed, tmp_path, settings):
        if connection.vendor != "sqlite":
            pytest.skip("the suite runs on PostgreSQL")
        folder = tmp_path / "backup"
        assert main(["backup", str(folder)]) == 0
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["database"]["kind"] == "sqlite"
        assert (folder / "database.sqlite3").is_file()
        assert_round_trip(sealed, folder, fresh_machine(
            tmp_path / "var", f"sqlite:///{tmp_path / 'restored.sqlite3'}", settings))

    def test_postgresql_into_a_throwaway_database(self, sealed, tmp_path, settings,
                                                   throwaway_postgres):
        folder = tmp_path / "backup"
        assert main(["backup", str(folder)]) == 0
        assert json.loads((folder / "manifest.json").read_text())["database"]["kind"] == \
            "postgresql"
        assert (folder / "database.pgdump").is_file()
        assert_round_trip(sealed, folder, fresh_machine(tmp_path / "var", throwaway_postgres,
                                                        settings))


@pytest.fixture
def throwaway_postgres() -> Iterator[str]:
    """An empty database on the server the suite runs on, dropped after the test."""
    if connection.vendor != "postgresql":
        pytest.skip("the suite runs on SQLite")
    import psycopg

    s = connection.settings_dict
    name = f"jintiao_restore_{secrets.token_hex(4)}"
    params = {"host": s["HOST"] or None, "port": s["PORT"] or None, "user": s["USER"] or None,
              "password": s["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = f"{s['USER']}:{s['PASSWORD']}@" if s["PASSWORD"] else f"{s['USER']}@"
    try:
        yield f"postgres://{auth}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
    finally:
        with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class TestTheManifest:
    def test_it_lists_every_file_with_its_hash_and_the_keys_fingerprints_only(self, saved,
                                                                            settings):
        manifest = json.loads((saved / "manifest.json").read_text())
        assert manifest["format"] == "jintiao-backup"
        assert manifest["counts"]["users"] > 0
        assert manifest["counts"]["disputes"] == 0
        assert manifest["database"]["file"] in manifest["files"]
        assert manifest["files"]["media/evidence/收据.pdf"]["size"] == 16
        assert manifest["keys"]["included"] is True
        assert "ca.pem" in manifest["keys"]["files"]
        assert set(manifest["fingerprints"]) == {"secret_key", "pii_key", "pki_root",
                                                 "checkpoint_key"}
        text = (saved / "manifest.json").read_text()
        assert settings.SECRET_KEY not in text
        assert settings.PII_KEY not in text
        assert oct((saved / "keys").stat().st_mode & 0o777) == "0o700"
        assert oct((saved / "manifest.json").stat().st_mode & 0o777) == "0o600"

    def test_a_folder_that_is_not_empty_is_refused(self, saved, capsys):
        assert main(["backup", str(saved)]) == 2
        assert "备份目标不是空文件夹" in capsys.readouterr().err


class TestRefusals:
    def test_one_byte_changed_in_a_stored_file(self, saved, capsys):
        path = saved / "media" / "evidence" / "收据.pdf"
        data = bytearray(path.read_bytes())
        data[5] ^= 1
        path.write_bytes(bytes(data))
        err = restore_fails(saved, capsys)
        assert "备份文件与清单不符：media/evidence/收据.pdf 与清单中的SHA-256不符" in err
        assert "[backup_invalid]" in err

    def test_one_byte_changed_in_the_database_copy(self, saved, capsys):
        name = json.loads((saved / "manifest.json").read_text())["database"]["file"]
        with (saved / name).open("r+b") as handle:
            handle.seek(200)
            byte = handle.read(1)
            handle.seek(200)
            handle.write(bytes([byte[0] ^ 1]))
        assert f"{name} 与清单中的SHA-256不符" in restore_fails(saved, capsys)

    def test_the_manifest_edited_with_its_hashes_recomputed(self, saved, capsys):
        path = saved / "media" / "evidence" / "收据.pdf"
        path.write_bytes(b"%PDF-1.4 forged")
        manifest = json.loads((saved / "manifest.json").read_text())
        manifest["files"]["media/evidence/收据.pdf"] = {
            "sha256": ops_backup._sha256_file(path), "size": path.stat().st_size}
        (saved / "manifest.json").write_text(json.dumps(manifest))
        assert "manifest.json 已被改动（校验码不符）" in restore_fails(saved, capsys)

    def test_a_file_added_to_the_folder(self, saved, capsys):
        (saved / "media" / "extra.txt").write_text("planted")
        assert "media/extra.txt 不在清单中" in restore_fails(saved, capsys)

    def test_another_pii_key(self, saved, settings, capsys):
        settings.PII_KEY = "another-pii-key"
        err = restore_fails(saved, capsys)
        assert "JINTIAO_PII_KEY 与备份时的不符" in err
        assert "[keys_mismatch]" in err

    def test_a_database_that_holds_data(self, saved, capsys):
        err = restore_fails(saved, capsys)
        assert "数据库不是空的" in err
        assert "不覆盖现有数据" in err
        assert "[database_not_empty]" in err
        assert Dispute.objects.count() == 0  # nothing written


class TestKeysKeptApart:
    def test_keys_moved_elsewhere_are_found_with_the_option(self, saved, tmp_path, capsys):
        apart = tmp_path / "offline-keys"
        (saved / "keys").rename(apart)
        assert "找不到密钥文件夹" in restore_fails(saved, capsys)
        checked = ops_backup.check(saved, apart)
        assert checked.keys_folder == apart.resolve()
        (apart / "ca.pem").write_bytes(b"not the root")
        assert "密钥文件与清单不符：ca.pem 与清单中的SHA-256不符" in restore_fails(
            saved, capsys, "--keys", str(apart))

    def test_a_backup_without_keys_needs_this_machines_to_be_the_same(self, world, tmp_path,
                                                                      settings, capsys):
        folder = tmp_path / "backup"
        assert main(["backup", str(folder), "--without-keys"]) == 0
        assert "密钥：未备份（--without-keys）" in capsys.readouterr().out
        assert not (folder / "keys").exists()
        assert ops_backup.check(folder).keys_folder is None

        settings.PKI_DIR = tmp_path / "another-pki"  # a machine without the root
        with pytest.raises(KeysMismatch, match="PKI 根证书"):
            ops_backup.check(folder)
