"""``jintiao manage …`` and ``jintiao audit verify``: commands that need the database.

Django is set up only when one of these runs, so the calculators work without a
configured platform.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
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


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Recompute every dispute's timeline chain, re-digest every agreement and re-hash
    every document file; exit 1 and name what fails (each altered record is also put on
    its dispute's timeline, for the desk and the supervisors)."""
    _setup()
    from jintiao.agreements.integrity import scan_agreements
    from jintiao.documents.integrity import report_altered, scan_documents
    from jintiao.timeline.services import audit_verify

    checked, broken = audit_verify()
    for link in broken:
        print(f"纠纷 {link.dispute_id} 第 {link.seq} 条事件：{link.reason} "
              f"(dispute {link.dispute_id}, event {link.seq}: broken)")
    if broken:
        print(f"已核验 {checked} 条事件，{len(broken)} 个纠纷的日志链断裂 "
              f"({checked} events, {len(broken)} broken chains)")
    else:
        print(f"已核验 {checked} 条事件，所有纠纷的日志链完整 "
              f"({checked} events, all chains intact)")
    findings = [*scan_agreements(), *scan_documents()]
    for f in findings:
        print(f"纠纷 {f.dispute_id} {f.named}（{f.what} {f.record}）：{f.problem} "
              f"(dispute {f.dispute_id}, {f.what} {f.record}: altered or missing)")
        report_altered(f.dispute_id, actor=None, what=f.what, title=f.title, record=f.record,
                       fmt=f.fmt, problem=f.problem)
    if findings:
        print(f"{len(findings)} 份协议或文书与存档摘要不符或文件缺失 "
              f"({len(findings)} records altered or missing)")
    else:
        print("所有协议内容与签署摘要一致，所有文书文件与存档摘要一致 "
              "(all agreements and document files match their digests)")
    from jintiao.documents.signature_audit import signature_report

    lines, signatures_broken = signature_report()
    print("\n".join(lines))
    return 1 if broken or findings or signatures_broken else 0


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


def cmd_jobs_run(args: argparse.Namespace) -> int:
    """Run the scheduled jobs once (cron-friendly; safe to run twice or on two machines)."""
    _setup()
    from jintiao.jobs.checks import JOB_LABELS, run

    done = run(args.only or None, args.date)
    for name, count in done.items():
        print(f"{JOB_LABELS[name]}：{count} ({name}: {count})")
    return 0


def register(sub: Any) -> None:
    demo = sub.add_parser("demo", help="载入演示数据（可重复运行）")
    demo.add_argument("--synthetic", type=int, default=300, help="合成纠纷件数")
    demo.set_defaults(handler=cmd_demo)

    token = sub.add_parser("token", help="接口令牌")
    token_cmds = token.add_subparsers(dest="token_command", required=True,
                                      parser_class=type(token))
    create = token_cmds.add_parser("create", help="为用户签发接口令牌（只显示一次）")
    create.add_argument("username")
    create.add_argument("--name", default="", help="用途说明")
    create.set_defaults(handler=cmd_token_create)

    manage = sub.add_parser("manage", help="Django 管理命令（migrate、runserver 等）",
                            add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=cmd_manage)

    jobs = sub.add_parser("jobs", help="定时任务")
    jobs_cmds = jobs.add_subparsers(dest="jobs_command", required=True, parser_class=type(jobs))
    run = jobs_cmds.add_parser(
        "run", help="运行一次：还款提醒、履行检查、回访计划、期限检查、统计更新")
    run.add_argument("--only", action="append",
                     choices=["performance", "reminders", "follow_ups", "deadlines", "figures"],
                     help="只运行指定任务（可重复）")
    run.add_argument("--date", type=_day, help="按指定日期运行（YYYY-MM-DD，补跑用）")
    run.set_defaults(handler=cmd_jobs_run)

    bench = sub.add_parser("bench", help="性能基准：生成大规模合成数据")
    bench_cmds = bench.add_subparsers(dest="bench_command", required=True,
                                      parser_class=type(bench))
    seed = bench_cmds.add_parser("seed", help="向基准测试州添加合成纠纷及其统计数据（形似情景S6）")
    seed.add_argument("--cases", type=_positive, required=True, help="添加的纠纷件数")
    seed.add_argument("--seed", type=int, default=2026, help="随机种子")
    seed.set_defaults(handler=cmd_bench_seed)

    audit = sub.add_parser("audit", help="审计：核验案件日志的哈希链")
    audit_cmds = audit.add_subparsers(dest="audit_command", required=True,
                                      parser_class=type(audit))
    verify = audit_cmds.add_parser("verify", help="重新计算每个纠纷的日志链，指出第一处断裂")
    verify.set_defaults(handler=cmd_audit_verify)
