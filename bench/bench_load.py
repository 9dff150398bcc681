"""Load benchmark (issue 18 §7): the demo plus 100,000 synthetic disputes on PostgreSQL,
``jintiao serve`` with its documented worker count, and simulated users — clerks on the
workbench list and dispute pages, institutions' systems on the API's list, intake and
payments — for some minutes with a think time between requests.

Figures are printed, never asserted: throughput, p50/p95/p99 per endpoint and the errors;
then every write the server acknowledged (each 2xx intake and payment, with the id and
reference it returned) is looked for in the database, and the count lost printed (goal 0),
and every timeline chain is verified. The goal on a 2-core machine: no error, nothing lost,
p95 under 300 ms for the dispute list and the dispute page.

    make bench-load                       # 200 users, 5 minutes, 1 s think time
    make bench-load ARGS="--quick"        # 20 users for 30 seconds, to try it
    python bench/bench_load.py --users 100 --minutes 2 --think 1

Preparing is idempotent and reuses what is there: the database (``--database-url`` or
``JINTIAO_BENCH_DATABASE_URL``, by default ``jintiao_bench`` on the local PostgreSQL; its
name must contain "bench"), migrations, the demo, the synthetic disputes (``jintiao bench
seed``, timed), a few disputes in performance with a sealed agreement for the payments,
and the simulated users (made once). Each run issues the API tokens it uses and revokes them
at the end. Keys, media and static files live under ``var/bench-load`` (one secret key for
the bench database, so its encrypted numbers stay readable from run to run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import re
import resource
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen
from loadgen import Client, Recorder, Server, create_database, seeded

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench-load"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jintiao_bench"
SECRET = "jintiao-bench-load-only-not-a-secret"  # noqa: S105 - the bench database's own key
PASSWORD = "Qz7-tea-garden-ridge"  # noqa: S105 - the simulated users' password, bench only
# What the simulated users are: desk staff on the workbench, institutions' intake systems
# (the API's list and intake), institutions' payment systems (payments), as shares of users.
SHARES = {"web": 0.70, "api": 0.20, "pay": 0.10}
ENDPOINTS = ["list", "page", "api-list", "intake", "payment"]


def parse_args() -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=int(env("BENCH_USERS", "0")) or None,
                        help="simulated users (200; --quick 20)")
    parser.add_argument("--minutes", type=float, default=float(env("BENCH_MINUTES", "0"))
                        or None, help="measured minutes (5; --quick 0.5)")
    parser.add_argument("--think", type=float, default=float(env("BENCH_THINK", "1")),
                        help="mean think time between a user's requests, seconds (1)")
    parser.add_argument("--ramp", type=float, default=None,
                        help="seconds over which the users start (20; --quick 5)")
    parser.add_argument("--quick", action="store_true", help="a short run to try the bench")
    parser.add_argument("--cases", type=int, default=int(env("BENCH_CASES", "100000")),
                        help="synthetic disputes in the database (100000)")
    parser.add_argument("--payable", type=int, default=20,
                        help="disputes in performance the payments go to (20)")
    parser.add_argument("--workers", type=int, help="jintiao serve --workers (its default)")
    parser.add_argument("--threads", type=int, help="jintiao serve --threads (its default)")
    parser.add_argument("--database-url", default=env("JINTIAO_BENCH_DATABASE_URL",
                                                      DEFAULT_URL))
    parser.add_argument("--no-audit", action="store_true",
                        help="skip verifying every timeline chain after the run")
    parser.add_argument("--prepare-only", action="store_true")
    args = parser.parse_args()
    args.users = args.users or (20 if args.quick else 200)
    args.minutes = args.minutes or (0.5 if args.quick else 5.0)
    args.ramp = args.ramp if args.ramp is not None else (5.0 if args.quick else 20.0)
    name = urlsplit(args.database_url).path.lstrip("/")
    if "bench" not in name:
        parser.error(f"the bench writes to its database: give one named *bench*, not {name!r}")
    return args


def environment(url: str) -> dict[str, str]:
    """What the bench process and the server run with: the bench database and key, DEBUG
    off, plain HTTP on the loopback."""
    env = {k: v for k, v in os.environ.items() if k != "JINTIAO_DEBUG"}
    env.update({
        "DATABASE_URL": url, "JINTIAO_SECRET_KEY": SECRET, "JINTIAO_VAR_DIR": str(VAR),
        "JINTIAO_HTTPS": "0", "JINTIAO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "jintiao.config.settings",
        "JINTIAO_PUBLIC_URL": "http://127.0.0.1",
    })
    return env


# -- preparing the world ---------------------------------------------------------------------


@dataclass
class Plan:
    """What the simulated users act on, handed to their threads."""

    run: str
    today: str
    web: list[dict[str, Any]] = field(default_factory=list)
    api: list[dict[str, Any]] = field(default_factory=list)
    pay: list[dict[str, Any]] = field(default_factory=list)
    payable: list[int] = field(default_factory=list)
    committees: list[int] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)  # digests, to revoke at the end
    debtor_from: int = 0


def _step(label: str) -> float:
    print(f"· {label}", flush=True)
    return time.monotonic()


def _done(began: float, what: str = "") -> None:
    print(f"  {what}{' ' if what else ''}({time.monotonic() - began:.1f} s)", flush=True)


def prepare(args: argparse.Namespace) -> Plan:
    from django.core.management import call_command
    from django.db import connection

    from jintiao import clock
    from jintiao.demo.scale import bench_seed, synthetic_disputes
    from jintiao.demo.seed import load_demo
    from jintiao.disputes.models import Dispute

    began = _step("database and migrations")
    made = create_database(args.database_url)
    call_command("migrate", interactive=False, verbosity=0)
    _done(began, "created" if made else "reused")

    began = _step("demo world")
    loaded = load_demo()
    _done(began, "loaded" if loaded else "reused")

    began = _step(f"synthetic disputes: {args.cases:,}")
    have = synthetic_disputes().count()
    if have < args.cases:
        seeding = time.monotonic()
        bench_seed(args.cases - have)
        seconds = time.monotonic() - seeding
        print(f"  seeded {args.cases - have:,} in {seconds:.1f} s "
              f"({(args.cases - have) / seconds:,.0f} disputes/s)")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    _done(began, f"{Dispute.objects.count():,} disputes in all")

    began = _step(f"disputes in performance for the payments: {args.payable}")
    payable = payable_disputes(args.payable)
    _done(began, f"{len(payable)} payable")

    run = clock.now().astimezone(clock.TZ).strftime("%Y%m%d%H%M%S")
    plan = Plan(run=run, today=clock.today().isoformat(), payable=payable)
    began = _step("simulated users and their API tokens")
    users(args.users, plan)
    _done(began, f"{len(plan.web)} on the workbench, {len(plan.api)} intake systems, "
                 f"{len(plan.pay)} payment systems")
    return plan


def payable_disputes(wanted: int) -> list[int]:
    """Disputes of the demo's 凯里 county in performance under a sealed agreement and a
    court's ruling, made as the demo makes S2 (a 12-instalment plan accepted online, signed
    with codes, sealed, confirmed) — the bank's payments go to these."""
    from jintiao import clock
    from jintiao.demo.loop import Loop
    from jintiao.demo.mediation import s2_interlude
    from jintiao.demo.seed import PATHS, County, _creditor, _scenario, replay
    from jintiao.disputes.models import Channel, Dispute, DisputeType, PartyRole
    from jintiao.domain import identity
    from jintiao.domain.claims import ClaimBreakdown
    from jintiao.orgs.models import User
    from jintiao.parties.models import PartyKind
    from jintiao.parties.services import PartyInput

    def ready() -> list[int]:
        return list(Dispute.objects.filter(
            external_ref__startswith="BENCH-PAY-",
            state__in=["performing", "defaulted", "enforcement"]).order_by("pk")
            .values_list("pk", flat=True))

    have = ready()
    if len(have) >= wanted:
        return have[:wanted]
    people = {u.username: u for u in User.objects.filter(
        username__in=["clerk", "director", "mediator", "agent", "judge", "court_clerk"])}
    clerk, agent = people["clerk"], people["agent"]
    assert clerk.organization is not None
    assert agent.organization is not None
    assert people["judge"].organization is not None
    kaili = County("凯里市", clerk.organization.region_code, clerk.organization,
                   clerk.organization, people["judge"].organization, agent.organization,
                   agent.organization, clerk, people["director"], people["judge"], agent,
                   [people["mediator"]])
    rng = seeded(len(have))
    today = clock.today()
    taken = Dispute.objects.filter(external_ref__startswith="BENCH-PAY-").count()
    filings = []
    for n in range(taken, taken + wanted - len(have)):
        received = today - dt.timedelta(days=20)
        first17 = f"522601{dt.date(1950, 1, 1) + dt.timedelta(days=n):%Y%m%d}777"
        principal = Decimal(30000 + 1000 * n)
        filings.append(_scenario(
            kaili, clerk, received, PATHS["performing"], [0, 0, 0, 0, 0], rng, step=(8, 13),
            notice_served=True, mediator=people["mediator"],
            interlude=s2_interlude(people["mediator"], agent),
            loop=Loop(people["mediator"], agent, people["director"], people["judge"],
                      people["court_clerk"], performance_manner="借款人每期将还款存入还款账户，"
                      "以银行入账为准。", charges_since_days=300),
            channel=Channel.INSTITUTION_APPLICATION, dispute_type=DisputeType.CONSUMER_LOAN,
            institution=agent.organization, court=people["judge"].organization,
            external_ref=f"BENCH-PAY-{n:03d}",
            summary="负载测试：消费贷款逾期，借款人同意按12期分期偿还。",
            claim=ClaimBreakdown(as_of=received - dt.timedelta(days=1), principal=principal,
                                 interest=(principal * Decimal("0.05")).quantize(
                                     Decimal("0.01"))),
            parties=[_creditor(agent.organization),
                     (PartyInput(PartyKind.PERSON, f"负载{'甲乙丙丁戊己庚辛壬癸'[n % 10]}某",
                                 first17 + identity.resident_id_check_char(first17),
                                 f"136{n:08d}", address="贵州省凯里市文化北路8号"),
                      PartyRole.DEBTOR)]))
    replay(filings, rng)
    return ready()[:wanted]


