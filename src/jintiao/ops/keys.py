"""The keys the data depends on, checked at start: a restore with another key must not
silently break the portal's sign-in or the documents' signatures.

Four keys live outside the database, and each leaves its mark in it:

- ``JINTIAO_PII_KEY`` (or, when unset, ``JINTIAO_SECRET_KEY``) encrypts identity numbers and
  phones and keys the hashes that find a party, a portal sign-in code or a signing code;
- ``JINTIAO_SECRET_KEY`` signs sessions, password-reset links and forms;
- the PKI root (``PKI_DIR/ca.pem``) issues the certificates the documents are signed with;
- the checkpoint key (``PKI_DIR/checkpoint/ed25519.pem``) signs the audit checkpoints.

Their fingerprints — never their values — are recorded in :class:`KeyFingerprint` at the
first ``migrate`` (or the first start, or ``jintiao keys record``), and every start compares
(:func:`verify_keys`): a Django system check of level Error stops ``runserver``, ``check``,
``migrate`` and ``db_worker``; ``jintiao serve`` calls :func:`verify_keys` itself. The PII
key is also tried on the data itself (one stored number decrypted), so a deployment whose
fingerprint was never recorded is checked too.

A secret's fingerprint is SHA-256 over a domain-separated string: it reveals nothing a copy
of the database does not already allow testing (its ciphertexts), and a slow hash would
only slow every start. A certificate's and a public key's are the usual SHA-256 over DER.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection, transaction
from django.db.models import Model

from jintiao import clock
from jintiao.domain.errors import DomainError, ErrorCode

CHECK_TAG = "jintiao_keys"
SHOWN = 12  # hex digits of a fingerprint shown to a person


@dataclass(frozen=True)
class Key:
    """One key the data depends on: how the operator knows it and what breaks without it."""

    name: str
    harm: str

    def label(self) -> str:
        if self.name == "secret_key":
            return "JINTIAO_SECRET_KEY"
        if self.name == "pii_key":
            if settings.PII_KEY == settings.SECRET_KEY:
                return "JINTIAO_PII_KEY（未设置，取自 JINTIAO_SECRET_KEY）"
            return "JINTIAO_PII_KEY"
        if self.name == "pki_root":
            return f"PKI 根证书（{root_path()}）"
        return f"审计检查点签名密钥（{checkpoint_key_path()}）"

    def label_en(self) -> str:
        return {"secret_key": "JINTIAO_SECRET_KEY", "pii_key": "JINTIAO_PII_KEY",
                "pki_root": "the PKI root", "checkpoint_key": "the checkpoint key"}[self.name]


SECRET = Key("secret_key", "所有登录会话、密码重置链接与已打开的表单将失效")
PII = Key("pii_key", "身份证号码与手机号将无法解密，按号码查找当事人、当事人门户登录与"
                     "签署验证码都将失效")
ROOT = Key("pki_root", "新文书将由另一个根证书签署，已签文书的电子签名将不再受本平台信任")
CHECKPOINT = Key("checkpoint_key", "新的审计检查点将无法与已存的检查点用同一公钥核验")
KEYS = (SECRET, PII, ROOT, CHECKPOINT)
BY_NAME = {k.name: k for k in KEYS}


# -- fingerprints ----------------------------------------------------------------------


def secret_fingerprint(name: str, value: str) -> str:
    return hashlib.sha256(f"jintiao:fingerprint:{name}:{value}".encode()).hexdigest()


def root_path() -> Path:
    return Path(settings.PKI_DIR) / "ca.pem"


def checkpoint_dir() -> Path:
    return Path(settings.PKI_DIR) / "checkpoint"


def _root_fingerprint() -> str:
    """SHA-256 of the root certificate's DER (what ``openssl x509 -fingerprint -sha256``
    shows); the root alone (``root.pem``) when the CA's key is kept elsewhere; blank: none."""
    for path in (root_path(), Path(settings.PKI_DIR) / "root.pem"):
        try:
            cert = x509.load_pem_x509_certificate(path.read_bytes())
        except (FileNotFoundError, ValueError):
            continue
        return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    return ""


