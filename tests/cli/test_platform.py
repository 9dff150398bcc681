"""``jintiao audit verify`` against a real database."""

from __future__ import annotations

from jintiao.cli import main
from jintiao.timeline.models import Event
from tests.factories import intake


def test_audit_verify_passes_then_names_the_tampered_event(world, capsys):
    dispute = intake(actor=world.clerk, committee=world.committee)

    assert main(["audit", "verify"]) == 0
    assert "日志链完整" in capsys.readouterr().out

    Event.objects.filter(dispute=dispute).update(type="dispute.withdrawn")
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"纠纷 {dispute.pk} 第 1 条事件：事件内容被改动" in out
