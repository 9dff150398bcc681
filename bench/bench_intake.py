"""Bank scale intake (issue 20 §3): what filing a bank's element-table file costs, against a
raw bulk insert of the same rows into the same tables, on PostgreSQL and on SQLite.

For each database it makes a fresh one, migrates it, builds the benchmark prefecture
(``jintiao.demo.scale``: 16 counties, a bank with a branch in each), writes a 10,000-row
element table (.xlsx, generated, not timed) and prints:

- the file filed as a bank files it (``intake_files.intake_file_upload`` → read with
  python-calamine, each row checked by intake's rules, parties with their encrypted numbers,
  numbers from the counters, the disputes, their parties' rows, each first timeline event
  chained, the figures backlog), in validated disputes a second, with the share of reading
  and checking;
- the same rows (other people, other references) inserted raw with ``bulk_create`` (a
  statement a :data:`jintiao.bulk.ROWS` rows, as the intake writes) into the
  same tables — what the database's own writing costs — and the ratio of the two.

Goal (issue 20 §3): at least 5,000 disputes a second, and at most 3× the raw insert. Figures
are printed, never asserted.

    make bench-intake                              # both databases, 10,000 rows
    python bench/bench_intake.py --rows 2000 --databases sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import child_on_fresh_database

SECRET = "jintiao-bench-load-only-not-a-secret"  # noqa: S105 - the bench databases' own key
PG_URL = os.environ.get("JINTIAO_BENCH_INTAKE_URL",
                        "postgres://postgres@127.0.0.1:5432/jintiao_bench_intake")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args()


def _id(n: int) -> str:
    from jintiao.domain import identity

    month, day = divmod(n // 1000, 27)
    first17 = f"52260119{80 + n % 20:02d}{1 + month % 12:02d}{2 + day:02d}{n % 1000:03d}"
    return first17 + identity.resident_id_check_char(first17)


def element_file(rows: int, first: int) -> bytes:
    """A bank's element table of ``rows`` card debts, debtors numbered from ``first``."""
    import xlsxwriter

    from jintiao.disputes.element_table import HEADERS

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("要素表")
    sheet.write_row(0, 0, HEADERS)
    at = {h: i for i, h in enumerate(HEADERS)}
    for line in range(1, rows + 1):
        n = first + line
        values = {"机构业务编号": f"XYK-{n:08d}", "合同编号或卡号": f"62220212{n:011d}",
                  "纠纷类型": "信用卡纠纷", "债权计算日": "2026-10-31",
                  "本金": f"{20000 + n % 50000}.00", "利息": f"{n % 997}.35",
                  "已告知非诉讼方式": "是", "纠纷概要": "持卡人逾期未还款，银行申请调解。",
                  "债务人姓名或名称": f"张{n % 997}", "债务人证件号码": _id(n),
                  "债务人手机": f"138{n:08d}", "债务人住所": f"贵州省基准县人民路{n % 300}号"}
        for header, value in values.items():
            sheet.write_string(line, at[header], value)
    book.close()
    return out.getvalue()