def users(count: int, plan: Plan) -> None:
    """The simulated users (made once, kept) and this run's tokens (one per system)."""
    from jintiao.demo.scale import BANK, PREFECTURE
    from jintiao.demo.seed import GIVEN, SURNAMES
    from jintiao.domain.lifecycle import Role
    from jintiao.orgs.models import ApiToken, Organization, OrgKind, User
    from jintiao.orgs.selectors import token_digest
    from jintiao.orgs.services import token_create, user_create
    from jintiao.parties.models import Party

    prefecture = Organization.objects.get(name=PREFECTURE, parent=None)
    committees = list(Organization.objects.filter(kind=OrgKind.COMMITTEE,
                                                  path__startswith=prefecture.path)
                      .order_by("path"))
    branches = list(Organization.objects.filter(kind=OrgKind.BRANCH, parent__name=BANK)
                    .order_by("path"))
    kaili_branch = User.objects.get(username="agent").organization
    plan.committees = [c.pk for c in committees]
    plan.regions = [c.region_code for c in committees]
    existing = set(User.objects.filter(username__startswith="bench-load-")
                   .values_list("username", flat=True))
    web = round(count * SHARES["web"])
    pay = max(1, round(count * SHARES["pay"])) if count > 1 else 0
    api = count - web - pay

    def person(name: str, org: Organization, role: Role) -> User:
        if name not in existing:
            return user_create(username=name, organization=org, roles=[role],
                               password=PASSWORD, full_name=f"负载测试{name[-3:]}")
        return User.objects.get(username=name)

    for i in range(web):
        if i % 10 == 0:
            org, role = prefecture, Role.SUPERVISOR
        else:
            org = committees[i % len(committees)]
            role = Role.DIRECTOR if i % 10 in (1, 2) else Role.INTAKE_CLERK
        user = person(f"bench-load-web-{i:03d}", org, role)
        plan.web.append({"username": user.username, "role": role.value})
    scopes = _scopes()
    for kind, n, where in (("api", api, None), ("pay", pay, kaili_branch)):
        for i in range(n):
            branch = where or branches[i % len(branches)]
            assert branch is not None
            user = person(f"bench-load-{kind}-{i:03d}", branch, Role.AGENT)
            token = token_create(user=user, name="负载测试", system=f"负载测试{kind}{i:03d}",
                                 days=1, **scopes)
            plan.tokens.append(token_digest(token))
            entry: dict[str, Any] = {"username": user.username, "token": token}
            if kind == "api":
                committee = committees[branches.index(branch)]
                entry.update(committee=committee.pk, branch=branch.pk, branch_name=branch.name,
                             branch_code=branch.credit_code)
                plan.api.append(entry)
            else:
                plan.pay.append(entry)
    assert ApiToken.objects.filter(digest__in=plan.tokens).count() == len(plan.tokens)
    rng = seeded(1)
    plan.names = sorted({rng.choice(SURNAMES) + rng.choice(GIVEN) for _ in range(300)})
    # the intake's debtors: born before 1960 (the seed's are born after), one birthday per
    # 16,000 of them, after the last one filed before
    last = (Party.objects.filter(birth_date__lt=dt.date(1960, 1, 1),
                                 birth_date__gte=dt.date(1930, 1, 1))
            .order_by("-birth_date").values_list("birth_date", flat=True).first())
    plan.debtor_from = ((last - dt.date(1930, 1, 1)).days + 1) * 16000 if last else 0


