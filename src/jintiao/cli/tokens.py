"""``jintiao token …``: API tokens for people and for institutions' systems."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from jintiao.cli.platform import _setup


def cmd_token_create(args: argparse.Namespace) -> int:
    """Issue an API token for a user and print it once."""
    _setup()
    from jintiao.orgs.models import User
    from jintiao.orgs.services import token_create

    user = User.objects.filter(username=args.username, is_active=True).first()
    if user is None:
        print(f"错误：用户不存在或已停用：{args.username} (error: no active user {args.username})",
              file=sys.stderr)
        return 2
    print(token_create(user=user, name=args.name))
    return 0


def register(sub: Any) -> None:
    token = sub.add_parser("token", help="接口令牌")
    token_cmds = token.add_subparsers(dest="token_command", required=True,
                                      parser_class=type(token))
    create = token_cmds.add_parser("create", help="为用户签发接口令牌（只显示一次）")
    create.add_argument("username")
    create.add_argument("--name", default="", help="用途说明")
    create.set_defaults(handler=cmd_token_create)
