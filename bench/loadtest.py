"""Load test on loopback: coordinators and volunteers clicking through the app served as in production.

    make loadtest                         # SQLite data set (bench/data/), 50 users, 60 s
    DATABASE_URL=postgres:///speakout_bench?host=/var/run/postgresql make loadtest   # PostgreSQL
    .venv/bin/python bench/loadtest.py --users 50 --seconds 60 [--no-write]

It builds (or reuses) the national data set of `make bench` (bench/dataset.py), signs in the load's
coordinators and volunteers by creating their sessions directly (no password hashing in the measurement),
starts bin/serve (gunicorn + the task worker, DEBUG off, WhiteNoise, the database cache) on a free port,
and runs each user in a thread for the given time, each clicking as a person would with a short think
time (before the first click too: people arrive at random). It stops by itself. It prints throughput, median
and 95th percentile per endpoint and the errors, and writes them to docs/benchmarks.md between the load-test
markers.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import dataset  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- load:start -->", "<!-- load:end -->"
HTMX = {"HX-Request": "true"}
# Between one click and the next a person reads the page: one to five seconds here, which is brisk for
# people planning visits (so 50 users ask for about 17 pages a second, every one of them at once at times).
THINK_SECONDS = (1.0, 5.0)

SETUP = r"""
import json, random
from datetime import timedelta
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from sessions.models import Coordinator, Visit, Volunteer

