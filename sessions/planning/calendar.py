"""The coordinators' calendar: a week or a month of their areas' visits, filtered by area, status
and volunteer, with the week or month as an htmx fragment (`#calendar`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from config.dates import date_window, monday_of
from config.htmx import HtmxHttpRequest
from schools.models import School, SchoolClosure, TermDate
from sessions.access import planner_required, planning_areas, planning_visits, planning_volunteers
from sessions.models import Visit, bank_holiday_name
from sessions.planning.forms import CalendarFilterForm
from stats.models import Area, LocalAuthority


def shown_in_full(text: str | None, start: date, end: date) -> tuple[date | None, str]:
    """The day a ?day= asks to list in full, when it is one of the days shown; otherwise None, with a note
    saying why (nothing when none was asked for)."""
    if not text:
        return None, ""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, f"“{text[:20]}” is not a date: every day shows its first visits."
    if not start <= day <= end:
        return None, f"{day:%-d %B %Y} is not shown here: every day shows its first visits."
    return day, ""


def requested_day(text: str, *, today: date, is_month: bool) -> tuple[date, str]:
    """The day a ?week= or ?month= asks for, or today with a note saying why not: a malformed value, or
    one outside the calendar's window (whose arithmetic would run off the ends of the calendar)."""
    kind = "month" if is_month else "week"
    try:
        day = date.fromisoformat(f"{text}-01" if is_month else text)
    except ValueError:
        return today, f"“{text[:20]}” is not a date the calendar can show: showing this {kind} instead."
    earliest, latest = date_window(today)
    # A week or month is shown whole, with links to the one before and after: keep a week clear of the ends.
    if not earliest + timedelta(days=7) <= day <= latest - timedelta(days=7):
        return today, (
            f"{text[:20]} is outside the calendar ({earliest.year} to {latest.year}): "
            f"showing this {kind} instead."
        )
    return day, ""


# --- What shades a day: bank holidays of the areas' nations, their authorities' holidays and INSET days
# (the term calendars), and schools' own closures. The same data and names the rules `bank_holiday`,
# `school_holiday` and `inset` use (sessions/models/problems.py), read for a whole week or month at once.

# ONS codes start with their nation's letter (E23000029 is Thames Valley, in England).
NATION_BY_CODE_LETTER = {
    "E": School.Nation.ENGLAND, "W": School.Nation.WALES, "S": School.Nation.SCOTLAND,
    "N": School.Nation.NORTHERN_IRELAND,
}
# At most this many schools' own closures are named on one day; the rest are counted.
SCHOOLS_NAMED_PER_DAY = 3
# At most this many visits are listed in a day, soonest first; the rest are counted, with a link that lists
# them all for that day (a busy coordinator's day can hold twenty, more than a day's box can show).
VISITS_SHOWN_PER_DAY = {"week": 8, "month": 3}


@dataclass(frozen=True)
class DayMark:
    """Something about a day the planner should see before booking it, in words (never colour alone)."""

    kind: str  # "bank_holiday", "holiday" (a holiday or half-term), "inset", "closure" (one school's own)
    text: str  # shown in the day's cell
    detail: str  # its tooltip: the dates and who it applies to

    @property
    def shades_day(self) -> bool:
        """Bank holidays and authorities' holidays and INSET days close schools across an area: the day is
        shaded. One school's closure is named without shading the day."""
        return self.kind != "closure"