def _scopes() -> dict[str, Any]:
    """The token's scopes, when this version of token_create takes them."""
    import inspect

    from jintiao.orgs.services import token_create

    if "scopes" in inspect.signature(token_create).parameters:
        return {"scopes": ["read", "intake", "payments"]}
    return {}


def debtor_number(index: int) -> str:
    """A valid resident ID number no other simulated debtor has (see :func:`users`)."""
    from jintiao.demo.seed import COUNTIES
    from jintiao.domain import identity

    region = COUNTIES[index % 16][1]
    born = dt.date(1930, 1, 1) + dt.timedelta(days=index // 16000)
    first17 = f"{region}{born:%Y%m%d}{(index // 16) % 1000:03d}"
    return first17 + identity.resident_id_check_char(first17)


# -- the server ------------------------------------------------------------------------------


# -- the simulated users ---------------------------------------------------------------------


@dataclass
class Shared:
    plan: Plan
    port: int
    recorder: Recorder
    think: float
    stop_at: float
    debtors: itertools.count  # type: ignore[type-arg]
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_debtor(self) -> int:
        with self.lock:
            return next(self.debtors)


LIST_IDS = re.compile(rb'href="/disputes/(\d+)/"')
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
STATES = ["mediating", "performing", "received", "accepted", "defaulted", "agreed"]
SORTS = ["deadline", "-amount", "received", "number"]


def sign_in(shared: Shared, who: dict[str, Any]) -> Client:
    """Open the sign-in page and sign in once, as a clerk starting the day."""
    client = Client("127.0.0.1", shared.port)
    page = client.request("GET", "/login/")
    token = CSRF_FIELD.search(page.body)
    if page.status != 200 or token is None:
        raise SystemExit(f"sign-in page: {page.status} {page.body[:300]!r}")
    form = (f"csrfmiddlewaretoken={token.group(1).decode()}&username={who['username']}"
            f"&password={PASSWORD}").encode()
    done = client.request("POST", "/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://127.0.0.1:{shared.port}/login/"})
    if done.status != 302:
        raise SystemExit(f"sign-in of {who['username']}: {done.status} {done.body[:300]!r}")
    return client


