"""``jintiao manage …`` and ``jintiao audit verify``: commands that need the database.

Django is set up only when one of these runs, so the calculators work without a
configured platform.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from typing import Any


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为YYYY-MM-DD：{text}") from None


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


def cmd_demo(args: argparse.Namespace) -> int:
    """Load the demo world (idempotent)."""
    _setup()
    from jintiao.demo.outreach import portal_logins
    from jintiao.demo.seed import DEMO_PASSWORD, load_demo

    made = load_demo(synthetic=args.synthetic)
    if made is None:
        print("演示数据已存在，未作改动 (demo data already loaded; nothing changed)")
        return 0
    print(f"已载入演示数据：{made['organizations']} 个单位，{made['users']} 个用户，"
          f"{made['disputes']} 件纠纷 (demo loaded)")
    print(f"演示账号 clerk / director / mediator / agent / approver / judge / court_clerk / "
          f"supervisor / regulator / admin，密码 {DEMO_PASSWORD}")
    for name, ref, phone, number in portal_logins():
        print(f"当事人端 /p/：{name}（{ref}）手机 {phone}，身份证号 {number}；"
              "验证码见短信发件箱 /outbox/（调解员或 admin）")
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 10_000_000:
        raise argparse.ArgumentTypeError(f"件数应为1至10000000之间的整数：{text}")
    return value


def cmd_bench_seed(args: argparse.Namespace) -> int:
    """Add synthetic disputes for the report benchmark (bench/bench_reports.py)."""
    _setup()
    import time

    from jintiao.demo.scale import bench_seed

    began = time.monotonic()
    total = bench_seed(args.cases, seed=args.seed)
    print(f"已添加 {args.cases} 件合成纠纷，基准测试州现有 {total} 件，用时 "
          f"{time.monotonic() - began:.1f} 秒 (bench seed done)")
    return 0


def register(sub: Any) -> None:
    demo = sub.add_parser("demo", help="载入演示数据（可重复运行）")
    demo.add_argument("--synthetic", type=int, default=300, help="合成纠纷件数")
    demo.set_defaults(handler=cmd_demo)

    manage = sub.add_parser("manage", help="Django 管理命令（migrate、runserver 等）",
                            add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=cmd_manage)

    bench = sub.add_parser("bench", help="性能基准：生成大规模合成数据")
    bench_cmds = bench.add_subparsers(dest="bench_command", required=True,
                                      parser_class=type(bench))
    seed = bench_cmds.add_parser("seed", help="向基准测试州添加合成纠纷及其统计数据（形似情景S6）")
    seed.add_argument("--cases", type=_positive, required=True, help="添加的纠纷件数")
    seed.add_argument("--seed", type=int, default=2026, help="随机种子")
    seed.set_defaults(handler=cmd_bench_seed)
