"""``jintiao audit verify`` checks every stored PDF's signature too: a broken one fails the
audit; one whose root this deployment no longer trusts is named without failing it."""

from __future__ import annotations

from jintiao.cli import main
from jintiao.mediation.services import notice_generate
from jintiao.pki.store import ca_init
from tests.factories import intake


def make_notice(world):
    dispute = intake(actor=world.clerk, committee=world.committee)
    return notice_generate(actor=world.clerk, dispute_id=dispute.pk, kind="options_notice")


def test_sound_signatures_pass_the_audit(world, capsys):
    make_notice(world)
    assert main(["audit", "verify"]) == 0
    assert "已核验 1 份文书PDF的电子签名：0 份损坏，0 份证书不受信任" in capsys.readouterr().out


def test_a_broken_signature_fails_it(world, capsys):
    doc = make_notice(world)
    with open(doc.pdf.path, "r+b") as handle:
        data = handle.read()
        handle.seek(data.index(b"WeasyPrint"))
        handle.write(b"w")
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"{world.committee.name}的电子签名已损坏" in out


def test_a_replaced_root_is_named_without_failing(world, own_pki, capsys):
    ca_init("旧根")
    make_notice(world)
    ca_init("新根", force=True)
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "旧根 JinTiao 根证书）不在本平台信任的根证书之下" in out