def list_query(rng: random.Random, shared: Shared, role: str) -> tuple[str, str]:
    """The list as clerks read it, and what it was (for the figures): the first page most
    often, then a later page, a state, their own queue, what is overdue or due soon, a
    debtor's name or part of a number, a sort by a column; a supervisor (who sees every
    dispute of the prefecture) also narrows to one committee."""
    roll = rng.random()
    params: dict[str, Any] = {}
    if roll < 0.30:
        kind = "first page"
    elif roll < 0.45:
        kind, params["page"] = "later page", rng.randint(2, 20)
    elif roll < 0.60:
        kind, params["state"] = "state", rng.choice(STATES)
    elif roll < 0.70:
        kind, params["mine"] = "my queue", "on"
    elif roll < 0.75:
        kind, params["overdue"] = "overdue", "on"
    elif roll < 0.80:
        kind, params["due_soon"] = "due soon", "on"
    elif roll < 0.90:
        kind, params["q"] = "search name", rng.choice(shared.plan.names)
    elif roll < 0.95:
        kind = "search number"
        params["q"] = f"{rng.choice(shared.plan.regions)}金调{rng.randint(1, 99):05d}"
    else:
        kind, params["sort"] = "sorted", rng.choice(SORTS)
    if role == "supervisor":
        kind = f"{kind} (supervisor)"
        if rng.random() < 0.3:
            params["committee"] = rng.choice(shared.plan.committees)
    return kind, loadgen.query("/disputes/", **params)