rng = random.Random(2026)
today = timezone.localdate()
def session_for(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key
coordinators = []
for c in Coordinator.objects.select_related("user").order_by("pk")[:COORDINATORS]:
    visits = list(Visit.objects.in_areas(c.areas.all()).filter(date__gte=today, date__lte=today + timedelta(days=90))
                  .order_by("date").values_list("pk", flat=True)[:40])
    towns = list(Visit.objects.in_areas(c.areas.all()).values_list("school__town", flat=True).distinct()[:20])
    if visits:
        coordinators.append({"session": session_for(c.user), "visits": visits, "towns": [t for t in towns if t]})
volunteers = []
for v in Volunteer.objects.filter(active=True, assignments__isnull=False).select_related("user").distinct().order_by("pk")[:VOLUNTEERS]:
    volunteers.append({"session": session_for(v.user), "token": v.calendar_token})
print("LOAD-USERS " + json.dumps({"coordinators": coordinators, "volunteers": volunteers, "monday": str(today - timedelta(days=today.weekday()))}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(url: str, port: int, workdir: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": "load-test-" + "k" * 50,
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "PORT": str(port),
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PY": sys.executable,
        "SERVER_TIMING": "true",  # each response says its processor time (config/logging.py)
    }


def load_users(env: dict, coordinators: int, volunteers: int) -> dict:
    code = SETUP.replace("COORDINATORS", str(coordinators)).replace("VOLUNTEERS", str(volunteers))
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("LOAD-USERS "))[11:])


class User(threading.Thread):
    """One person: a keep-alive connection, their session cookie, and a loop of realistic clicks."""

    def __init__(self, port: int, kind: str, who: dict, monday: str, until: float, results, seed: int,
                 think: tuple[float, float] = THINK_SECONDS):
        super().__init__(daemon=True)
        self.think = think
        self.port, self.kind, self.who, self.monday, self.until = port, kind, who, monday, until
        self.results, self.rng = results, random.Random(seed)
        self.errors: list[str] = []
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, name: str, path: str, headers: dict | None = None) -> None:
        headers = {"Cookie": f"sessionid={self.who['session']}", **(headers or {})}
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.connection.request("GET", path, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
                ok, size = response.status == 200, len(body)
                cpu = server_cpu_ms(response.getheader("Server-Timing", ""))
                if not ok:
                    self.errors.append(f"{name}: HTTP {response.status}")
                break
            except (OSError, http.client.HTTPException) as error:
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                # The server closes a connection left idle while the person read the page; like a browser,
                # open a new one and ask again, once. A second failure is an error.
                if attempt == 2 or not isinstance(error, (http.client.RemoteDisconnected, ConnectionError)):
                    ok, size, cpu = False, 0, None
                    self.errors.append(f"{name}: {type(error).__name__}")
                    break
                started = time.perf_counter()
        self.results.append((name, (time.perf_counter() - started) * 1000, ok, size, cpu))

    def clicks(self):
        r = self.rng
        if self.kind == "coordinator":
            visit = r.choice(self.who["visits"])
            town = r.choice(self.who["towns"] or ["a"])
            return r.choice(
                [
                    [("dashboard", "/plan/", None)],
                    [("calendar week (fragment)", f"/plan/calendar/?week={self.monday}", HTMX)],
                    [("schools due search (fragment)", f"/plan/due/?q={town[:4].replace(' ', '+')}", HTMX)],
                    [
                        ("visit page", f"/visits/{visit}/", None),
                        ("problems check (fragment)", f"/visits/{visit}/problems/", HTMX),
                    ],
                ]
            )
        return r.choice(
            [
                [("volunteer portal", "/me/", None)],
                [("calendar feed", f"/calendar/{self.who['token']}.ics", None)],
            ]
        )

    def run(self) -> None:
        # People arrive at random, not in one instant: each first clicks after a think time, as between clicks
        # (started together, all fifty first requests queued behind each other on two cores).
        time.sleep(self.rng.uniform(*self.think))
        while time.monotonic() < self.until:
            for name, path, headers in self.clicks():
                if time.monotonic() >= self.until:
                    break
                self.get(name, path, headers)
            time.sleep(self.rng.uniform(*self.think))
        self.connection.close()


def server_cpu_ms(header: str) -> float | None:
    """The `cpu` entry of a Server-Timing header (`app;dur=12.3, cpu;dur=9.8`), in ms."""
    found = re.search(r"(?:^|,)\s*cpu;dur=([0-9.]+)", header)
    return float(found.group(1)) if found else None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(results, seconds: float, users: int, database: str, think: tuple[float, float] = THINK_SECONDS) -> str:
    by_name = defaultdict(list)
    for name, ms, ok, size, cpu in results:
        by_name[name].append((ms, ok, size, cpu))
    total = len(results)
    errors = sum(1 for _, _, ok, _, _ in results if not ok)
    cpu_total = sum(cpu for *_, cpu in results if cpu is not None)
    lines = [
        f"Load test, {date.today():%-d %B %Y}: {users} users (coordinators and volunteers), {seconds:.0f} s, "
        f"{database}, think time {think[0]:g}–{think[1]:g} s (before each person's first click too), "
        f"`make serve`'s processes (gunicorn with {os.environ.get('WEB_CONCURRENCY') or 'the default'} workers, "
        f"the task worker), on {platform.machine()} "
        f"with {os.cpu_count()} cores; the load generator shares the machine. CPU ms: the processor time the "
        "request's thread spent in the app (its Server-Timing header), not waiting for the database.",
        "",
        f"**{total / seconds:.1f} requests/s, {total} requests, {errors} errors; the app's processor time "
        f"{cpu_total / 1000 / seconds:.2f} cores' worth.**",
        "",
        "| endpoint | requests | median ms | p95 ms | median CPU ms | errors | median size |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in sorted(by_name):
        rows = by_name[name]
        times = [ms for ms, *_ in rows]
        cpus = [cpu for *_, cpu in rows if cpu is not None]
        lines.append(
            f"| {name} | {len(rows)} | {statistics.median(times):.0f} | {percentile(times, 0.95):.0f} | "
            f"{statistics.median(cpus) if cpus else float('nan'):.1f} | {sum(1 for _, ok, _, _ in rows if not ok)} | "
            f"{statistics.median(s for _, _, s, _ in rows) / 1024:.1f} KB |"
        )
    return "\n".join(lines)


def write_doc(text: str) -> None:
    DOC.parent.mkdir(exist_ok=True)
    current = (
        DOC.read_text()
        if DOC.exists()
        else (
            "# Benchmarks\n\n<!-- bench:start -->\n<!-- bench:end -->\n\n## Load test\n\n" + START + "\n" + END + "\n"
        )
    )
    if START not in current:
        current += "\n## Load test\n\n" + START + "\n" + END + "\n"
    before, rest = current.split(START, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(f"{before}{START}\n{text}\n{END}{after}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--url", help="use this database as it is instead of the national data set")
    parser.add_argument("--server-log", type=Path, metavar="PATH",
                        help="keep the server's log (a JSON line a request: route, duration_ms, cpu_ms) here")
    parser.add_argument("--think", type=float, nargs=2, default=THINK_SECONDS, metavar=("MIN", "MAX"),
                        help="seconds each person waits between clicks (default 1 5; 0 0 finds the most the "
                             "server can answer)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if args.url:
        url, database = args.url, "the database given"
    elif dataset.is_postgres(url):
        url = dataset.ensure_postgres(url, rebuild=False, log=print)
        database = "PostgreSQL"
    else:
        url = dataset.ensure_sqlite(rebuild=False, log=print)
        database = "SQLite"
    coordinators = args.users * 3 // 5
    with tempfile.TemporaryDirectory() as tmp:
        workdir, port = Path(tmp), free_port()
        env = server_env(url, port, workdir)
        for command in (["migrate", "--no-input", "-v0"], ["createcachetable"], ["collectstatic", "--no-input", "-v0"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
        people = load_users(env, coordinators, args.users - coordinators)
        log = (args.server_log or workdir / "serve.log").open("w")
        server = subprocess.Popen(
            [str(ROOT / "bin" / "serve")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    connection.request("GET", "/healthz")
                    connection.getresponse().read()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("the server did not start; see its log") from None
                    time.sleep(0.3)
            results: list = []
            until = time.monotonic() + args.seconds
            # As many users as asked for: when the data set has fewer coordinators than that, some sign in
            # twice (one person with two tabs).
            wanted = {"coordinator": coordinators, "volunteer": args.users - coordinators}
            users = [
                User(port, kind, pool[n % len(pool)], people["monday"], until, results, n, tuple(args.think))
                for kind, pool in (("coordinator", people["coordinators"]), ("volunteer", people["volunteers"]))
                for n in range(wanted[kind])
            ]
            started = time.monotonic()
            for user in users:
                user.start()
            for user in users:
                user.join(timeout=args.seconds + 60)
            elapsed = time.monotonic() - started
            errors = [error for user in users for error in user.errors]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    text = report(results, elapsed, len(users), database, tuple(args.think))
    if errors:
        kinds = defaultdict(int)
        for error in errors:
            kinds[error] += 1
        text += "\n\nErrors: " + "; ".join(f"{kind} ×{count}" for kind, count in sorted(kinds.items()))
    print(text)
    if not args.no_write:
        write_doc(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
