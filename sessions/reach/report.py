"""Programme reach: what the programme delivered, by academic year (September to August) and by police
force area, nation and the UK, for funders and trustees. The programme's side of the statistics pages
(schools due and coverage per area) is `sessions/reach/coverage.py`.

Definitions (one place for each):
- *Visits delivered*: visits with status delivered dated within the academic year.
- *Schools reached*: distinct schools among them. *Children reached, each counted once*: the sum of
  their visit reports' figures, each counted by `sessions.models.attendance.children_reached` (per year
  group, the highest attendance across the visit's sessions; a delivered visit without a report counts
  no children, and the report says how many lack one).
- *Breakdowns* (by local authority, term, key stage and year group, Welsh and SEND delivery, first or
  repeat visit, teacher feedback, concerns passed on): `sessions/reach/breakdowns.py`, for the total.
- *Sessions by type*: the session lines of those visits. *Volunteers active*: distinct volunteers who
  had accepted a place on one of them.
- *Cancellations by reason*: visits dated within the year that were cancelled, by the reason's category.
- *Coverage*: of the open schools (the register holds only primary-age schools: `import_schools`
  skips the rest), the share not due a visit, i.e. visited within the programme cycle
  (`School.objects.due`), on the last day of the academic year, or today while the year runs. Past
  years use today's list of open schools: the register keeps no history of openings and closures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Min, Sum
from django.utils import timezone

from config.dates import years_before
from schools.models import School
from sessions.access import is_staff, planning_areas, visible_visits
from sessions.models import Assignment, CancelReason, SessionType, Visit, VisitSession
from sessions.reach.breakdowns import Breakdowns, breakdowns
from sessions.reach.coverage import due_by_area
from stats import wording
from stats.models import Area, period_for_start_year

AREA = "school__local_authority__police_force"


@dataclass(frozen=True)
class AcademicYear:
    start: int

    @classmethod
    def containing(cls, day: date) -> AcademicYear:
        return cls(day.year if day.month >= 9 else day.year - 1)

    @property
    def label(self) -> str:
        return period_for_start_year(self.start)

    @property
    def first_day(self) -> date:
        return date(self.start, 9, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, 8, 31)

    @property
    def previous(self) -> AcademicYear:
        return AcademicYear(self.start - 1)

    def until(self, today: date) -> date:
        """The last day counted: the year's last day, or today while the year runs."""
        return min(self.last_day, today)

    def __str__(self) -> str:
        return self.label


