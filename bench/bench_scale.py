"""Province scale (issue 19 §6): what each list, page and export costs at 100,000 and at
1,000,000 disputes on PostgreSQL, side by side, so that a cost that grows with the table
shows.

For each size it seeds (or reuses) a database of synthetic disputes (``jintiao bench seed``,
scenario S6's shape), starts ``jintiao serve`` with its documented workers, and prints:

- the dispute-list API at 32 concurrent clients for 60 s each — the first page, a filter by
  state, a search by a debtor's name — against ``/me`` on the same server (goal: p95 under
  50 ms and at least half ``/me``'s throughput);
- the workbench pages a supervisor of the whole prefecture opens — the dispute list, the
  ledger, the statistics, the dashboard, the monthly report — each read five times (goal:
  under 500 ms, the report under 1 s);
- the ledger export's rates, CSV and .xlsx, over one committee's disputes (goal: 20,000
  and 10,000 rows/s);
- what the figures backlog costs when 1, 10, 100 or 500 disputes changed: their figures
  rows rebuilt and the difference added to the stored months the reports sum;
- ``EXPLAIN (ANALYZE)`` of the slowest queries of the hot requests, so a plan that turns
  into a scan of the table is seen.

Figures are printed, never asserted. The databases (``jintiao_scale_100k``,
``jintiao_scale_1m`` on the local server, or ``--database-prefix``) are kept for the next
run; seeding a million takes about an hour on two cores.

    make bench-scale                                   # 100,000 and 1,000,000
    python bench/bench_scale.py --sizes 100000 --seconds 20    # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import Client, Server, create_database, percentile

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench-scale"
SECRET = "jintiao-bench-load-only-not-a-secret"  # noqa: S105 - the bench databases' own key
PASSWORD = "Qz7-tea-garden-ridge"  # noqa: S105 - the bench supervisor's password, bench only
PAGES = [("dispute list", "/disputes/"), ("ledger", "/ledger/"),
         ("statistics", "/statistics/"), ("dashboard", "/supervision/"),
         ("monthly report", "/reports/")]
STATES = ["mediating", "performing", "performed", "transferred"]


def label(size: int) -> str:
    return f"{size // 1_000_000}m" if size % 1_000_000 == 0 else f"{size // 1000}k"


def environment(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "JINTIAO_DEBUG"}
    env.update({
        "DATABASE_URL": url, "JINTIAO_SECRET_KEY": SECRET, "JINTIAO_VAR_DIR": str(VAR),
        "JINTIAO_HTTPS": "0", "JINTIAO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "jintiao.config.settings",
        "JINTIAO_PUBLIC_URL": "http://127.0.0.1",
        # the clients are the bench's own: the token rate limit would measure itself
        "JINTIAO_API_RATE_PER_MINUTE": "100000000",
    })
    return env


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000",
                        help="disputes per database, comma-separated")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--repeat", type=int, default=5, help="reads of each page")
    parser.add_argument("--database-prefix", default=os.environ.get(
        "JINTIAO_BENCH_SCALE_URL", "postgres://postgres@127.0.0.1:5432/jintiao_scale_"))
    parser.add_argument("--no-explain", action="store_true")
    # the child process that works inside Django on one database
    parser.add_argument("--child", choices=["prepare", "exports", "refresh", "explain"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


# -- inside Django, one database ----------------------------------------------------------


def child_prepare(size: int) -> dict[str, Any]:
    """Migrate, seed up to ``size`` synthetic disputes, analyse, and make the bench's
    supervisor (whole prefecture) with an API token; return what the load needs."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jintiao.demo.scale import PREFECTURE, bench_seed, synthetic_disputes
    from jintiao.disputes.models import DisputeParty
    from jintiao.domain.lifecycle import Role
    from jintiao.orgs.models import Organization, User
    from jintiao.orgs.services import token_create, user_create

    began = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    have = synthetic_disputes().count()
    seeded = 0.0
    if have < size:
        start = time.monotonic()
        bench_seed(size - have)
        seeded = time.monotonic() - start
    with connection.cursor() as cursor:
        # seeded now or by `jintiao bench seed` before: the planner's figures and the
        # visibility map (index-only scans) as a running platform's autovacuum keeps them
        cursor.execute("SELECT last_vacuum IS NULL AND last_autovacuum IS NULL "
                       "FROM pg_stat_user_tables WHERE relname = 'disputes_dispute'")
        if seeded or cursor.fetchone()[0]:
            cursor.execute("VACUUM ANALYZE")
    prefecture = Organization.objects.get(name=PREFECTURE, parent=None)
    supervisor = User.objects.filter(username="scale-supervisor").first() or user_create(
        username="scale-supervisor", organization=prefecture, roles=[Role.SUPERVISOR],
        password=PASSWORD, full_name="规模测试督导")
    token = token_create(user=supervisor, name="规模测试", system="规模测试", days=1,
                         scopes=["read"])
    rng = random.Random(size)  # noqa: S311 - which names to search for, not a secret
    names = list(DisputeParty.objects.filter(role="debtor")
                 .order_by("-dispute_id").values_list("party__name", flat=True)[:5000])
    return {"disputes": synthetic_disputes().count(), "seeded_seconds": round(seeded, 1),
            "prepare_seconds": round(time.monotonic() - began, 1), "token": token,
            "names": rng.sample(names, min(200, len(names)))}


