"""``jintiao manage …`` and ``jintiao audit verify``: commands that need the database.

Django is set up only when one of these runs, so the calculators work without a
configured platform.
"""

from __future__ import annotations

import argparse
import os
from typing import Any


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jintiao.config.settings")
    django.setup()


def cmd_manage(args: argparse.Namespace) -> int:
    """Run a Django management command (migrate, createsuperuser, runserver …)."""
    from django.core.management import execute_from_command_line

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jintiao.config.settings")
    execute_from_command_line(["jintiao manage", *args.rest])
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Recompute every dispute's timeline chain; exit 1 and name the first broken links."""
    _setup()
    from jintiao.timeline.services import audit_verify

    checked, broken = audit_verify()
    if not broken:
        print(f"已核验 {checked} 条事件，所有纠纷的日志链完整 "
              f"({checked} events, all chains intact)")
        return 0
    for link in broken:
        print(f"纠纷 {link.dispute_id} 第 {link.seq} 条事件：{link.reason} "
              f"(dispute {link.dispute_id}, event {link.seq}: broken)")
    print(f"已核验 {checked} 条事件，{len(broken)} 个纠纷的日志链断裂 "
          f"({checked} events, {len(broken)} broken chains)")
    return 1


def register(sub: Any) -> None:
    manage = sub.add_parser("manage", help="Django 管理命令（migrate、runserver 等）",
                            add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=cmd_manage)

    audit = sub.add_parser("audit", help="审计：核验案件日志的哈希链")
    audit_cmds = audit.add_subparsers(dest="audit_command", required=True,
                                      parser_class=type(audit))
    verify = audit_cmds.add_parser("verify", help="重新计算每个纠纷的日志链，指出第一处断裂")
    verify.set_defaults(handler=cmd_audit_verify)