@dataclass
class Reach:
    """The programme in one area, nation or the whole scope, in one academic year."""

    visits: int = 0
    schools: int = 0
    children: int = 0
    reported: int = 0
    volunteers: int = 0
    sessions: dict[int, int] = field(default_factory=dict)  # session type pk → lines
    open_schools: int = 0
    due: int = 0

    @property
    def visited(self) -> int:
        return self.open_schools - self.due

    @property
    def coverage_percent(self) -> int | None:
        return round(self.visited * 100 / self.open_schools) if self.open_schools else None

    @property
    def unreported(self) -> int:
        return self.visits - self.reported

    @property
    def sessions_total(self) -> int:
        return sum(self.sessions.values())

    def add(self, other: Reach) -> None:
        """Sum another area's reach into this one (volunteers are counted separately: one person
        may work in several areas)."""
        for name in ("visits", "schools", "children", "reported", "open_schools", "due"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for pk, n in other.sessions.items():
            self.sessions[pk] = self.sessions.get(pk, 0) + n


@dataclass
class ReachLine:
    name: str
    code: str
    kind: str  # "area", "nation" or "total"
    year: AcademicYear
    now: Reach
    before: Reach
    before_label: str  # "2025/26", or "2025/26 to 28 November 2025" while this year runs
    nation_code: str = ""

    def _change(self, name: str) -> str:
        return wording.change(getattr(self.before, name), self.before_label, getattr(self.now, name), self.year.label)

    @property
    def is_empty(self) -> bool:
        """No school on the register and nothing delivered in either year: not worth a row."""
        return not (self.now.open_schools or self.now.visits or self.before.visits)

    @property
    def visits_change(self) -> str:
        return self._change("visits")

    @property
    def schools_change(self) -> str:
        return self._change("schools")

    @property
    def children_change(self) -> str:
        return self._change("children")

    @property
    def volunteers_change(self) -> str:
        return self._change("volunteers")

    @property
    def coverage_change(self) -> str:
        if self.now.coverage_percent is None:
            return ""
        return wording.change_in_points(self.before.coverage_percent, self.before_label,
                                        self.now.coverage_percent, self.year.label)


@dataclass
class ReachReport:
    year: AcademicYear
    until: date  # the last day counted (today while the year runs) and the day coverage is measured
    previous_until: date  # the same day a year earlier: a running year is compared with the same part of the last
    session_types: list[SessionType]
    areas: list[ReachLine]
    nations: list[ReachLine]
    total: ReachLine
    years: list[AcademicYear]
    hidden_areas: int  # areas with no open school and no visit in either year, left out of `rows`
    declines: list[tuple[str, int]] = field(default_factory=list)  # (reason, count) for visits in the year
    breakdowns: Breakdowns | None = None  # of the total's delivered visits in the year
    cancellations: list[tuple[str, int]] = field(default_factory=list)  # (reason, count) for visits in the year

    @property
    def running(self) -> bool:
        return self.until < self.year.last_day

    @property
    def rows(self) -> list[ReachLine]:
        """Each nation followed by its areas (areas alone for a coordinator), leaving out empty areas."""
        areas = [line for line in self.areas if not line.is_empty]
        if not self.nations:
            return areas
        rows = []
        for nation in self.nations:
            mine = [line for line in areas if line.nation_code == nation.code]
            if mine:
                rows += [nation, *mine]
        return rows

    @property
    def sessions_by_type(self) -> list[tuple[SessionType, int, int]]:
        """Each session type with the total's lines this year and the year before."""
        now, before = self.total.now.sessions, self.total.before.sessions
        return [(t, now.get(t.pk, 0), before.get(t.pk, 0)) for t in self.session_types]


def declines_by_reason(user, areas: list[Area], first: date, until: date) -> list[tuple[str, int]]:
    """Invitations declined for visits dated in the period (any status), by the reason given, in one query."""
    rows = (
        Assignment.objects.filter(
            status=Assignment.Status.DECLINED,
            visit__in=visible_visits(user).in_areas(areas).filter(date__range=(first, until)),
        )
        .values("decline_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["decline_reason"]: row["n"] for row in rows}
    labels = [(value, label) for value, label in Assignment.DeclineReason.choices] + [("", "No reason recorded")]
    return [(label, counts[value]) for value, label in labels if counts.get(value)]


def cancellations_by_reason(user, areas: list[Area], first: date, until: date) -> list[tuple[str, int]]:
    """Visits dated in the period that were cancelled, by the reason's category (`CancelReason`; visits
    cancelled before categories were recorded, or in the admin, as "No reason recorded"), in one query."""
    rows = (
        visible_visits(user).in_areas(areas).filter(status=Visit.Status.CANCELLED, date__range=(first, until))
        .values("cancel_category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["cancel_category"]: row["n"] for row in rows}
    labels = [(value, str(label)) for value, label in CancelReason.choices] + [("", "No reason recorded")]
    return [(label, counts[value]) for value, label in labels if counts.get(value)]


def visits_in_scope(user, areas: list[Area]):
    """Delivered visits the user may see, in the given police force areas."""
    return visible_visits(user).in_areas(areas).filter(status=Visit.Status.DELIVERED)


def _reach_by_area(user, areas: list[Area], first: date, until: date) -> tuple[dict[int, Reach], dict]:
    """Each area's reach from `first` to `until` (coverage measured on `until`), in seven queries
    whatever the number of areas; and the volunteers active by nation and overall (counted
    distinctly, not summed: one person may work in several areas)."""
    visits = visits_in_scope(user, areas).filter(date__range=(first, until))
    by_area: dict[int, Reach] = defaultdict(Reach)
    for row in (
        visits.values(area=F(AREA))
        .annotate(
            visits=Count("pk"),
            schools=Count("school", distinct=True),
            children=Sum("report__children_reached"),
            reported=Count("report"),
        )
        .order_by()
    ):
        reach = by_area[row["area"]]
        reach.visits, reach.schools = row["visits"], row["schools"]
        reach.children, reach.reported = row["children"] or 0, row["reported"]
    for row in (
        VisitSession.objects.filter(visit__in=visits)
        .values("session_type", area=F(f"visit__{AREA}"))
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_area[row["area"]].sessions[row["session_type"]] = row["n"]
    accepted = Assignment.objects.filter(visit__in=visits, status=Assignment.Status.ACCEPTED)
    volunteers: dict = {"nations": {}, "total": 0}
    for row in accepted.values(area=F(f"visit__{AREA}")).annotate(n=Count("volunteer", distinct=True)).order_by():
        by_area[row["area"]].volunteers = row["n"]
    for row in (
        accepted.values(nation=F(f"visit__{AREA}__parent")).annotate(n=Count("volunteer", distinct=True)).order_by()
    ):
        volunteers["nations"][row["nation"]] = row["n"]
    volunteers["total"] = accepted.aggregate(n=Count("volunteer", distinct=True))["n"]
    on = until
    for row in School.objects.open().in_areas(areas).values(area=F("local_authority__police_force")).annotate(
        n=Count("pk")
    ).order_by():
        by_area[row["area"]].open_schools = row["n"]
    for area_pk, n in due_by_area(areas, on=on).items():
        by_area[area_pk].due = n
    return by_area, volunteers


def reach_years(user, areas: list[Area], today: date) -> list[AcademicYear]:
    """From the first year with a delivered visit (or this year) to this year, newest first."""
    first = visits_in_scope(user, areas).aggregate(first=Min("date"))["first"]
    current = AcademicYear.containing(today)
    start = AcademicYear.containing(first).start if first else current.start
    return [AcademicYear(y) for y in range(current.start, min(start, current.start) - 1, -1)]


def reach_report(user, *, year: AcademicYear, nation: Area | None = None, today: date | None = None) -> ReachReport:
    """The reach report the user may see, in a fixed number of queries whatever the number of areas.

    While the year runs it counts up to today and compares with the same part of the year before, so
    three months are never set against twelve."""
    today = today or timezone.localdate()
    areas = list(planning_areas(user).select_related("parent"))
    if nation is not None:
        areas = [area for area in areas if area.parent_id == nation.pk]
    until = year.until(today)
    previous_until = years_before(until, 1)
    before_label = year.previous.label
    if until < year.last_day:
        before_label += f" to {previous_until:%-d %B %Y}"
    now, volunteers_now = _reach_by_area(user, areas, year.first_day, until)
    before, volunteers_before = _reach_by_area(user, areas, year.previous.first_day, previous_until)

    def line(name: str, code: str, kind: str, now_reach: Reach, before_reach: Reach,
             nation_code: str = "") -> ReachLine:
        return ReachLine(name, code, kind, year, now_reach, before_reach, before_label, nation_code)

    lines = [
        line(area.name, area.code, "area", now.get(area.pk, Reach()), before.get(area.pk, Reach()),
             area.parent.code if area.parent else "")
        for area in areas
    ]
    nations: dict[int, ReachLine] = {}
    if is_staff(user) and nation is None:
        for area in areas:
            if area.parent is None:
                continue
            if area.parent_id not in nations:
                nations[area.parent_id] = line(area.parent.name, area.parent.code, "nation", Reach(), Reach())
                nations[area.parent_id].now.volunteers = volunteers_now["nations"].get(area.parent_id, 0)
                nations[area.parent_id].before.volunteers = volunteers_before["nations"].get(area.parent_id, 0)
            nations[area.parent_id].now.add(now.get(area.pk, Reach()))
            nations[area.parent_id].before.add(before.get(area.pk, Reach()))
    if not is_staff(user):
        total = line("All your areas", "", "total", Reach(), Reach())
    elif nation is not None:
        total = line(nation.name, nation.code, "total", Reach(), Reach())
    else:
        total = line("United Kingdom", "K02000001", "total", Reach(), Reach())
    for area_line in lines:
        total.now.add(area_line.now)
        total.before.add(area_line.before)
    total.now.volunteers, total.before.volunteers = volunteers_now["total"], volunteers_before["total"]
    return ReachReport(
        year=year,
        until=until,
        previous_until=previous_until,
        session_types=list(SessionType.objects.all()),
        areas=lines,
        nations=sorted(nations.values(), key=lambda n: n.name),
        total=total,
        years=reach_years(user, areas, today),
        hidden_areas=sum(1 for area_line in lines if area_line.is_empty),
        declines=declines_by_reason(user, areas, year.first_day, until),
        breakdowns=breakdowns(visits_in_scope(user, areas).filter(date__range=(year.first_day, until))),
        cancellations=cancellations_by_reason(user, areas, year.first_day, until),
    )
