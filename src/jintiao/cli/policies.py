"""``jintiao policy …``: the versions of a node's rules with each value's source, a new
version published by an administrator — checked and shown as a difference first
(``--dry-run``) — and one withdrawn before it takes effect, through the same services as the
规则配置 page."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from jintiao.cli.platform import _setup


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 2027-01-01：{text}") from None


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"应写作 规则项=值：{text}")
    return name.strip(), value.strip()


def _refuse(message: str, english: str) -> int:
    print(f"错误：{message} (error: {english})", file=sys.stderr)
    return 2


def parse_value(name: str, text: str) -> Any:
    """A value as typed on the command line in the form the policy stores: a limit as
    ``10:working_days``, a yes/no as ``true``/``false``, a whole number as one, the rest
    (rates as fractions: ``0.2``; amounts in yuan) as text. What is no value of its kind
    is passed on for the domain to refuse, naming the field."""
    from jintiao.domain.policy import EDITABLE, Kind, kind_of, typed_number

    if name not in EDITABLE:
        return text
    kind = kind_of(name)
    if kind is Kind.LIMIT:
        amount, _sep, unit = text.partition(":")
        return {"amount": typed_number(amount), "unit": unit.strip()}
    if kind is Kind.FLAG:
        return {"true": True, "false": False}.get(text.lower(), text)
    if kind in (Kind.COUNT, Kind.HOUR):
        return typed_number(text)
    return text


def cmd_policy_list(args: argparse.Namespace) -> int:
    """List the stored versions (of one node, or all) with their windows; with ``--json``
    every value and its source too."""
    _setup()
    from jintiao.orgs.models import Organization
    from jintiao.policies.models import PolicyVersion
    from jintiao.policies.selectors import rule_values

    rows = PolicyVersion.objects.select_related("organization", "published_by").order_by(
        "organization__path", "version")
    if args.organization:
        node = Organization.objects.filter(pk=args.organization).first()
        if node is None:
            return _refuse(f"单位不存在：{args.organization}", "no such organization")
        rows = rows.filter(organization=node)
    if args.json:
        print(json.dumps([{
            "organization": r.organization.name, "organization_id": r.organization_id,
            "version": r.version, "valid_from": r.valid_from.isoformat(),
            "valid_to": r.valid_to.isoformat() if r.valid_to else None, "source": r.source,
            "rules": [{"field": v.field, "value": v.value, "text": v.text, "source": v.source}
                      for v in rule_values(r)]} for r in rows], ensure_ascii=False, indent=1))
        return 0
    print("单位\t版本\t名称\t生效日期\t失效日期\t发布人")
    for r in rows:
        print("\t".join([r.organization.name, str(r.version), str(r.data.get("name", "")),
                         r.valid_from.isoformat(),
                         r.valid_to.isoformat() if r.valid_to else "长期",
                         str(r.published_by) if r.published_by else "系统初始化"]))
    return 0


def cmd_policy_publish(args: argparse.Namespace) -> int:
    """Publish a new version of a node's rules as an administrator (``--by``): the values
    set with ``--set``, each changed one with its ``--source``; ``--dry-run`` only shows
    the difference from the version in force."""
    _setup()
    from jintiao.orgs.models import Organization, User
    from jintiao.policies import services

    node = Organization.objects.filter(pk=args.organization).first()
    if node is None:
        return _refuse(f"单位不存在：{args.organization}", "no such organization")
    actor = User.objects.filter(username=args.by, is_active=True).first()
    if actor is None:
        return _refuse(f"用户不存在或已停用：{args.by}", f"no active user {args.by}")
    asked: dict[str, Any] = {
        "organization": node, "actor": actor, "valid_from": args.valid_from,
        "valid_to": args.valid_to, "name": args.name, "source": args.basis,
        "values": {name: parse_value(name, text) for name, text in args.values or []},
        "sources": dict(args.sources or [])}
    draft = services.policy_draft(**asked)
    until = "" if draft.policy.valid_to is None else f"，至 {draft.policy.valid_to}（不含）"
    print(f"{node.name} 第{draft.version}版 {draft.policy.name}：{draft.policy.valid_from} 起"
          f"{until}")
    for c in draft.changes:
        print(f"  {c.label}：{c.old} → {c.new}\t依据：{c.new_source}"
              + ("" if c.old_source == c.new_source else f"（原：{c.old_source}）"))
    if draft.closes is not None:
        print(f"  本单位第{draft.closes.version}版于 {draft.policy.valid_from} 结束")
    if args.dry_run:
        print("（预览，未发布） (dry run: nothing published)", file=sys.stderr)
        return 0
    row = services.policy_publish(**asked)
    print(f"已发布第{row.version}版 (published version {row.version})", file=sys.stderr)
    return 0


def cmd_policy_withdraw(args: argparse.Namespace) -> int:
    """Withdraw a node's latest version before it takes effect, as an administrator."""
    _setup()
    from jintiao.orgs.models import User
    from jintiao.policies import services
    from jintiao.policies.models import PolicyVersion

    row = PolicyVersion.objects.filter(organization_id=args.organization,
                                       version=args.version).first()
    if row is None:
        return _refuse(f"单位{args.organization}没有第{args.version}版规则", "no such version")
    actor = User.objects.filter(username=args.by, is_active=True).first()
    if actor is None:
        return _refuse(f"用户不存在或已停用：{args.by}", f"no active user {args.by}")
    services.policy_withdraw(actor=actor, version=row, reason=args.reason)
    print(f"已撤回第{row.version}版 (withdrawn version {row.version})")
    return 0


