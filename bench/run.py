"""`make bench`: how fast the planner answers at national scale, endpoint by endpoint.

    .venv/bin/python bench/run.py [--runs 30] [--pack-runs 5] [--rebuild] [--only endpoints|packs|term]
    DATABASE_URL='postgres:///speakout_bench?host=/var/run/postgresql' .venv/bin/python bench/run.py

Builds (or reuses) the national data set (bench/dataset.py: 20,000 schools, 3,000 volunteers,
100,000 visits) on SQLite, and on PostgreSQL too when DATABASE_URL names a PostgreSQL database; then,
for each database in its own process, requests every endpoint through the real URLs and middleware
(django.test.Client signed in as a coordinator or a volunteer, DEBUG off), after a warm-up, in rounds
(each round asks every endpoint once, so a burst of load from elsewhere falls on all of them alike).
Counts each endpoint's queries once with CaptureQueriesContext (outside the timed runs). Times the
session pack (bench/packs.py) and the term planner beside a greedy baseline (bench/term.py). Prints the table and writes it to docs/benchmarks.md between the
`<!-- bench:start -->` and `<!-- bench:end -->` markers, with the machine it ran on. No timed
assertions anywhere: a miss is a ✗ in the table, not a failure.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import dataset  # noqa: E402  (after the path is set)

DOC = ROOT / "docs" / "benchmarks.md"
BENCH_START, BENCH_END = "<!-- bench:start -->", "<!-- bench:end -->"
LOAD_START, LOAD_END = "<!-- load:start -->", "<!-- load:end -->"

# The aims on this 2-core machine class.
FRAGMENT_MS, FRAGMENT_FLOORS, FRAGMENT_KB = 25, 50, 15
PAGE_MS = 60
PROBLEMS_MS = 15
PACK_OVER_FLOOR = 1.3
CACHED_PACK_MS = 20
BATCH_PER_SECOND = 3
# Endpoints slower than this in the warm-up are timed SLOW_RUNS times instead of --runs.
SLOW_SECONDS, SLOW_RUNS = 0.5, 10


@dataclass
class Endpoint:
    name: str
    role: str  # whose client asks: coordinator, volunteer or anonymous
    path: str
    kind: str  # floor, page, fragment, problems, feed
    method: str = "get"
    data: dict | None = None
    htmx: bool = False
    samples: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # this process's processor seconds, request by request
    db_cpu: list[float] = field(default_factory=list)  # PostgreSQL's server process's, where it runs here
    queries: int = 0
    size: int = 0


# --- Setting up the measuring process


def setup(url: str, workdir: Path) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import logging

    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench.urls"
    # Log lines (access log, WeasyPrint's notes) are still formatted and written, but not onto the table.
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (open for the life of the process)
    from django.core.management import call_command

    # As `make serve` prepares production: the database cache's table and the hashed static files.
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)


def client_for(user):
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def live_check_data(visit) -> dict:
    """What the visit form posts to the live problems check: the saved visit, as its form shows it."""
    data = {
        "school": str(visit.school.urn),
        "date": visit.date.isoformat(),
        "starts_at": f"{visit.starts_at:%H:%M}",
        "ends_at": f"{visit.ends_at:%H:%M}",
        "notes": visit.notes,
        "version": str(visit.version),
    }
    lines = list(visit.sessions.order_by("starts_at", "pk"))
    data |= {
        "sessions-TOTAL_FORMS": str(len(lines)),
        "sessions-INITIAL_FORMS": str(len(lines)),
        "sessions-MIN_NUM_FORMS": "1",
        "sessions-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        prefix = f"sessions-{i}-"
        data |= {
            prefix + "id": str(line.pk),
            prefix + "visit": str(visit.pk),
            prefix + "session_type": str(line.session_type_id),
            prefix + "starts_at": f"{line.starts_at:%H:%M}",
            prefix + "year_groups": [str(n) for n in line.year_groups],
            prefix + "pupils": str(line.pupils),
        }
        if line.send_adapted:
            data[prefix + "send_adapted"] = "on"
        if line.welsh_language:
            data[prefix + "welsh_language"] = "on"
    return data


def endpoints() -> tuple[list[Endpoint], dict]:
    """Every endpoint the issue names, with the data the coordinator and volunteer would ask for."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.utils import timezone

    from sessions import access
    from sessions.models import Visit
    from stats.models import Area

    User = get_user_model()
    coordinator = User.objects.select_related("coordinator").get(username="coordinator")
    volunteer = User.objects.select_related("volunteer").get(username="volunteer")
    area = Area.objects.get(code="E23000029")  # Thames Valley: the demo coordinator's area
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    mine = access.visible_visits(coordinator).in_areas(coordinator.coordinator.areas.all())
    # The busiest of the coming eight weeks: the calendar at its fullest.
    busiest = (
        mine.between(monday, monday + timedelta(weeks=8)).values("date").annotate(n=Count("pk")).order_by("date")
    )
    weeks: dict = {}
    for row in busiest:
        week = row["date"] - timedelta(days=row["date"].weekday())
        weeks[week] = weeks.get(week, 0) + row["n"]
    week = max(weeks, key=weeks.get) if weeks else monday
    proposed = (
        mine.filter(status=Visit.Status.PROPOSED, date__gte=today, sessions__isnull=False)
        .select_related("school").order_by("date", "pk").first()
    )
    if proposed is None:
        raise SystemExit("The data set has no upcoming proposed visit in the coordinator's areas.")
    feed_token = volunteer.volunteer.calendar_token
    coordinator_token = coordinator.coordinator.calendar_token
    due = f"/plan/due/?q=primary&area={area.pk}"
    points = [
        Endpoint("Floor: trivial view (signed in)", "coordinator", "/bench/floor", "floor"),
        Endpoint("Health check /healthz", "anonymous", "/healthz", "page"),
        Endpoint("Dashboard", "coordinator", "/plan/", "page"),
        Endpoint("Calendar, week (page)", "coordinator", f"/plan/calendar/?week={week:%Y-%m-%d}", "page"),
        Endpoint("Calendar, week (fragment)", "coordinator", f"/plan/calendar/?week={week:%Y-%m-%d}", "fragment",
                 htmx=True),
        Endpoint("Schools due, area + search (page)", "coordinator", due, "page"),
        Endpoint("Schools due, area + search (fragment)", "coordinator", due, "fragment", htmx=True),
        Endpoint("Visit page", "coordinator", f"/visits/{proposed.pk}/", "page"),
        Endpoint("Volunteer suggestions for a visit (fragment)", "coordinator", f"/visits/{proposed.pk}/staffing/",
                 "fragment", htmx=True),
        Endpoint("Volunteer directory, cleared (fragment)", "coordinator", "/plan/volunteers/?clearance=cleared",
                 "fragment", htmx=True),
        Endpoint("Live problems check (fragment)", "coordinator", f"/visits/{proposed.pk}/check/", "problems",
                 method="post", data=live_check_data(proposed), htmx=True),
        Endpoint("Statistics table (page)", "coordinator", "/stats/", "page"),
        Endpoint("Statistics table, sorted (fragment)", "coordinator", "/stats/?sort=-due", "fragment", htmx=True),
        Endpoint("Area page (Thames Valley)", "coordinator", f"/stats/{area.code}/", "page"),
        Endpoint("Volunteer portal", "volunteer", "/me/", "page"),
        Endpoint("Calendar feed, volunteer (ICS)", "anonymous", f"/calendar/{feed_token}.ics", "feed"),
        Endpoint("Calendar feed, coordinator (ICS)", "anonymous", f"/calendar/{coordinator_token}.ics", "feed"),
    ]
    users = {"coordinator": coordinator, "volunteer": volunteer, "anonymous": None}
    return points, users


