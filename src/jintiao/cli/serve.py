"""``jintiao serve``: the production web server (gunicorn), with checks before it listens.

Before the workers start it refuses what would otherwise fail later, one request at a time:
migrations not applied, keys that do not match the data, missing static files (collected
here when absent). Options come from the command line or ``JINTIAO_*`` variables, so a
systemd unit needs no arguments.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from jintiao.cli.platform import _setup

# The access log leaves out query strings: a search may hold a name, a number or a phone.
SHM = "/dev/shm"  # noqa: S108 - gunicorn's worker heartbeat, not a temporary file of ours
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'


def _int_env(name: str, default: int) -> int:
    """A count from the environment, held to the same range as the option; a bad one stops
    the command with exit 2, as bad input does everywhere in the CLI."""
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        return _count(raw)
    except argparse.ArgumentTypeError as exc:
        print(f"错误：{name} {exc} (error: {name} must be an integer from 1 to 256)",
              file=sys.stderr)
        raise SystemExit(2) from None


def default_workers() -> int:
    """Two processes per core (threads add concurrency inside each), at most eight."""
    return max(2, min(8, 2 * (os.cpu_count() or 1)))


def static_sources() -> str:
    """A digest of every static source file's name, size and time: it changes when an
    upgrade brings new stylesheets or scripts."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda found: found[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _collect_static(root: Path, call_command: Any) -> None:
    """Collect (hash and compress, about half a minute) only when the sources changed since
    the last collection, so a restart is quick and an upgrade never serves old files."""
    stamp = root / ".sources"
    wanted = static_sources()
    if (root / "staticfiles.json").exists() and stamp.exists() \
            and stamp.read_text() == wanted:
        return
    print("正在收集静态文件…… (collecting static files)", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(wanted)


def preflight(*, collect: bool) -> list[str]:
    """Return what stops the server from starting (Chinese, one line each); collect the
    static files when their manifest is missing."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    problems: list[str] = []
    try:
        executor = MigrationExecutor(connections["default"])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return [f"无法连接数据库（{type(exc).__name__}）：请检查 DATABASE_URL"]
    if pending:
        problems.append(f"数据库有 {len(pending)} 个迁移尚未执行：请先运行 "
                        "jintiao manage migrate")
    else:
        try:
            from jintiao.ops.keys import verify_keys
        except ImportError:  # pragma: no cover - arrives with backups
            pass
        else:
            problems.extend(verify_keys())
    if settings.DEBUG:
        problems.append("生产服务器不应在调试模式下运行：请去掉 JINTIAO_DEBUG")
    if collect and settings.STATIC_ROOT:
        _collect_static(Path(settings.STATIC_ROOT), call_command)
    connections.close_all()  # nothing opened here is inherited by the forked workers
    return problems


IN_PROCESS_TASKS = "django_tasks.backends.immediate.ImmediateBackend"


def advice(config: dict[str, Any]) -> list[str]:
    """What would work but not as a production deployment should (said, not refused: a
    single-host trial may run this way)."""
    from django.conf import settings

    found = []
    if settings.TASKS["default"]["BACKEND"] == IN_PROCESS_TASKS:
        found.append(
            "未设置 JINTIAO_TASKS_BACKEND，后台任务在请求内执行：超过 "
            f"{settings.EXPORT_INLINE_ROWS:,} 行的台账导出也会在请求中写完，"
            f"大批量时可能超过 {config['timeout']} 秒的请求超时。生产环境请设置"
            "数据库队列并运行 jintiao worker（docs/deploy.md）")
    return found


def options(args: argparse.Namespace) -> dict[str, Any]:
    """gunicorn's settings from the options, else the environment, else the defaults."""
    return {
        "bind": args.bind or os.environ.get("JINTIAO_BIND", "127.0.0.1:8000"),
        "workers": args.workers or _int_env("JINTIAO_WORKERS", default_workers()),
        "threads": args.threads or _int_env("JINTIAO_THREADS", 4),
        # a dossier of many signed PDFs takes seconds; a stuck request is ended after this
        "timeout": args.timeout or _int_env("JINTIAO_TIMEOUT", 120),
        "graceful_timeout": 30,
        # each worker is replaced after about this many requests: memory stays bounded
        "max_requests": 2000, "max_requests_jitter": 200,
        "accesslog": "-", "errorlog": "-", "access_log_format": ACCESS_LOG_FORMAT,
        "proc_name": "jintiao",
        # gunicorn's control socket is one path per machine user: two servers on one host
        # would contend for it, and nothing of ours uses it
        "control_socket_disable": True,
        # heartbeat files in memory, not on a disk that may stall (gunicorn's advice)
        "worker_tmp_dir": SHM if os.path.isdir(SHM) else None,
    }


def cmd_serve(args: argparse.Namespace) -> int:
    """Check, then serve the application with gunicorn until stopped."""
    config = options(args)  # a bad JINTIAO_WORKERS is said before anything else
    _setup()
    from django.conf import settings

    # the proxy's addresses whose X-Forwarded-* are believed: the list the application
    # itself holds to (jintiao.web.proxy), so gunicorn and Django never disagree
    config["forwarded_allow_ips"] = ",".join(sorted(settings.FORWARDED_ALLOW_IPS))
    problems = preflight(collect=not args.no_collectstatic)
    if problems:
        for line in problems:
            print(f"错误：{line}", file=sys.stderr)
        print("金调通未启动 (jintiao serve: refused to start, see above)", file=sys.stderr)
        return 2
    for line in advice(config):
        print(f"提示：{line}", file=sys.stderr)
    if args.check:
        print("检查通过，可以启动 (all start checks passed)")
        return 0

    from django.core.wsgi import get_wsgi_application
    from gunicorn.app.base import BaseApplication

    application = get_wsgi_application()
    from django.db import connections

    connections.close_all()  # loading the middleware may have connected: never fork a socket

    class Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
        def load_config(self) -> None:
            for key, value in config.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    print(f"金调通在 {config['bind']} 上服务：{config['workers']} 个进程 × "
          f"{config['threads']} 个线程 (serving)", flush=True)
    Server().run()
    return 0


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 256:
        raise argparse.ArgumentTypeError(f"应为1至256之间的整数：{text}")
    return value


def register(sub: Any) -> None:
    serve = sub.add_parser("serve",
                           help="生产环境网页服务（gunicorn），启动前检查迁移、密钥和静态文件")
    serve.add_argument("--bind", help="监听地址，如 127.0.0.1:8000 或 unix:/run/jintiao.sock"
                                      "（JINTIAO_BIND）")
    serve.add_argument("--workers", type=_count, help="进程数（JINTIAO_WORKERS，默认每核两个）")
    serve.add_argument("--threads", type=_count, help="每个进程的线程数（JINTIAO_THREADS，默认4）")
    serve.add_argument("--timeout", type=_count,
                       help="单个请求的最长秒数（JINTIAO_TIMEOUT，默认120）")
    serve.add_argument("--no-collectstatic", action="store_true",
                       help="不自动收集静态文件（部署时已运行 collectstatic）")
    serve.add_argument("--check", action="store_true", help="只做启动前检查，不启动服务")
    serve.set_defaults(handler=cmd_serve)
