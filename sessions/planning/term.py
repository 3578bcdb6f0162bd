"""The term planner: a whole term's visits for a coordinator's areas, proposed and staffed in one go.

`plan_term(choice)` reads what the planner needs once (the due schools, their term calendars and
closures, the volunteers covering the areas with their bookings and absences), then:

1. **Schools**: the schools due a visit (`School.objects.due`) without a visit proposed or confirmed,
   open requests first, then never visited, then longest since a visit.
2. **Dates**: each school's school days in the term: its authority's term (`TermDate`), less the days
   the visit rules refuse (`problems.weekend`, `bank_holiday`, `school_holiday`, `inset`, and the
   school's `preference` where it asked for a visit), less the weekdays the coordinator avoids. A
   morning slot, or an afternoon one where the school asked for afternoons.
3. **Sessions**: the session types that suit the school's ages (`SessionType.suits`): an assembly for
   each key stage it has, and the class workshops too where a year group is one class.
4. **Volunteers**: for each school and a few of its days spread over the term, those who may take it
   (the staffing panel's pool: covering the area, cleared on the date by `Volunteer.is_cleared_on`,
   not away, not booked at that time, within their travel limit or at an unknown distance, under the
   monthly cap), nearest first.
5. **Solving**: one mixed-integer programme (HiGHS through SciPy's `milp`) per group of schools that
   share volunteers chooses at most one (day, lead, supporters) per school: as many schools as
   possible, higher on the list first, then the least total travel, then each volunteer's visits
   spread (each further visit in the term costs more), never two visits a day for one volunteer and
   never more than the monthly cap. Deterministic: sorted inputs, and HiGHS solves the same model the
   same way; bounded by `TERM_PLAN_SOLVER_SECONDS`.

Every school it could not place is returned with why, so the shortfall says where volunteers are
needed. Nothing is written here: `create_from_draft` makes the visits a coordinator ticks, through the
same service functions and gates as a visit made by hand.
"""

from __future__ import annotations

import logging
import re
import time as clock
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from config.dates import month_of, plus_minutes
from schools.geography import distance_km
from schools.models import (
    LIVE_VISIT_STATUSES,
    School,
    SchoolClosure,
    TermDate,
    academic_year_label,
    academic_year_of,
    cycle_start,
)
from sessions.models import (
    Assignment,
    SessionType,
    StaffingOption,
    TermDraft,
    Unavailability,
    Visit,
    VisitSession,
    Volunteer,
    problems,
)
from sessions.models.problems import STAFFING_CODES
from sessions.services import assign_volunteer, save_visit
from stats.models import Area

logger = logging.getLogger(__name__)

TERMS = ("autumn", "spring", "summer")
MORNING, AFTERNOON = time(9, 30), time(13, 15)
CHANGEOVER_MINUTES = 15  # between two sessions of a visit
ONE_CLASS = 35  # pupils per year group at most for one class: a class workshop then reaches the year
DAYS_PER_SCHOOL = 4  # candidate days per school, spread over the term
LEADS_PER_DAY, SUPPORT_PER_DAY = 6, 8  # nearest candidates kept per (school, day)
PLACE_WEIGHT, PRIORITY_WEIGHT, SPREAD_COST = 1000.0, 500.0, 3.0
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
YEAR_PATTERN = re.compile(r"\A(\d{4})\s*[/-]\s*(\d{2})\Z")
YEAR_MESSAGE = "Enter the academic year as 2026/27: the year it starts, a slash, and the next year’s last two digits."


# --- What the coordinator asks for


def parse_academic_year(text: str) -> int:
    """2026 for "2026/27"; a ValidationError saying how to write it otherwise."""
    match = YEAR_PATTERN.match(str(text).strip())
    if not match:
        raise ValidationError(YEAR_MESSAGE, code="academic_year")
    start, end = int(match[1]), int(match[2])
    if (start + 1) % 100 != end:
        raise ValidationError(
            f"{text.strip()} is not an academic year: the one starting in {start} is {start}/{(start + 1) % 100:02d}.",
            code="academic_year",
        )
    return start


def parse_term(text: str) -> str:
    term = str(text).strip().lower().removesuffix(" term")
    if term not in TERMS:
        raise ValidationError("Choose the autumn, spring or summer term.", code="term")
    return term


def plannable_years(today: date) -> range:
    """The academic years a term may be planned for: this one and the next."""
    this = academic_year_of(today)
    return range(this, this + 2)


def check_year(year: int, today: date) -> None:
    years = plannable_years(today)
    if year not in years:
        raise ValidationError(
            f"Plan a term of {academic_year_label(years[0])} or {academic_year_label(years[-1])}: "
            f"{academic_year_label(year)} is {'over' if year < years[0] else 'too far ahead'}.",
            code="academic_year",
        )


@dataclass(frozen=True)
class TermChoice:
    """One planning request: which term, which areas, which weekdays to leave out, the monthly cap."""

    areas: tuple[Area, ...]
    academic_year: int
    term: str
    avoid_weekdays: frozenset[int] = frozenset()
    monthly_cap: int = 4
    today: date | None = None
    seconds: float | None = None

    @property
    def label(self) -> str:
        return f"{self.term} term {academic_year_label(self.academic_year)}"


# --- What it proposes


