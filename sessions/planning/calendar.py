"""The coordinators' calendar: a week or a month of their areas' visits, filtered by area, status
and volunteer, with the week or month as an htmx fragment (`#calendar`)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from config.dates import date_window, monday_of
from config.htmx import HtmxHttpRequest
from sessions.access import planner_required, planning_areas, planning_visits, planning_volunteers
from sessions.models import Visit
from sessions.planning.forms import CalendarFilterForm


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
    visits = (
        filters.filter(planning_visits(request.user).between(start, end)).with_signals().order_by("date", "starts_at")
    )
    by_day: dict[date, list[Visit]] = {}
    for visit in visits:
        by_day.setdefault(visit.date, []).append(visit)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    weeks = [
        [{"date": d, "visits": by_day.get(d, []), "in_month": d.month == first.month} for d in days[i : i + 7]]
        for i in range(0, len(days), 7)
    ]
    # Filters travel with the navigation links, so they are kept from week to week.
    kept = {key: request.GET[key] for key in ("area", "status", "volunteer") if request.GET.get(key)}
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
