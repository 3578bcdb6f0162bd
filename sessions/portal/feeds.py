"""Calendar feeds (RFC 5545, built with the icalendar library).

A volunteer's feed holds one event per visit they are on (not declined); a coordinator's holds the
visits in their areas. Each event has a UID that never changes for the visit, so a calendar that
downloads the feed again updates the event instead of adding another; a cancelled visit stays in
the feed as STATUS:CANCELLED with a higher SEQUENCE, so calendars strike it out rather than keep a
stale booking. No pupil data goes into a feed: the school, its address, the sessions with their
year groups, the team and whom to contact.

The time zone is written in its usual yearly-rule form (`london_time_zone`): icalendar's own
VTIMEZONE lists every change from 1970 to 2038 as dates, which at least one widely used parser
(vobject) misreads, putting winter visits an hour out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from sessions.models import Assignment, Coordinator, Visit, Volunteer, contact_card, year_groups_label

PRODID = "-//NSPCC Speak Out. Stay Safe.//Schools programme planner//EN"
UID_DOMAIN = "speakout-planner"
# A feed carries the past year as well as the future: enough for "when did I last go there?".
HISTORY_DAYS = 365

ICS_STATUS = {
    Visit.Status.REQUESTED: "TENTATIVE",
    Visit.Status.PROPOSED: "TENTATIVE",
    Visit.Status.CONFIRMED: "CONFIRMED",
    Visit.Status.DELIVERED: "CONFIRMED",
    Visit.Status.CANCELLED: "CANCELLED",
}


def visit_uid(visit: Visit) -> str:
    return f"visit-{visit.pk}@{UID_DOMAIN}"


def _with_details(visits):
    return visits.select_related("school", "coordinator__coordinator").prefetch_related(
        "sessions__session_type",
        Prefetch("assignments", queryset=Assignment.objects.select_related("volunteer__user")),
    )


def visit_event(visit: Visit, *, contact: str) -> Event:
    zone = ZoneInfo(settings.TIME_ZONE)
    school = visit.school
    event = Event()
    event.add("uid", visit_uid(visit))
    # DTSTAMP: when this version of the event was last revised (stable between downloads).
    event.add("dtstamp", visit.updated_at.astimezone(dt_timezone.utc))
    event.add("last-modified", visit.updated_at.astimezone(dt_timezone.utc))
    event.add("sequence", visit.calendar_sequence)
    event.add("dtstart", datetime.combine(visit.date, visit.starts_at, tzinfo=zone))
    event.add("dtend", datetime.combine(visit.date, visit.ends_at, tzinfo=zone))
    summary = f"Speak Out. Stay Safe.: {school.name}"
    if visit.is_cancelled:
        summary = f"Cancelled: {summary}"
    event.add("summary", summary)
    event.add("location", ", ".join([school.name, *school.address_lines]))
    event.add("status", ICS_STATUS[visit.status])

    lines = [f"Visit status: {visit.get_status_display()}"]
    if visit.is_cancelled and visit.cancel_reason:
        lines.append(f"Cancelled: {visit.cancel_reason}")
    sessions = list(visit.sessions.all())
    if sessions:
        lines.append("Sessions:")
        for line in sessions:
            extras = "".join(
                [", SEND adaptations" if line.send_adapted else "", ", in Welsh" if line.welsh_language else ""]
            )
            lines.append(
                f"- {line.starts_at:%H:%M} {line.session_type.name} "
                f"({year_groups_label(line.year_groups, school.nation)}){extras}"
            )
    team = visit.active_assignments()
    if team:
        lines.append("Volunteers: " + ", ".join(f"{a.volunteer.name} ({a.get_role_display().lower()})" for a in team))
    if contact:
        lines.append(f"Coordinator: {contact}")
    event.add("description", "\n".join(lines))
    return event


def contact_line(visit: Visit) -> str:
    user = visit.coordinator
    if user is None:
        return ""
    return ", ".join(part for part in contact_card(user).values() if part)


LONDON = "Europe/London"


def london_time_zone() -> Timezone:
    """Europe/London as calendar apps write it: British Summer Time (+01:00) from 01:00 GMT on the last
    Sunday of March to 02:00 BST on the last Sunday of October, the rule since 1996."""
    zone = Timezone()
    zone.add("tzid", LONDON)
    for part, name, starts, before, after, month in [
        (TimezoneDaylight(), "BST", datetime(1996, 3, 31, 1, 0), timedelta(0), timedelta(hours=1), 3),
        (TimezoneStandard(), "GMT", datetime(1996, 10, 27, 2, 0), timedelta(hours=1), timedelta(0), 10),
    ]:
        part.add("tzname", name)
        part.add("dtstart", starts)
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        zone.add_component(part)
    return zone


def build_calendar(name: str, visits) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    # Ask subscribing calendars to check again every few hours.
    calendar.add("refresh-interval", timedelta(hours=4), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT4H")
    if settings.TIME_ZONE == LONDON:
        calendar.add_component(london_time_zone())
    for visit in visits:
        calendar.add_component(visit_event(visit, contact=contact_line(visit)))
    # Any other zone (a deployment elsewhere): icalendar's own description of it.
    calendar.add_missing_timezones()
    return calendar


def volunteer_calendar(volunteer: Volunteer) -> Calendar:
    since = timezone.localdate() - timedelta(days=HISTORY_DAYS)
    visits = _with_details(
        Visit.objects.filter(
            pk__in=volunteer.assignments.exclude(status=Assignment.Status.DECLINED).values("visit_id"),
            date__gte=since,
        )
    )
    return build_calendar("Speak Out. Stay Safe. visits", visits)


def coordinator_calendar(coordinator: Coordinator) -> Calendar:
    since = timezone.localdate() - timedelta(days=HISTORY_DAYS)
    visits = _with_details(Visit.objects.in_areas(coordinator.areas.all()).filter(date__gte=since))
    return build_calendar("Speak Out. Stay Safe. visits in your areas", visits)


def calendar_for_token(token: str) -> Calendar | None:
    """The feed behind a secret token, or None when no one holds it (a regenerated token)."""
    volunteer = Volunteer.objects.filter(calendar_token=token, active=True).first()
    if volunteer:
        return volunteer_calendar(volunteer)
    coordinator = Coordinator.objects.filter(calendar_token=token, user__is_active=True).first()
    if coordinator:
        return coordinator_calendar(coordinator)
    return None


# --- Serving: an ETag on every feed (a calendar app asking again gets 304), and the coordinator's
# feed built once per change in its areas.

# Raise when the events are written differently, so feeds cached by the previous code are not served.
FEED_FORMAT = 1
# The key names the day (the year back moves on at midnight), so nothing cached outlives a day by much.
CACHE_SECONDS = 26 * 60 * 60


@dataclass(frozen=True)
class Feed:
    etag: str
    content: Callable[[], bytes]


def _etag(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def coordinator_feed_key(coordinator: Coordinator) -> str:
    """What a coordinator's feed is built from, as a short string: the day, their areas and how many
    changes each has seen (sessions/portal/feed_changes.py counts them). Equal keys, equal feeds."""
    areas = coordinator.areas.order_by("pk").values_list("pk", "calendar_changes")
    parts = [FEED_FORMAT, settings.TIME_ZONE, coordinator.pk, coordinator.calendar_token,
             timezone.localdate().isoformat(), *(f"{pk}.{count}" for pk, count in areas)]
    return ":".join(map(str, parts))


def _cached_coordinator_feed(coordinator: Coordinator) -> Feed:
    key = coordinator_feed_key(coordinator)
    cache_key = "calendar-feed:" + hashlib.sha256(key.encode()).hexdigest()

    def content() -> bytes:
        body = cache.get(cache_key)
        if body is None:
            body = coordinator_calendar(coordinator).to_ical()
            cache.set(cache_key, body, CACHE_SECONDS)
        return body

    return Feed(etag=_etag(key), content=content)


def feed_for_token(token: str) -> Feed | None:
    """The feed behind a secret token, ready to serve, or None when no one holds it."""
    volunteer = Volunteer.objects.filter(calendar_token=token, active=True).first()
    if volunteer:
        # A volunteer's feed is small and quick to build; its ETag is its content's.
        body = volunteer_calendar(volunteer).to_ical()
        return Feed(etag=_etag(body), content=lambda: body)
    coordinator = Coordinator.objects.filter(calendar_token=token, user__is_active=True).first()
    if coordinator:
        return _cached_coordinator_feed(coordinator)
    return None
