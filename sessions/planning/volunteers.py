"""The coordinators' volunteer directory (/plan/volunteers/) and a volunteer's page.

A coordinator sees the volunteers covering their areas (`sessions.access.planning_volunteers`; staff
every one); anyone else's volunteer does not exist for them (404). What is shown is what planning
needs and no more: clearance in the words the booking gate uses (`Volunteer.dbs_summary`,
`Volunteer.booking_refusal`), skills, the postcode district and travel limit (never the address), visits
this term and last, dates away, and on the volunteer's page their bookings and how to reach them.
Every view of the list and of a volunteer's page is written to the access log (config/access_log.py),
one line per volunteer shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from config.access_log import log_access
from config.dates import Term, school_term
from config.htmx import HtmxHttpRequest
from config.query_forms import QueryForm
from schools.geography import parse_postcode, postcode_district
from sessions.access import planner_required, planning_areas, planning_visits, planning_volunteers
from sessions.models import Assignment, Unavailability, Visit, Volunteer
from sessions.models.people import VOLUNTEERS_WITH_ACCOUNTS
from stats.models import Area

PAGE_SIZE = 25
# Past bookings on a volunteer's page, newest first; older ones are counted, not listed.
PAST_BOOKINGS = 20

SKILLS = {
    "welsh": ("Speaks Welsh", Q(speaks_welsh=True)),
    "bsl": ("Signs BSL", Q(signs_bsl=True)),
    "send": ("SEND experience", Q(send_experience=True)),
    "lead": ("May lead a visit", Q(may_lead=True)),
}


class VolunteerSearch(QueryForm):
    """What the directory's query string may say; a wrong value is named, and the list shown without it."""

    q = forms.CharField(label="Name or postcode district", required=False, strip=True, max_length=100, initial="",
                        error_messages={"max_length": "Search for at most 100 characters."})
    clearance = forms.ChoiceField(
        label="Clearance", required=False, initial="",
        choices=[("", "Any"), ("cleared", "Cleared today"), ("expiring", "Cleared, but expiring soon"),
                 ("not_cleared", "Not cleared today")],
        error_messages={"invalid_choice": "Choose cleared, expiring soon or not cleared."},
    )
    skill = forms.ChoiceField(
        label="Skill", required=False, initial="", choices=[("", "Any"), *((k, v[0]) for k, v in SKILLS.items())],
        error_messages={"invalid_choice": "Choose one of the skills listed."},
    )
    area = forms.ChoiceField(label="Police force area", required=False, initial="",
                             error_messages={"invalid_choice": "Choose one of your areas."})
    page = forms.IntegerField(label="Page", required=False, min_value=1, initial=1,
                              error_messages={"invalid": "A page is a whole number, 1 or more.",
                                              "min_value": "A page is a whole number, 1 or more."})

    def __init__(self, query: QueryDict, *, areas: list[Area]) -> None:
        super().__init__(query)
        self.label_suffix = ""
        self.fields["area"].choices = [("", "Any of my areas"), *((a.code, a.name) for a in areas)]
        self.fields["clearance"].choices = [
            (value, f"{label} (within {settings.CLEARANCE_WARNING_DAYS} days)" if value == "expiring" else label)
            for value, label in self.fields["clearance"].choices
        ]