def register(sub: Any) -> None:
    policy = sub.add_parser("policy", help="规则配置：版本、各项依据与发布")
    cmds = policy.add_subparsers(dest="policy_command", required=True,
                                 parser_class=type(policy))
    listing = cmds.add_parser("list", help="列出规则版本")
    listing.add_argument("--organization", type=int, default=None, help="单位编号")
    listing.add_argument("--json", action="store_true", help="输出JSON（含每项的值和依据）")
    listing.set_defaults(handler=cmd_policy_list)
    publish = cmds.add_parser("publish", help="以管理员身份发布单位的新规则版本")
    publish.add_argument("--organization", type=int, required=True, help="单位编号")
    publish.add_argument("--by", required=True, help="发布人（管理员）的用户名")
    publish.add_argument("--from", dest="valid_from", type=_date, required=True,
                         help="生效日期，不早于今天")
    publish.add_argument("--to", dest="valid_to", type=_date, default=None,
                         help="失效日期（不含当日，选填）")
    publish.add_argument("--name", default=None, help="版本名称（不写则沿用现行版本的名称）")
    publish.add_argument("--basis", default="", help="本版本的发布依据（文件名称及文号）")
    publish.add_argument("--set", dest="values", type=_pair, action="append",
                         help="规则项=值，可重复：期限写作 10:working_days，比例写小数 0.2，"
                              "是否写 true/false")
    publish.add_argument("--source", dest="sources", type=_pair, action="append",
                         help="规则项=依据，可重复；修改的规则项须有依据")
    publish.add_argument("--dry-run", action="store_true", help="只显示与现行规则的差异，不发布")
    publish.set_defaults(handler=cmd_policy_publish)
    withdraw = cmds.add_parser("withdraw", help="在生效前撤回单位最新的规则版本")
    withdraw.add_argument("--organization", type=int, required=True, help="单位编号")
    withdraw.add_argument("--version", type=int, required=True, help="版本号")
    withdraw.add_argument("--by", required=True, help="撤回人（管理员）的用户名")
    withdraw.add_argument("--reason", required=True, help="撤回理由")
    withdraw.set_defaults(handler=cmd_policy_withdraw)