def desk_user(shared: Shared, who: dict[str, Any], client: Client, seed: int) -> None:
    """A clerk: the list, a dispute opened from it, another or back to the list."""
    rng = seeded(seed)
    seen: list[int] = []
    rec = shared.recorder
    while time.monotonic() < shared.stop_at:
        if not seen or rng.random() < 0.5:
            kind, path = list_query(rng, shared, who["role"])
            answer = loadgen.timed(rec, "list", client, "GET", path, expect=200, kind=kind)
            if answer is not None and answer.status == 200:
                seen = [int(x) for x in LIST_IDS.findall(answer.body)] or seen
        else:
            pk = rng.choice(seen)
            loadgen.timed(rec, "page", client, "GET", f"/disputes/{pk}/", expect=200)
        time.sleep(loadgen.think(rng, shared.think))


def _api_headers(who: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {who['token']}", "Accept": "application/json",
            "Content-Type": "application/json"}


def intake_system(shared: Shared, who: dict[str, Any], seed: int) -> None:
    """An institution's system: half its calls read the list, half file a dispute."""
    from jintiao.demo.seed import GIVEN, SURNAMES

    rng = seeded(seed)
    client = Client("127.0.0.1", shared.port)
    rec, headers = shared.recorder, _api_headers(who)
    n = 0
    while time.monotonic() < shared.stop_at:
        if rng.random() < 0.5:
            path = loadgen.query("/api/v1/disputes", limit=50, offset=50 * rng.randint(0, 5),
                                 state=rng.choice([None, None, *STATES]))
            loadgen.timed(rec, "api-list", client, "GET", path, expect=200, headers=headers)
        else:
            n += 1
            ref = f"LOAD-{shared.plan.run}-{who['username'][-3:]}-{n:05d}"
            index = shared.next_debtor()
            principal = f"{rng.randint(5000, 300000)}.{rng.randint(0, 99):02d}"
            body = json.dumps({
                "committee_id": who["committee"], "institution_id": who["branch"],
                "channel": "institution_application", "dispute_type": "credit_card",
                "claim": {"as_of": shared.plan.today, "principal": principal},
                "external_ref": ref, "notice_served": True,
                "summary": "信用卡逾期：持卡人因收入下降未按期还款，银行申请调解。",
                "parties": [
                    {"kind": "entity", "role": "creditor", "name": who["branch_name"],
                     "id_number": who["branch_code"]},
                    {"kind": "person", "role": "debtor",
                     "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                     "id_number": debtor_number(shared.plan.debtor_from + index),
                     "phone": f"135{index % 10**8:08d}"}],
            }, ensure_ascii=False).encode()
            answer = loadgen.timed(rec, "intake", client, "POST", "/api/v1/disputes",
                                   expect=201, body=body, headers=headers)
            if answer is not None and answer.status == 201:
                made = answer.json()
                rec.ack("intake", {"id": made["id"], "number": made["number"],
                                   "external_ref": ref})
        time.sleep(loadgen.think(rng, shared.think))
    client.close()