def checkpoint_key_path() -> Path:
    """The checkpoint signing key (``jintiao.timeline.checkpoints.KEY_FILE``); the public
    keys beside it only verify old checkpoints."""
    return checkpoint_dir() / "ed25519.pem"


def _checkpoint_fingerprint() -> str:
    """SHA-256 of the checkpoint key's SubjectPublicKeyInfo — the fingerprint checkpoints
    carry and the monthly report prints; blank: no key yet. A file that is no key counts
    by its bytes, so it still differs from the recorded one."""
    try:
        data = checkpoint_key_path().read_bytes()
    except FileNotFoundError:
        return ""
    try:
        public = serialization.load_pem_private_key(data, password=None).public_key()
        der = public.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    except (ValueError, TypeError):
        der = data
    return hashlib.sha256(der).hexdigest()


def current() -> dict[str, str]:
    """The fingerprints of the keys this process runs with ('' for a key not there)."""
    return {
        SECRET.name: secret_fingerprint(SECRET.name, settings.SECRET_KEY),
        PII.name: secret_fingerprint(PII.name, settings.PII_KEY),
        ROOT.name: _root_fingerprint(),
        CHECKPOINT.name: _checkpoint_fingerprint(),
    }


def short(fingerprint: str) -> str:
    return f"{fingerprint[:SHOWN]}…" if fingerprint else "（无）"


# -- the data's side -------------------------------------------------------------------


def _data_models() -> list[type[Model]]:
    """What a key leaves its mark on: users (sessions), parties (numbers), documents
    (signatures)."""
    from jintiao.documents.models import Document
    from jintiao.orgs.models import User
    from jintiao.parties.models import Party

    return [User, Party, Document]


def _tables_ready() -> bool:
    """Whether the fingerprints' table exists (it does not before the first migrate)."""
    from jintiao.ops.models import KeyFingerprint

    try:
        tables = set(connection.introspection.table_names())
    except DatabaseError:
        return False  # no database to compare with: whatever runs next says so
    wanted: list[type[Model]] = [KeyFingerprint, *_data_models()]
    return {m._meta.db_table for m in wanted} <= tables


def _holds_data() -> bool:
    """Whether anything in the database depends on the keys yet: a freshly migrated one
    takes whatever keys the operator sets."""
    try:
        with transaction.atomic():
            return any(m._default_manager.exists() for m in _data_models())
    except DatabaseError:
        return True


def pii_decrypts() -> bool | None:
    """Whether the PII key decrypts a number stored in the database (None: none stored)."""
    from jintiao.parties import crypto
    from jintiao.parties.models import Party

    try:
        with transaction.atomic():  # a schema mid-migration must not abort the caller's work
            sample = (Party.objects.exclude(id_cipher="").order_by("pk")
                      .values_list("id_cipher", flat=True).first())
    except DatabaseError:
        return None
    if sample is None:
        return None
    try:
        crypto.decrypt(sample)
    except InvalidToken:
        return False
    return True


def recorded() -> dict[str, str]:
    from jintiao.ops.models import KeyFingerprint

    return dict(KeyFingerprint.objects.values_list("name", "fingerprint"))


def _spaced(label: str) -> str:
    """A space after a Latin name, none after a closing full-width bracket."""
    return label if label.endswith("）") else f"{label} "


def mismatch_line(key: Key, have: str, was: str) -> str:
    """The line a person reads: which key, both fingerprints, what breaks."""
    if not have:
        return (f"{key.label()}缺失（数据库记录的指纹 {short(was)}）：{key.harm}；"
                f"请从备份恢复密钥文件夹 ({key.label_en()} is missing)")
    return (f"{_spaced(key.label())}与数据库中的数据不符（当前指纹 {short(have)} ≠ 数据库记录 "
            f"{short(was)}）：{key.harm} ({key.label_en()} does not match the data)")


def undecryptable_line(have: str) -> str:
    return (f"{_spaced(PII.label())}无法解密数据库中已存的身份证号码（当前指纹 {short(have)}）："
            f"{PII.harm} (JINTIAO_PII_KEY does not decrypt the stored numbers)")


