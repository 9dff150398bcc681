"""``jintiao token …``: API tokens for people and for institutions' systems — issued with a
system, scopes and a lifetime, listed without their secrets, revoked by prefix."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from jintiao.cli.platform import _setup

SCOPE_NAMES = ("read", "intake", "payments", "documents")


def _refuse(message: str, english: str) -> int:
    print(f"错误：{message} (error: {english})", file=sys.stderr)
    return 2


def _days(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"有效期应为整数天数：{text}") from None


def cmd_token_create(args: argparse.Namespace) -> int:
    """Issue an API token for a user and print it once (its details go to stderr)."""
    _setup()
    from jintiao import clock
    from jintiao.orgs.models import ApiToken, User
    from jintiao.orgs.selectors import token_digest
    from jintiao.orgs.services import token_create

    user = User.objects.filter(username=args.username, is_active=True).first()
    if user is None:
        return _refuse(f"用户不存在或已停用：{args.username}", f"no active user {args.username}")
    token = token_create(user=user, name=args.name, system=args.system,
                         scopes=args.scopes or None, days=args.days)
    row = ApiToken.objects.get(digest=token_digest(token))
    print(token)
    print(f"令牌只显示这一次，请妥善保存。{row.prefix}… 使用系统：{row.system or '—'}，"
          f"权限范围：{'、'.join(row.scopes)}，有效期至 "
          f"{row.expires_at.astimezone(clock.TZ):%Y-%m-%d %H:%M} "
          "(shown once; keep it safe)", file=sys.stderr)
    return 0


def _when(value: Any) -> str:
    from jintiao import clock

    return "—" if value is None else f"{value.astimezone(clock.TZ):%Y-%m-%d %H:%M}"


def cmd_token_list(args: argparse.Namespace) -> int:
    """List tokens (one user's, or all): prefix, holder, system, scopes, expiry, last use and
    whether revoked — never the secret, which is not kept."""
    _setup()
    from jintiao import clock
    from jintiao.orgs.models import User
    from jintiao.orgs.selectors import tokens_listed

    user = None
    if args.username:
        user = User.objects.filter(username=args.username).first()
        if user is None:
            return _refuse(f"用户不存在：{args.username}", f"no user {args.username}")
    now = clock.now()
    rows = list(tokens_listed(user))
    print("前缀\t持有人\t使用系统\t权限范围\t有效期至\t最近使用\t状态")
    for row in rows:
        state = ("已吊销" if row.revoked else "已过期" if row.expires_at <= now else "有效")
        print("\t".join([f"{row.prefix}…", row.user.username, row.system or "—",
                         ",".join(row.scopes), _when(row.expires_at), _when(row.last_used_at),
                         state]))
    print(f"共 {len(rows)} 个令牌 ({len(rows)} tokens)", file=sys.stderr)
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    """Revoke the token with this prefix; it is refused from the next request on."""
    _setup()
    from jintiao.orgs.selectors import tokens_with_prefix
    from jintiao.orgs.services import token_revoke

    found = list(tokens_with_prefix(args.prefix)[:2])
    if not found:
        return _refuse(f"没有前缀为{args.prefix}的令牌", f"no token with prefix {args.prefix}")
    if len(found) > 1:
        return _refuse(f"前缀{args.prefix}对应多个令牌，请在管理后台按持有人吊销",
                       f"prefix {args.prefix} is ambiguous; revoke it in the admin")
    row = found[0]
    was_revoked = row.revoked
    token_revoke(token=row, by=None)
    said = "此前已吊销" if was_revoked else "已吊销"
    print(f"{said}：{row.prefix}…（{row.user.username}，{row.system or '—'}） "
          f"({'already ' if was_revoked else ''}revoked)")
    return 0


def register(sub: Any) -> None:
    token = sub.add_parser("token", help="接口令牌")
    token_cmds = token.add_subparsers(dest="token_command", required=True,
                                      parser_class=type(token))
    create = token_cmds.add_parser("create", help="为用户签发接口令牌（只显示一次）")
    create.add_argument("username")
    create.add_argument("--name", default="", help="用途说明")
    create.add_argument("--system", default="",
                        help="使用该令牌的机构系统，如“核心系统”“催收系统”（每个系统一个令牌）")
    create.add_argument("--scope", dest="scopes", action="append", choices=SCOPE_NAMES,
                        help="权限范围，可重复；不写则全部：read 查询、intake 登记与办理、"
                             "payments 还款与履行、documents 文书与签署")
    create.add_argument("--days", type=_days, default=None,
                        help="有效天数（默认 JINTIAO_API_TOKEN_DAYS，"
                             "上限 JINTIAO_API_TOKEN_MAX_DAYS）")
    create.set_defaults(handler=cmd_token_create)
    listing = token_cmds.add_parser("list", help="列出接口令牌（不显示令牌本身）")
    listing.add_argument("username", nargs="?", default="")
    listing.set_defaults(handler=cmd_token_list)
    revoke = token_cmds.add_parser("revoke", help="按前缀吊销接口令牌")
    revoke.add_argument("prefix", help="令牌前缀，如 jt_AbC12")
    revoke.set_defaults(handler=cmd_token_revoke)
