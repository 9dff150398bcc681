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


def test_token_create_prints_a_token_that_authenticates(world, capsys):
    from django.test import Client

    assert main(["token", "create", world.agent.username]) == 0
    token = capsys.readouterr().out.strip()
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json()["username"] == world.agent.username


def test_token_create_for_an_unknown_user_is_one_bilingual_line(world, capsys):
    assert main(["token", "create", "nobody"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：")
    assert err.count("\n") == 1