@dataclass
class ProposedVisit:
    urn: int
    school: str
    area: str
    date: date
    starts_at: time
    ends_at: time
    sessions: list[dict]  # slug, name, starts_at (HH:MM), year_groups, pupils, welsh, send
    lead: int
    support: list[int]
    km: dict[int, float | None]
    names: dict[int, str]
    reasons: list[str]
    request_id: int | None = None

    def as_json(self) -> dict:
        return {
            "urn": self.urn,
            "date": self.date.isoformat(),
            "starts_at": f"{self.starts_at:%H:%M}",
            "ends_at": f"{self.ends_at:%H:%M}",
            "session_types": [line["slug"] for line in self.sessions],
            "lead": self.lead,
            "support": list(self.support),
            "km": {str(v): (None if k is None else round(k, 1)) for v, k in self.km.items()},
        }

    def as_row(self) -> dict:
        """What a draft keeps of it (JSON), enough to show it and to create it later."""
        row = asdict(self)
        row |= {"date": self.date.isoformat(), "starts_at": f"{self.starts_at:%H:%M}",
                "ends_at": f"{self.ends_at:%H:%M}",
                "km": {str(v): (None if k is None else round(k, 1)) for v, k in self.km.items()},
                "names": {str(v): name for v, name in self.names.items()}}
        return row


@dataclass
class LeftOut:
    urn: int
    school: str
    area: str
    reason: str

    def as_json(self) -> dict:
        return {"urn": self.urn, "reason": self.reason}


@dataclass
class Plan:
    choice: TermChoice
    visits: list[ProposedVisit] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    solver_seconds: float = 0.0
    seconds: float = 0.0
    optimal: bool = True

    @property
    def total_km(self) -> float:
        return round(sum(k for visit in self.visits for k in visit.km.values() if k is not None), 1)

    def as_json(self) -> dict:
        return {"visits": [v.as_json() for v in self.visits], "left_out": [s.as_json() for s in self.left_out]}

    def summary(self) -> dict:
        return {"placed": len(self.visits), "left_out": len(self.left_out), "total_km": self.total_km,
                "solver_seconds": round(self.solver_seconds, 2), "seconds": round(self.seconds, 2),
                "optimal": self.optimal}


# --- Reading the world


@dataclass
class Candidate:
    """A school on a day with the volunteers who could take it then (nearest first)."""

    school: School
    day: date
    starts_at: time
    ends_at: time
    leads: list[int]
    support: list[int]
    offset: int  # its place among the school's days, for a deterministic tie-break


@dataclass
class SchoolNeeds:
    school: School
    request: Visit | None
    priority: int  # 0 = first on the list
    why: str
    sessions: list[dict]
    sessions_why: str
    needed: int
    welsh: bool
    send: bool
    days: list[date] = field(default_factory=list)
    starts_at: time = MORNING
    ends_at: time = MORNING


class World:
    """Everything the planner reads, in a fixed number of queries whatever the number of schools."""

    def __init__(self, choice: TermChoice) -> None:
        self.choice = choice
        self.today = choice.today or timezone.localdate()
        area_ids = [area.pk for area in choice.areas]
        self.area_names = {area.pk: area.name for area in choice.areas}
        self.schools = list(
            School.objects.due(on=self.today)
            .in_areas(area_ids)
            .with_live_visit()
            .select_related("local_authority")
            .order_by("urn")
        )
        school_ids = [school.pk for school in self.schools]
        # Open requests (no coordinator's visit yet): the first on the list, and their preferences.
        self.requests: dict[int, Visit] = {}
        for visit in Visit.objects.filter(school_id__in=school_ids, status=Visit.Status.REQUESTED).order_by("pk"):
            self.requests.setdefault(visit.school_id, visit)
        la_ids = {school.local_authority_id for school in self.schools if school.local_authority_id}
        self.term_dates: dict[int, list[TermDate]] = defaultdict(list)
        for span in TermDate.objects.filter(local_authority_id__in=la_ids, academic_year=choice.academic_year):
            self.term_dates[span.local_authority_id].append(span)
        self.closures: dict[int, list[SchoolClosure]] = defaultdict(list)
        for closure in SchoolClosure.objects.filter(school_id__in=school_ids).order_by("starts_on", "pk"):
            self.closures[closure.school_id].append(closure)
        self.session_types = list(SessionType.objects.filter(active=True).order_by("min_age", "format", "slug"))
        # The volunteers: active, covering one of the areas, with the areas they cover.
        self.volunteers: dict[int, Volunteer] = {
            v.pk: v
            for v in Volunteer.objects.active()
            .filter(areas__in=area_ids)
            .distinct()
            .select_related("user")
            .order_by("pk")
        }
        self.covers: dict[int, set[int]] = defaultdict(set)  # area id → volunteer ids
        for volunteer_id, area_id in Volunteer.areas.through.objects.filter(
            volunteer_id__in=list(self.volunteers), area_id__in=area_ids
        ).values_list("volunteer_id", "area_id"):
            self.covers[area_id].add(volunteer_id)
        self.points = {pk: v.location for pk, v in self.volunteers.items()}
        first, last = date(choice.academic_year, 9, 1), date(choice.academic_year + 1, 8, 31)
        # Their bookings and absences in the academic year (month counts for the cap; times for clashes).
        self.booked_at: dict[tuple[int, date], list[tuple[time, time]]] = defaultdict(list)
        self.month_count: dict[tuple[int, date], int] = defaultdict(int)
        rows = (
            Assignment.objects.active()
            .filter(volunteer_id__in=list(self.volunteers), visit__date__range=(month_of(first)[0], last))
            .values_list("volunteer_id", "visit__date", "visit__starts_at", "visit__ends_at")
        )
        for volunteer_id, day, starts, ends in rows:
            self.booked_at[(volunteer_id, day)].append((starts, ends))
            self.month_count[(volunteer_id, month_of(day)[0])] += 1
        self.away: dict[int, list[tuple[date, date]]] = defaultdict(list)
        for volunteer_id, starts, ends in Unavailability.objects.filter(
            volunteer_id__in=list(self.volunteers), ends_on__gte=first, starts_on__lte=last
        ).values_list("volunteer_id", "starts_on", "ends_on"):
            self.away[volunteer_id].append((starts, ends))
        self._cleared: dict[tuple[int, date], bool] = {}
        self._la_days: dict[tuple[int, str], tuple[list[date], str]] = {}
        self._reach: dict[int, list[tuple[float, int, float | None]]] = {}

    def cleared(self, volunteer_id: int, day: date) -> bool:
        key = (volunteer_id, day)
        if key not in self._cleared:
            self._cleared[key] = self.volunteers[volunteer_id].is_cleared_on(day)
        return self._cleared[key]

    def is_away(self, volunteer_id: int, day: date) -> bool:
        return any(starts <= day <= ends for starts, ends in self.away.get(volunteer_id, ()))

    def is_booked(self, volunteer_id: int, day: date, starts_at: time, ends_at: time) -> bool:
        return any(s < ends_at and e > starts_at for s, e in self.booked_at.get((volunteer_id, day), ()))