def payment_system(shared: Shared, who: dict[str, Any], seed: int) -> None:
    """A bank's payment feed: one repayment at a time under its own reference."""
    rng = seeded(seed)
    client = Client("127.0.0.1", shared.port)
    rec, headers = shared.recorder, _api_headers(who)
    n = 0
    while time.monotonic() < shared.stop_at:
        n += 1
        pk = rng.choice(shared.plan.payable)
        ref = f"LOADPAY-{shared.plan.run}-{who['username'][-3:]}-{n:05d}"
        body = json.dumps({"reference": ref, "paid_on": shared.plan.today,
                           "amount": "1.00"}).encode()
        answer = loadgen.timed(rec, "payment", client, "POST",
                               f"/api/v1/disputes/{pk}/payments", expect=201, body=body,
                               headers=headers)
        if answer is not None and answer.status == 201:
            rec.ack("payment", {"id": answer.json()["id"], "reference": ref, "dispute": pk})
        time.sleep(loadgen.think(rng, shared.think))
    client.close()


def sign_in_all(shared: Shared) -> tuple[list[Client], float]:
    """Every desk user signs in once before the clock starts (four at a time)."""
    clients: list[Client | None] = [None] * len(shared.plan.web)
    order = iter(range(len(shared.plan.web)))
    lock = threading.Lock()
    problems: list[BaseException] = []

    def work() -> None:
        while True:
            with lock:
                i = next(order, None)
            if i is None:
                return
            try:
                clients[i] = sign_in(shared, shared.plan.web[i])
            except BaseException as exc:  # reported after the join
                problems.append(exc)
                return

    began = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if problems:
        raise problems[0]
    return [c for c in clients if c is not None], time.monotonic() - began


def run_load(args: argparse.Namespace, shared: Shared, clients: list[Client]) -> float:
    """Start every user, staggered over the ramp; return when the last has stopped. The
    measured window is from the end of the ramp to ``stop_at``."""
    plan = shared.plan
    work: list[tuple[Any, tuple[Any, ...]]] = []
    work += [(desk_user, (shared, who, client, i)) for i, (who, client)
             in enumerate(zip(plan.web, clients, strict=True))]
    work += [(intake_system, (shared, who, 1000 + i)) for i, who in enumerate(plan.api)]
    work += [(payment_system, (shared, who, 2000 + i)) for i, who in enumerate(plan.pay)]
    seeded(3).shuffle(work)
    threading.stack_size(512 * 1024)
    threads = []
    start = time.monotonic()
    for i, (target, params) in enumerate(work):
        delay = start + args.ramp * i / max(1, len(work)) - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=target, args=params, daemon=True)
        thread.start()
        threads.append(thread)
    for t in threads:
        t.join()
    return start


# -- after the run ---------------------------------------------------------------------------


