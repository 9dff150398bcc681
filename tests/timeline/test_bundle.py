"""One dispute's audit bundle (issue 18 §4c): ``jintiao audit export`` writes every field
each event hash covers, the documents' and agreements' digests, the checkpoint with the
dispute's inclusion proof and the public key; ``jintiao audit verify-bundle`` and the
stand-alone docs/audit-verifier.py check it with no database — and any one byte changed is
caught by both."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jintiao.cli import main
from jintiao.timeline.bundle import verify_bundle
from jintiao.timeline.models import Checkpoint, Event
from tests.factories import flat
from tests.helpers import CHARGES_SINCE, accept_plan, agree

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "docs" / "audit-verifier.py"


def doc_verifier():
    """docs/audit-verifier.py as a module, to run its check on many bundles quickly."""
    spec = importlib.util.spec_from_file_location("audit_verifier", VERIFIER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def sealed(desk, mediating, settings, tmp_path):
    """An effective agreement with its document, then a key folder of the test's own."""
    accept_plan(desk, mediating, flat(12))
    agreement = agree(desk, mediating, CHARGES_SINCE)
    settings.PKI_DIR = tmp_path / "pki"  # the documents are signed already: only the
    return agreement                      # checkpoint key and log go here


@pytest.fixture
def exported(sealed, tmp_path, capsys):
    path = tmp_path / "bundle.json"
    assert main(["audit", "export", str(sealed.dispute_id), str(path)]) == 0
    assert "已导出纠纷" in capsys.readouterr().out
    return path


def test_the_bundle_holds_what_each_hash_covers_and_the_digests(sealed, exported):
    bundle = json.loads(exported.read_text())
    chain = list(Event.objects.filter(dispute_id=sealed.dispute_id).order_by("seq"))
    assert [e["hash"] for e in bundle["events"]] == [e.hash for e in chain]
    assert set(bundle["events"][0]) == {"dispute", "seq", "type", "actor", "at", "before",
                                        "after", "params", "meta", "prev", "hash"}
    document = sealed.document
    assert {"id": document.pk, "kind": document.kind, "title": document.title,
            "created_at": bundle["documents"][0]["created_at"],
            "docx_sha256": document.docx_sha256, "pdf_sha256": document.pdf_sha256} in \
        bundle["documents"]
    assert {"id": sealed.pk, "version": sealed.version, "digest": sealed.digest} in \
        bundle["agreements"]
    checkpoint = Checkpoint.objects.get()  # none covered the dispute: one was made
    assert bundle["checkpoint"]["root"] == checkpoint.root
    assert bundle["checkpoint"]["leaf"] == {"dispute": sealed.dispute_id,
                                            "seq": len(chain), "head": chain[-1].hash}
    assert bundle["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    assert verify_bundle(bundle).ok


def _fingerprint(path) -> str:
    return json.loads(path.read_text())["checkpoint"]["key_fingerprint"]


def _doc_verifier(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(VERIFIER), *args],  # noqa: S603 - ours
                          capture_output=True, text=True, check=False)


def test_verify_bundle_and_the_docs_verifier_accept_a_real_bundle(exported, capsys):
    pinned = ["--fingerprint", _fingerprint(exported)]
    assert main(["audit", "verify-bundle", str(exported), *pinned]) == 0
    out = capsys.readouterr().out
    assert "审计包核验通过：全部事件由所要求的公钥签署的检查点锚定" in out
    assert "包含证明成立" in out
    run = _doc_verifier(str(exported), *pinned)
    assert (run.returncode, run.stderr) == (0, "")
    assert "bundle verified" in run.stdout


def test_without_a_fingerprint_a_bundle_is_only_consistent(exported, capsys):
    """A bundle made up with a key of one's own agrees with itself too: without the
    fingerprint the reader holds, neither verifier says "verified"."""
    assert main(["audit", "verify-bundle", str(exported)]) == 3
    out = capsys.readouterr().out
    assert "审计包核验通过" not in out
    assert "! 未用 --fingerprint 指明应有的公钥指纹" in out
    assert "审计包自身一致，但未能完全证明" in out
    run = _doc_verifier(str(exported))
    assert (run.returncode, run.stderr) == (3, "")
    assert "no --fingerprint given" in run.stdout
    assert "bundle verified" not in run.stdout


def test_events_after_the_checkpoint_are_said_to_rest_on_the_chain_alone(
        sealed, exported, desk, tmp_path, capsys):
    from jintiao import clock
    from jintiao.domain import events
    from jintiao.timeline.services import event_append

    event_append(dispute=sealed.dispute, type=events.PAYMENT_RECORDED, actor=desk.clerk,
                 at=clock.now(), params={"amount": "1.00"})
    later = tmp_path / "later.json"
    assert main(["audit", "export", str(sealed.dispute_id), str(later)]) == 0
    assert Checkpoint.objects.count() == 1  # the latest covers the dispute: used as it is
    pinned = ["--fingerprint", _fingerprint(later)]
    capsys.readouterr()
    assert main(["audit", "verify-bundle", str(later), *pinned]) == 3
    out = capsys.readouterr().out
    assert "! 检查点之后的 1 条事件尚未被检查点锚定" in out
    assert "未用 --fingerprint" not in out
    run = _doc_verifier(str(later), *pinned)
    assert run.returncode == 3
    assert "come after the checkpoint" in run.stdout

    fresh = tmp_path / "fresh.json"
    assert main(["audit", "export", str(sealed.dispute_id), str(fresh), "--fresh"]) == 0
    assert main(["audit", "verify-bundle", str(fresh), *pinned]) == 0
    assert _doc_verifier(str(fresh), *pinned).returncode == 0


