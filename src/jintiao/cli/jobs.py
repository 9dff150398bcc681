"""``jintiao jobs …``, ``jintiao worker`` and ``jintiao scheduler``: the periodic jobs run
once, put on the queue, served and scheduled."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from jintiao.cli.platform import _day, _setup


def _positive_seconds(text: str) -> float:
    """An interval of 0 to 86,400 seconds, read as the queue's settings are
    (:func:`jintiao.jobs.conf.seconds`); ``time.sleep`` takes the float."""
    from jintiao.jobs.conf import JobsConfigInvalid, seconds

    try:
        value = seconds(text, "--interval")
    except JobsConfigInvalid:
        value = dt.timedelta(0)
    if not dt.timedelta(0) < value <= dt.timedelta(days=1):
        raise argparse.ArgumentTypeError(f"秒数应为0至86400之间的数：{text}")
    return value.total_seconds()


def _positive_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"任务数应为正整数：{text}")
    return value


def _worker_id(text: str) -> str:
    if not 1 <= len(text) <= 64:
        raise argparse.ArgumentTypeError(f"工作进程编号应为1至64个字符：{text}")
    return text


def cmd_jobs_run(args: argparse.Namespace) -> int:
    """Run the jobs once, here (cron-friendly; safe to run twice or on two machines)."""
    _setup()
    from jintiao.jobs.runs import jobs_run, label

    for name, count in jobs_run(args.only or None, args.date).items():
        print(f"{label(name)}：{count} ({name}: {count})")
    return 0


def cmd_jobs_enqueue(args: argparse.Namespace) -> int:
    """Put jobs on the queue now (a failed run again, or a day to replay) for the workers."""
    _setup()
    from jintiao.jobs.runs import day_checked, label, names_checked
    from jintiao.jobs.tasks import enqueue

    names = names_checked(args.names)
    day = day_checked(args.date) if args.date else None
    for name in names:
        result = enqueue(name, day=day)
        print(f"已加入队列：{label(name)}，任务编号 {result.id} (queued: {name}, task {result.id})")
    return 0


def _when(value: Any) -> str:
    from jintiao import clock

    return value.astimezone(clock.TZ).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def cmd_jobs_status(args: argparse.Namespace) -> int:
    """The queue's depth, each job's schedule and last run, the workers: what an operator
    checks first when a reminder did not go out."""
    _setup()
    from jintiao.jobs import selectors

    depth = selectors.queue_depth()
    jobs = selectors.job_statuses()
    workers = selectors.workers()
    if args.json:
        print(json.dumps({
            "queue": depth.__dict__,
            "jobs": [{"job": j.name, "label": j.label,
                      "times": [t.strftime("%H:%M") for t in j.times],
                      "next_at": j.next_at.isoformat() if j.next_at else None,
                      "last": None if j.last is None else {
                          "status": j.last.status, "day": j.last.day.isoformat(),
                          "started_at": j.last.started_at.isoformat(),
                          "finished_at": j.last.finished_at.isoformat()
                          if j.last.finished_at else None,
                          "done": j.last.done, "failures": j.last.failures,
                          "error": j.last.error}} for j in jobs],
            "workers": [{"host": w.lease.host, "pid": w.lease.pid, "alive": w.alive,
                         "beat_at": w.lease.beat_at.isoformat(), "task_id": w.lease.task_id}
                        for w in workers]}, ensure_ascii=False, indent=2))
        return 0
    if depth.on_queue:
        print(f"队列：可运行 {depth.ready}，延后 {depth.waiting}，运行中 {depth.running}"
              f"（工作进程失联 {depth.stalled}），近一天失败 {depth.failed_recent}，"
              f"成功 {depth.succeeded_recent} (queue: {depth.ready} ready, {depth.waiting} "
              f"deferred, {depth.running} running, {depth.stalled} stalled; last day "
              f"{depth.failed_recent} failed, {depth.succeeded_recent} succeeded)")
    else:
        print("任务在进程内立即运行，未使用数据库队列 (in-process backend: no queue)")
    for j in jobs:
        times = "、".join(t.strftime("%H:%M") for t in j.times) or "未排定"
        if j.last is None:
            last = "从未运行 (never run)"
        else:
            last = (f"{j.last.get_status_display()} {_when(j.last.started_at)}，业务日期 "
                    f"{j.last.day}，处理 {j.last.done if j.last.done is not None else '—'} 件"
                    f"，失败 {j.last.failures} 件 ({j.last.status})")
            if j.last.error:
                last += f"：{j.last.error}"
        print(f"{j.label}（{j.name}）每日 {times}，下次 {_when(j.next_at)}；最近：{last}")
    for w in workers:
        state = "在线 (alive)" if w.alive else "失联 (silent)"
        doing = f"，正在运行 {w.lease.task_id}" if w.lease.task_id else ""
        print(f"工作进程 {w.lease.host}:{w.lease.pid} {state}，最近心跳 "
              f"{_when(w.lease.beat_at)}{doing}")
    return 0


def _keys_fit() -> bool:
    """As ``jintiao serve`` does: a worker or scheduler holding keys that do not fit the
    data would write texts and documents no one can read back; say which key and stop."""
    from jintiao.ops.keys import verify_keys

    problems = verify_keys()
    for line in problems:
        print(f"错误：{line}", file=sys.stderr)
    if problems:
        print("未启动 (refused to start: keys do not match the data)", file=sys.stderr)
    return not problems


def cmd_worker(args: argparse.Namespace) -> int:
    """Serve the database queue with a lease (db_worker plus a heartbeat)."""
    _setup()
    if not _keys_fit():
        return 2
    from jintiao.jobs import conf
    from jintiao.jobs.worker import database_backend, worker_run

    database_backend()
    conf.lease()  # a bad setting is said now, not on the first beat
    conf.max_attempts()
    print(f"工作进程启动，租约 {conf.lease().total_seconds():g} 秒 (worker started; lease "
          f"{conf.lease().total_seconds():g} s)", flush=True)
    worker_run(queues=args.queue.split(","), interval=args.interval, batch=args.batch,
               max_tasks=args.max_tasks, worker_id=args.worker_id or "")
    return 0


def _print_queued(queued: list[Any]) -> None:
    from jintiao.jobs.runs import label

    for q in queued:
        print(f"已排队：{label(q.slot.job)}，计划时间 {_when(q.slot.at)}，任务编号 {q.task_id} "
              f"(queued: {q.slot.job} for {q.slot.at.isoformat()})", flush=True)


def cmd_scheduler(args: argparse.Namespace) -> int:
    """Queue each job at its times of day: a loop, or one pass for cron (``--once``)."""
    _setup()
    if not _keys_fit():
        return 2
    from jintiao.jobs import runs, schedule
    from jintiao.jobs.scheduler import Loop, tick

    only = runs.names_checked(args.only) if args.only else None
    table = schedule.configured(runs.job_names())  # a bad JINTIAO_SCHEDULE is said now
    if args.once:
        queued = tick(only=only)
        _print_queued(queued)
        if not queued:
            print("没有到期未排队的任务 (nothing due that is not queued already)")
        return 0
    plan = "；".join(f"{runs.label(j)} {'、'.join(t.strftime('%H:%M') for t in times)}"
                    for j, times in table.items())
    print(f"调度器启动，每 {args.interval:g} 秒检查一次：{plan} (scheduler started)",
          file=sys.stdout, flush=True)
    Loop(args.interval, _print_queued, only).run()
    return 0


def register(sub: Any) -> None:
    jobs = sub.add_parser("jobs", help="定时任务：运行、加入队列、查看状态")
    jobs_cmds = jobs.add_subparsers(dest="jobs_command", required=True, parser_class=type(jobs))
    run = jobs_cmds.add_parser(
        "run", help="在本进程运行一次：回访计划、还款提醒、履行检查、期限检查、征信修复提醒、"
                    "统计更新等")
    run.add_argument("--only", action="append", metavar="任务",
                     help="只运行指定任务（可重复）：follow_ups、reminders、performance、"
                          "deadlines、credit_repairs、figures 等")
    run.add_argument("--date", type=_day, help="按指定日期运行（YYYY-MM-DD，补跑用）")
    run.set_defaults(handler=cmd_jobs_run)

    enqueue = jobs_cmds.add_parser("enqueue", help="把任务加入队列，由工作进程运行")
    enqueue.add_argument("names", nargs="+", metavar="任务", help="任务名，可多个")
    enqueue.add_argument("--date", type=_day, help="业务日期（YYYY-MM-DD，补跑用）")
    enqueue.set_defaults(handler=cmd_jobs_enqueue)

    status = jobs_cmds.add_parser("status", help="队列深度、各任务最近一次运行、工作进程")
    status.add_argument("--json", action="store_true", help="以 JSON 输出")
    status.set_defaults(handler=cmd_jobs_status)

    worker = sub.add_parser("worker", help="工作进程：运行数据库队列中的任务（带租约）")
    worker.add_argument("--queue", default="default", help="队列名，逗号分隔（默认 default）")
    worker.add_argument("--interval", type=_positive_seconds, default=1.0,
                        help="队列为空时的轮询间隔（秒）")
    worker.add_argument("--batch", action="store_true", help="运行完队列中的任务后退出")
    worker.add_argument("--max-tasks", type=_positive_count, help="运行这么多个任务后退出")
    worker.add_argument("--worker-id", type=_worker_id, help="工作进程编号（默认自动生成，须唯一）")
    worker.set_defaults(handler=cmd_worker)

    scheduler = sub.add_parser("scheduler", help="调度器：按时把定时任务加入队列")
    scheduler.add_argument("--once", action="store_true",
                           help="只检查一次（供 cron 或 systemd 定时器调用）")
    scheduler.add_argument("--interval", type=_positive_seconds, default=30.0,
                           help="两次检查之间的秒数（默认30）")
    scheduler.add_argument("--only", action="append", metavar="任务",
                           help="只调度指定任务（可重复）")
    scheduler.set_defaults(handler=cmd_scheduler)
