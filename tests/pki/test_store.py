"""The deployment's certificate authority and the organisations' keys: files under PKI_DIR,
0600 in 0700 folders; `jintiao pki init` makes the root once and refuses to replace it
without --force; an organisation's certificate is issued on first signing or on demand; a
PKCS#12 from a licensed CA is imported and preferred; `status` says who has what."""

from __future__ import annotations

import datetime as dt
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID

from jintiao.cli import main
from jintiao.mediation.services import notice_generate
from jintiao.pki.store import (
    CaExists,
    PkiError,
    ca_init,
    ca_load,
    org_credential,
    org_import,
    pki_dir,
    wall_now,
)
from jintiao.pki.verify import pdf_signatures
from tests.factories import intake


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def licensed_p12(org_name: str, passphrase: bytes) -> bytes:
    """A PKCS#12 as a licensed CA would hand an organisation: its key, its certificate and
    the CA's root."""
    now = wall_now()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "某电子认证服务有限公司 根CA")])
    root = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
            .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_name),
                         x509.NameAttribute(NameOID.COMMON_NAME, org_name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(
        b"org", key, cert, [root], BestAvailableEncryption(passphrase))


def test_init_makes_the_root_once_and_refuses_to_replace_it(db, own_pki, capsys):
    assert main(["pki", "init", "--name", "黔东南州"]) == 0
    out = capsys.readouterr().out
    assert "已建立根证书：黔东南州 JinTiao 根证书" in out
    root = ca_load()
    assert root.cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert root.cert.not_valid_after_utc - root.cert.not_valid_before_utc > dt.timedelta(
        days=365 * 19)
    # keys only in files: 0600, in a 0700 folder
    assert mode(own_pki) == 0o700
    assert all(mode(p) == 0o600 for p in own_pki.iterdir())

    assert main(["pki", "init", "--name", "黔东南州"]) == 2
    assert "根证书已存在" in capsys.readouterr().err
    assert ca_load().serial == root.serial  # untouched
    with pytest.raises(CaExists):
        ca_init("黔东南州")

    assert main(["pki", "init", "--name", "黔东南州", "--force"]) == 0
    assert ca_load().serial != root.serial


def test_an_organisation_gets_its_certificate_on_first_signing_and_on_demand(world, own_pki,
                                                                            capsys):
    ca_init("黔东南州")
    assert org_credential(world.committee, issue=False) is None
    first = org_credential(world.committee)
    cert = first.cert
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "凯里市金调委"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "凯里市金调委"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment  # non-repudiation
    assert first.issuer == "黔东南州 JinTiao 根证书"
    assert org_credential(world.committee).serial == first.serial  # kept, not reissued
    key_file = first.path
    assert mode(key_file) == 0o600
    assert all(mode(p) == 0o700 for p in (key_file.parent, key_file.parent.parent))

    assert main(["pki", "issue", "--org", str(world.committee.pk)]) == 0
    assert f"已为{world.committee.name}签发证书" in capsys.readouterr().out
    assert org_credential(world.committee).serial != first.serial

    # a court's code (黔2601) is not a PrintableString: it is said in an OU
    world.court.court_code = "黔2601"
    court = org_credential(world.court).cert
    units = [a.value for a in court.subject.get_attributes_for_oid(
        NameOID.ORGANIZATIONAL_UNIT_NAME)]
    assert "法院代字黔2601" in units
    # a renamed organisation gets a certificate in its new name
    world.committee.name = "凯里市金融纠纷人民调解委员会"
    assert org_credential(world.committee).subject == "凯里市金融纠纷人民调解委员会"


def test_without_a_root_and_with_auto_init_off_signing_is_refused(world, own_pki, settings):
    settings.PKI_AUTO_INIT = False
    with pytest.raises(PkiError, match="pki init"):
        org_credential(world.committee)
    settings.PKI_AUTO_INIT = True
    assert org_credential(world.committee).issuer.endswith("JinTiao 根证书")


def test_an_imported_certificate_is_preferred_and_trusted(world, own_pki, tmp_path,
                                                          monkeypatch, capsys):
    ca_init("黔东南州")
    own = org_credential(world.committee)
    data = licensed_p12(world.committee.name, b"s3cret")
    (tmp_path / "org.p12").write_bytes(data)

    monkeypatch.setenv("P12_PASS", "wrong")
    assert main(["pki", "import", "--org", str(world.committee.pk), "--p12",
                 str(tmp_path / "org.p12"), "--passphrase-env", "P12_PASS"]) == 2
    assert "口令不正确" in capsys.readouterr().err

    monkeypatch.setenv("P12_PASS", "s3cret")
    assert main(["pki", "import", "--org", str(world.committee.pk), "--p12",
                 str(tmp_path / "org.p12"), "--passphrase-env", "P12_PASS"]) == 0
    assert "已为凯里市金调委导入证书" in capsys.readouterr().out
    found = org_credential(world.committee)
    assert found.source == "imported"
    assert found.issuer == "某电子认证服务有限公司 根CA"
    assert found.serial != own.serial
    assert mode(found.path) == 0o600

    # the committee's next document is signed with it, and the licensed root is trusted
    dispute = intake(actor=world.clerk, committee=world.committee)
    doc = notice_generate(actor=world.clerk, dispute_id=dispute.pk, kind="options_notice")
    with doc.pdf.open("rb") as handle:
        [check] = pdf_signatures(handle.read())
    assert check.issuer == "某电子认证服务有限公司 根CA"
    assert check.ok
    # and `status` says so
    assert main(["pki", "status"]) == 0
    out = capsys.readouterr().out
    assert "凯里市金调委：导入（签署用），签发者 某电子认证服务有限公司 根CA" in out
    assert "凯里市金调委：本平台签发（备用）" in out
    assert f"{world.court.name}：尚无证书" in out


def test_a_file_without_a_key_is_refused(world, own_pki):
    data = licensed_p12(world.committee.name, b"x")
    _key, cert, extra = pkcs12.load_key_and_certificates(data, b"x")
    keyless = pkcs12.serialize_key_and_certificates(b"org", None, cert, extra,
                                                    BestAvailableEncryption(b"x"))
    with pytest.raises(PkiError, match="没有私钥"):
        org_import(world.committee, keyless, b"x")
    assert not (pki_dir() / "orgs" / str(world.committee.pk) / "imported.pem").exists()


def test_a_long_chinese_name_is_kept_whole_in_the_certificate(world, own_pki):
    """RFC 5280 bounds a name at 64 characters; 30 Chinese ones are 90 bytes of UTF-8."""
    ca_init(world.prefecture.name)  # 16 characters + " JinTiao 根证书"
    world.committee.name = "黔东南州金融纠纷多元化解领导小组办公室暨金融纠纷人民调解中心"
    found = org_credential(world.committee)
    assert found.subject == world.committee.name
    assert found.issuer == f"{world.prefecture.name} JinTiao 根证书"


def test_verify_says_who_signed_and_whether_the_file_changed(world, tmp_path, capsys):
    dispute = intake(actor=world.clerk, committee=world.committee)
    doc = notice_generate(actor=world.clerk, dispute_id=dispute.pk, kind="options_notice")
    with doc.pdf.open("rb") as handle:
        data = handle.read()
    (tmp_path / "ok.pdf").write_bytes(data)
    assert main(["pki", "verify", str(tmp_path / "ok.pdf")]) == 0
    out = capsys.readouterr().out
    assert f"签名 JinTiaoSeal：{world.committee.name}" in out
    assert "→ 有效" in out

    at = data.index(b"WeasyPrint")
    (tmp_path / "bad.pdf").write_bytes(data[:at] + b"w" + data[at + 1:])
    assert main(["pki", "verify", str(tmp_path / "bad.pdf")]) == 1
    assert "文件未被改动：否" in capsys.readouterr().out
