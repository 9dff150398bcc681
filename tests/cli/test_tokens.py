"""``jintiao token create | list | revoke``: a token per system with its scopes and lifetime,
listed without its secret, revoked by its prefix."""

from __future__ import annotations

import pytest
from django.test import Client

from jintiao.cli import main
from jintiao.orgs.models import ApiToken


def me(token: str):
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_a_system_token_with_its_scopes_and_lifetime(world, capsys):
    assert main(["token", "create", world.agent.username, "--system", "核心系统",
                 "--scope", "read", "--scope", "intake", "--days", "90"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert me(token).status_code == 200
    row = ApiToken.objects.get()
    assert (row.system, row.scopes) == ("核心系统", ["read", "intake"])
    assert "只显示这一次" in err
    assert token not in err


def test_the_list_shows_each_token_but_never_its_secret(world, capsys):
    main(["token", "create", world.agent.username, "--system", "催收系统", "--scope",
          "payments"])
    token = capsys.readouterr().out.strip()
    me(token)
    assert main(["token", "list", world.agent.username]) == 0
    out = capsys.readouterr().out
    assert token not in out
    header, line = out.strip().splitlines()
    assert header.split("\t") == ["前缀", "持有人", "使用系统", "权限范围", "有效期至", "最近使用",
                                  "状态"]
    fields = line.split("\t")
    assert fields[:4] == [f"{token[:8]}…", world.agent.username, "催收系统", "payments"]
    assert fields[5] != "—"  # used once
    assert fields[6] == "有效"


def test_revoke_by_prefix_stops_the_token(world, capsys):
    main(["token", "create", world.agent.username])
    token = capsys.readouterr().out.strip()
    assert main(["token", "revoke", token[:8]]) == 0
    assert "已吊销" in capsys.readouterr().out
    assert me(token).json()["code"] == "token_revoked"
    assert main(["token", "list"]) == 0
    assert capsys.readouterr().out.strip().endswith("已吊销")


def test_an_unknown_prefix_or_a_bad_lifetime_is_one_bilingual_line(world, capsys, settings):
    settings.API_TOKEN_MAX_DAYS = 365
    assert main(["token", "revoke", "jt_nope0"]) == 2
    assert capsys.readouterr().err.startswith("错误：没有前缀为jt_nope0的令牌")
    assert main(["token", "create", world.agent.username, "--days", "400"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：有效期应为1到365天")
    assert err.count("\n") == 1
    with pytest.raises(SystemExit) as exited:
        main(["token", "create", world.agent.username, "--scope", "admin"])
    assert exited.value.code == 2
    assert not ApiToken.objects.exists()
