"""A closed-loop load generator from the standard library: one thread per simulated user,
each with its own keep-alive connection (``http.client``), a request, then a think time.

Why threads and not an event loop or locust: at a few hundred requests a second a thread
that sleeps costs nothing, ``http.client`` parses a response in C-backed code, and nothing
is installed; the script reports the generator's own CPU next to the server's so that a
starved server would show. Latency runs from sending the request to the last byte read,
including a reconnect when the server closed an idle keep-alive connection (counted).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
         http.client.CannotSendRequest, http.client.BadStatusLine)


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]
    cookies: list[str]

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """One simulated user's connection and cookies."""

    def __init__(self, host: str, port: int, timeout: float = 120) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}
        self.reconnects = 0

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        """Send one request; a connection the server closed while idle is reopened once
        (the writes sent here are idempotent by their references, so a resend is safe)."""
        sent = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            conn = self._connection()
            fresh = conn.sock is None
            try:
                conn.request(method, path, body=body, headers=sent)
                response = conn.getresponse()
                data = response.read()
            except STALE:
                self.close()
                if attempt == 2 or fresh:
                    raise
                self.reconnects += 1
                continue
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            cookies = response.headers.get_all("Set-Cookie") or []
            for cookie in cookies:
                name, _, rest = cookie.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return Answer(response.status, data, {k.lower(): v for k, v in response.getheaders()},
                          cookies)
        raise AssertionError("unreachable")


@dataclass
class Sample:
    endpoint: str
    started: float  # monotonic
    seconds: float
    status: int  # 0: no answer (connection failed)
    note: str = ""
    kind: str = ""  # which variant of the endpoint (a list's filter)


@dataclass
class Recorder:
    """Every request's endpoint, start, duration and status; kept in memory (a five-minute
    run of 200 users is some 60,000 samples)."""

    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acks: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def ack(self, kind: str, record: dict[str, Any]) -> None:
        with self.lock:
            self.acks[kind].append(record)

    def failed(self, endpoint: str, text: str) -> None:
        with self.lock:
            if len(self.failures[endpoint]) < 5:
                self.failures[endpoint].append(text)


def timed(recorder: Recorder, endpoint: str, client: Client, method: str, path: str, *,
          expect: int, body: bytes | None = None, headers: dict[str, str] | None = None,
          kind: str = "") -> Answer | None:
    """Make one request and record it; any status but ``expect`` counts as an error."""
    began = time.monotonic()
    try:
        answer = client.request(method, path, body=body, headers=headers)
    except (OSError, http.client.HTTPException) as exc:
        recorder.add(Sample(endpoint, began, time.monotonic() - began, 0, type(exc).__name__,
                            kind))
        recorder.failed(endpoint, f"{type(exc).__name__}: {exc}")
        return None
    seconds = time.monotonic() - began
    good = answer.status == expect
    recorder.add(Sample(endpoint, began, seconds, answer.status, "" if good else "refused",
                        kind))
    if not good:
        recorder.failed(endpoint, f"{answer.status} {answer.body[:300]!r}")
    return answer


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


@dataclass
class Row:
    endpoint: str
    count: int
    errors: int
    per_second: float
    mean: float
    p50: float
    p95: float
    p99: float
    worst: float


def summarise(samples: list[Sample], start: float, end: float, order: list[str]) -> list[Row]:
    """Per endpoint, the requests started in [start, end): rate, errors and percentiles in
    milliseconds (of every request, failed ones included)."""
    window = end - start
    by: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        if start <= s.started < end:
            by[s.endpoint].append(s)
    rows = []
    everything: list[Sample] = []
    for name in [*order, *sorted(set(by) - set(order))]:
        got = by.get(name, [])
        everything += got
        rows.append(_row(name, got, window))
    rows.append(_row("all", everything, window))
    return rows


def variants(samples: list[Sample], start: float, end: float, endpoint: str) -> list[Row]:
    """The same as :func:`summarise` for one endpoint's variants (the list's filters)."""
    by: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        if s.endpoint == endpoint and start <= s.started < end:
            by[s.kind].append(s)
    return [_row(kind, got, end - start) for kind, got in sorted(by.items())]


def _row(name: str, got: list[Sample], window: float) -> Row:
    times = sorted(s.seconds * 1000 for s in got)
    errors = sum(1 for s in got if s.status == 0 or s.note)
    return Row(name, len(got), errors, len(got) / window if window else 0.0,
               statistics.fmean(times) if times else float("nan"),
               percentile(times, 50), percentile(times, 95), percentile(times, 99),
               times[-1] if times else float("nan"))


def table(rows: list[Row]) -> str:
    lines = [f"{'endpoint':<28}{'requests':>9}{'errors':>8}{'req/s':>8}{'mean':>8}"
             f"{'p50':>8}{'p95':>8}{'p99':>8}{'max':>9}   (ms)"]
    for r in rows:
        lines.append(f"{r.endpoint:<28}{r.count:>9}{r.errors:>8}{r.per_second:>8.1f}"
                     f"{r.mean:>8.0f}{r.p50:>8.0f}{r.p95:>8.0f}{r.p99:>8.0f}{r.worst:>9.0f}")
    return "\n".join(lines)


