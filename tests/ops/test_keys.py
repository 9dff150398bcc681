"""JinTiao refuses to start with a key that does not fit its data, and says which key: the
system check stops runserver, check, migrate and db_worker; `jintiao serve` asks
verify_keys() itself."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from jintiao.cli import main
from jintiao.ops import keys
from jintiao.ops.models import KeyFingerprint
from jintiao.pki.store import ca_init, ensure_ca
from tests.factories import intake

ROTATED = "a-key-the-operator-set-since"


@pytest.fixture
def recorded(world):
    """A platform with data (a party's number encrypted), its keys recorded as they are."""
    intake(actor=world.clerk, committee=world.committee)
    keys.record_keys()
    return world


@pytest.fixture
def own_pki(settings, tmp_path):
    """A PKI_DIR of this test's own, with its root."""
    settings.PKI_DIR = tmp_path / "pki"
    ensure_ca("测试根")
    return settings.PKI_DIR


def test_the_keys_the_data_was_written_with_start(recorded):
    assert keys.verify_keys() == []
    call_command("check")  # no error


def test_another_pii_key_is_refused_and_named(recorded, settings):
    settings.PII_KEY = "another-pii-key"
    problems = keys.verify_keys()
    assert len(problems) == 1
    assert problems[0].startswith("JINTIAO_PII_KEY 与数据库中的数据不符（当前指纹 ")
    assert "身份证号码与手机号将无法解密" in problems[0]
    assert "当事人门户登录" in problems[0]
    assert settings.PII_KEY not in problems[0]  # a fingerprint, never the key
    with pytest.raises(SystemCheckError, match="JINTIAO_PII_KEY"):
        call_command("check")


def test_a_pii_key_taken_from_the_secret_key_says_so(recorded, settings):
    settings.SECRET_KEY = settings.PII_KEY = ROTATED
    problems = keys.verify_keys()
    assert [p.split(" ")[0] for p in problems] == [
        "JINTIAO_SECRET_KEY", "JINTIAO_PII_KEY（未设置，取自"]


def test_another_secret_key_alone_is_named_alone(recorded, settings):
    settings.SECRET_KEY = ROTATED
    problems = keys.verify_keys()
    assert len(problems) == 1
    assert problems[0].startswith("JINTIAO_SECRET_KEY 与数据库中的数据不符")
    assert "登录会话" in problems[0]


def test_a_key_never_recorded_is_tried_on_the_data(recorded, settings):
    KeyFingerprint.objects.all().delete()  # a deployment older than the record
    settings.PII_KEY = "not-the-key-of-the-data"
    problems = keys.verify_keys()
    assert len(problems) == 1
    assert "无法解密数据库中已存的身份证号码" in problems[0]
    assert not KeyFingerprint.objects.exists()  # a wrong key is never taken as the record

    settings.PII_KEY = settings.SECRET_KEY
    assert keys.verify_keys() == []
    assert set(KeyFingerprint.objects.values_list("name", flat=True)) == {
        "secret_key", "pii_key", "pki_root", "checkpoint_key"}


def test_a_replaced_or_lost_root_is_named(world, own_pki):
    intake(actor=world.clerk, committee=world.committee)
    keys.record_keys()
    ca_init("另一个根", force=True)
    problems = keys.verify_keys()
    assert len(problems) == 1
    assert problems[0].startswith(f"PKI 根证书（{own_pki / 'ca.pem'}）与数据库中的数据不符")

    (own_pki / "ca.pem").unlink()
    (own_pki / "root.pem").unlink()
    problems = keys.verify_keys()
    assert problems[0].startswith(f"PKI 根证书（{own_pki / 'ca.pem'}）缺失")
    assert "请从备份恢复密钥文件夹" in problems[0]


def test_a_root_made_after_the_record_is_taken_up(world, settings, tmp_path):
    settings.PKI_DIR = tmp_path / "pki"
    intake(actor=world.clerk, committee=world.committee)
    keys.record_keys()
    assert KeyFingerprint.objects.get(name="pki_root").fingerprint == ""
    ensure_ca("首次签名时生成的根")
    assert keys.verify_keys() == []
    assert KeyFingerprint.objects.get(name="pki_root").fingerprint == keys.current()["pki_root"]


def test_the_checkpoint_key_is_fingerprinted_as_checkpoints_are(world, own_pki):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    (own_pki / "checkpoint").mkdir()
    (own_pki / "checkpoint" / "ed25519.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(spki)
    assert keys.current()["checkpoint_key"] == digest.finalize().hex()

    intake(actor=world.clerk, committee=world.committee)
    keys.record_keys()
    (own_pki / "checkpoint" / "ed25519.pem").write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    [problem] = keys.verify_keys()
    assert problem.startswith("审计检查点签名密钥")


def test_a_database_without_data_takes_the_keys_it_is_given(db, settings):
    """A fresh `migrate` then a first start with other keys (nothing encrypted yet)."""
    keys.record_keys()
    settings.SECRET_KEY = settings.PII_KEY = ROTATED
    assert keys.verify_keys() == []
    assert keys.recorded() == keys.current()


def test_before_the_first_migrate_there_is_nothing_to_check(recorded, settings, monkeypatch):
    from django.db import connection

    settings.PII_KEY = "anything"
    monkeypatch.setattr(connection.introspection, "table_names", lambda *a, **k: [])
    assert keys.verify_keys() == []


class TestCommands:
    def test_status_names_the_key_and_exits_1(self, recorded, settings, capsys):
        assert main(["keys", "status"]) == 0
        assert "JINTIAO_PII_KEY：当前 " in capsys.readouterr().out
        settings.PII_KEY = "another"
        assert main(["keys", "status"]) == 1
        out = capsys.readouterr().out
        assert "（不符）" in out
        assert "问题：JINTIAO_PII_KEY 与数据库中的数据不符" in out

    def test_record_after_a_deliberate_change_of_the_secret_key(self, recorded, settings,
                                                               capsys):
        settings.SECRET_KEY = ROTATED
        assert keys.verify_keys() != []
        assert main(["keys", "record"]) == 0
        assert "已记录 JINTIAO_SECRET_KEY" in capsys.readouterr().out
        assert keys.verify_keys() == []

    def test_record_refuses_a_pii_key_that_does_not_decrypt_the_data(self, recorded, settings,
                                                                    capsys):
        settings.PII_KEY = "wrong"
        assert main(["keys", "record"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("错误：JINTIAO_PII_KEY 无法解密数据库中已存的身份证号码")
        assert err.rstrip().endswith("[keys_mismatch]")


@pytest.mark.parametrize("command", [["worker"], ["scheduler", "--once"]])
def test_the_worker_and_the_scheduler_refuse_another_key_and_name_it(recorded, settings,
                                                                      capsys, command):
    settings.PII_KEY = "another-pii-key"
    assert main(command) == 2
    err = capsys.readouterr().err
    assert "JINTIAO_PII_KEY 与数据库中的数据不符" in err
    assert "refused to start" in err
