"""The programme's side of the statistics pages: schools due a visit per area and each area's coverage.

Each open school is in one of three states on a date (`classified_schools`, the map's colours):
*visited* within the programme cycle, *due* again (visited before the cycle), or *never visited*; "due"
is `School.objects.due`, here as everywhere (the latter two together are the due count).

Registered with `stats.coverage` (when the app is ready), because stats may not import schools or
visits. Who may see them is `sessions.access.is_planner`: staff and coordinators, each area's
coverage only to those who plan for it.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Sum
from django.utils.safestring import mark_safe

from schools.models import School, cycle_start
from sessions.access import is_planner, planning_areas
from sessions.models import Visit
from stats import coverage
from stats.models import Area

CACHE_SECONDS = 24 * 60 * 60  # a day: the keys name the date anyway


def due_by_area(areas: list[Area] | None, *, on: date) -> dict[int, int]:
    """Schools due a visit on the date (`School.objects.due`), by police force area, in one query."""
    schools = School.objects.due(on=on)
    if areas is not None:
        schools = schools.in_areas(areas)
    rows = schools.values(area=F("local_authority__police_force")).annotate(n=Count("pk")).order_by()
    return {row["area"]: row["n"] for row in rows if row["area"] is not None}


VISITED, DUE, NEVER = "visited", "due", "never"


def classified_schools(areas, *, on: date) -> QuerySet[School]:
    """The open schools in the areas, each annotated with `is_due` (`School.objects.due` on the date),
    `ever_visited` (a delivered visit on or before it) and `requested` (a visit requested and not yet
    proposed, cancelled or given): `state_of` reads the state from them. One query, however many schools."""
    delivered = Visit.objects.filter(school=OuterRef("pk"), status=Visit.Status.DELIVERED, date__lte=on)
    return (
        School.objects.open().in_areas(areas)
        .annotate(
            is_due=Exists(School.objects.due(on=on).filter(pk=OuterRef("pk"))),
            ever_visited=Exists(delivered),
            requested=Exists(Visit.objects.filter(school=OuterRef("pk"), status=Visit.Status.REQUESTED)),
        )
        .order_by()
    )


def state_of(*, is_due: bool, ever_visited: bool) -> str:
    if not is_due:
        return VISITED
    return DUE if ever_visited else NEVER


def area_coverage(area: Area, *, on: date) -> coverage.AreaCoverage:
    """The area's open schools, how many are due a visit, and the visits delivered in the cycle to the date."""
    start = cycle_start(on)
    open_schools = School.objects.open().in_areas([area]).count()
    due = School.objects.due(on=on).in_areas([area]).count()
    delivered = Visit.objects.in_areas([area]).filter(
        status=Visit.Status.DELIVERED, date__gt=start, date__lte=on
    ).aggregate(
        visits=Count("pk"), reported=Count("report"), children=Sum("report__children_reached")
    )
    return coverage.AreaCoverage(
        on=on,
        cycle_start=start,
        open_schools=open_schools,
        visited=open_schools - due,
        due=due,
        children_reached=delivered["children"] or 0,
        visits_delivered=delivered["visits"],
        visits_reported=delivered["reported"],
    )


class ProgrammeCoverage:
    def may_see_statistics(self, user) -> bool:
        return is_planner(user)

    def due_counts(self, *, on: date) -> dict[int, int]:
        """`due_by_area` for every area (a count over every school in the country), worked out once a day
        and again whenever any area's visits or schools change: cached under the date and every area's
        change count (`Area.calendar_changes`, as the map is)."""
        changes = Area.objects.police_forces().order_by("pk").values_list("pk", "calendar_changes")
        key = f"due-by-area:{on:%Y-%m-%d}:{hashlib.sha256(repr(list(changes)).encode()).hexdigest()[:32]}"
        return cache.get_or_set(key, lambda: due_by_area(None, on=on), CACHE_SECONDS)

    def area_coverage(self, area: Area, *, on: date, user) -> coverage.AreaCoverage | None:
        """The area's coverage, cached as its map is: under the area's change count and the date (a visit's
        report counts a change too, for the children reached)."""
        if not planning_areas(user).filter(pk=area.pk).exists():
            return None
        key = f"area-coverage:{area.pk}:{area.calendar_changes}:{on:%Y-%m-%d}"
        return cache.get_or_set(key, lambda: area_coverage(area, on=on), CACHE_SECONDS)

    def area_map(self, area: Area, *, on: date, user) -> str | None:
        """The area's coverage map, drawn once a day and again whenever the area's visits or schools change:
        cached under the area's change count (`Area.calendar_changes`, counted on every change to a visit or
        school of the area by sessions/portal/feed_changes.py and by the schools import) and the date."""
        if not planning_areas(user).filter(pk=area.pk).exists():
            return None
        from sessions.reach.map import coverage_map, render_map  # noqa: PLC0415 — map.py imports this module

        key = f"coverage-map:{area.pk}:{area.calendar_changes}:{on:%Y-%m-%d}"
        drawn = cache.get_or_set(
            key, lambda: str(render_map(coverage_map([area], name=area.name, on=on))), CACHE_SECONDS
        )
        return mark_safe(drawn)  # drawn by render_map, which escapes every name it writes


coverage.register(ProgrammeCoverage())