def day_marks(areas: list[Area], first: date, last: date) -> dict[date, list[DayMark]]:
    """Each day's marks from `first` to `last` for the police force areas shown, in four queries at most
    whatever the number of days, authorities or schools."""
    marks: dict[date, list[DayMark]] = {}
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    nations = sorted({NATION_BY_CODE_LETTER[area.code[0]] for area in areas if area.code[:1] in NATION_BY_CODE_LETTER})
    for day in days:
        by_name: dict[str, list[str]] = {}
        for nation in nations:
            name = bank_holiday_name(day, nation)
            if name:
                by_name.setdefault(name, []).append(School.Nation(nation).label)
        for name, where in by_name.items():
            places = " and ".join(where)
            # Areas in several nations (staff see them all): say where, when not everywhere shown.
            text = f"Bank holiday: {name}" if len(where) == len(nations) else f"Bank holiday in {places}: {name}"
            marks.setdefault(day, []).append(DayMark("bank_holiday", text, f"{name}: a bank holiday in {places}."))
    if not areas:
        return marks
    spans = (
        TermDate.objects.overlapping(first, last)
        .filter(local_authority__police_force__in=areas, kind__in=(*TermDate.CLOSED, TermDate.Kind.INSET))
        .select_related("local_authority").order_by("starts_on", "local_authority__name")
    )
    # One mark per holiday a day is in, naming every authority that has it then ("Kent, Medway").
    grouped: dict[tuple[date, str, str, str], list[LocalAuthority]] = {}
    for span in spans:
        for day in days:
            if span.starts_on <= day <= span.ends_on:
                grouped.setdefault((day, span.kind, span.name, span.span), []).append(span.local_authority)
    # A holiday every authority shown has (Christmas, across two areas' 26 authorities) says so, rather than
    # naming them all in each day's box. Authorities without schools (merged away since) do not count.
    with_schools = set(
        LocalAuthority.objects.filter(police_force__in=areas)
        .filter(Exists(School.objects.filter(local_authority=OuterRef("pk")))).values_list("pk", flat=True)
    ) if grouped else set()
    for (day, kind, name, dates), authorities in grouped.items():
        if len(with_schools) > 1 and with_schools <= {authority.pk for authority in authorities}:
            who = "every local authority shown"
        else:
            who = ", ".join(sorted({authority.name for authority in authorities}))
        name = name[:1].upper() + name[1:]
        marks.setdefault(day, []).append(DayMark(
            "inset" if kind == TermDate.Kind.INSET else "holiday", f"{name}: {who}", f"{name}, {dates}: {who}."
        ))
    closures = (
        SchoolClosure.objects.overlapping(first, last)
        .filter(school__local_authority__police_force__in=areas)
        .select_related("school").order_by("starts_on", "school__name")
    )
    per_day: dict[date, list[SchoolClosure]] = {}
    for closure in closures:
        for day in days:
            if closure.starts_on <= day <= closure.ends_on:
                per_day.setdefault(day, []).append(closure)
    for day, found in per_day.items():
        for closure in found[:SCHOOLS_NAMED_PER_DAY]:
            what = "INSET day" if closure.kind == SchoolClosure.Kind.INSET else "closed"
            because = f": {closure.reason}" if closure.reason else ""
            marks.setdefault(day, []).append(DayMark(
                "closure", f"{closure.school.name}: {what}", f"{closure.school.name} {what}, {closure.span}{because}."
            ))
        if len(found) > SCHOOLS_NAMED_PER_DAY:
            more = len(found) - SCHOOLS_NAMED_PER_DAY
            marks[day].append(DayMark(
                "closure", f"{more} more school{'s' if more > 1 else ''} closed",
                "Other schools in these areas with their own closure or INSET day this day.",
            ))
    return marks


