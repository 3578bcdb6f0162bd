"""The hot queries' plans on the national data set: which index each one uses, and how long it takes.

    .venv/bin/python bench/explain.py [--full] [DATABASE_URL]

Without a URL: the SQLite data set in bench/data/ (build it with `make bench` first). Each query is
built by the same QuerySet methods the views call, for the demo coordinator (Thames Valley and Kent).
Prints one line per query: the indexes and scans in its plan (EXPLAIN QUERY PLAN on SQLite,
EXPLAIN ANALYZE on PostgreSQL) and the best of three timings; --full prints the whole plan.
"""

from __future__ import annotations

import os
import re
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def hot_queries() -> dict:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.utils import timezone

    from schools.models import School
    from sessions import access as views
    from sessions.models import Assignment, Visit
    from stats.models import Area

    coordinator = get_user_model().objects.get(username="coordinator")
    volunteer = get_user_model().objects.get(username="volunteer").volunteer
    today = timezone.localdate()
    monday = views.monday_of(today)
    visits = views.planning_visits(coordinator)
    areas = views.planning_areas(coordinator)
    visit = (
        visits.filter(status=Visit.Status.PROPOSED, date__gte=today, sessions__isnull=False)
        .select_related("school__local_authority").order_by("date", "pk").first()
    )
    pool = views.planning_volunteers(coordinator, also_area=visit.school.police_force)
    thames_valley = Area.objects.get(code="E23000029")
    return {
        "dashboard: visits in the coordinator's areas, next 12 weeks, with problem signals": visits.between(
            today, today + timedelta(weeks=12)).live().exclude(status=Visit.Status.DELIVERED).with_signals(),
        "calendar: one week's visits with problem signals": visits.between(monday, monday + timedelta(days=6))
        .with_signals().order_by("date", "starts_at"),
        "coordinator's calendar feed: a year of visits in the areas": Visit.objects.in_areas(
            coordinator.coordinator.areas.all()).filter(date__gte=today - timedelta(days=365)),
        "volunteer suggestions: the pool for one visit": pool.for_staffing(visit),
        "volunteer suggestions: everyone's bookings in the visit's month": Assignment.objects.active()
        .filter(visit__date__range=(visit.date.replace(day=1), visit.date.replace(day=28)))
        .order_by().values_list("volunteer").annotate(n=Count("pk")),
        "schools due: area + search, one page": School.objects.due(on=today).in_areas(areas)
        .in_areas([thames_valley]).search("primary")[:25],
        "volunteer's calendar feed: their visits": Visit.objects.filter(
            pk__in=volunteer.assignments.values("visit_id"), date__gte=today - timedelta(days=365)),
    }


def summary(plan: str, vendor: str) -> str:
    """The plan's access paths in one line: index names and full scans."""
    if vendor == "sqlite":
        steps = [re.sub(r"^[\d ]+", "", line).strip(" |`-") for line in plan.splitlines()]
        keep = [s for s in steps if s.startswith(("SEARCH", "SCAN"))]
        return "; ".join(dict.fromkeys(keep))
    nodes = re.findall(r"((?:Parallel )?(?:Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)[^(]*)", plan)
    return "; ".join(dict.fromkeys(node.strip() for node in nodes))


def main() -> None:
    full = "--full" in sys.argv
    urls = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    from bench import dataset

    os.environ["DATABASE_URL"] = urls[0] if urls else dataset.sqlite_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    vendor = connection.vendor
    for name, queryset in hot_queries().items():
        plan = queryset.explain(analyze=True) if vendor == "postgresql" else queryset.explain()
        best = min(_timed(queryset) for _ in range(3))
        print(f"- {name}: {best * 1000:.1f} ms — {summary(plan, vendor)}")
        if full:
            print(plan)


def _timed(queryset) -> float:
    started = time.perf_counter()
    list(queryset.prefetch_related(None))  # the query itself, not the prefetches after it
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