# --- Dates: the visit rules decide which days a school can have a visit


def _facts(school: School, day: date, *, visit: Visit | None, term_dates, closures) -> problems.Facts:
    """The visit rules' facts for a visit not yet made, with the calendar already read (no queries)."""
    probe = Visit(school=school, date=day, starts_at=MORNING, ends_at=plus_minutes(MORNING, 60))
    if visit is not None:
        probe.preferred_weekdays, probe.preferred_time = visit.preferred_weekdays, visit.preferred_time
        probe.dates_to_avoid = visit.dates_to_avoid
    facts = problems.Facts(visit=probe, school=school, sessions=[], booked=[])
    facts.__dict__["term_dates"] = term_dates  # the cached properties, filled from what was read
    facts.__dict__["closures"] = [c for c in closures if c.starts_on <= day <= c.ends_on]
    return facts


CALENDAR_RULES = (problems.weekend, problems.bank_holiday, problems.school_holiday, problems.inset)


def term_span(spans: Iterable[TermDate], term: str) -> TermDate | None:
    return next((s for s in spans if s.kind == TermDate.Kind.TERM and s.name == f"{term} term"), None)


def school_days(world: World, school: School, request: Visit | None) -> tuple[list[date], str]:
    """The school's days in the term a visit may be on, or none and why."""
    choice = world.choice
    label = academic_year_label(choice.academic_year)
    la = school.local_authority
    if la is None:
        return [], "no local authority is recorded for it, so its term dates are not known"
    spans = world.term_dates.get(la.pk, [])
    if not spans:
        return [], f"no term dates for {la.name} {label}"
    span = term_span(spans, choice.term)
    if span is None:
        return [], f"no {choice.term} term in {la.name}’s {label} term dates"
    key = (la.pk, school.nation)
    if key not in world._la_days:
        # The authority's calendar and bank holidays, asked of the rules once per authority and nation.
        days, day = [], max(span.starts_on, world.today + timedelta(days=1))
        while day <= span.ends_on:
            facts = _facts(school, day, visit=None, term_dates=spans, closures=[])
            if not any(p for rule in CALENDAR_RULES for p in rule(facts)):
                days.append(day)
            day += timedelta(days=1)
        why = "" if days else f"the {choice.label} has no school days left in {la.name}"
        world._la_days[key] = (days, why)
    days, why = world._la_days[key]
    if not days:
        return [], why
    closures = world.closures.get(school.pk, [])
    if closures:
        days = [d for d in days if not any(
            p for rule in (problems.school_holiday, problems.inset)
            for p in rule(_facts(school, d, visit=None, term_dates=spans, closures=closures))
        )]
        if not days:
            return [], f"it is closed on every school day left in the {choice.label}"
    if choice.avoid_weekdays:
        days = [d for d in days if d.weekday() not in choice.avoid_weekdays]
        if not days:
            return [], "every school day left in the term falls on a weekday you chose to avoid"
    if request is not None and request.preferences:
        suiting = []
        for d in days:
            facts = _facts(school, d, visit=request, term_dates=spans, closures=[])
            facts.visit.starts_at = AFTERNOON if request.preferred_time == "afternoon" else MORNING
            if not any(problems.preference(facts)):
                suiting.append(d)
        if not suiting:
            return [], f"no school day in the term suits what the school asked for ({'; '.join(request.preferences)})"
        days = suiting
    return days, ""


# --- Sessions: what suits the school's ages and size


def year_groups_of(session_type: SessionType) -> list[int]:
    """The year groups a session's ages cover: age 5 is Year 1, age 10 is Year 6 (Reception is 4)."""
    return [age - 4 for age in range(session_type.min_age, session_type.max_age) if 0 <= age - 4 <= 6]


def school_year_groups(school: School) -> list[int]:
    if school.low_age is None or school.high_age is None:
        return list(range(0, 7))
    return [y for y in range(0, 7) if school.low_age <= y + 4 and y + 5 <= school.high_age]