# -- CPU accounting from /proc (Linux) ------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # fields from the state on (3rd field)


def process_seconds(pid: int, *, children: bool = False) -> float:
    """CPU seconds of ``pid`` (with ``children``: also of its waited-for children)."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    used = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        used += int(fields[13]) + int(fields[14])  # cutime, cstime
    return used / TICK


def children_of(pid: int) -> Iterator[int]:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and int(fields[1]) == pid:
                yield int(entry)


def tree_seconds(pid: int) -> float:
    """A pre-fork server's CPU: the master with its reaped workers, plus the live ones."""
    return process_seconds(pid, children=True) + sum(process_seconds(c)
                                                     for c in children_of(pid))


def machine_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, over every core."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / TICK, sum(values[:8]) / TICK


def matching_seconds(pattern: re.Pattern[str]) -> dict[int, float]:
    """CPU seconds of each process whose command line matches ``pattern`` (PostgreSQL
    names its backends ``postgres: user database host``)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                line = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if pattern.search(line):
            found[int(entry)] = process_seconds(int(entry))
    return found


class BackendMeter(threading.Thread):
    """Samples the CPU of the database's backends every second: a backend that ends (its
    worker replaced) keeps what it used up to its last sample."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__(daemon=True)
        self.pattern = pattern
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for pid, used in matching_seconds(self.pattern).items():
                self.first.setdefault(pid, used)
                self.last[pid] = used
            self.stopping.wait(1.0)

    def seconds(self) -> float:
        return sum(self.last[p] - self.first[p] for p in self.last)


def query(path: str, **params: Any) -> str:
    given = {k: v for k, v in params.items() if v not in (None, "", False)}
    return f"{path}?{urlencode(given)}" if given else path


def seeded(seed: int) -> random.Random:
    """A user's own random sequence, the same from run to run."""
    return random.Random(seed)  # noqa: S311 - the load's pattern, nothing secret


def think(rng: random.Random, mean: float) -> float:
    """A think time drawn uniformly around ``mean`` (half to one and a half times it), so
    the users do not march in step."""
    return rng.uniform(0.5 * mean, 1.5 * mean) if mean > 0 else 0.0


# -- the server under test and its database (shared by bench_load and bench_scale) ---------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def create_database(url: str, *, fresh: bool = False) -> bool:
    """Create the bench database when it is missing (``fresh``: drop it first); return
    whether it was made."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            if "bench" not in name:
                raise SystemExit(f"a fresh bench database is dropped first: not {name}")
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')  # the callers check the name: *bench*
    return True


def child_on_fresh_database(script: str, database: str, pg_url: str, args: list[str],
                            secret: str) -> dict[str, Any]:
    """Run ``script --child run *args`` in its own interpreter on a fresh database
    (``database``: ``sqlite``, a temporary file, or ``postgresql``, ``pg_url`` dropped and
    made again) and return the JSON its last line prints."""
    env = {k: v for k, v in os.environ.items() if k != "JINTIAO_DEBUG"}
    root = Path(script).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix=f"jintiao-{Path(script).stem}-") as var:
        if database == "sqlite":
            url = f"sqlite:///{var}/bench.sqlite3"
        else:
            url = pg_url
            create_database(url, fresh=True)
        env.update({"DATABASE_URL": url, "JINTIAO_SECRET_KEY": secret, "JINTIAO_VAR_DIR": var,
                    "JINTIAO_HTTPS": "0", "DJANGO_SETTINGS_MODULE": "jintiao.config.settings",
                    "PYTHONPATH": str(root / "src")})
        done = subprocess.run(  # noqa: S603 - this interpreter running the bench's file
            [sys.executable, script, "--child", "run", *args],
            env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{database}: {done.stderr[-3000:]}")
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


class Server:
    """``jintiao serve`` (``extra``: its options) in its own process group, its output in
    ``log_path``, stopped (TERM, then KILL) on exit."""

    def __init__(self, env: dict[str, str], log_path: Path, extra: list[str] | None = None,
                 ) -> None:
        self.port = free_port()
        command = [str(ROOT / ".venv" / "bin" / "jintiao"), "serve",
                   "--bind", f"127.0.0.1:{self.port}", *(extra or [])]
        self.log_path = log_path
        self.log = open(self.log_path, "w")  # closed in stop()
        self.process = subprocess.Popen(command, env=env, stdout=self.log,  # noqa: S603
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, limit: float = 240) -> str:
        """Wait for /readyz; return the server's banner (its processes and threads)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"jintiao serve stopped: see {self.log_path}\n"
                                 + self.log_path.read_text()[-2000:])
            try:
                answer = Client("127.0.0.1", self.port, timeout=5).request("GET", "/readyz")
            except OSError:
                time.sleep(0.5)
                continue
            if answer.status == 200:
                lines = self.log_path.read_text().splitlines()
                return next((line for line in lines if "个进程" in line), "")
            raise SystemExit(f"/readyz answered {answer.status}: {answer.body[:500]!r}")
        raise SystemExit(f"jintiao serve not ready in {limit:.0f} s: see {self.log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log.close()