def child_exports(size: int) -> dict[str, Any]:
    """The ledger export's rates over the first committee's disputes, CSV and .xlsx, written
    to files as the background task writes them."""
    import django

    django.setup()
    from jintiao.demo.scale import PREFECTURE
    from jintiao.orgs.models import Organization, OrgKind, User
    from jintiao.supervision import exports
    from jintiao.supervision.selectors import LedgerFilter, ledger, ledger_chunks

    prefecture = Organization.objects.get(name=PREFECTURE, parent=None)
    committee = Organization.objects.filter(kind=OrgKind.COMMITTEE,
                                            path__startswith=prefecture.path).order_by("path")[0]
    supervisor = User.objects.get(username="scale-supervisor")
    rows = ledger(supervisor, LedgerFilter(committee_id=committee.pk))
    found: dict[str, Any] = {"rows": rows.count()}
    out = VAR / "exports"
    out.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with open(out / "ledger.csv", "w", encoding="utf-8", newline="") as text:
        done = exports.csv_write(ledger_chunks(rows), text)
    found["csv"] = done / (time.monotonic() - began)
    began = time.monotonic()
    done, _sheets = exports.xlsx_write(ledger_chunks(rows), str(out / "ledger.xlsx"),
                                       title="工作台账")
    found["xlsx"] = done / (time.monotonic() - began)
    return found


REFRESH_SIZES = (1, 10, 100, 500)


def child_refresh(size: int) -> dict[str, Any]:
    """What keeping the months current costs: disputes taken out of the figures and the
    months (consistently), queued as if their events were new, and the figures refreshed —
    the backlog's work when that many disputes changed. The database ends as it began."""
    import django

    django.setup()
    from django.db import transaction
    from django.db.models import Max

    from jintiao.supervision import month_figures, services
    from jintiao.supervision.models import DisputeFigures
    from jintiao.timeline.models import Event, FiguresBacklog

    ids = list(DisputeFigures.objects.order_by("-dispute_id")
               .values_list("dispute_id", flat=True)[:50_000])
    rng = random.Random(size)  # noqa: S311 - which disputes, not a secret
    found: dict[str, Any] = {}
    for n in REFRESH_SIZES:
        pick = rng.sample(ids, n)
        with transaction.atomic():
            gone = month_figures.counted(pick)
            DisputeFigures.objects.filter(pk__in=pick).delete()
            month_figures.months_apply(month_figures.Counted().minus(gone))
        last = (Event.objects.filter(dispute_id__in=pick).values("dispute_id")
                .annotate(seq=Max("seq")).values_list("dispute_id", "seq"))
        FiguresBacklog.objects.bulk_create(
            [FiguresBacklog(dispute_id=d, seq=q) for d, q in last], update_conflicts=True,
            unique_fields=["dispute"], update_fields=["seq"])
        began = time.monotonic()
        services.figures_refresh()
        found[str(n)] = round((time.monotonic() - began) * 1000, 1)
    return found