def sessions_for(world: World, school: School, request: Visit | None, starts_at: time) -> tuple[list[dict], str]:
    """The session lines for the school (one after another from `starts_at`), and why these."""
    years = school_year_groups(school)
    asked = {}
    if request is not None and request.pupils_by_year:
        asked = {int(k): int(n) for k, n in request.pupils_by_year.items() if str(k).isdigit() and int(n) > 0}
        years = [y for y in years if y in asked] or years
    per_year = None
    if asked:
        per_year = max(asked.values())
    elif school.pupils and years:
        per_year = round(school.pupils / len(school_year_groups(school) or years))
    one_class = per_year is not None and per_year <= ONE_CLASS and starts_at < time(12, 0)
    welsh = school.welsh_medium or bool(request and request.needs_welsh)
    send = bool(request and request.needs_send)
    lines, at, left = [], starts_at, 0
    # Assemblies first, then the workshops that still end by the end of the morning or afternoon.
    ordered = sorted(world.session_types, key=lambda t: (t.format != "assembly", t.min_age, t.slug))
    for session_type in ordered:
        if not session_type.suits(school):
            continue
        if session_type.format == "workshop" and not one_class:
            continue
        if lines and plus_minutes(at, session_type.duration_minutes) > latest_end(starts_at):
            left += 1
            continue
        covered = [y for y in year_groups_of(session_type) if y in years]
        if not covered:
            continue
        if asked:
            pupils = sum(asked.get(y, 0) for y in covered)
        elif per_year:
            pupils = per_year * len(covered)
        else:
            pupils = 0
        lines.append({
            "slug": session_type.slug, "name": session_type.name, "starts_at": f"{at:%H:%M}",
            "year_groups": covered, "pupils": pupils, "welsh": welsh, "send": send,
            "minutes": session_type.duration_minutes, "needed": session_type.volunteers_needed,
        })
        at = plus_minutes(at, session_type.duration_minutes + CHANGEOVER_MINUTES)
    if not lines:
        return [], f"no session suits its ages ({school.age_range})"
    size = f"about {per_year} pupils a year" if per_year else "its size is not known"
    kinds = "assemblies and class workshops (one class a year)" if one_class else "assemblies"
    if len(lines) == 1:
        kinds = "assembly" if lines[0]["slug"].startswith("assembly") else "workshop"
    more = ""
    if left:
        more = f"; {left} more workshop{'s' if left != 1 else ''} would run past {latest_end(starts_at):%H:%M}"
    return lines, f"ages {school.age_range}, {size}: the {kinds} that suit{more}"


def latest_end(starts_at: time) -> time:
    """A morning visit ends by lunch, an afternoon one by the end of the school day."""
    return time(12, 15) if starts_at < time(12, 0) else time(15, 15)


def visit_end(lines: list[dict]) -> time:
    last = lines[-1]
    return plus_minutes(time.fromisoformat(last["starts_at"]), last["minutes"])


# --- Why a school is on the list


def priority_order(world: World) -> list[tuple[School, Visit | None, str]]:
    """The due schools without a live visit of a coordinator's, in the order they are planned for."""
    start = cycle_start(world.today)
    ordered = []
    for school in world.schools:
        request = world.requests.get(school.pk)
        if school.has_live_visit and request is None:
            continue  # already being seen to: a visit proposed or confirmed
        if request is not None:
            asked = timezone.localtime(request.created_at).date()
            who = f" by {request.requester_name}" if request.requester_name else ""
            key, why = (0, asked.toordinal(), school.urn), f"it asked for a visit on {asked:%-d %B %Y}{who}"
        elif school.last_visit_on is None:
            key, why = (1, 0, school.urn), "it has never had a visit"
        else:
            key = (2, school.last_visit_on.toordinal(), school.urn)
            why = f"its last visit was on {school.last_visit_on:%-d %B %Y}, before {start:%-d %B %Y}"
        ordered.append((key, school, request, why))
    ordered.sort(key=lambda row: row[0])
    return [(school, request, why) for _, school, request, why in ordered]


# --- Who could take a school on a day


def within_reach(world: World, school: School) -> list[tuple[float, int, float | None]]:
    """(cost km, volunteer id, km) for each volunteer covering the school's area within their travel
    limit (or at an unknown distance, costed at their limit), nearest first; worked out once a school."""
    key = school.pk
    if key not in world._reach:
        found = []
        for volunteer_id in sorted(world.covers.get(school.local_authority.police_force_id, ())):
            volunteer = world.volunteers[volunteer_id]
            km = distance_km(school.location, world.points[volunteer_id])
            if km is not None and km > volunteer.max_travel_km:
                continue
            found.append((km if km is not None else float(volunteer.max_travel_km), volunteer_id, km))
        found.sort()
        world._reach[key] = found
    return world._reach[key]


def eligible(world: World, needs: SchoolNeeds, day: date) -> list[tuple[float, int, float | None]]:
    """Those within reach who could take the school's visit that day: under the cap that month, cleared
    on the date, not away, not booked at that time."""
    month = month_of(day)[0]
    cap = world.choice.monthly_cap
    return [
        option for option in within_reach(world, needs.school)
        if world.month_count.get((option[1], month), 0) < cap
        and world.cleared(option[1], day)
        and not world.is_away(option[1], day)
        and not world.is_booked(option[1], day, needs.starts_at, needs.ends_at)
    ]


def team_possible(world: World, needs: SchoolNeeds, pool: list[tuple[float, int, float | None]]) -> str:
    """Why no team can be made from `pool` ("" when one can)."""
    ids = [v for _, v, _ in pool]
    if len(ids) < needs.needed:
        return "volunteers"
    if not any(world.volunteers[v].may_lead for v in ids):
        return "lead"
    if needs.welsh and not any(world.volunteers[v].speaks_welsh for v in ids):
        return "welsh"
    if needs.send and not any(world.volunteers[v].send_experience for v in ids):
        return "send"
    return ""


