"""``jintiao audit verify``, ``checkpoint`` and ``checkpoints`` (issue 18 §4): the chains
against their disputes and the latest checkpoint, in one bilingual line per fault."""

from __future__ import annotations

import pytest

from jintiao.cli import main
from jintiao.timeline.models import Checkpoint, Event
from tests.factories import intake
from tests.timeline.test_checkpoints import rechain


@pytest.fixture
def keys(settings, tmp_path):
    settings.PKI_DIR = tmp_path / "pki"
    return settings.PKI_DIR


def test_verify_says_there_is_no_checkpoint_yet_then_checks_against_one(world, keys, capsys):
    dispute = intake(actor=world.clerk, committee=world.committee)
    assert main(["audit", "verify"]) == 0
    assert "尚无检查点" in capsys.readouterr().out

    assert main(["audit", "checkpoint"]) == 0
    made = Checkpoint.objects.get()
    out = capsys.readouterr().out
    assert f"第 {made.pk} 号" in out
    assert made.root in out
    assert made.key_fingerprint in out

    assert main(["audit", "verify"]) == 0
    assert f"第{made.pk}号检查点核对（1 个纠纷，签名有效）" in capsys.readouterr().out

    rechain(dispute, 1, params={"claim_total": "1.00"})
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"纠纷 {dispute.pk} 第 1 条事件：与" in out
    assert "检查点之前的事件被改写并重新计算了哈希链" in out
    assert "1 个纠纷的日志链断裂" in out


def test_verify_names_a_dispute_whose_events_are_all_gone(world, keys, capsys):
    dispute = intake(actor=world.clerk, committee=world.committee)
    Event.objects.filter(dispute=dispute).delete()
    assert main(["audit", "verify"]) == 1
    assert (f"纠纷 {dispute.pk} 第 1 条事件：纠纷记录有1条事件，日志中一条也没有（全部被删除）"
            in capsys.readouterr().out)


def test_verify_fails_on_a_forged_checkpoint(world, keys, capsys):
    intake(actor=world.clerk, committee=world.committee)
    assert main(["audit", "checkpoint"]) == 0
    Checkpoint.objects.update(root="1" * 64)
    assert main(["audit", "verify"]) == 1
    assert "检查点：" in capsys.readouterr().out


def test_checkpoints_lists_the_newest_first_with_this_servers_key(world, keys, capsys):
    intake(actor=world.clerk, committee=world.committee)
    assert main(["audit", "checkpoints"]) == 0
    assert "尚无检查点" in capsys.readouterr().out
    for _ in range(3):
        assert main(["audit", "checkpoint"]) == 0
    capsys.readouterr()
    assert main(["audit", "checkpoints", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    newest, middle, oldest = Checkpoint.objects.order_by("-pk")
    assert out.index(f"第 {newest.pk} 号") < out.index(f"第 {middle.pk} 号")
    assert f"第 {oldest.pk} 号" not in out
    assert f"本机签名公钥指纹 {newest.key_fingerprint}" in out
    with pytest.raises(SystemExit) as refused:
        main(["audit", "checkpoints", "--limit", "0"])
    assert refused.value.code == 2
    assert "应为 1 至 10000 的整数" in capsys.readouterr().err


def test_without_auto_init_the_key_is_made_only_when_asked(world, keys, settings, capsys):
    settings.PKI_AUTO_INIT = False
    intake(actor=world.clerk, committee=world.committee)
    assert main(["audit", "checkpoint"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：本机尚无检查点签名密钥")
    assert err.count("\n") == 1
    assert main(["audit", "checkpoint", "--init-key"]) == 0
    assert (keys / "checkpoint" / "ed25519.pem").exists()
    assert main(["audit", "checkpoint"]) == 0
    assert Checkpoint.objects.count() == 2


def test_checkpoint_refuses_a_rewritten_record_until_an_operator_gives_a_reason(
        world, keys, capsys):
    dispute = intake(actor=world.clerk, committee=world.committee)
    assert main(["audit", "checkpoint"]) == 0
    rechain(dispute, 1, params={"claim_total": "1.00"})
    capsys.readouterr()
    assert main(["audit", "checkpoint"]) != 0
    out = capsys.readouterr()
    assert "未签署检查点" in out.out + out.err
    assert Checkpoint.objects.count() == 1

    assert main(["audit", "checkpoint", "--despite", "从备份恢复"]) == 0
    assert "已在日志不连续的情况下签署检查点" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0
    assert "签署时已说明：从备份恢复" in capsys.readouterr().out
