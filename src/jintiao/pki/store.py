"""Keys and certificates as files under ``settings.PKI_DIR`` — never in the database.

::

    PKI_DIR/                     0700
      ca.pem                     the root's private key and certificate, in one file
      root.pem                   the root certificate alone, for whoever verifies
      orgs/<id>/own.pem          key + certificate issued by the deployment's root
      orgs/<id>/imported.pem     key + certificate + chain from a licensed CA (preferred)

Every file is 0600. A file holding a key is written under a temporary name and moved into
place, so nobody reads a key without its certificate, and two processes issuing at once
leave one consistent pair. Loaded credentials are kept per process, keyed by file and its
modification time, so signing reads no file once warm.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings

from jintiao.domain.errors import DomainError, ErrorCode
from jintiao.orgs.models import Organization, OrgKind

logger = logging.getLogger(__name__)

ROOT_YEARS = 20
ORG_YEARS = 5
# an own-CA certificate this close to its end is replaced at the next signature
RENEW_BEFORE = dt.timedelta(days=30)
# the certificate's start lies a little back, for a verifier whose clock runs behind
SKEW = dt.timedelta(hours=1)
Source = Literal["own", "imported"]
FILES: tuple[tuple[str, Source], ...] = (("imported.pem", "imported"), ("own.pem", "own"))
SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class PkiError(DomainError):
    """No usable signing key: no CA and no imported certificate, a bad PKCS#12, …"""

    code = ErrorCode.DOCUMENT_INVALID


@dataclass(frozen=True)
class Credential:
    """An organisation's (or the root's) key with its certificate and the issuers above it."""

    key: SigningKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    source: Source
    path: Path
    stamp: int  # the file's mtime in ns: a changed file is loaded again
    subject: str  # the certificate's common name
    issuer: str  # its issuer's
    subject_der: bytes  # the whole subject, to compare with what it should say

    @property
    def serial(self) -> str:
        return f"{self.cert.serial_number:X}"


def common_name(name: x509.Name) -> str:
    found = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(found[0].value) if found else name.rfc4514_string()


def wall_now() -> dt.datetime:
    """The machine's real time, not :mod:`jintiao.clock`'s: a certificate must be valid when
    the signature is really made and checked — the demo replays a past year with a pinned
    clock, and a certificate dated then would have expired by the time anyone verifies."""
    return dt.datetime.fromtimestamp(time.time(), dt.UTC)


# -- files -------------------------------------------------------------------------------


def pki_dir() -> Path:
    root = Path(settings.PKI_DIR)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    return root


def _private_dir(path: Path) -> None:
    """``path`` and each folder between it and PKI_DIR, 0700 (``mkdir -p`` would leave the
    umask's mode on the ones between)."""
    base = pki_dir()
    chain = [path, *path.parents]
    for folder in reversed(chain[:chain.index(base)] if base in chain else [path]):
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)


def _write(path: Path, data: bytes, *, replace: bool) -> None:
    """Write a 0600 file whole. ``replace=False``: refuse if it exists (``FileExistsError``),
    even when another process creates it at the same instant."""
    _private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # atomic create-if-absent
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _pem_key(key: PrivateKeyTypes) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _pem_certs(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _read(path: Path, source: Source) -> Credential:
    """A key file: the private key, then the certificate, then its issuers."""
    data = path.read_bytes()
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise PkiError("签名私钥类型不受支持（须为RSA或椭圆曲线密钥）",
                       "unsupported signing key type", file=str(path))
    cert, *chain = x509.load_pem_x509_certificates(data)
    with long_names():
        return Credential(key, cert, tuple(chain), source, path, path.stat().st_mtime_ns,
                          common_name(cert.subject), common_name(cert.issuer),
                          cert.subject.public_bytes())


_cache: dict[Path, Credential] = {}
_lock = threading.Lock()


def _load(path: Path, source: Source) -> Credential | None:
    """The credential in ``path``, from this process's cache while the file is unchanged."""
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    found = _cache.get(path)
    if found is None or found.stamp != stamp:
        found = _read(path, source)
        with _lock:
            _cache[path] = found
    return found


# -- the deployment's root ---------------------------------------------------------------


def _ca_file() -> Path:
    return pki_dir() / "ca.pem"


def root_file() -> Path:
    """The root certificate alone: what verifiers are given (``pyhanko --trust``)."""
    return pki_dir() / "root.pem"


def ca_load() -> Credential | None:
    return _load(_ca_file(), "own")


def default_ca_name() -> str:
    """``settings.PKI_NAME``, else the name of the tree's top node, else 金调通."""
    if settings.PKI_NAME:
        return str(settings.PKI_NAME)
    top = Organization.objects.filter(parent=None).order_by("pk").first()
    return top.name if top else "金调通"


class CaExists(PkiError):
    """``pki init`` without ``--force`` on a deployment that has its root."""


def ca_init(name: str = "", *, force: bool = False) -> Credential:
    """Make the deployment's root: a self-signed P-256 certificate valid for 20 years.

    :raises CaExists: there is one already and ``force`` is not set (replacing the root
        leaves every signature made so far untrusted by whoever trusts only the new one)
    """
    name = name or default_ca_name()
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        named(NameOID.ORGANIZATION_NAME, name),
        named(NameOID.COMMON_NAME, f"{name[:UB_NAME - 13]} JinTiao 根证书"),
    ])
    now = wall_now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - SKEW)
            .not_valid_after(now + dt.timedelta(days=365 * ROOT_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256()))
    try:
        _write(_ca_file(), _pem_key(key) + _pem_certs(cert), replace=force)
    except FileExistsError:
        raise CaExists("本平台的根证书已存在；如确需更换，请加 --force"
                       "（此前签署的文书将不再被新根证书信任）",
                       "the root certificate exists; use --force to replace it") from None
    _write(root_file(), _pem_certs(cert), replace=True)
    logger.warning("PKI: made the root certificate of %s (serial %X) in %s", name,
                   cert.serial_number, pki_dir())
    made = ca_load()
    assert made is not None  # noqa: S101 - just written
    return made