def no_team_reason(world: World, needs: SchoolNeeds, worst: str) -> str:
    school = needs.school
    area_id = school.local_authority.police_force_id
    covering = world.covers.get(area_id, set())
    area = world.area_names.get(area_id, "its area")
    if not covering:
        return f"no volunteer covers {area}"
    reach = [v for _, v, _ in within_reach(world, school)]
    if not reach:
        nearest = min(
            (km, world.volunteers[v].max_travel_km)
            for v in covering if (km := distance_km(school.location, world.points[v])) is not None
        )
        return f"no volunteer within {nearest[1]} km (the nearest lives {round(nearest[0])} km away)"
    if len(reach) < needs.needed:
        some = f"{len(reach)} volunteer{'s' if len(reach) != 1 else ''}"
        return f"only {some} within travel distance; a visit needs {needs.needed}"
    return {
        "lead": "no volunteer who may lead is free and cleared that term within travel distance",
        "welsh": "no Welsh speaker free that term within travel distance",
        "send": "no volunteer with SEND experience free that term within travel distance",
    }.get(worst, f"fewer than {needs.needed} volunteers within travel distance are cleared and free on any one "
                 f"school day that term, under the cap of {world.choice.monthly_cap} visits a month")


def spread(days: list[date], k: int, seed: int) -> list[date]:
    """`k` of `days`, evenly spread, starting at a place that depends on `seed` (the URN): schools'
    candidate days fall across the whole term, not all on its first days."""
    if len(days) <= k:
        return list(days)
    step = len(days) / k
    shift = (seed % 97) / 97 * step
    return sorted({days[min(len(days) - 1, int(shift + i * step))] for i in range(k)})


def candidates_for(world: World, needs: SchoolNeeds) -> tuple[list[Candidate], str]:
    worst_rank = {"volunteers": 0, "lead": 1, "welsh": 2, "send": 3}
    worst, usable = "volunteers", []
    for day in needs.days:
        pool = eligible(world, needs, day)
        missing = team_possible(world, needs, pool)
        if missing:
            if worst_rank[missing] > worst_rank[worst]:
                worst = missing
            continue
        usable.append((day, pool))
    if not usable:
        return [], no_team_reason(world, needs, worst)
    chosen = set(spread([d for d, _ in usable], DAYS_PER_SCHOOL, needs.school.urn))
    found = []
    for day, pool in usable:
        if day not in chosen:
            continue
        offset = len(found)
        ids = [v for _, v, _ in pool]
        leads = [v for v in ids if world.volunteers[v].may_lead][:LEADS_PER_DAY]
        support = ids[:SUPPORT_PER_DAY]
        # Make sure the people the visit must have are among them: a Welsh speaker, SEND experience.
        for wanted, has in ((needs.welsh, "speaks_welsh"), (needs.send, "send_experience")):
            if wanted:
                extra = [v for v in ids if getattr(world.volunteers[v], has)][:2]
                support += [v for v in extra if v not in support]
                leads += [v for v in extra if v not in leads and world.volunteers[v].may_lead]
        found.append(Candidate(needs.school, day, needs.starts_at, needs.ends_at, leads, support, offset))
    return found, ""


# --- The solver


@dataclass
class Choice:
    candidate: Candidate
    lead: int
    support: list[int]


def km_cost(world: World, school: School, volunteer_id: int) -> float:
    return next(cost for cost, v, _ in within_reach(world, school) if v == volunteer_id)