# --- Measuring


def request(client, point: Endpoint):
    headers = {"HX-Request": "true"} if point.htmx else {}
    if point.method == "post":
        # Encoded as the page's form sends it (htmx posts a form urlencoded), not as the test client's
        # default multipart, which costs the server about a millisecond more to parse.
        response = client.post(
            point.path, urlencode(point.data or {}, doseq=True), content_type="application/x-www-form-urlencoded",
            secure=True, headers=headers,
        )
    else:
        response = client.get(point.path, point.data or {}, secure=True, headers=headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    return response, body


def check(point: Endpoint, response, body: bytes) -> None:
    """Every measured response is the real thing: 200, and a fragment is a fragment."""
    if response.status_code != 200:
        raise SystemExit(f"{point.name}: {point.path} answered {response.status_code}")
    if point.htmx and b"<html" in body:
        raise SystemExit(f"{point.name}: {point.path} answered a whole page to an htmx request")


def measure_endpoints(points: list[Endpoint], clients: dict, runs: int, warmup: int, log) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    caps = {}
    for point in points:
        started = time.perf_counter()
        for _ in range(warmup):
            check(point, *request(clients[point.role], point))
        # An endpoint that takes seconds gets fewer rounds, so that the whole run stays within minutes.
        caps[point.name] = runs if (time.perf_counter() - started) / max(warmup, 1) < SLOW_SECONDS else SLOW_RUNS
        with CaptureQueriesContext(connection) as queries:
            response, body = request(clients[point.role], point)
        check(point, response, body)
        point.queries, point.size = len(queries), len(body)
    log(f"  warmed up; {runs} rounds of {len(points)} endpoints…")
    for round_ in range(runs):
        for point in points:
            if round_ >= caps[point.name]:
                continue
            client = clients[point.role]
            db_before = database_cpu(connection)
            cpu_started, started = time.process_time(), time.perf_counter()
            request(client, point)
            point.samples.append(time.perf_counter() - started)
            point.cpu.append(time.process_time() - cpu_started)
            db_after = database_cpu(connection)
            if db_before and db_after and db_before[0] == db_after[0]:  # the same server process throughout
                point.db_cpu.append(db_after[1] - db_before[1])


def database_cpu(connection) -> tuple[int, float] | None:
    """The PostgreSQL server process behind `connection` and its processor seconds so far, read from this
    machine's /proc (nanoseconds, `schedstat`); None for SQLite (its work is this process's), a closed
    connection or a server elsewhere."""
    if connection.vendor != "postgresql" or connection.connection is None:
        return None
    pid = connection.connection.info.backend_pid
    try:
        return pid, int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def profile(points: list[Endpoint], clients: dict, pattern: str) -> None:
    """For endpoints whose name contains `pattern`: the queries with their times, and where Python's time goes."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for point in points:
        if pattern.lower() not in point.name.lower():
            continue
        client = clients[point.role]
        for _ in range(3):
            request(client, point)
        with CaptureQueriesContext(connection) as queries:
            request(client, point)
        print(f"\n=== {point.name}: {point.path} ({len(queries)} queries)")
        for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"])):
            print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:400]}")
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            request(client, point)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(int(os.environ.get("PROFILE_LINES", "30")))


# --- Reporting


def cpu_ms(point: Endpoint) -> str:
    """The median processor time of a request: the app's, plus PostgreSQL's server process's where it was read."""
    if not point.cpu:
        return ""
    if not point.db_cpu:
        return ms(median(point.cpu))
    return f"{ms(median(point.cpu))} + {ms(median(point.db_cpu))}"


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1] if len(samples) > 1 else samples[0]