def ensure_ca(name: str = "") -> Credential:
    """The root, made first if there is none: for the demo, the tests and a deployment that
    leaves ``PKI_AUTO_INIT`` on. Safe when two processes get here at once."""
    found = ca_load()
    if found is not None:
        return found
    try:
        return ca_init(name)
    except CaExists:  # another process made it a moment ago
        made = ca_load()
        assert made is not None  # noqa: S101 - it exists: that is why init refused
        return made


# -- organisations -----------------------------------------------------------------------


def _org_dir(org_id: int) -> Path:
    return pki_dir() / "orgs" / str(org_id)


# RFC 5280's upper bound for a common or organisation name: 64 characters. cryptography
# counts UTF-8 bytes instead, which would cut a Chinese name at 21 characters; the bound is
# kept here in characters, as the RFC says, and cryptography's byte check is skipped.
UB_NAME = 64


def named(oid: x509.ObjectIdentifier, value: str) -> x509.NameAttribute[str]:
    """A UTF8String name attribute within RFC 5280's 64 characters."""
    with long_names():
        return x509.NameAttribute(oid, value[:UB_NAME], _validate=False)


@contextmanager
def long_names() -> Iterator[None]:
    """Silence cryptography's warning on a name over 64 bytes, which it gives each time it
    makes or reads one: a Chinese name of 22 to 64 characters is no fault."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Attribute's length must be",
                                category=UserWarning)
        yield


PRINTABLE = re.compile(r"[A-Za-z0-9 '()+,\-./:=?]+")


def _subject(org: Organization) -> x509.Name:
    """CN and O: the name; OU: the kind of organisation; serialNumber: the USCC (a court's
    code, 黔2601, is not a PrintableString as serialNumber must be: it goes in an OU)."""
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
             named(NameOID.ORGANIZATION_NAME, org.name),
             x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME,
                                str(OrgKind(org.kind).label))]
    if org.court_code:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME,
                                        f"法院代字{org.court_code}"))
    if org.credit_code and PRINTABLE.fullmatch(org.credit_code):
        parts.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, org.credit_code))
    parts.append(named(NameOID.COMMON_NAME, org.name))
    return x509.Name(parts)


def org_issue(org: Organization) -> Credential:
    """A new key and a 5-year certificate from the deployment's root for ``org``, replacing
    the one it had from the root (an imported certificate is left as it is).

    :raises PkiError: the deployment has no root yet (``jintiao pki init``)
    """
    ca = ca_load()
    if ca is None:
        raise PkiError("尚未建立本平台的根证书，请先运行 jintiao pki init",
                       "no root certificate: run `jintiao pki init` first")
    key = ec.generate_private_key(ec.SECP256R1())
    now = wall_now()
    with long_names():
        issuer = ca.cert.subject
    cert = (x509.CertificateBuilder()
            .subject_name(_subject(org)).issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - SKEW)
            .not_valid_after(min(now + dt.timedelta(days=365 * ORG_YEARS),
                                 ca.cert.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca.key.public_key()), critical=False)
            .sign(ca.key, hashes.SHA256()))
    path = _org_dir(org.pk) / "own.pem"
    _write(path, _pem_key(key) + _pem_certs(cert, ca.cert), replace=True)
    logger.info("PKI: issued a certificate to organisation %s (serial %X)", org.pk,
                cert.serial_number)
    made = _load(path, "own")
    assert made is not None  # noqa: S101 - just written
    return made


def org_import(org: Organization, p12: bytes, passphrase: bytes | None) -> Credential:
    """Keep a PKCS#12 from a licensed CA as ``org``'s signing key; it is preferred over the
    deployment's own from now on.

    :raises PkiError: the file cannot be opened with the passphrase, holds no key or no
        certificate, the key is not one we sign with, or the certificate has expired
    """
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(p12, passphrase)
    except ValueError:
        raise PkiError("无法读取该PKCS#12文件：文件损坏或口令不正确",
                       "cannot read the PKCS#12 file: damaged or wrong passphrase") from None
    if key is None or cert is None:
        raise PkiError("PKCS#12文件中没有私钥或证书", "the PKCS#12 file lacks a key or certificate")
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise PkiError("签名私钥类型不受支持（须为RSA或椭圆曲线密钥）",
                       "unsupported signing key type")
    if _spki(key.public_key()) != _spki(cert.public_key()):
        raise PkiError("PKCS#12文件中的私钥与证书不匹配",
                       "the key does not belong to the certificate")
    if cert.not_valid_after_utc <= wall_now():
        raise PkiError(f"证书已于{cert.not_valid_after_utc:%Y-%m-%d}过期",
                       "the certificate has expired")
    path = _org_dir(org.pk) / "imported.pem"
    _write(path, _pem_key(key) + _pem_certs(cert, *extra), replace=True)
    made = _load(path, "imported")
    assert made is not None  # noqa: S101 - just written
    logger.warning("PKI: imported a certificate for organisation %s from %s (serial %X)",
                   org.pk, made.issuer, cert.serial_number)
    return made


def _spki(public: object) -> bytes:
    return public.public_bytes(  # type: ignore[attr-defined, no-any-return]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _fits(found: Credential, org: Organization) -> bool:
    """An own-CA certificate still names ``org`` as it is now and is not about to end."""
    with long_names():
        expected = _subject(org).public_bytes()
    return (found.subject_der == expected
            and found.cert.not_valid_after_utc - RENEW_BEFORE > wall_now())


def org_credential(org: Organization, *, issue: bool = True) -> Credential | None:
    """The key ``org`` signs with: its imported certificate while valid, else the one from
    the deployment's root — issued (and the root made, with ``PKI_AUTO_INIT``) when it has
    none, or when its name or registration changed or it is about to expire.

    :raises PkiError: nothing to sign with and no way to make it
    """
    imported = _load(_org_dir(org.pk) / "imported.pem", "imported")
    if imported is not None:
        if imported.cert.not_valid_after_utc > wall_now():
            return imported
        logger.error("PKI: the imported certificate of organisation %s expired on %s; "
                     "signing with the platform's own", org.pk,
                     imported.cert.not_valid_after_utc.date())
    own = _load(_org_dir(org.pk) / "own.pem", "own")
    ca = ca_load()
    if own is not None and _fits(own, org) and (ca is None or own.chain[-1:] == (ca.cert,)):
        return own
    if not issue:
        return own
    if ca is None:
        if not settings.PKI_AUTO_INIT:
            raise PkiError(f"{org.name}尚无电子签名证书，本平台也未建立根证书：请平台管理员运行 "
                           "jintiao pki init 或导入证书", "no signing certificate",
                           organization=org.pk)
        ensure_ca()
    return org_issue(org)


def trust_roots() -> list[x509.Certificate]:
    """What this deployment trusts: its own root, and the top of each imported chain."""
    roots: list[x509.Certificate] = []
    ca = ca_load()
    if ca is not None:
        roots.append(ca.cert)
    for _org_id, found in imported_credentials():
        top = (found.cert, *found.chain)[-1]
        if top not in roots:
            roots.append(top)
    return roots


def imported_credentials() -> Iterator[tuple[int, Credential]]:
    for path in sorted((pki_dir() / "orgs").glob("*/imported.pem")):
        found = _load(path, "imported")
        if found is not None and path.parent.name.isdigit():
            yield int(path.parent.name), found


def org_credentials() -> Iterator[tuple[int, Credential]]:
    """Every organisation's certificates on file, the one it signs with first."""
    for folder in sorted((pki_dir() / "orgs").glob("*"), key=lambda p: (len(p.name), p.name)):
        if not folder.name.isdigit():
            continue
        for name, source in FILES:
            found = _load(folder / name, source)
            if found is not None:
                yield int(folder.name), found