def solve(world: World, needs_by_school: dict[int, SchoolNeeds], candidates: list[Candidate],
          seconds: float) -> tuple[list[Choice], bool]:
    """The best choice of candidates and teams (see the module's docstring); whether it was proved best."""
    if not candidates:
        return [], True
    cost: list[float] = []
    integral: list[int] = []
    upper: list[float] = []
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lower_b: list[float] = []
    upper_b: list[float] = []

    def variable(c: float, integer: bool = True, ub: float = 1.0) -> int:
        cost.append(c)
        integral.append(1 if integer else 0)
        upper.append(ub)
        return len(cost) - 1

    def constraint(terms: list[tuple[int, float]], lo: float, hi: float) -> None:
        row = len(lower_b)
        for col, val in terms:
            rows.append(row)
            cols.append(col)
            vals.append(val)
        lower_b.append(lo)
        upper_b.append(hi)

    n = max(len(needs_by_school), 1)
    y: list[int] = []
    team_vars: list[dict[int, int]] = []
    by_school: dict[int, list[int]] = defaultdict(list)
    by_volunteer_day: dict[tuple[int, date], list[int]] = defaultdict(list)
    by_volunteer_month: dict[tuple[int, date], list[int]] = defaultdict(list)
    by_volunteer: dict[int, list[int]] = defaultdict(list)
    for index, candidate in enumerate(candidates):
        needs = needs_by_school[candidate.school.pk]
        worth = PLACE_WEIGHT + PRIORITY_WEIGHT * (1 - needs.priority / n)
        # Ties broken by a day that depends on the school, so equal schools spread over the term.
        yi = variable(-worth + 0.001 * ((candidate.offset + candidate.school.urn) % DAYS_PER_SCHOOL))
        y.append(yi)
        by_school[candidate.school.pk].append(yi)
        # One variable per volunteer on the team (who leads is chosen after: the nearest who may lead),
        # so the model does not hold the same team twice with the roles swapped.
        team = {v: variable(km_cost(world, candidate.school, v))
                for v in sorted({*candidate.leads, *candidate.support})}
        team_vars.append(team)
        constraint([(x, 1.0) for x in team.values()] + [(yi, -float(needs.needed))], 0, 0)
        month = month_of(candidate.day)[0]
        for v, x in team.items():
            by_volunteer_day[(v, candidate.day)].append(x)
            by_volunteer_month[(v, month)].append(x)
            by_volunteer[v].append(x)
        for wanted, has in ((True, "may_lead"), (needs.welsh, "speaks_welsh"), (needs.send, "send_experience")):
            if wanted:
                terms = [(x, 1.0) for v, x in team.items() if getattr(world.volunteers[v], has)]
                constraint(terms + [(yi, -1.0)], 0, np.inf)
    for variables in by_school.values():
        constraint([(x, 1.0) for x in variables], 0, 1)
    for variables in by_volunteer_day.values():
        constraint([(x, 1.0) for x in variables], 0, 1)
    cap = world.choice.monthly_cap
    for (v, month), variables in by_volunteer_month.items():
        room = cap - world.month_count.get((v, month), 0)
        constraint([(x, 1.0) for x in variables], 0, room)
    # Spreading: a volunteer's k-th visit of the term costs more than their (k-1)-th.
    # They can have at most the cap in each month they could work: as many steps, no more.
    room_in_term: dict[int, int] = defaultdict(int)
    for (v, month) in by_volunteer_month:
        room_in_term[v] += max(0, cap - world.month_count.get((v, month), 0))
    for v, variables in sorted(by_volunteer.items()):
        steps = [variable(SPREAD_COST * k, integer=False) for k in range(room_in_term[v])]
        constraint([(x, 1.0) for x in variables] + [(s, -1.0) for s in steps], 0, 0)
    matrix = coo_matrix((vals, (rows, cols)), shape=(len(lower_b), len(cost))).tocsr()
    result = milp(
        c=np.array(cost),
        integrality=np.array(integral),
        bounds=Bounds(np.zeros(len(cost)), np.array(upper)),
        constraints=LinearConstraint(matrix, np.array(lower_b), np.array(upper_b)),
        options={"time_limit": seconds, "disp": False, "presolve": True, "mip_rel_gap": 1e-4},
    )
    if result.x is None:
        return [], False
    x = result.x
    chosen = []
    for index, candidate in enumerate(candidates):
        if x[y[index]] < 0.5:
            continue
        team = [v for v, col in team_vars[index].items() if x[col] > 0.5]
        lead = min((v for v in team if world.volunteers[v].may_lead),
                   key=lambda v: (km_cost(world, candidate.school, v), v))
        chosen.append(Choice(candidate, lead, sorted(v for v in team if v != lead)))
    return chosen, result.status == 0


def groups(candidates: list[Candidate]) -> list[list[Candidate]]:
    """Candidates in groups that share no volunteer (each solved on its own: the same answer, sooner)."""
    parent: dict = {}

    def find(a):
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for candidate in candidates:
        school = ("s", candidate.school.pk)
        for v in [*candidate.leads, *candidate.support]:
            parent[find(("v", v))] = find(school)
        find(school)
    grouped: dict = defaultdict(list)
    for candidate in candidates:
        grouped[find(("s", candidate.school.pk))].append(candidate)
    return [grouped[key] for key in sorted(grouped, key=lambda k: min(c.school.urn for c in grouped[k]))]


# --- The plan


def prepare(world: World) -> tuple[dict[int, SchoolNeeds], list[Candidate], list[LeftOut]]:
    """Each due school's needs and candidate (day, volunteers), or why it has none."""
    needs_by_school: dict[int, SchoolNeeds] = {}
    candidates: list[Candidate] = []
    left_out: list[LeftOut] = []
    for priority, (school, request, why) in enumerate(priority_order(world)):
        area = world.area_names.get(school.local_authority.police_force_id, "") if school.local_authority else ""

        def leave(reason: str, school=school, area=area) -> None:
            left_out.append(LeftOut(school.urn, school.name, area, reason))

        starts_at = AFTERNOON if request is not None and request.preferred_time == "afternoon" else MORNING
        lines, sessions_why = sessions_for(world, school, request, starts_at)
        if not lines:
            leave(sessions_why)
            continue
        days, days_why = school_days(world, school, request)
        if not days:
            leave(days_why)
            continue
        needs = SchoolNeeds(
            school=school, request=request, priority=priority, why=why, sessions=lines, sessions_why=sessions_why,
            needed=max(2, max(line["needed"] for line in lines)),
            welsh=school.welsh_medium or bool(request and request.needs_welsh),
            send=bool(request and request.needs_send), days=days, starts_at=starts_at, ends_at=visit_end(lines),
        )
        found, reason = candidates_for(world, needs)
        if not found:
            leave(reason)
            continue
        needs_by_school[school.pk] = needs
        candidates.extend(found)
    return needs_by_school, candidates, left_out


