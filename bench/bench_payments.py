"""Bank scale payments (issue 20 §3): what a bank's payments file costs, on PostgreSQL and
on SQLite.

For each database it makes a fresh one, migrates it, loads the demo, carries a few of the
demo's 凯里 disputes into performance through the real services (a 12-instalment plan
accepted, the agreement signed and sealed, the court's ruling — as ``make bench-load``
makes its payable disputes), then copies them (the dispute and its effective agreement,
nothing else) up to ``--disputes`` disputes of the same branch in performance. A file of
``--lines`` payments of 1.00 spread over them (not timed to write) is then imported by the
branch's agent, as a bank imports one (``performance.services.payments_file``), and the
script prints:

- the file imported: every line checked and recorded, its timeline event, each dispute
  reviewed once — in payments a second;
- the same file sent again: every line answered as already recorded, nothing written;
- the same file with its last line bad: every line checked, nothing recorded.

Goal (issue 20 §3): at least 2,000 payments a second (a 10,000-line file in under 5 s).
Figures are printed, never asserted.

    make bench-payments                                 # both databases, 10,000 lines
    python bench/bench_payments.py --lines 2000 --databases sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import child_on_fresh_database

SECRET = "jintiao-bench-load-only-not-a-secret"  # noqa: S105 - the bench databases' own key
PG_URL = os.environ.get("JINTIAO_BENCH_PAYMENTS_URL",
                        "postgres://postgres@127.0.0.1:5432/jintiao_bench_pay")
REAL = 4  # disputes carried into performance through the services; the rest are copies


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--disputes", type=int, default=300)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args()


def copies(originals: list[int], wanted: int) -> list[int]:
    """``wanted`` disputes in performance: the originals and copies of them (the dispute
    row, a chain of its own begun afresh, its effective agreement)."""
    from django.db import transaction

    from jintiao.agreements.models import Agreement
    from jintiao.disputes.models import Dispute
    from jintiao.timeline.hashing import GENESIS

    made = list(originals)
    with transaction.atomic():
        sources = [(Dispute.objects.get(pk=pk), Agreement.objects.get(dispute_id=pk,
                                                                     status="effective"))
                   for pk in originals]
        rows, agreements = [], []
        for n in range(wanted - len(originals)):
            d, a = sources[n % len(sources)]
            d.pk = d.id = None
            d.number, d.seq = f"（2099）基准金调{n:06d}号", 900_000 + n
            d.external_ref, d.version = f"BENCH-PAYC-{n:06d}", 1
            d.events_seq, d.events_head = 0, GENESIS
            rows.append(Dispute(**{f.attname: getattr(d, f.attname)
                                   for f in Dispute._meta.concrete_fields}))
            agreements.append(a)
        Dispute.objects.bulk_create(rows)
        copied = []
        for d, a in zip(rows, agreements, strict=True):
            fields = {f.attname: getattr(a, f.attname) for f in Agreement._meta.concrete_fields}
            fields.update(id=None, dispute_id=d.pk)
            copied.append(Agreement(**fields))
        Agreement.objects.bulk_create(copied)
    return made + [d.pk for d in rows]


def payments_csv(numbers: list[str], lines: int, day: str, tag: str) -> bytes:
    """``lines`` payments of 1.00 on ``day``, spread round the disputes ``numbers``."""
    out = ["dispute,reference,paid_on,amount"]
    out += [f"{numbers[n % len(numbers)]},{tag}-{n:07d},{day},1.00" for n in range(lines)]
    return ("\n".join(out) + "\n").encode()


def child(lines: int, disputes: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench_load import payable_disputes
    from jintiao import clock
    from jintiao.demo.seed import load_demo
    from jintiao.disputes.models import Dispute
    from jintiao.orgs.models import User
    from jintiao.performance.models import Payment
    from jintiao.performance.services import payments_file
    from jintiao.timeline.models import Event

    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    load_demo()
    ids = copies(payable_disputes(REAL), disputes)
    setup = time.perf_counter() - began
    agent = User.objects.get(username="agent")
    branch = agent.organization
    assert branch is not None
    numbers = list(Dispute.objects.filter(pk__in=ids).order_by("pk")
                   .values_list("number", flat=True))
    data = payments_csv(numbers, lines, clock.today().isoformat(), "BP")

    def timed(body: bytes) -> tuple[float, Any]:
        began = time.perf_counter()
        done = payments_file(actor=agent, institution=branch, data=body)
        return time.perf_counter() - began, done

    events_before = Event.objects.count()
    filed, done = timed(data)
    written = (Payment.objects.filter(reference__startswith="BP-").count(),
               Event.objects.count() - events_before)
    again, repeated = timed(data)
    bad = payments_csv(numbers, lines, clock.today().isoformat(), "BQ")
    bad = bad.rstrip(b"\n")[:-4] + b"1.0x\n"  # the last amount no number
    voided, refused = timed(bad)
    return {"vendor": connection.vendor, "lines": lines, "disputes": len(ids),
            "setup": setup, "filed": filed, "again": again, "voided": voided,
            "created": done.created, "errors": len(done.errors), "written": written,
            "repeated": repeated.repeated, "refused": refused.errors[:1],
            "voided_created": Payment.objects.filter(reference__startswith="BQ-").count()}


def run(database: str, lines: int, disputes: int) -> dict[str, Any]:
    return child_on_fresh_database(
        __file__, database, PG_URL, ["--lines", str(lines), "--disputes", str(disputes)],
        SECRET)


def main() -> None:
    args = parse_args()
    if args.child:
        print(json.dumps(child(args.lines, args.disputes)))
        return
    print(f"Payments file, {args.lines:,} lines over {args.disputes} disputes "
          "(goal: ≥ 2,000 payments/s)")
    for database in args.databases.split(","):
        r = run(database, args.lines, args.disputes)
        print(f"\n== {r['vendor']} ==  (setup {r['setup']:.0f} s, {r['disputes']} disputes)")
        print(f"  imported         {r['filed']:7.2f} s  {r['lines'] / r['filed']:8,.0f} "
              f"payments/s   ({r['created']:,} recorded, {r['errors']} errors; "
              f"{r['written'][0]:,} rows, {r['written'][1]:,} events)")
        print(f"  sent again       {r['again']:7.2f} s  {r['lines'] / r['again']:8,.0f} "
              f"lines/s      ({r['repeated']:,} already recorded)")
        print(f"  last line bad    {r['voided']:7.2f} s  {r['lines'] / r['voided']:8,.0f} "
              f"lines/s      ({r['voided_created']} recorded; {r['refused']})")


if __name__ == "__main__":
    main()
