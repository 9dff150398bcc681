"""``jintiao jobs …``: the periodic jobs, run once or put on the queue."""

from __future__ import annotations

import argparse
from typing import Any

from jintiao.cli.platform import _day, _setup


def cmd_jobs_run(args: argparse.Namespace) -> int:
    """Run the scheduled jobs once (cron-friendly; safe to run twice or on two machines)."""
    _setup()
    from jintiao.jobs.checks import JOB_LABELS, run

    done = run(args.only or None, args.date)
    for name, count in done.items():
        print(f"{JOB_LABELS[name]}：{count} ({name}: {count})")
    return 0


def register(sub: Any) -> None:
    jobs = sub.add_parser("jobs", help="定时任务")
    jobs_cmds = jobs.add_subparsers(dest="jobs_command", required=True, parser_class=type(jobs))
    run = jobs_cmds.add_parser(
        "run", help="运行一次：还款提醒、履行检查、回访计划、期限检查、统计更新")
    run.add_argument("--only", action="append",
                     choices=["performance", "reminders", "follow_ups", "deadlines", "figures"],
                     help="只运行指定任务（可重复）")
    run.add_argument("--date", type=_day, help="按指定日期运行（YYYY-MM-DD，补跑用）")
    run.set_defaults(handler=cmd_jobs_run)