def describe(world: World, needs: SchoolNeeds, choice: Choice) -> ProposedVisit:
    candidate, school = choice.candidate, needs.school
    team = [choice.lead, *choice.support]
    km = {v: distance_km(school.location, world.points[v]) for v in team}
    names = {v: world.volunteers[v].name for v in team}
    la = school.local_authority
    day = candidate.day
    when = "morning" if candidate.starts_at < time(12, 0) else "afternoon"
    date_why = f"{day:%A %-d %B %Y}: a school day in {la.name}’s {world.choice.term} term"
    if needs.request is not None and needs.request.preferences:
        date_why += f", as the school asked ({'; '.join(needs.request.preferences)})"
    reasons = [f"Why this school: {needs.why}.", f"Why this date: {date_why}, {when}.",
               f"Why these sessions: {needs.sessions_why}."]
    month = month_of(day)[0]
    for role, v in [("lead", choice.lead)] + [("support", v) for v in choice.support]:
        volunteer = world.volunteers[v]
        distance = StaffingOption(volunteer, (), 0, distance_km=km[v]).distance  # the staffing panel's words
        if km[v] is not None:
            distance += f" (travels up to {volunteer.max_travel_km} km)"
        said = [distance, "cleared on the date", "free then"]
        if role == "lead":
            said.append("may lead")
        if needs.welsh and volunteer.speaks_welsh:
            said.append("speaks Welsh")
        if needs.send and volunteer.send_experience:
            said.append("SEND experience")
        others = world.month_count.get((v, month), 0)
        said.append(f"{others or 'no'} other visit{'s' if others != 1 else ''} booked in {day:%B}")
        reasons.append(f"{volunteer.name} ({role}): {', '.join(said)}.")
    return ProposedVisit(
        urn=school.urn, school=school.name, area=world.area_names.get(la.police_force_id, ""), date=day,
        starts_at=candidate.starts_at, ends_at=candidate.ends_at, sessions=needs.sessions, lead=choice.lead,
        support=list(choice.support), km=km, names=names, reasons=reasons,
        request_id=needs.request.pk if needs.request is not None else None,
    )


def plan_term(choice: TermChoice, progress: Callable[[int, str], None] = lambda percent, stage: None) -> Plan:
    """Propose the term's visits (nothing is written). `progress(percent, stage)` is told as it goes."""
    started = clock.perf_counter()
    progress(5, "Reading schools, term dates and volunteers")
    world = World(choice)
    progress(25, "Finding school days and who could go")
    needs_by_school, candidates, left_out = prepare(world)
    progress(60, "Choosing dates and volunteers")
    seconds = choice.seconds if choice.seconds is not None else settings.TERM_PLAN_SOLVER_SECONDS
    plan = Plan(choice, left_out=left_out)
    chosen: list[Choice] = []
    solving = clock.perf_counter()
    unsolved: set[int] = set()
    to_solve = groups(candidates)
    for index, group in enumerate(to_solve):
        # Each group's share of the time left, by its size: a large area does not starve the others.
        left = seconds - (clock.perf_counter() - solving)
        share = len(group) / max(1, sum(len(g) for g in to_solve[index:]))
        found, optimal = solve(world, needs_by_school, group, max(1.0, left * share))
        chosen.extend(found)
        plan.optimal = plan.optimal and optimal
        if not found and not optimal:
            unsolved |= {candidate.school.pk for candidate in group}
    plan.solver_seconds = clock.perf_counter() - solving
    placed = {c.candidate.school.pk for c in chosen}
    for needs in sorted(needs_by_school.values(), key=lambda n: n.priority):
        if needs.school.pk not in placed:
            reason = (
                "the planner ran out of time before placing it: plan fewer areas at once"
                if needs.school.pk in unsolved
                else "the volunteers within travel distance are needed for schools ahead of it on the list, or "
                f"have reached the cap of {choice.monthly_cap} visits a month"
            )
            plan.left_out.append(LeftOut(
                needs.school.urn, needs.school.name,
                world.area_names.get(needs.school.local_authority.police_force_id, ""), reason,
            ))
    by_school = {c.candidate.school.pk: c for c in chosen}
    plan.visits = [describe(world, n, by_school[pk]) for pk, n in needs_by_school.items() if pk in by_school]
    plan.visits.sort(key=lambda v: (v.date, v.starts_at, v.urn))
    rank = {school.urn: i for i, (school, _, _) in enumerate(priority_order(world))}
    plan.left_out.sort(key=lambda s: rank.get(s.urn, 0))  # as the list of schools due a visit runs
    plan.seconds = clock.perf_counter() - started
    progress(100, "Done")
    return plan


def greedy_plan(choice: TermChoice) -> Plan:
    """The baseline the solver is measured against (bench/run.py): schools in list order, each on its first
    candidate day where the nearest free lead and supporters are under the cap."""
    started = clock.perf_counter()
    world = World(choice)
    needs_by_school, candidates, left_out = prepare(world)
    plan = Plan(choice, left_out=left_out)
    used_day: set[tuple[int, date]] = set()
    used_month: dict[tuple[int, date], int] = defaultdict(int)
    by_school: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_school[candidate.school.pk].append(candidate)
    for needs in sorted(needs_by_school.values(), key=lambda n: n.priority):
        for candidate in by_school[needs.school.pk]:
            month = month_of(candidate.day)[0]

            def free(v: int, day=candidate.day, month=month) -> bool:
                return (v, day) not in used_day and (
                    world.month_count.get((v, month), 0) + used_month[(v, month)] < choice.monthly_cap)

            lead = next((v for v in candidate.leads if free(v)), None)
            if lead is None:
                continue
            support = [v for v in candidate.support if v != lead and free(v)][: needs.needed - 1]
            team = [lead, *support]
            if len(support) < needs.needed - 1:
                continue
            if needs.welsh and not any(world.volunteers[v].speaks_welsh for v in team):
                continue
            if needs.send and not any(world.volunteers[v].send_experience for v in team):
                continue
            for v in team:
                used_day.add((v, candidate.day))
                used_month[(v, month)] += 1
            plan.visits.append(describe(world, needs, Choice(candidate, lead, support)))
            break
        else:
            plan.left_out.append(LeftOut(needs.school.urn, needs.school.name, "", "no team left"))
    plan.seconds = clock.perf_counter() - started
    return plan


# --- Making the visits a coordinator ticks


class Skip(Exception):
    """A draft row that cannot be made now, and why."""