def _mutants(raw: bytes):
    """The bundle with each byte in turn changed (its lowest bit flipped), skipping changes
    that leave only a label different (when the bundle was made, the checkpoint's row
    number): those are not evidence, and docs/audit.md says so."""
    original = json.loads(raw)
    for at in range(len(raw)):
        changed = bytearray(raw)
        changed[at] ^= 1
        try:
            data = json.loads(bytes(changed))
            relabelled = copy.deepcopy(data)
            relabelled["made_at"] = original["made_at"]
            relabelled["checkpoint"]["id"] = original["checkpoint"]["id"]
        except (ValueError, KeyError, TypeError):
            yield at, bytes(changed), None  # no longer a bundle: refused as such
            continue
        if relabelled != original:
            yield at, bytes(changed), data


def test_any_one_byte_changed_is_caught_by_both_verifiers(exported):
    raw = exported.read_bytes()
    verifier = doc_verifier()
    caught = 0
    for at, _changed, data in _mutants(raw):
        if data is None:
            continue
        assert not verify_bundle(data).ok, (at, raw[max(0, at - 30):at + 30])
        try:
            problems = verifier.check(data)[0]
        except Exception:  # the script's own main() reports these as malformed
            problems = ["malformed"]
        assert problems, (at, raw[max(0, at - 30):at + 30])
        caught += 1
    assert caught > len(raw) // 2


def test_a_changed_byte_fails_both_commands(exported, tmp_path, capsys):
    raw = exported.read_bytes()
    targets = [raw.index(b'"pdf_sha256": "') + 20, raw.index(b'"signature": "') + 20,
               raw.index(b'"path": [') + 15, raw.index(b'"meta": {') + 12,
               raw.index(b"-----BEGIN PUBLIC KEY-----") + 40, raw.index(b'"root": "') + 12]
    for at in targets:
        changed = bytearray(raw)
        changed[at] ^= 1
        bad = tmp_path / f"bad-{at}.json"
        bad.write_bytes(bytes(changed))
        assert main(["audit", "verify-bundle", str(bad)]) == 1, at
        assert "审计包核验未通过" in capsys.readouterr().out, at
        run = subprocess.run([sys.executable, str(VERIFIER), str(bad)],  # noqa: S603 - ours
                             capture_output=True, text=True, check=False)
        assert run.returncode == 1, (at, run.stdout)
        assert "FAILED" in run.stdout


def test_verify_bundle_needs_no_database(exported):
    """Run in a fresh process with no settings and a database that cannot be reached:
    Django is never set up and no model is imported."""
    code = ("import sys, django.apps\n"
            "from jintiao.cli import main\n"
            f"rc = main(['audit', 'verify-bundle', {str(exported)!r}, '--fingerprint', "
            f"{_fingerprint(exported)!r}])\n"
            "assert not django.apps.apps.ready, 'django was set up'\n"
            "assert 'jintiao.timeline.models' not in sys.modules\n"
            "sys.exit(rc)\n")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/nothing"
    run = subprocess.run([sys.executable, "-c", code],  # noqa: S603 - our own code
                         capture_output=True, text=True, env=env, check=False)
    assert (run.returncode, run.stderr) == (0, "")
    assert "审计包核验通过" in run.stdout


def test_the_key_one_holds_must_be_the_one_that_signed(exported, capsys):
    assert main(["audit", "verify-bundle", str(exported), "--fingerprint", "ab" * 32]) == 1
    assert "不是所要求的" in capsys.readouterr().out
    fingerprint = json.loads(exported.read_text())["checkpoint"]["key_fingerprint"]
    assert main(["audit", "verify-bundle", str(exported), "--fingerprint", fingerprint]) == 0


def test_history_rewritten_before_the_checkpoint_fails_the_next_bundle(sealed, exported,
                                                                      tmp_path, capsys):
    from tests.timeline.test_checkpoints import rechain

    rechain(sealed.dispute, 2, params={"note": "改过"})
    again = tmp_path / "again.json"
    assert main(["audit", "export", str(sealed.dispute_id), str(again)]) == 0
    assert Checkpoint.objects.count() == 1  # the latest covers the dispute: used as it is
    assert main(["audit", "verify-bundle", str(again)]) == 1
    assert "检查点之前的事件被改写" in capsys.readouterr().out
    assert doc_verifier().check(json.loads(again.read_text()))[0] == [
        f"event {len(Event.objects.filter(dispute_id=sealed.dispute_id))} is not what the "
        "checkpoint signed: rewritten"]


def test_fresh_signs_a_new_checkpoint_first(sealed, exported, tmp_path):
    assert main(["audit", "export", str(sealed.dispute_id), str(tmp_path / "b.json"),
                 "--fresh"]) == 0
    assert Checkpoint.objects.count() == 2


def test_exporting_an_unknown_dispute_is_one_bilingual_line(world, tmp_path, capsys):
    assert main(["audit", "export", "99999", str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：纠纷 99999 不存在")
    assert err.count("\n") == 1
    assert not (tmp_path / "x.json").exists()


def test_a_file_that_is_not_a_bundle(tmp_path, capsys):
    path = tmp_path / "x.json"
    path.write_text("{}")
    assert main(["audit", "verify-bundle", str(path)]) == 1
    assert "不是 jintiao-audit-bundle/1 格式" in capsys.readouterr().out
    path.write_text("not json")
    assert main(["audit", "verify-bundle", str(path)]) == 1
    assert main(["audit", "verify-bundle", str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err.startswith("错误：无法读取")