def _write(values: dict[str, str]) -> None:
    from jintiao.ops.models import KeyFingerprint

    now = clock.now()
    with transaction.atomic():
        for name, fingerprint in values.items():
            KeyFingerprint.objects.update_or_create(
                name=name, defaults={"fingerprint": fingerprint, "recorded_at": now})


def verify_keys(*, adopt: bool = True) -> list[str]:
    """Compare the keys this process runs with to the data's; return one Chinese line per
    key that does not fit (empty: start). Before the first ``migrate``, and while no user,
    party or document exists, there is nothing to compare with (the keys set are taken).
    ``adopt``: record what is not yet recorded — a key made since (the root at the first
    signature, the first checkpoint key), or a deployment older than the record — when
    every recorded key fits and the PII key decrypts the data."""
    if not _tables_ready():
        return []
    have = current()
    was = recorded()
    if not _holds_data():
        if adopt and was != have:
            _write({name: fp for name, fp in have.items() if was.get(name) != fp})
        return []
    problems: list[str] = []
    new: dict[str, str] = {}
    for key in KEYS:
        if was.get(key.name):
            if was[key.name] != have[key.name]:
                problems.append(mismatch_line(key, have[key.name], was[key.name]))
        elif have[key.name] or key.name not in was:
            new[key.name] = have[key.name]
    decrypts = pii_decrypts()
    if decrypts is False and not any(line.startswith(PII.label()) for line in problems):
        problems.append(undecryptable_line(have[PII.name]))
    if adopt and new and not problems:
        _write(new)
    return problems


def record_keys() -> dict[str, tuple[str, str]]:
    """Record the keys this process runs with, after a deliberate change (a new
    ``JINTIAO_SECRET_KEY``, ``pki init --force``); return what changed, name → (was, now).

    :raises KeysMismatch: the PII key does not decrypt the data: recording it would make
        a wrong key look right
    """
    if not _tables_ready():
        raise KeysMismatch("数据库尚未初始化，请先运行 jintiao manage migrate",
                           "the database is not migrated yet")
    have = current()
    if pii_decrypts() is False:
        raise KeysMismatch(undecryptable_line(have[PII.name]),
                           "JINTIAO_PII_KEY does not decrypt the stored numbers")
    was = recorded()
    changed = {name: (was.get(name, ""), fp) for name, fp in have.items()
               if was.get(name) != fp}
    _write(have)
    return changed


def compare(expected: dict[str, str], names: Iterable[str]) -> None:
    """Refuse when a named key's fingerprint here differs from ``expected`` (a backup's
    manifest): the restore checks this before it writes anything.

    :raises KeysMismatch: one line per key that differs
    """
    have = current()
    lines, wrong = [], []
    for name in names:
        key = BY_NAME[name]
        want = expected.get(name, "")
        if want and have[name] != want:
            got = f"当前指纹 {short(have[name])}" if have[name] else "当前没有"
            lines.append(f"{_spaced(key.label())}与备份时的不符（备份 {short(want)}，{got}）")
            wrong.append(key.label_en())
    if lines:
        raise KeysMismatch("；".join(lines) + "：请设置（或用 --keys 提供）备份时使用的密钥后"
                           "再恢复，未做任何恢复",
                           f"{', '.join(wrong)} differ from the backup's; nothing restored")


# -- where it runs ---------------------------------------------------------------------


def check_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Django's system check: every key that does not fit the data is an Error."""
    return [checks.Error(
        line, id="jintiao.E001",
        hint="金调通拒绝启动：请设置与数据一致的密钥（见 README「备份与恢复」）；确属有意"
             "更换（如新的 JINTIAO_SECRET_KEY、pki init --force）时运行 jintiao keys record")
        for line in verify_keys()]


def record_after_migrate(**kwargs: Any) -> None:
    """The first ``migrate`` records the keys it ran with; later ones add only keys made
    since (and nothing at all while a recorded key does not fit)."""
    verify_keys(adopt=True)


class KeysMismatch(DomainError):
    """A key that does not fit the data (or a backup): nothing is recorded or restored."""

    code = ErrorCode.KEYS_MISMATCH