def create_row(row: dict, *, user, monthly_cap: int, visits_allowed, schools_allowed) -> Visit:
    """Make one proposed visit from a draft row, all or nothing, through the service functions that a
    visit made by hand goes through (`save_visit`, `assign_volunteer`: the booking gate). Raises Skip
    saying why when it has become impossible; nothing is written then."""
    school = schools_allowed.filter(urn=row["urn"]).first()
    if school is None:
        raise Skip("the school is no longer in your areas")
    day = date.fromisoformat(row["date"])
    if day <= timezone.localdate():
        raise Skip(f"{day:%-d %B %Y} has passed")
    starts_at, ends_at = time.fromisoformat(row["starts_at"]), time.fromisoformat(row["ends_at"])
    try:
        with transaction.atomic():
            request = None
            if row.get("request_id"):
                request = visits_allowed.select_for_update().filter(pk=row["request_id"]).first()
                if request is None or request.status != Visit.Status.REQUESTED:
                    raise Skip("the school’s request was answered meanwhile")
            live = Visit.objects.filter(school=school, status__in=LIVE_VISIT_STATUSES)
            if request is not None:
                live = live.exclude(pk=request.pk)
            other = live.order_by("date").first()
            if other is not None:
                raise Skip(f"it already has a visit {other.get_status_display().lower()} for {other.date:%-d %B %Y}")
            types = {t.slug: t for t in SessionType.objects.filter(slug__in=[s["slug"] for s in row["sessions"]])}
            lines = []
            for line in row["sessions"]:
                if line["slug"] not in types:
                    raise Skip(f"the session type “{line['name']}” is no longer offered")
                lines.append(VisitSession(
                    session_type=types[line["slug"]], starts_at=time.fromisoformat(line["starts_at"]),
                    year_groups=line["year_groups"], pupils=line["pupils"], send_adapted=line["send"],
                    welsh_language=line["welsh"],
                ))
            visit = request or Visit(school=school)
            visit.date, visit.starts_at, visit.ends_at = day, starts_at, ends_at
            removed = list(visit.sessions.all()) if visit.pk else []
            save_visit(visit=visit, sessions=lines, removed=removed, by=user)
            if visit.status == Visit.Status.REQUESTED:
                visit.change_status(Visit.Status.PROPOSED, by=user, reason="planned with the term planner")
            wrong = [p for p in visit.problems() if p.is_error and p.code not in STAFFING_CODES]
            if wrong:
                raise Skip(wrong[0].message)
            team = [(row["lead"], Assignment.Role.LEAD)] + [(v, Assignment.Role.SUPPORT) for v in row["support"]]
            first, last = month_of(day)
            for volunteer_id, role in team:
                volunteer = Volunteer.objects.select_related("user").filter(pk=volunteer_id).first()
                if volunteer is None:
                    raise Skip("a volunteer in the plan is no longer on the programme")
                if volunteer.bookings_between(first, last).count() >= monthly_cap:
                    raise Skip(f"{volunteer.name} has reached the cap of {monthly_cap} visits in {day:%B} meanwhile")
                assign_volunteer(visit=visit, volunteer=volunteer, role=role, by=user)
            away = [p for p in visit.problems() if p.code == "unavailable"]
            if away:
                raise Skip(away[0].message)
            return visit
    except ValidationError as error:
        raise Skip(" ".join(error.messages)) from None


def drafts_to_delete(now: datetime | None = None):
    """Drafts older than TERM_DRAFT_KEEP_DAYS (the daily run deletes them)."""
    now = now or timezone.now()
    return TermDraft.objects.filter(created_at__lt=now - timedelta(days=settings.TERM_DRAFT_KEEP_DAYS))


def weekday_names(days: Iterable[int]) -> str:
    names = [WEEKDAY_NAMES[d] + "s" for d in sorted(days) if 0 <= d < 5]
    return ", ".join(names) if names else "none"


# --- Drafts: a plan kept for the coordinator to choose from


def choice_of(draft) -> TermChoice:
    return TermChoice(
        areas=tuple(draft.areas.order_by("pk")), academic_year=draft.academic_year, term=draft.term,
        avoid_weekdays=frozenset(draft.avoid_weekdays), monthly_cap=draft.monthly_cap,
    )


def fill_draft(draft: TermDraft, plan: Plan) -> None:
    """Keep the plan in the draft (not saved here)."""
    draft.visits = [visit.as_row() for visit in plan.visits]
    draft.left_out = [asdict(school) for school in plan.left_out]
    draft.summary = plan.summary()
    draft.status, draft.percent, draft.stage = TermDraft.Status.DONE, 100, "Done"


def run_draft(draft_id: int) -> None:
    """Plan the draft's term (the task worker runs this). Side effects: the draft's progress as it goes,
    then its rows and summary; on an error it is marked failed with a message for the coordinator."""
    draft = TermDraft.objects.get(pk=draft_id)
    TermDraft.objects.filter(pk=draft.pk).update(status=TermDraft.Status.RUNNING, percent=1, stage="Starting")

    def progress(percent: int, stage: str) -> None:
        TermDraft.objects.filter(pk=draft.pk).update(percent=percent, stage=stage)

    try:
        fill_draft(draft, plan_term(choice_of(draft), progress))
    except Exception as error:  # any failure: the coordinator sees that it failed; the log has the traceback
        logger.exception("Term draft %s failed", draft.pk)
        draft.status, draft.stage = TermDraft.Status.FAILED, "Failed"
        draft.error = f"The term could not be planned ({type(error).__name__}). Try again, or tell the programme team."
    draft.finished_at = timezone.now()
    draft.save(update_fields=["visits", "left_out", "summary", "status", "percent", "stage", "error", "finished_at"])