@require_GET
@planner_required
def calendar(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    note = ""
    if "month" in request.GET:
        mode = "month"
        first, note = requested_day(request.GET["month"], today=today, is_month=True)
        first = first.replace(day=1)
        start = monday_of(first)
        next_month = (first + timedelta(days=32)).replace(day=1)
        end = monday_of(next_month - timedelta(days=1)) + timedelta(days=6)
        previous, following = (first - timedelta(days=1)).replace(day=1), next_month
        nav = {
            "previous": f"month={previous:%Y-%m}",
            "next": f"month={following:%Y-%m}",
            "today": f"month={today:%Y-%m}",
            "other": f"week={monday_of(first if first.month != today.month else today):%Y-%m-%d}",
        }
        title = f"{first:%B %Y}"
    else:
        mode = "week"
        day = today
        if request.GET.get("week"):
            day, note = requested_day(request.GET["week"], today=today, is_month=False)
        start = monday_of(day)
        end = start + timedelta(days=6)
        # A week belongs to the month its Thursday is in (as ISO 8601 numbers weeks): the month that
        # holds most of its days, and the one "Month view" opens.
        first = (start + timedelta(days=3)).replace(day=1)
        nav = {
            "previous": f"week={start - timedelta(days=7):%Y-%m-%d}",
            "next": f"week={start + timedelta(days=7):%Y-%m-%d}",
            "today": f"week={monday_of(today):%Y-%m-%d}",
            "other": f"month={first:%Y-%m}",
        }
        title = f"Week of {start:%-d %B %Y}"
    areas = planning_areas(request.user)
    filters = CalendarFilterForm(
        request.GET, areas=areas, volunteers=planning_volunteers(request.user).select_related("user")
    )
    # Each visit's marks come from its stored errors: nothing more to read per visit.
    visits = filters.filter(planning_visits(request.user).between(start, end)).select_related("school")
    # Only what an entry shows: a visit's other fields (its notes, the school's answers, four JSON lists) are
    # never read here, and decoding them for every visit of a busy week was most of the fragment's time.
    visits = visits.order_by("date", "starts_at").only(
        "date", "starts_at", "ends_at", "status", "other_errors", "staffing_errors", "school__name"
    )
    chosen = filters.cleaned_data.get("area") if filters.is_valid() else None
    shown_areas = [chosen] if chosen else list(areas)
    marks = day_marks(shown_areas, start, end)
    by_day: dict[date, list[Visit]] = {}
    for visit in visits:
        by_day.setdefault(visit.date, []).append(visit)
    # ?day= lists every visit of one day of the period shown.
    whole_day, day_note = shown_in_full(request.GET.get("day"), start, end)
    note = note or day_note
    # Filters travel with the navigation links, so they are kept from week to week.
    kept = {key: request.GET[key] for key in ("area", "status", "volunteer") if request.GET.get(key)}
    period = {mode: f"{first:%Y-%m}" if mode == "month" else f"{start:%Y-%m-%d}"}
    limit = VISITS_SHOWN_PER_DAY[mode]

    def day_box(d: date) -> dict:
        found = by_day.get(d, [])
        shown = found if d == whole_day else found[:limit]
        return {"date": d, "visits": shown, "total": len(found), "hidden": len(found) - len(shown),
                "whole": f"?{urlencode({**period, 'day': f'{d:%Y-%m-%d}', **kept})}",
                "in_month": d.month == first.month, "marks": marks.get(d, []),
                "shaded": any(mark.shades_day for mark in marks.get(d, []))}

    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    weeks = [[day_box(d) for d in days[i : i + 7]] for i in range(0, len(days), 7)]
    context = {
        "mode": mode,
        "title": title,
        "weeks": weeks,
        "nav": {key: f"?{value}&{urlencode(kept)}" if kept else f"?{value}" for key, value in nav.items()},
        "period_name": mode,
        "period_value": f"{first:%Y-%m}" if mode == "month" else f"{start:%Y-%m-%d}",
        "refresh": reverse("planning:calendar")
        + "?"
        + urlencode({mode: f"{first:%Y-%m}" if mode == "month" else f"{start:%Y-%m-%d}", **kept}),
        "section": "calendar",
        "filters": filters,
        "today": today,
        "count": sum(len(v) for v in by_day.values()),
        "note": note,
        "month_name": f"{first:%B}",
    }
    template_name = "sessions/planning/calendar.html"
    if request.htmx and not request.htmx.boosted:
        template_name += "#calendar"
    return render(request, template_name, context)
