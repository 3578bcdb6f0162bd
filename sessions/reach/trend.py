"""Reach over the last academic years, for the reach page's charts (drawn by stats/charts.py: SVG made on
the server) and the table beside them, and the coverage map of the same areas (sessions/reach/map.py).

The definitions are the reach report's (sessions/reach/report.py): children reached are the visit
reports of delivered visits in the year; coverage is the share of open schools not due a visit
(`sessions.reach.coverage.due_by_area`) on the year's last day, or today while it runs, against
today's list of open schools. A fixed number of queries whatever the number of areas or schools.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, Sum

from schools.models import School
from sessions.access import planning_areas
from sessions.reach.coverage import due_by_area
from sessions.reach.map import CoverageMap, coverage_map
from sessions.reach.report import AcademicYear, reach_years, visits_in_scope
from stats.charts import Bar, bar_chart
from stats.models import Area

YEARS = 5  # the charts show at most this many academic years, this one last


@dataclass(frozen=True)
class YearReach:
    year: AcademicYear
    until: date
    children: int
    visited: int
    open_schools: int

    @property
    def coverage_percent(self) -> int | None:
        return round(self.visited * 100 / self.open_schools) if self.open_schools else None


@dataclass
class ReachPicture:
    years: list[YearReach]
    children_chart: str
    coverage_chart: str
    map: CoverageMap
    running: bool  # the last year is still running (counted to today)


def reach_by_year(user, areas: list[Area], today: date, years: list[AcademicYear] | None = None) -> list[YearReach]:
    """Children reached and coverage in each of the last academic years with a delivered visit (`years`, newest
    first, as `reach_years` gives them), oldest first."""
    if years is None:
        years = reach_years(user, areas, today)
    years = sorted(years[:YEARS], key=lambda y: y.start)
    sums = {f"y{y.start}": Sum("report__children_reached", filter=Q(date__range=(y.first_day, y.until(today))))
            for y in years}
    children = visits_in_scope(user, areas).aggregate(**sums)
    open_schools = School.objects.open().in_areas(areas).count()
    found = []
    for year in years:
        until = year.until(today)
        due = sum(due_by_area(areas, on=until).values())
        found.append(YearReach(year, until, children[f"y{year.start}"] or 0, open_schools - due, open_schools))
    return found


def scope_name(user, nation: Area | None) -> str:
    if nation is not None:
        return nation.name
    return "the United Kingdom" if user.is_staff else "your areas"


def reach_picture(user, *, nation: Area | None, on: date, today: date,
                  years: list[AcademicYear] | None = None) -> ReachPicture:
    """The charts over the years and the map on `on` (the reach report's day) for the user's areas, in the
    nation when one is chosen. `years`: the report's `years`, when it has them already."""
    areas = list(planning_areas(user))
    if nation is not None:
        areas = [area for area in areas if area.parent_id == nation.pk]
    years = reach_by_year(user, areas, today, years)
    name = scope_name(user, nation)
    running = bool(years) and years[-1].until < years[-1].year.last_day
    labels = [f"{y.year.label}{' so far' if running and y is years[-1] else ''}" for y in years]
    children_chart = bar_chart(
        [Bar(label, y.children) for label, y in zip(labels, years, strict=True)],
        title=f"Children reached in {name} by academic year", x_label="Academic year", y_label="Children reached",
        chart_id="reach-children",
    ) if years else ""
    coverage_chart = bar_chart(
        [Bar(label, y.coverage_percent) for label, y in zip(labels, years, strict=True)],
        title=f"Coverage in {name} by academic year (% of open schools visited within the programme cycle)",
        x_label="Academic year", y_label="Coverage (%)", chart_id="reach-coverage",
    ) if years else ""
    return ReachPicture(years=years, children_chart=children_chart, coverage_chart=coverage_chart,
                        map=coverage_map(areas, name=name, on=on), running=running)