def verify(recorder: Recorder, audit: bool) -> dict[str, Any]:
    """Look for every acknowledged write in the database; verify every chain."""
    from django.db import connections

    from jintiao.disputes.models import Dispute
    from jintiao.performance.models import Payment
    from jintiao.timeline.services import audit_verify

    connections.close_all()
    found: dict[str, Any] = {}
    filed = recorder.acks.get("intake", [])
    held = {(pk, number, ref) for pk, number, ref in Dispute.objects.filter(
        pk__in=[a["id"] for a in filed]).values_list("pk", "number", "external_ref")}
    lost_intake = [a for a in filed if (a["id"], a["number"], a["external_ref"]) not in held]
    paid = recorder.acks.get("payment", [])
    booked = {(pk, ref, d) for pk, ref, d in Payment.objects.filter(
        pk__in=[a["id"] for a in paid]).values_list("pk", "reference", "dispute_id")}
    lost_payments = [a for a in paid if (a["id"], a["reference"], a["dispute"]) not in booked]
    found.update(intake_acknowledged=len(filed), intake_lost=len(lost_intake),
                 payments_acknowledged=len(paid), payments_lost=len(lost_payments),
                 lost_examples=(lost_intake + lost_payments)[:5])
    if audit:
        began = time.monotonic()
        checked, broken = audit_verify()
        found.update(events_checked=checked, chains_broken=len(broken),
                     broken_examples=[asdict(b) for b in broken[:5]],
                     audit_seconds=round(time.monotonic() - began, 1))
    return found


def revoke(plan: Plan) -> None:
    from jintiao.orgs.models import ApiToken
    from jintiao.orgs.services import token_revoke

    for row in ApiToken.objects.filter(digest__in=plan.tokens):
        token_revoke(token=row, by=None)