def matching(volunteers: QuerySet[Volunteer], search: VolunteerSearch, areas: list[Area],
             today: date) -> QuerySet[Volunteer]:
    """The volunteers narrowed by the valid parts of the search."""
    text = search.value("q")
    if text:
        words = Q()
        for word in text.split():
            words &= Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word)
        match = words
        district = "".join(text.split()).upper()
        # A postcode district ("RG1") matches the postcodes in it; a whole postcode is not searched for.
        parsed = parse_postcode(f"{district}1AA")
        if parsed is not None and parsed[0] == district:
            match |= Q(postcode__istartswith=f"{district} ")
        volunteers = volunteers.filter(match)
    clearance = search.value("clearance")
    # Cleared is a condition on the volunteer's own row, asked of the same row (as a subquery of ids it cost
    # a second read of each volunteer); not cleared stays a subquery, so a missing date counts as not cleared.
    if clearance == "cleared":
        volunteers = volunteers.filter(Volunteer.objects.cleared_condition(today))
    elif clearance == "expiring":
        volunteers = volunteers.filter(Volunteer.objects.cleared_condition(today)).filter(
            pk__in=Volunteer.objects.clearance_expiring(within_days=settings.CLEARANCE_WARNING_DAYS,
                                                        today=today).values("pk"))
    elif clearance == "not_cleared":
        volunteers = volunteers.exclude(pk__in=Volunteer.objects.cleared_on(today).values("pk"))
    if skill := search.value("skill"):
        volunteers = volunteers.filter(SKILLS[skill][1])
    if code := search.value("area"):
        volunteers = volunteers.filter(areas__in=[a for a in areas if a.code == code])
    return volunteers


def visits_by_term(volunteer_ids: list[int], terms: list[Term]) -> dict[int, list[int]]:
    """Each volunteer's visits in each term (accepted places on visits not cancelled), in one query.
    The places are counted by their visit, which the index on (volunteer, visit, status) holds, so the
    assignments themselves are not read."""
    counts = {
        f"t{i}": Count("visit", filter=Q(visit__date__range=(term.first, term.last)))
        for i, term in enumerate(terms)
    }
    rows = (
        Assignment.objects.filter(volunteer_id__in=volunteer_ids, status=Assignment.Status.ACCEPTED)
        .exclude(visit__status=Visit.Status.CANCELLED)
        .values("volunteer_id").annotate(**counts).order_by()
    )
    found = {row["volunteer_id"]: [row[f"t{i}"] for i in range(len(terms))] for row in rows}
    return {pk: found.get(pk, [0] * len(terms)) for pk in volunteer_ids}


# Dates away shown in a row; the rest are on the volunteer's page.
AWAY_SHOWN = 3


@dataclass(frozen=True)
class Row:
    """One volunteer's row of the directory, in the words and dates the row shows. They are worked out
    here rather than looked up in the template: the list is sent whole on every search, and a template
    lookup costs several times the same in Python (docs/benchmarks.md)."""

    url: str
    name: str
    areas: str
    refusal: str | None  # why they cannot be booked today (`Volunteer.booking_refusal`), or None: cleared
    expiring: bool
    cleared_until: str
    dbs: str
    skills: str
    district: str
    max_travel_km: int
    this_term: int
    last_term: int
    away: list[str]  # the first AWAY_SHOWN dates away, as the row writes them
    more_away: int

    @classmethod
    def of(cls, volunteer: Volunteer, this_term: int, last_term: int, today: date) -> Row:
        """The row of a volunteer read with `upcoming_away` and their areas (`volunteers` below)."""
        away = volunteer.upcoming_unavailability
        until = volunteer.clearance_expires_on
        return cls(
            url=reverse("planning:volunteer", args=[volunteer.pk]),
            name=volunteer.name,
            areas=", ".join(area.name for area in volunteer.areas.all()),
            refusal=volunteer.booking_refusal(today),
            expiring=volunteer.clearance_expires_within(settings.CLEARANCE_WARNING_DAYS, today),
            cleared_until=date_format(until, "j F Y") if until else "",
            dbs=volunteer.dbs_summary,
            skills=", ".join(volunteer.skills),
            district=postcode_district(volunteer.postcode) or "",
            max_travel_km=volunteer.max_travel_km,
            this_term=this_term,
            last_term=last_term,
            away=[away_dates(dates) for dates in away[:AWAY_SHOWN]],
            more_away=max(len(away) - AWAY_SHOWN, 0),
        )


