"""``jintiao …`` in a process of its own for the queue tests: as of the instant the test
gives (a test pins its clock; another process cannot share it), on the test's media and
keys, and with ``--stall FILE`` a worker that stops dead after its job's first dispute — as
one does when its host freezes — having said so in FILE; the test then kills it.

    python -m tests.jobs.pinned_cli --at 2027-01-17T10:00+08:00 [--stall F] -- worker …
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--at", type=dt.datetime.fromisoformat, required=True)
    parser.add_argument("--stall", type=Path)
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jintiao.config.settings_test")

    import django
    from django.conf import settings

    # the test process's own folders (settings_test makes new ones per process)
    settings.MEDIA_ROOT = Path(os.environ["JINTIAO_TEST_MEDIA_ROOT"])
    settings.PKI_DIR = Path(os.environ["JINTIAO_TEST_PKI_DIR"])
    django.setup()

    from jintiao import clock
    from jintiao.cli import main as jintiao
    from jintiao.jobs import checks

    if args.stall:
        remind = checks._remind

        def stalling(*a: Any, **kw: Any) -> int:
            sent = remind(*a, **kw)  # committed: the first dispute's reminder is out
            args.stall.write_text(str(os.getpid()))
            time.sleep(3600)
            return sent

        checks._remind = stalling
    rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
    with clock.pinned(args.at):
        return jintiao(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
