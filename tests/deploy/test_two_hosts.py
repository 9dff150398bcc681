"""Two app hosts on one PostgreSQL (issue 18 §6, docs/deploy.md): two ``jintiao serve``
instances on two ports and two queue workers, each "host" with its own var folder and its own
copy of the keys, take concurrent writes through both at once — intakes (some under the same
institution reference, sent to both hosts together) and payments (the same bank reference
sent to both hosts for one dispute, and for two disputes of the same bank) — while the
workers run the periodic jobs, a checkpoint among them. Then every invariant holds: numbers
unique and without gaps, one payment per reference (the other answer a repeat or a 400,
never a 5xx), every chain intact against the latest checkpoint, and every acknowledged write
in the database. PostgreSQL only: the row locks and constraints are what decide the races."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from jintiao import clock
from jintiao.disputes.models import Dispute, DisputeCounter
from jintiao.domain import events
from jintiao.orgs.services import system_actor, token_create
from jintiao.performance.models import Payment
from jintiao.timeline.checkpoints import audit_chains, key_init
from jintiao.timeline.models import Event
from tests.deploy.conftest import JINTIAO, free_port, production_env, wait_until_up
from tests.deploy.test_connections import same_keys
from tests.factories import credit_code, flat, resident_id
from tests.helpers import CHARGES_SINCE, accept_plan, agree, confirm
from tests.performance.helpers import second_performing

pytestmark = pytest.mark.django_db(transaction=True)

HOSTS = ("a", "b")
INTAKES = 24  # each with its own institution reference, alternating hosts
UNREFERENCED = 8  # intakes without a reference: each must be a new dispute
TWICE = 4  # references sent to both hosts at the same moment
PAYMENTS = 24
QUEUE = "django_tasks_db.DatabaseBackend"
JOBS = ["figures", "performance", "reminders", "deadlines", "checkpoints"]


@dataclass
class Host:
    """One app host: a web server and a queue worker sharing a var folder and a PKI copy."""

    name: str
    env: dict[str, str]
    pki: Path
    base: str = ""
    procs: list[subprocess.Popen[str]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def start(self, args: list[str], log: Path) -> subprocess.Popen[str]:
        with log.open("w") as out:
            proc = subprocess.Popen([JINTIAO, *args], env=self.env, stdout=out,  # noqa: S603
                                    stderr=subprocess.STDOUT, text=True)
        self.procs.append(proc)
        self.logs.append(log)
        return proc

    def output(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-4000:]}" for log in self.logs)


@pytest.fixture
def database_url() -> str:
    if connection.vendor != "postgresql":
        pytest.skip("several hosts share one PostgreSQL; SQLite is one host's file")
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def hosts(database_url: str, tmp_path: Path, settings) -> Iterator[list[Host]]:
    """Both hosts started (not yet waited for): the keys made once, on the first host, then
    copied to each as docs/deploy.md says — never made by a host on its own."""
    key_init()  # the checkpoint key; the root is the run's own (tests/conftest.py)
    started: list[Host] = []
    try:
        for name in HOSTS:
            root = tmp_path / name
            pki = root / "pki"
            shutil.copytree(settings.PKI_DIR, pki,
                            ignore=shutil.ignore_patterns("checkpoints.log", ".tmp-*"))
            env = same_keys(production_env(
                root / "var", DATABASE_URL=database_url, JINTIAO_HTTPS="0",
                JINTIAO_TASKS_BACKEND=QUEUE, JINTIAO_PKI_AUTO_INIT="0"))
            env["JINTIAO_PKI_DIR"] = str(pki)
            host = Host(name, env, pki)
            port = free_port()
            host.base = f"http://127.0.0.1:{port}"
            host.start(["serve", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                        "--threads", "4", "--no-collectstatic"], root / "serve.log")
            host.start(["worker", "--interval", "0.2", "--worker-id", f"host-{name}"],
                       root / "worker.log")
            started.append(host)
        yield started
    finally:
        for host in started:
            for proc in host.procs:
                proc.terminate()
        for host in started:
            for proc in host.procs:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@dataclass
class Call:
    """One request and, once sent, its answer."""

    host: Host
    token: str
    path: str
    body: dict[str, Any]
    kind: str
    key: str
    together: threading.Barrier | None = None
    status: int = 0
    answer: dict[str, Any] = field(default_factory=dict)

    def send(self) -> Call:
        request = urllib.request.Request(  # noqa: S310 - our own test servers
            f"{self.host.base}/api/v1{self.path}", data=json.dumps(self.body).encode(),
            method="POST", headers={"Authorization": f"Bearer {self.token}",
                                    "Content-Type": "application/json"})
        if self.together is not None:
            self.together.wait(timeout=60)  # both hosts get it at the same moment
        try:
            with urllib.request.urlopen(request, timeout=60) as r:  # noqa: S310
                self.status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            self.status, raw = e.code, e.read()
        self.answer = json.loads(raw) if raw.startswith(b"{") else {"raw": raw.decode()[:500]}
        return self


def filing(w, n: int, ref: str | None) -> dict[str, Any]:
    return {
        "committee_id": w.committee.pk, "channel": "institution_application",
        "dispute_type": "credit_card", "institution_id": w.branch.pk,
        "claim": {"as_of": "2026-06-30", "principal": "20000.00", "interest": "1000.00"},
        "parties": [
            {"kind": "entity", "name": f"某银行{n}", "id_number": credit_code(5000 + n),
             "role": "creditor"},
            {"kind": "person", "name": f"李{n}", "id_number": resident_id(5000 + n),
             "phone": "13812345678", "role": "debtor"},
        ],
        **({"external_ref": ref} if ref else {}),
    }


def payment(ref: str, amount: str = "1.00") -> dict[str, Any]:
    return {"reference": ref, "paid_on": clock.today().isoformat(), "amount": amount}


def storm(w, sites: list[Host], first: Dispute, second: Dispute) -> list[Call]:
    """Every call, pairs sent to both hosts at once kept next to each other (so that a pool
    of threads takes both members together), in a shuffled order."""
    intake = token_create(user=w.agent, system="核心系统", scopes=["intake"])
    pay = token_create(user=w.agent, system="还款系统", scopes=["payments"])
    units: list[list[Call]] = []
    for n in range(INTAKES):
        units.append([Call(sites[n % 2], intake, "/disputes", filing(w, n, f"ONE-{n}"),
                           "intake", f"ONE-{n}")])
    for n in range(INTAKES, INTAKES + UNREFERENCED):
        units.append([Call(sites[n % 2], intake, "/disputes", filing(w, n, None),
                           "intake", f"NOREF-{n}")])
    for n in range(INTAKES + UNREFERENCED, INTAKES + UNREFERENCED + TWICE):
        both = threading.Barrier(2)
        units.append([Call(site, intake, "/disputes", filing(w, n, f"TWICE-{n}"), "intake",
                           f"TWICE-{n}", both) for site in sites])
    for n in range(PAYMENTS):
        target = (first, second)[n % 2]
        units.append([Call(sites[n // 2 % 2], pay, f"/disputes/{target.pk}/payments",
                           payment(f"P-{n}"), "payment", f"P-{n}")])
    for n in range(TWICE):  # the same payment, one dispute, through both hosts
        both = threading.Barrier(2)
        units.append([Call(site, pay, f"/disputes/{first.pk}/payments", payment(f"SAME-{n}"),
                           "same", f"SAME-{n}", both) for site in sites])
    for n in range(TWICE):  # one bank reference for two disputes of the bank at once
        both = threading.Barrier(2)
        units.append([Call(site, pay, f"/disputes/{target.pk}/payments",
                           payment(f"CROSS-{n}"), "cross", f"CROSS-{n}", both)
                      for site, target in zip(sites, (first, second), strict=True)])
    random.Random(18).shuffle(units)
    return [call for unit in units for call in unit]


def enqueue_jobs(host: Host) -> subprocess.CompletedProcess[str]:
    return subprocess.run([JINTIAO, "jobs", "enqueue", *JOBS], env=host.env,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


def wait_for_queue(sites: list[Host], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
        assert time.monotonic() < deadline, "\n".join(h.output() for h in sites)
        time.sleep(0.5)


def test_two_hosts_and_two_workers_keep_every_invariant(hosts, desk, mediating, settings):
    first = mediating
    accept_plan(desk, first, flat(12))
    agree(desk, first, CHARGES_SINCE)
    confirm(desk, first)
    second = second_performing(desk)
    system_actor()  # exists in any running system: the first job run makes it
    before = set(Dispute.objects.values_list("pk", flat=True))
    calls = storm(desk, hosts, first, second)
    for host in hosts:
        try:
            wait_until_up(f"{host.base}/readyz", host.procs[0], seconds=120)
        except AssertionError as failed:
            raise AssertionError(host.output()) from failed

    with ThreadPoolExecutor(max_workers=12) as pool:
        queued = [pool.submit(enqueue_jobs, host) for host in hosts]
        answered = [f.result() for f in [pool.submit(c.send) for c in calls]]
        for done in queued:
            assert done.result().returncode == 0, done.result().stderr
    wait_for_queue(hosts)
    stopped = [(h.name, p.args[1]) for h in hosts for p in h.procs if p.poll() is not None]
    assert not stopped, "\n".join([str(stopped), *(h.output() for h in hosts)])

    faults = [(c.host.name, c.path, c.status, c.answer) for c in answered if c.status >= 500]
    assert not faults, "\n".join([str(faults), *(h.output() for h in hosts)])
    by_key: dict[str, list[Call]] = {}
    for c in answered:
        by_key.setdefault(c.key, []).append(c)

    # intake: every answer 201, or 200 for the second of a pair; one dispute per reference
    filed: dict[int, str] = {}
    for key, group in by_key.items():
        if group[0].kind != "intake":
            continue
        statuses = sorted(c.status for c in group)
        assert statuses == ([200, 201] if key.startswith("TWICE") else [201]), (key, group)
        assert len({c.answer["id"] for c in group}) == 1, key
        filed[group[0].answer["id"]] = group[0].answer["number"]
    assert len(filed) == INTAKES + UNREFERENCED + TWICE
    # every acknowledged dispute is there under the number it was given, and nothing else
    assert dict(Dispute.objects.filter(pk__in=filed).values_list("pk", "number")) == filed
    assert set(Dispute.objects.values_list("pk", flat=True)) == before | set(filed)

    # numbers: unique, and per committee and year 1…n without a gap (the counter's row lock)
    for counter in DisputeCounter.objects.all():
        seqs = sorted(Dispute.objects.filter(committee=counter.committee, year=counter.year)
                      .values_list("seq", flat=True))
        assert seqs == list(range(1, counter.last + 1)), (counter.committee_id, seqs)
    numbers = list(Dispute.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))

    # payments: one per reference; a repeat is a 200 naming the same payment, a reference of
    # the bank already booked for its other dispute a 400 — never a second row
    acknowledged: set[int] = set()
    for key, group in by_key.items():
        kind = group[0].kind
        if kind == "intake":
            continue
        statuses = sorted(c.status for c in group)
        if kind == "payment":
            assert statuses == [201], (key, group[0].answer)
        elif kind == "same":
            assert statuses == [200, 201], (key, [c.answer for c in group])
            assert len({c.answer["id"] for c in group}) == 1
        else:
            assert statuses == [201, 400], (key, [c.answer for c in group])
            assert next(c for c in group if c.status == 400).answer["code"] == \
                "performance_invalid"
        acknowledged |= {c.answer["id"] for c in group if c.status in (200, 201)}
        assert Payment.objects.filter(reference=key).count() == 1, key
    assert len(acknowledged) == PAYMENTS + 2 * TWICE
    assert set(Payment.objects.values_list("pk", flat=True)) == acknowledged
    for dispute in (first, second):
        recorded = Event.objects.filter(dispute=dispute, type=events.PAYMENT_RECORDED).count()
        assert recorded == Payment.objects.filter(dispute=dispute).count()

    # the queue: every job the two hosts queued ran, on either worker, and none failed
    results = Counter(DBTaskResult.objects.values_list("status", flat=True))
    assert results == {"SUCCESSFUL": 2 * len(JOBS)}, results

    # every chain intact, held to the checkpoint a worker signed during the writes — checked
    # with each host's copy of the keys
    for host in hosts:
        settings.PKI_DIR = host.pki
        audit = audit_chains()
        assert audit.checkpoint is not None
        assert (audit.broken, audit.problems) == ([], [])
        assert audit.checked == Event.objects.count()