def away_dates(away: Unavailability) -> str:
    """"4 Mar 2027", or "4 Mar – 6 Mar 2027" for more than one day."""
    if away.starts_on == away.ends_on:
        return date_format(away.starts_on, "j M Y")
    return f"{date_format(away.starts_on, 'j M')} – {date_format(away.ends_on, 'j M Y')}"


def upcoming_away(today: date) -> Prefetch:
    return Prefetch("unavailabilities", queryset=Unavailability.objects.filter(ends_on__gte=today),
                    to_attr="upcoming_unavailability")


@require_GET
@planner_required
def volunteers(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    areas = list(planning_areas(request.user).order_by("name"))
    search = VolunteerSearch(request.GET, areas=areas)
    # One pass over the matching volunteers, in the list's order, gives the count and the page; only the
    # page's volunteers are read whole (the search's conditions are worked out once, not for a count and again).
    in_order = list(
        matching(planning_volunteers(request.user).filter(active=True), search, areas, today)
        .order_by("user__last_name", "user__first_name", "pk").values_list("pk", flat=True)
    )
    page = Paginator(in_order, PAGE_SIZE).get_page(search.value("page"))
    found = {volunteer.pk: volunteer for volunteer in VOLUNTEERS_WITH_ACCOUNTS(page.object_list)}
    page.object_list = [found[pk] for pk in page.object_list if pk in found]  # none deleted since
    prefetch_related_objects(page.object_list, upcoming_away(today),
                             Prefetch("areas", queryset=Area.objects.order_by("name")))
    term = school_term(today)
    terms = [term, term.previous]
    counts = visits_by_term([v.pk for v in page.object_list], terms)
    rows = [Row.of(v, *counts[v.pk], today) for v in page.object_list]
    for volunteer in page.object_list:
        log_access(request, volunteer, "volunteer_directory_view")
    query = request.GET.copy()
    query.pop("page", None)
    template_name = "sessions/planning/volunteers.html"
    if request.htmx:
        template_name += "#results"
    return render(request, template_name, {
        "search": search, "q": search.value("q"), "page": page, "rows": rows, "terms": terms,
        "query": query.urlencode(),
        "today": today, "warning_days": settings.CLEARANCE_WARNING_DAYS, "section": "volunteers",
        "searched": any(search.value(name) for name in ("q", "clearance", "skill", "area")),
    })


@require_GET
@planner_required
def volunteer_detail(request: HtmxHttpRequest, volunteer_pk: int) -> HttpResponse:
    today = timezone.localdate()
    volunteer = get_object_or_404(
        planning_volunteers(request.user).select_related("user").prefetch_related(
            upcoming_away(today), Prefetch("areas", queryset=Area.objects.order_by("name"))),
        pk=volunteer_pk,
    )
    bookings = volunteer.assignments.select_related("visit__school").order_by("visit__date", "visit__starts_at")
    # Visits in another coordinator's areas show only that the volunteer is booked then, not where.
    mine = set(planning_visits(request.user).filter(pk__in=bookings.values("visit_id")).values_list("pk", flat=True))
    upcoming = list(bookings.filter(visit__date__gte=today))
    past = bookings.filter(visit__date__lt=today).reverse()
    past_count = past.count()
    term = school_term(today)
    terms = [term, term.previous]
    this_term, last_term = visits_by_term([volunteer.pk], terms)[volunteer.pk]
    log_access(request, volunteer, "volunteer_record_view")
    return render(request, "sessions/planning/volunteer.html", {
        "volunteer": volunteer, "upcoming": upcoming, "mine": mine, "past": list(past[:PAST_BOOKINGS]),
        "past_more": max(past_count - PAST_BOOKINGS, 0), "terms": terms, "this_term": this_term,
        "last_term": last_term, "refusal": volunteer.booking_refusal(today), "today": today,
        "expiring": volunteer.clearance_expires_within(settings.CLEARANCE_WARNING_DAYS, today),
        "section": "volunteers",
    })