def main() -> None:
    args = parse_args()
    env = environment(args.database_url)
    os.environ.update(env)
    os.environ.pop("JINTIAO_DEBUG", None)
    VAR.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.db import connection, connections

    print(f"load benchmark on {connection.settings_dict['NAME']}: {args.users} users, "
          f"{args.minutes:g} min measured after a {args.ramp:g} s ramp, think {args.think:g} s",
          flush=True)
    plan = prepare(args)
    if args.prepare_only:
        revoke(plan)
        return
    connections.close_all()

    options = [*(["--workers", str(args.workers)] if args.workers else []),
               *(["--threads", str(args.threads)] if args.threads else [])]
    server = Server(env, VAR / "serve.log", options)
    result: dict[str, Any] = {"run": plan.run, "users": args.users, "minutes": args.minutes,
                              "think": args.think, "cases": args.cases}
    try:
        began = _step("jintiao serve")
        banner = server.wait_ready()
        _done(began, banner.strip())
        result["server"] = banner.strip()
        shared = Shared(plan=plan, port=server.port, recorder=Recorder(), think=args.think,
                        stop_at=0.0, debtors=itertools.count())
        began = _step(f"signing in {len(plan.web)} desk users")
        clients, seconds = sign_in_all(shared)
        _done(began, f"{seconds / max(1, len(clients)) * 4:.2f} s a sign-in, four at a time")

        busy0, total0 = loadgen.machine_seconds()
        time.sleep(3)
        busy1, total1 = loadgen.machine_seconds()
        background = (busy1 - busy0) / (total1 - total0) * (os.cpu_count() or 1)
        print(f"· machine before the run: {background:.2f} of {os.cpu_count()} cores busy "
              f"(load average {os.getloadavg()[0]:.2f})", flush=True)
        result["background_cores"] = round(background, 2)

        meter = loadgen.BackendMeter(re.compile(
            r"^postgres: (\S+: )?\S+ " + re.escape(connection.settings_dict["NAME"]) + " "))
        meter.start()
        total_seconds = args.ramp + args.minutes * 60
        print(f"· running: {len(plan.web)} desk users, {len(plan.api)} intake systems, "
              f"{len(plan.pay)} payment systems for {total_seconds:.0f} s", flush=True)
        launched = time.monotonic()
        shared.stop_at = launched + total_seconds
        window_start = launched + args.ramp
        measure: dict[str, float] = {}

        def at_window_start() -> None:
            delay = window_start - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            measure["server"] = loadgen.tree_seconds(server.process.pid)
            usage = resource.getrusage(resource.RUSAGE_SELF)
            measure["self"] = usage.ru_utime + usage.ru_stime
            measure["backends"] = meter.seconds()
            measure["busy"], measure["total"] = loadgen.machine_seconds()
            measure["at"] = time.monotonic()

        marker = threading.Thread(target=at_window_start, daemon=True)
        marker.start()
        run_load(args, shared, clients)
        marker.join()
        window_end = shared.stop_at
        elapsed = time.monotonic() - measure["at"]
        usage = resource.getrusage(resource.RUSAGE_SELF)
        busy, total = loadgen.machine_seconds()
        cores = os.cpu_count() or 1
        cpu = {
            "server": (loadgen.tree_seconds(server.process.pid) - measure["server"]) / elapsed,
            "database": (meter.seconds() - measure["backends"]) / elapsed,
            "generator": (usage.ru_utime + usage.ru_stime - measure["self"]) / elapsed,
            "machine": (busy - measure["busy"]) / (total - measure["total"]) * cores,
        }
        cpu["others"] = max(0.0, cpu["machine"] - cpu["server"] - cpu["database"]
                            - cpu["generator"])
        meter.stopping.set()
        for c in clients:
            c.close()
    finally:
        server.stop()
    print("· server stopped", flush=True)

    rec = shared.recorder
    rows = loadgen.summarise(rec.samples, window_start, window_end, ENDPOINTS)
    print()
    print(f"measured {window_end - window_start:.0f} s after a {args.ramp:g} s ramp "
          f"({len(rec.samples)} requests in all):")
    print(loadgen.table(rows))
    print("the list by what was asked:")
    print(loadgen.table(loadgen.variants(rec.samples, window_start, window_end, "list")))
    reconnects = sum(c.reconnects for c in clients)
    print(f"CPU, in cores of {cores}: server {cpu['server']:.2f}, its PostgreSQL backends "
          f"{cpu['database']:.2f}, load generator {cpu['generator']:.2f}, everything else "
          f"{cpu['others']:.2f} (machine {cpu['machine']:.2f} busy); "
          f"keep-alive reconnects {reconnects}")
    for endpoint, texts in rec.failures.items():
        for text in texts:
            print(f"  error {endpoint}: {text}")
    found = verify(rec, not args.no_audit)
    revoke(plan)
    print(f"acknowledged writes: {found['intake_acknowledged']} intakes "
          f"({found['intake_lost']} lost), {found['payments_acknowledged']} payments "
          f"({found['payments_lost']} lost)")
    for example in found["lost_examples"]:
        print(f"  lost: {example}")
    if "events_checked" in found:
        print(f"timeline: {found['events_checked']:,} events checked, "
              f"{found['chains_broken']} chains broken ({found['audit_seconds']} s)")
        for example in found["broken_examples"]:
            print(f"  broken: {example}")
    goal = {r.endpoint: r for r in rows}
    met = (goal["all"].errors == 0 and found["intake_lost"] == 0
           and found["payments_lost"] == 0 and goal["list"].p95 < 300 and goal["page"].p95 < 300)
    print(f"goal (no error, nothing lost, p95 < 300 ms for the list and the page): "
          f"{'met' if met else 'NOT met'}")
    result.update(rows=[asdict(r) for r in rows], cpu=cpu, reconnects=reconnects,
                  verify=found, goal_met=met)
    out = VAR / f"result-{plan.run}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    print(f"figures kept in {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