def child(rows: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from jintiao import clock
    from jintiao.bulk import bulk_insert
    from jintiao.demo.scale import _world
    from jintiao.disputes import element_table, intake_files
    from jintiao.disputes.intake_batch import dispute_intake_many
    from jintiao.disputes.models import Dispute, DisputeParty, PartyRole
    from jintiao.domain import events
    from jintiao.domain.lifecycle import Role
    from jintiao.orgs.services import user_create
    from jintiao.parties import crypto
    from jintiao.parties.models import Party, PartyKind
    from jintiao.timeline.hashing import GENESIS, event_hash
    from jintiao.timeline.models import Event, FiguresBacklog

    call_command("migrate", interactive=False, verbosity=0)
    world = _world()
    branch, committee = world.branches[0], world.committees[0]
    agent = user_create(username="bench-intake-agent", organization=branch, roles=[Role.AGENT],
                        password="Qz7-tea-garden-ridge", full_name="基准经办人")  # noqa: S106 - bench only
    data = element_file(rows, 0)

    # reading and checking alone: the share of the whole that is not the database's writing
    began = time.perf_counter()
    table = element_table.read_table(data, "要素表.xlsx")
    read = time.perf_counter() - began
    context = element_table.Context.of(branch, committee)
    items = element_table.requests_of(table, context)
    parsed = time.perf_counter() - began

    # the file as a bank files it, end to end (in the request: the bench wants the figure)
    from django.conf import settings

    settings.INTAKE_FILE_INLINE_ROWS = rows + 1
    began = time.perf_counter()
    done = intake_files.intake_file_upload(actor=agent, institution=branch, committee=committee,
                                           filename="要素表.xlsx", data=data,
                                           all_or_nothing=True)
    filed = time.perf_counter() - began
    counts = done.counts
    # the checks without the write: all or nothing, one row made to fail
    broken = list(items)
    broken[-1] = element_table.IntakeFileInvalid("x", "x")
    began = time.perf_counter()
    dispute_intake_many(actor=agent, items=broken, all_or_nothing=True)
    checked = time.perf_counter() - began

    # raw: the same shape of rows, new people and references, straight into the tables
    now = clock.now()
    creditor = Party.objects.get(id_hash=crypto.lookup_hash(branch.credit_code))
    began = time.perf_counter()
    with transaction.atomic():
        people = bulk_insert(Party, [Party(
            kind=PartyKind.PERSON, name=f"李{n % 997}", id_hash=f"raw{n:061d}",
            id_cipher=f"raw-{n}", id_masked="522601**********12",
            phone_hash=f"rawp{n:060d}", phone_cipher=f"raw-{n}", phone_masked="138****0000",
            address="贵州省基准县人民路1号") for n in range(rows)])
        made = bulk_insert(Dispute, [Dispute(
            number=f"（2026）RAW金调{n:06d}号", committee=world.committees[1], year=2026,
            seq=n + 1, channel="institution_application", dispute_type="credit_card",
            institution=branch, external_ref=f"RAW-{n:08d}", contract_ref="622202*********1234",
            summary="持卡人逾期未还款，银行申请调解。", claim_as_of=dt.date(2026, 10, 31),
            principal=20000 + n, interest=n % 997, policy_version=world.policy,
            received_on=now.date(), non_litigation_notice_served=True, events_seq=1,
            events_head="0" * 64) for n in range(rows)])
        bulk_insert(DisputeParty, [
            DisputeParty(dispute=d, party=p, role=r) for d, p in zip(made, people, strict=True)
            for p, r in ((creditor, PartyRole.CREDITOR), (p, PartyRole.DEBTOR))])
        bulk_insert(Event, [Event(
            dispute=d, seq=1, type=events.DISPUTE_RECEIVED.type, actor=agent, at=now,
            state_after="received", params={"channel": d.channel}, meta={"number": d.number},
            prev_hash=GENESIS, hash=event_hash(
                dispute_id=d.pk, seq=1, type=events.DISPUTE_RECEIVED.type, actor_id=agent.pk,
                at=now, state_before="", state_after="received",
                params={"channel": d.channel}, meta={"number": d.number}, prev_hash=GENESIS))
            for d in made])
        bulk_insert(FiguresBacklog, [FiguresBacklog(dispute_id=d.pk, seq=1) for d in made])
    raw = time.perf_counter() - began
    return {"vendor": connection.vendor, "rows": rows, "counts": counts,
            "read": read, "parsed": parsed, "checked": checked, "filed": filed, "raw": raw}


def run(database: str, rows: int) -> dict[str, Any]:
    return child_on_fresh_database(__file__, database, PG_URL, ["--rows", str(rows)], SECRET)


def main() -> None:
    args = parse_args()
    if args.child:
        print(json.dumps(child(args.rows)))
        return
    print(f"Element-table intake, {args.rows:,} rows (goal: ≥ 5,000 disputes/s and ≤ 3× the "
          "raw insert)")
    for database in args.databases.split(","):
        r = run(database, args.rows)
        rate = r["rows"] / r["filed"]
        print(f"\n== {r['vendor']} ==")
        print(f"  filed            {r['filed']:7.2f} s  {rate:8,.0f} disputes/s   "
              f"({r['counts']})")
        print(f"    reading the file {r['read']:5.2f} s; rows to requests "
              f"{r['parsed'] - r['read']:5.2f} s; every check, no write {r['checked']:5.2f} s")
        print(f"  raw bulk insert  {r['raw']:7.2f} s  {r['rows'] / r['raw']:8,.0f} rows/s")
        print(f"  filed ÷ raw      {r['filed'] / r['raw']:7.2f}×")


if __name__ == "__main__":
    main()