def child_explain(size: int) -> dict[str, Any]:
    """The hot requests made in-process, each query timed; the slowest two of each with
    their plans (EXPLAIN ANALYZE, BUFFERS)."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from jintiao.orgs.models import User

    supervisor = User.objects.get(username="scale-supervisor")
    web = DjangoClient(HTTP_HOST="127.0.0.1")
    web.force_login(supervisor)
    plan = json.loads((VAR / f"plan-{label(size)}.json").read_text())
    api = {"HTTP_AUTHORIZATION": f"Bearer {plan['token']}"}
    requests = [("api list", "/api/v1/disputes?limit=50", api),
                ("api filter", "/api/v1/disputes?limit=50&state=mediating", api),
                ("api search", f"/api/v1/disputes?limit=50&q={plan['names'][0]}", api),
                *((name, path, {}) for name, path in PAGES)]
    found: dict[str, Any] = {}
    for name, path, headers in requests:
        web.get(path, **headers)  # warm: caches, the first connection
        with CaptureQueriesContext(connection) as queries:
            answer = web.get(path, **headers)
        timed = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))
        shown = []
        for q in timed[:2]:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                lines = [row[0] for row in cursor.fetchall()]
            shown.append({"ms": round(float(q["time"]) * 1000, 1), "sql": sql[:300],
                          "plan": [line for line in lines if "Buffers" not in line][:40]})
        found[name] = {"status": answer.status_code, "queries": len(queries.captured_queries),
                       "db_ms": round(sum(float(q["time"]) for q in queries.captured_queries)
                                      * 1000, 1), "slowest": shown}
    return found


# -- the server and the clients ------------------------------------------------------------


def hammer(port: int, paths: list[str], headers: dict[str, str], clients: int,
           seconds: float) -> dict[str, float]:
    """``clients`` threads, each on its own keep-alive connection, asking for the paths in
    turn without pause for ``seconds``; throughput and latencies of the 2xx answers."""
    stop_at = time.monotonic() + seconds
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def one(n: int) -> None:
        client = Client("127.0.0.1", port, timeout=120)
        i = n
        while time.monotonic() < stop_at:
            path = paths[i % len(paths)]
            i += clients
            began = time.monotonic()
            try:
                answer = client.request("GET", path, headers=headers)
                ok = answer.status == 200
            except OSError:
                client.close()
                ok = False
            took = time.monotonic() - began
            with lock:
                if ok:
                    times.append(took)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=one, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    window = time.monotonic() - began
    times.sort()
    return {"rps": len(times) / window, "p50": percentile(times, 50) * 1000,
            "p95": percentile(times, 95) * 1000, "errors": errors[0], "count": len(times)}


def sign_in(port: int) -> Client:
    client = Client("127.0.0.1", port)
    page = client.request("GET", "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if token is None:
        raise SystemExit(f"sign-in page: {page.status}")
    done = client.request("POST", "/login/", body=(
        f"csrfmiddlewaretoken={token.group(1).decode()}&username=scale-supervisor"
        f"&password={PASSWORD}").encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}/login/"})
    if done.status != 302:
        raise SystemExit(f"sign-in: {done.status} {done.body[:300]!r}")
    return client


def pages(port: int, repeat: int) -> dict[str, dict[str, float]]:
    client = sign_in(port)
    found = {}
    for name, path in PAGES:
        client.request("GET", path)  # warm
        times = []
        for _ in range(repeat):
            began = time.monotonic()
            answer = client.request("GET", path)
            times.append(time.monotonic() - began)
            if answer.status != 200:
                raise SystemExit(f"{path}: {answer.status} {answer.body[:300]!r}")
        found[name] = {"median": statistics.median(times) * 1000, "max": max(times) * 1000}
    return found


def child(mode: str, size: int, url: str) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--child", mode, "--size", str(size)],
        env=environment(url), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{mode} at {size:,}: {done.stderr[-3000:]}")
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def measure(size: int, args: argparse.Namespace) -> dict[str, Any]:
    url = args.database_prefix + label(size)
    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name and "scale" not in name:
        raise SystemExit(f"the bench writes to its database: give one named *scale*, not {name}")
    create_database(url)
    print(f"\n== {size:,} disputes ({name}) ==", flush=True)
    plan = child("prepare", size, url)
    (VAR / f"plan-{label(size)}.json").write_text(json.dumps(plan, ensure_ascii=False))
    print(f"  {plan['disputes']:,} disputes; seeded in {plan['seeded_seconds']} s, "
          f"prepared in {plan['prepare_seconds']} s", flush=True)
    result: dict[str, Any] = {"disputes": plan["disputes"]}
    server = Server(environment(url), VAR / f"serve-{label(size)}.log")
    try:
        print("  " + server.wait_ready(), flush=True)
        auth = {"Authorization": f"Bearer {plan['token']}"}
        base = "/api/v1/disputes?limit=50"
        loads = {
            "/me": ["/api/v1/me"],
            "list: first page": [base],
            "list: a state": [f"{base}&state={s}" for s in STATES],
            "list: a name": [f"{base}&{urlencode({'q': n})}" for n in plan["names"]],
        }
        result["api"] = {}
        for what, paths in loads.items():
            result["api"][what] = hammer(server.port, paths, auth, args.clients, args.seconds)
            row = result["api"][what]
            print(f"  {what:<18} {row['rps']:8.1f} req/s  p50 {row['p50']:7.1f} ms  "
                  f"p95 {row['p95']:7.1f} ms  errors {row['errors']}", flush=True)
        result["pages"] = pages(server.port, args.repeat)
    finally:
        server.stop()
    result["exports"] = child("exports", size, url)
    result["refresh"] = child("refresh", size, url)
    if not args.no_explain:
        result["explain"] = child("explain", size, url)
    return result


def report(results: dict[int, dict[str, Any]]) -> None:
    sizes = sorted(results)
    head = "".join(f"{s:>16,}" for s in sizes)
    print(f"\n== side by side ==\n{'disputes':<30}{head}")
    me = {s: results[s]["api"]["/me"]["rps"] for s in sizes}
    for what in results[sizes[0]]["api"]:
        cells = "".join(f"{results[s]['api'][what]['p95']:>9.1f} ms p95" for s in sizes)
        print(f"API {what:<26}{cells}")
        cells = "".join(f"{results[s]['api'][what]['rps']:>9.1f} req/s " for s in sizes)
        ratio = "".join(f"  ({results[s]['api'][what]['rps'] / me[s]:.2f}× /me)" for s in sizes)
        print(f"{'':<30}{cells}{ratio if what != '/me' else ''}")
    print("goal: p95 < 50 ms, ≥ 0.5× /me's throughput")
    for name, _path in PAGES:
        cells = "".join(f"{results[s]['pages'][name]['median']:>9.1f} ms med" for s in sizes)
        print(f"page {name:<25}{cells}")
    print("goal: < 500 ms each, the report < 1,000 ms")
    for kind in ("csv", "xlsx"):
        cells = "".join(f"{results[s]['exports'][kind]:>10,.0f} rows/s" for s in sizes)
        print(f"export {kind:<23}{cells}")
    over = ", ".join(f"{results[s]['exports']['rows']:,}" for s in sizes)
    print(f"goal: CSV ≥ 20,000 rows/s, .xlsx ≥ 10,000 rows/s (over {over} rows)")
    for n in REFRESH_SIZES:
        cells = "".join(f"{results[s]['refresh'][str(n)]:>13,.1f} ms" for s in sizes)
        print(f"{f'figures refresh, {n} disputes':<30}{cells}")
    print("(the backlog's work when that many disputes changed: their figures and months)")
    for s in sizes:
        for name, found in results[s].get("explain", {}).items():
            print(f"\n-- {s:,}: {name}: {found['queries']} queries, {found['db_ms']} ms in the "
                  f"database (status {found['status']})")
            for q in found["slowest"]:
                print(f"   {q['ms']} ms: {q['sql'][:160]}")
                for line in q["plan"]:
                    print(f"      {line[:150]}")


def main() -> None:
    args = parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    if args.child:
        work = {"prepare": child_prepare, "exports": child_exports, "refresh": child_refresh,
                "explain": child_explain}
        print(json.dumps(work[args.child](args.size), ensure_ascii=False, default=str))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"bench-scale: sizes {', '.join(f'{s:,}' for s in sizes)}; {args.clients} clients "
          f"× {args.seconds:.0f} s per API load; {os.cpu_count()} cores", flush=True)
    results = {size: measure(size, args) for size in sizes}
    report(results)


if __name__ == "__main__":
    main()