def kb(size: int) -> str:
    return f"{size / 1024:.1f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def aim(point: Endpoint, floor: float) -> tuple[str, str]:
    """The issue's aim for this kind of endpoint, and ✓ or ✗ with what was missed."""
    m = median(point.samples) * 1000
    if point.kind == "floor":
        return "the floor", ""
    if point.kind in ("page", "feed"):
        return f"< {PAGE_MS} ms", "✓" if m < PAGE_MS else "✗"
    limit = PROBLEMS_MS if point.kind == "problems" else FRAGMENT_MS
    missed = []
    if m >= limit:
        missed.append("time")
    if median(point.samples) > FRAGMENT_FLOORS * floor:
        missed.append("× floor")
    if point.size >= FRAGMENT_KB * 1024:
        missed.append("size")
    text = f"< {limit} ms, ≤ {FRAGMENT_FLOORS}×, < {FRAGMENT_KB} KB"
    return text, "✓" if not missed else "✗ " + ", ".join(missed)


def table(points: list[Endpoint], packs) -> str:
    floor = median(points[0].samples)
    lines = [
        "| Endpoint | As | Median ms | 95th pct ms | CPU ms | Queries | Size | × floor | Aim | |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for point in points:
        goal, met = aim(point, floor)
        lines.append(
            f"| {point.name} | {point.role} | {ms(median(point.samples))} | {ms(p95(point.samples))} | "
            f"{cpu_ms(point)} | {point.queries} | {kb(point.size)} | {median(point.samples) / floor:.0f}× | "
            f"{goal} | {met} |"
        )
    if packs is not None and packs.first:
        wp = median(packs.floor)
        ratio = median(packs.first) / wp
        cached = median(packs.cached) * 1000
        for name, samples, queries, goal, met in (
            ("Pack: first render (download after a change)", packs.first, packs.first_queries,
             f"≤ {PACK_OVER_FLOOR}× WeasyPrint ({ratio:.2f}×)", ratio <= PACK_OVER_FLOOR),
            ("Pack: cached download", packs.cached, packs.cached_queries, f"< {CACHED_PACK_MS} ms",
             cached < CACHED_PACK_MS),
        ):
            lines.append(
                f"| {name} | coordinator | {ms(median(samples))} | {ms(p95(samples))} | | {queries} | "
                f"{kb(packs.size)} | {median(samples) / floor:.0f}× | {goal} | {'✓' if met else '✗'} |"
            )
        lines.append(
            f"| Pack: not modified (If-None-Match, 304) | coordinator | {ms(median(packs.not_modified))} | "
            f"{ms(p95(packs.not_modified))} | | | | {median(packs.not_modified) / floor:.0f}× | | |"
        )
        lines.append(
            f"| WeasyPrint floor: the same pack's HTML to PDF ({packs.pages} pages) | | {ms(wp)} | "
            f"{ms(p95(packs.floor))} | | | | | reference | |"
        )
    return "\n".join(lines)


def batch_table(packs) -> str:
    if packs is None or (packs.batch_one is None and packs.batch_two is None):
        return ""
    lines = ["| Batch packs (not yet stored) | Packs | Seconds | Packs a second | Aim | |", "|---|--:|--:|--:|---|---|"]
    if packs.batch_one:
        n, seconds = packs.batch_one
        lines.append(f"| One process (`build_batch` called directly) | {n} | {seconds:.1f} | {n / seconds:.2f} | | |")
    rounds = (
        (packs.batch_two, "workers that have built one pack each"),
        (packs.batch_two_again, "the same again: the workers' shared parts laid out (sessions/packs/reuse.py)"),
    )
    for measured, which in rounds:
        if not measured:
            continue
        n, seconds, wall = measured
        rate = n / seconds
        met = "✓" if rate >= BATCH_PER_SECOND else "✗"
        tasks = "one coordinator's batch task" if packs.batch_tasks == 1 else f"{packs.batch_tasks} batch tasks"
        lines.append(
            f"| Two `db_worker` processes, {tasks} from the queue (each shares its packs with a helper task on the "
            f"other worker), {which} (first start to last finish; {wall:.1f} s from queueing) | {n} | {seconds:.1f} "
            f"| {rate:.2f} | ≥ {BATCH_PER_SECOND}/s | {met} |"
        )
    return "\n".join(lines)


def machine(vendor: str) -> list[str]:
    import sqlite3

    import django
    from django.db import connection

    cpu = "unknown CPU"
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = found.group(1).strip() if found else platform.processor() or cpu
    except OSError:
        pass
    ram = ""
    try:
        kib = int(re.search(r"^MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text(), re.M).group(1))
        ram = f"{kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, AttributeError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    database = f"SQLite {sqlite3.sqlite_version}"
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    import weasyprint

    return [
        f"{cpu}, {cores} cores, {ram}",
        f"Python {platform.python_version()}, Django {django.get_version()}, {database}, WeasyPrint {weasyprint.__version__}",
        f"{platform.system()} {platform.release()}",
    ]


def dataset_line() -> str:
    from schools.models import School
    from sessions.models import Assignment, Visit, Volunteer

    return (
        f"{School.objects.count():,} schools, {Volunteer.objects.count():,} volunteers, "
        f"{Visit.objects.count():,} visits, {Assignment.objects.count():,} assignments "
        f"(`seed_demo {' '.join(dataset.SEED_ARGS)}`)"
    )


def section(vendor: str, points, packs, args, started: datetime, loads: tuple, seconds: float, term=None) -> str:
    title = "PostgreSQL" if vendor == "postgresql" else "SQLite"
    parts = [
        f"### {title}",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC in {seconds:.0f} s: {args.runs} rounds per endpoint ({SLOW_RUNS} for "
        f"one slower than {SLOW_SECONDS * 1000:.0f} ms) after {args.warmup} warm-up requests, {args.pack_runs} "
        "first renders of the pack. Machine: "
        + "; ".join(machine(vendor))
        + f". Load average {loads[0]:.1f} at the start, {loads[1]:.1f} at the end.",
        "",
        f"Data: {dataset_line()}.",
        "",
    ]
    if points:
        parts += [table(points, packs), ""]
    batches = batch_table(packs)
    if batches:
        parts += [batches, ""]
    if term is not None:
        from bench import term as term_bench

        parts += [term_bench.table(term), ""]
    return "\n".join(parts)


def write_doc(vendor: str, text: str) -> None:
    """Replace this database's part between the bench markers; keep everything else in the file."""
    if DOC.exists():
        doc = DOC.read_text()
    else:
        doc = (
            "# Benchmarks\n\n"
            "How fast the planner answers with a national programme's data, and how much it carries.\n\n"
            "## Endpoints and packs (`make bench`)\n\n"
            f"{BENCH_START}\n{BENCH_END}\n\n"
            "## Load test\n\n"
            f"{LOAD_START}\n{LOAD_END}\n"
        )
    if BENCH_START not in doc or BENCH_END not in doc:
        doc = doc.rstrip("\n") + f"\n\n## Endpoints and packs (`make bench`)\n\n{BENCH_START}\n{BENCH_END}\n"
    head, rest = doc.split(BENCH_START, 1)
    block, tail = rest.split(BENCH_END, 1)
    parts = {}
    for name in ("sqlite", "postgresql"):
        found = re.search(rf"<!-- bench:{name}:start -->\n(.*?)<!-- bench:{name}:end -->", block, re.S)
        parts[name] = found.group(1) if found else "(not run yet)\n"
    parts[vendor] = text.rstrip("\n") + "\n"
    block = (
        "\n<!-- Written by `make bench` (bench/run.py): edit the script, not this part. -->\n"
        "Medians and 95th percentiles in milliseconds through the real URLs and middleware "
        "(django.test.Client, signed in, DEBUG off); queries counted once per endpoint; "
        "“× floor” is the median over the trivial view's; “CPU ms” the median processor time of a request, "
        "the app's and, on PostgreSQL, + the database server's (its process's, read from /proc). "
        "Aims from issue #8 for this 2-core machine class.\n\n"
        + "\n".join(
            f"<!-- bench:{name}:start -->\n{parts[name]}<!-- bench:{name}:end -->\n"
            for name in ("sqlite", "postgresql")
        )
    )
    DOC.write_text(head + BENCH_START + block + BENCH_END + tail)


# --- The two halves: the parent prepares data sets, a child per database measures


def measure(args) -> None:
    started, t0, load0 = datetime.now(UTC), time.perf_counter(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        setup(args.measure, workdir)
        from django.db import connection

        vendor = connection.vendor
        log = lambda line: print(line, flush=True)  # noqa: E731
        points, users = endpoints()
        clients = {role: client_for(user) for role, user in users.items()}
        if args.profile:
            profile(points, clients, args.profile)
            return
        if args.only in (None, "endpoints"):
            measure_endpoints(points, clients, args.runs, args.warmup, log)
        else:
            points = []
        packs = None
        if args.only in (None, "packs"):
            from bench import packs as pack_bench

            log(f"  session pack: {args.pack_runs} first renders, then cached downloads and batches…")
            packs = pack_bench.measure(
                clients["coordinator"],
                users["coordinator"],
                workdir,
                runs=args.pack_runs,
                batch_packs=args.batch_packs,
                batch_tasks=args.batch_tasks,
                log=log,
            )
        term = None
        if args.only in (None, "term"):
            from bench import term as term_bench

            term = term_bench.measure(users["coordinator"], log)
        if points and not points[0].samples:
            points = []
        text = section(vendor, points, packs, args, started, (load0, os.getloadavg()[0]), time.perf_counter() - t0,
                       term)
        print()
        print(text)
        if args.write and points:
            write_doc(vendor, text)
            print(f"Written to {DOC.relative_to(ROOT)}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed rounds per endpoint (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per endpoint first (default 3)")
    parser.add_argument("--pack-runs", type=int, default=5, help="first renders of the pack (default 5)")
    parser.add_argument("--batch-packs", type=int, default=24,
                        help="about this many visits per batch task (default 24)")
    parser.add_argument("--batch-tasks", type=int, default=1,
                        help="batch tasks for the two workers (default 1: one coordinator's batch)")
    parser.add_argument("--only", choices=["endpoints", "packs", "term"],
                        help="measure only the endpoints, the packs or the term planner")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql", "both"],
        help="default: SQLite, and PostgreSQL too when DATABASE_URL names one",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the data set again even if it is current")
    parser.add_argument("--no-write", dest="write", action="store_false", help="print only; leave docs/ alone")
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="instead of the table: queries and a cProfile of the endpoints whose name contains NAME",
    )
    parser.add_argument("--measure", metavar="DATABASE_URL", help=argparse.SUPPRESS)  # the child's half
    args = parser.parse_args()
    if args.measure:
        measure(args)
        return

    log = lambda line: print(line, flush=True)  # noqa: E731
    postgres_url = os.environ.get("DATABASE_URL", "")
    wanted = args.database or ("both" if dataset.is_postgres(postgres_url) else "sqlite")
    if wanted in ("postgresql", "both") and not dataset.is_postgres(postgres_url):
        raise SystemExit("PostgreSQL asked for, but DATABASE_URL names no PostgreSQL database.")
    urls = []
    if wanted in ("sqlite", "both"):
        urls.append(("SQLite", dataset.ensure_sqlite(rebuild=args.rebuild, log=log)))
    if wanted in ("postgresql", "both"):
        urls.append(("PostgreSQL", dataset.ensure_postgres(postgres_url, rebuild=args.rebuild, log=log)))
    passed = [arg for arg in sys.argv[1:] if arg != "--rebuild"]
    for name, url in urls:
        log(f"Measuring on {name}…")
        subprocess.run([sys.executable, __file__, *passed, "--measure", url], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
