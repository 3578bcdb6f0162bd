"""Visits to schools, their session lines, the volunteers booked on them, and their reports.

How a visit moves from request to delivery is `Visit.change_status` (the workflow in
`Visit.TRANSITIONS`, closed statuses in `Visit.CLOSED`); what is wrong with a visit is
`Visit.problems()`, whose rules live in `sessions/models/problems.py`; the double-booking rule is
`AssignmentQuerySet.clashing`. Views, forms, the PDF and the feeds ask these; nothing re-implements them.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from config.dates import minus_minutes, month_of, plus_minutes
from config.prepared import Key, Param, Prepared
from schools.geography import distance_km, district_point
from schools.models import School, SchoolClosure, TermDate
from sessions.models import attendance as counting
from sessions.models.people import (
    VOLUNTEERS_WITH_ACCOUNTS,
    Unavailability,
    Volunteer,
    VolunteerQuerySet,
    new_token,
    person_name,
)
from sessions.models.problems import STAFFING_CODES, Problem, bank_holiday_name, problems_of

# --- Year groups: stored as numbers (0 = Reception, 1–6 = Year 1–6), named by the school's nation.

YEAR_GROUP_CHOICES = [(0, "Reception")] + [(n, f"Year {n}") for n in range(1, 7)]


def year_group_label(number: int, nation: str = School.Nation.ENGLAND) -> str:
    """England and Wales say Reception and Year 1–6; Scotland and Northern Ireland say P1–P7."""
    if nation in (School.Nation.SCOTLAND, School.Nation.NORTHERN_IRELAND):
        return f"P{number + 1}"
    return "Reception" if number == 0 else f"Year {number}"


def year_groups_taught(school: School) -> list[int]:
    """The year groups a school teaches, from its statutory age range (children in year group n are n + 4
    on 1 September): 4–11 is Reception to Year 6, an infant school's 4–7 Reception to Year 2, a junior
    school's 7–11 Year 3 to Year 6. Every year group when the range is not known."""
    numbers = [number for number, _ in YEAR_GROUP_CHOICES]
    if school.low_age is None or school.high_age is None:
        return numbers
    taught = [n for n in numbers if school.low_age <= n + 4 < school.high_age]
    return taught or numbers


def year_groups_label(numbers: Iterable[int], nation: str = School.Nation.ENGLAND) -> str:
    return ", ".join(year_group_label(n, nation) for n in sorted(numbers))


def year_group_ages(number: int) -> tuple[int, int]:
    """The ages of the children in a year group over the school year: Reception (0) are 4 turning 5,
    Year n are n + 4 turning n + 5 (P1–P7 in Scotland and Northern Ireland are numbered the same)."""
    return number + 4, number + 5


# --- Session types (reference data)

class SessionType(models.Model):
    class KeyStage(models.TextChoices):
        KS1 = "ks1", "Key Stage 1"
        KS2 = "ks2", "Key Stage 2"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    format = models.CharField(max_length=20, choices=[("assembly", "Assembly"), ("workshop", "Workshop")])
    key_stage = models.CharField(max_length=3, choices=KeyStage.choices)
    min_age = models.PositiveSmallIntegerField()
    max_age = models.PositiveSmallIntegerField()
    duration_minutes = models.PositiveSmallIntegerField()
    volunteers_needed = models.PositiveSmallIntegerField(default=2)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["min_age", "format", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def age_range(self) -> str:
        return f"{self.min_age}–{self.max_age}"

    def suits(self, school: School) -> bool:
        """The session's ages overlap the school's statutory age range (unknown ranges suit)."""
        if school.low_age is None or school.high_age is None:
            return True
        return self.min_age <= school.high_age and self.max_age >= school.low_age

    def suits_year_group(self, number: int) -> bool:
        """Every child of the year group is within the session's ages, all year: a Year 2 workshop for
        ages 6–7 suits Year 2 (6 turning 7) and neither Year 1 (5–6) nor Year 3 (7–8)."""
        youngest, oldest = year_group_ages(number)
        return self.min_age <= youngest and oldest <= self.max_age


# --- Visits

class VisitQuerySet(models.QuerySet["Visit"]):
    def in_areas(self, areas) -> VisitQuerySet:
        return self.filter(school__local_authority__police_force__in=areas)

    def live(self) -> VisitQuerySet:
        """Not cancelled."""
        return self.exclude(status=Visit.Status.CANCELLED)

    def between(self, first: date, last: date) -> VisitQuerySet:
        return self.filter(date__range=(first, last))

    def upcoming(self, today: date | None = None) -> VisitQuerySet:
        return self.filter(date__gte=today or timezone.localdate())

    def with_signals(self) -> VisitQuerySet:
        """Everything `Visit.has_errors` and `Visit.is_short_of_volunteers` need, in a fixed number
        of queries whatever the number of visits: for lists that mark problems without calling
        `problems()` once per row."""
        overlapping = Assignment.objects.active().filter(
            visit__date=OuterRef(OuterRef("date")),
            visit__starts_at__lt=OuterRef(OuterRef("ends_at")),
            visit__ends_at__gt=OuterRef(OuterRef("starts_at")),
        )
        mine = Assignment.objects.exclude(status=Assignment.Status.DECLINED).filter(visit=OuterRef("pk"))
        calendar = TermDate.objects.filter(
            local_authority=OuterRef("school__local_authority"), starts_on__lte=OuterRef("date"),
            ends_on__gte=OuterRef("date"),
        )
        closures = SchoolClosure.objects.filter(
            school=OuterRef("school"), starts_on__lte=OuterRef("date"), ends_on__gte=OuterRef("date")
        )
        return (
            self.with_team()
            .annotate(
                signal_holiday=Exists(calendar.filter(kind__in=TermDate.CLOSED)),
                signal_closed=Exists(closures.filter(kind=SchoolClosure.Kind.CLOSURE)),
                signal_inset=Exists(calendar.filter(kind=TermDate.Kind.INSET)),
                signal_school_inset=Exists(closures.filter(kind=SchoolClosure.Kind.INSET)),
                signal_double_booked=Exists(
                    mine.filter(
                        Exists(overlapping.filter(volunteer=OuterRef("volunteer")).exclude(visit=OuterRef("visit")))
                    )
                ),
                signal_unavailable=Exists(
                    mine.filter(
                        Exists(
                            Unavailability.objects.filter(
                                volunteer=OuterRef("volunteer"),
                                starts_on__lte=OuterRef("visit__date"),
                                ends_on__gte=OuterRef("visit__date"),
                            )
                        )
                    )
                ),
            )
        )

    def with_team(self) -> VisitQuerySet:
        """The school, the session lines with their types, and the team (`booked_assignments`: everyone not
        declined, with their volunteer), in a fixed number of queries whatever the number of visits."""
        return self.select_related("school").prefetch_related(
            Prefetch("sessions", queryset=VisitSession.objects.select_related("session_type")),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.exclude(status=Assignment.Status.DECLINED).select_related(
                    "volunteer__user"
                ),
                to_attr="booked_assignments",
            ),
        )

    def with_staffing_counts(self) -> VisitQuerySet:
        """`volunteers_wanted` (what the sessions need, `Visit.volunteers_needed`) and `volunteers_booked`
        (everyone invited or accepted) annotated, each a subquery: the numbers without reading the team."""
        needed = (
            VisitSession.objects.filter(visit=OuterRef("pk"))
            .order_by()
            .values("visit")
            .annotate(n=Max("session_type__volunteers_needed"))
            .values("n")
        )
        staffed = (
            Assignment.objects.exclude(status=Assignment.Status.DECLINED)
            .filter(visit=OuterRef("pk"))
            .order_by()
            .values("visit")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            volunteers_wanted=Coalesce(Subquery(needed), 0), volunteers_booked=Coalesce(Subquery(staffed), 0)
        )

    def short_of_volunteers(self) -> VisitQuerySet:
        """Live visits whose sessions need more volunteers than are invited or accepted."""
        return (
            self.live()
            .exclude(status=Visit.Status.DELIVERED)
            .with_staffing_counts()
            .filter(volunteers_booked__lt=models.F("volunteers_wanted"))
        )


class CancelReason(models.TextChoices):
    """Why a visit was cancelled, by its coordinator or by the school: a short list, so that the reach
    report can count them ("other" needs words)."""

    SCHOOL_CLOSURE = "school_closure", _("The school is closed")
    SCHOOL_REQUEST = "school_request", _("The school asked to cancel")
    NO_VOLUNTEERS = "no_volunteers", _("No volunteers could go")
    WEATHER = "weather", _("Weather")
    OTHER = "other", _("Another reason")


# The reasons a school gives on its own page (it cannot say that no volunteers could go).
SCHOOL_CANCEL_REASONS = [CancelReason.SCHOOL_CLOSURE, CancelReason.SCHOOL_REQUEST, CancelReason.WEATHER,
                         CancelReason.OTHER]


def token_digest(token: str) -> str:
    """How a school page's retired address is remembered: never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


class Visit(models.Model):
    CancelReason = CancelReason

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        PROPOSED = "proposed", "Proposed"
        CONFIRMED = "confirmed", "Confirmed"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    class RequesterRole(models.TextChoices):
        # Labels translated: the public request form offers them in Welsh.
        HEAD = "head", pgettext_lazy("school role", "Headteacher")
        TEACHER = "teacher", pgettext_lazy("school role", "Class teacher")
        DSL = "dsl", pgettext_lazy("school role", "Designated safeguarding lead")
        OFFICE = "office", pgettext_lazy("school role", "School office or administration")
        OTHER = "other", pgettext_lazy("school role", "Other")

    # The workflow: which status may follow which. Checked in `change_status`, nowhere else.
    TRANSITIONS = {
        Status.REQUESTED: {Status.PROPOSED, Status.CANCELLED},
        Status.PROPOSED: {Status.REQUESTED, Status.CONFIRMED, Status.CANCELLED},
        Status.CONFIRMED: {Status.PROPOSED, Status.DELIVERED, Status.CANCELLED},
        Status.DELIVERED: set(),
        Status.CANCELLED: set(),
    }
    # Closed: nothing follows (delivered, cancelled). A closed visit is not staffed, changed or answered.
    CLOSED = frozenset(status for status, following in TRANSITIONS.items() if not following)

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="visits")
    date = models.DateField()
    starts_at = models.TimeField("start time", default=time(9, 0))
    ends_at = models.TimeField("end time", default=time(10, 30))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="coordinated_visits"
    )
    notes = models.TextField(blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    cancel_category = models.CharField("why cancelled", max_length=20, choices=CancelReason.choices, blank=True)
    # A visit made by "Cancel and rebook": the cancelled visit it replaces.
    rebooked_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rebookings", editable=False
    )
    # What a school asked for through the public request form.
    requester_name = models.CharField(max_length=200, blank=True)
    requester_email = models.EmailField(blank=True)
    requester_phone = models.CharField(max_length=30, blank=True)
    requester_role = models.CharField("requester's role", max_length=20, blank=True, choices=RequesterRole.choices)
    # The school's safeguarding lead for this visit, as the school gave it: the person volunteers pass a
    # concern to on the day (the school's own page and the session pack read these too).
    safeguarding_lead_name = models.CharField("safeguarding lead's name", max_length=200, blank=True)
    safeguarding_lead_role = models.CharField("safeguarding lead's role", max_length=100, blank=True)
    safeguarding_lead_phone = models.CharField("safeguarding lead's phone", max_length=30, blank=True)
    safeguarding_lead_email = models.EmailField("safeguarding lead's email", blank=True)
    preferred_dates = models.TextField(blank=True)
    pupils_by_year = models.JSONField(default=dict, blank=True, help_text='Pupils per year group, e.g. {"1": 30}.')
    needs_send = models.BooleanField("SEND adaptations needed", default=False)
    needs_welsh = models.BooleanField("Welsh-language delivery needed", default=False)
    # The school's preferences, structured so that a booking against them is a warning (problem `preference`).
    preferred_weekdays = models.JSONField(
        "weekdays that suit", default=list, blank=True, help_text="0 = Monday … 4 = Friday; empty: any weekday."
    )
    preferred_time = models.CharField(
        "time of day that suits", max_length=10, blank=True,
        choices=[("", "Any time"), ("morning", "Mornings (starting before noon)"),
                 ("afternoon", "Afternoons (starting from noon)")],
    )
    dates_to_avoid = models.JSONField(
        "dates to avoid", default=list, blank=True, help_text="Dates the school cannot have a visit (YYYY-MM-DD)."
    )
    # The school's own page for the visit (sessions/schools_side/): its address is this token, the only key.
    # A new one is made when the visit is cancelled; the old one's digest is kept so that its 404 page can
    # still say whom to contact.
    school_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    retired_school_token = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    # What the school confirmed on its page (with the safeguarding lead's fields above).
    hall_and_equipment = models.TextField("hall and equipment", blank=True)
    arrival_instructions = models.TextField("parking and arrival", blank=True)
    school_details_at = models.DateTimeField("school confirmed its details at", null=True, blank=True, editable=False)
    # The school's agreement to the date and time: who (the name they gave), when, and to which date and
    # time. It holds only while the visit is still at that date and time (`school_has_agreed`).
    school_agreed_by = models.CharField("school agreed: name", max_length=200, blank=True, editable=False)
    school_agreed_at = models.DateTimeField("school agreed at", null=True, blank=True, editable=False)
    school_agreed_date = models.DateField("date the school agreed to", null=True, blank=True, editable=False)
    school_agreed_starts_at = models.TimeField("start time agreed", null=True, blank=True, editable=False)
    school_agreed_ends_at = models.TimeField("end time agreed", null=True, blank=True, editable=False)
    # The school said the proposed date does not work, and offered these instead (ISO dates).
    school_other_dates = models.JSONField("other dates the school offered", default=list, blank=True, editable=False)
    school_other_dates_note = models.CharField(max_length=500, blank=True, editable=False)
    school_other_dates_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    # Set when a confirmed visit went back to proposed by itself (it lost its lead or volunteers, or a
    # volunteer's clearance lapses before the date): the dashboard lists it until it is confirmed again.
    unconfirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    unconfirmed_reason = models.CharField(max_length=300, blank=True, editable=False)
    # Set when a volunteer dropped out within COVER_WINDOW_DAYS of the visit: it needs cover until staffed.
    cover_needed_since = models.DateTimeField(null=True, blank=True, editable=False)
    # iCalendar SEQUENCE: raised when the date, times or cancellation change what a calendar shows.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    # The codes of the errors `problems()` finds (space-separated), stored so that the lists (dashboard,
    # calendar, admin) choose and mark visits in SQL instead of applying every rule to every row. Kept true
    # by sessions/models/stored_problems.py on every change to what the rules read; NULL until worked out.
    error_codes = models.CharField(max_length=300, null=True, blank=True, editable=False)
    staffing_errors = models.BooleanField(default=False, editable=False)  # any of STAFFING_CODES
    other_errors = models.BooleanField(default=False, editable=False)  # any other error
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisitQuerySet.as_manager()
    # Every change is kept; the feed's revision counter is bookkeeping, not a change to the visit, and the
    # school page's address is a credential (kept nowhere else).
    history = HistoricalRecords(excluded_fields=["calendar_sequence", "school_token", "retired_school_token",
                                                 "error_codes", "staffing_errors", "other_errors"])

    class Meta:
        ordering = ["date", "starts_at"]
        indexes = [
            models.Index(fields=["date", "status"], name="visit_date_status"),
            models.Index(fields=["school", "status", "date"], name="visit_school_status_date"),
            # An area's visits in a date range (dashboard, calendar, feeds): each school's visits are
            # sought by date instead of all read (docs/benchmarks.md, "Indexes").
            models.Index(fields=["school", "date"], name="visit_school_date"),
            # The few visits in one status, oldest first (the dashboard's requests from schools).
            models.Index(fields=["status", "created_at"], name="visit_status_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="visit_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.school.name}, {self.date:%-d %b %Y}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The visit must end after it starts."})

    BOOKING_FIELDS = {"date", "starts_at", "ends_at", "status"}
    # Said when a change was made from an older version of the visit than the one saved now (two
    # coordinators at once): the later change is refused rather than silently overwriting the first.
    CHANGED_MEANWHILE = "Someone else changed this visit a moment ago. Reload it and try again."

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or self.BOOKING_FIELDS & set(update_fields):
            # The assignments carry the visit's time for the database's double-booking backstop.
            if self.is_cancelled:
                self.assignments.update(booked_from=None, booked_until=None)
            else:
                self.assignments.exclude(status=Assignment.Status.DECLINED).update(
                    booked_from=self.starts, booked_until=self.ends
                )

    @property
    def signal_codes(self) -> frozenset[str]:
        """The codes of the errors `problems()` would give, from what `Visit.objects.with_signals()`
        loaded: the set-level twin of the error rules, so a list asks it without a query per row
        (tests/sessions/planning/test_rules.py checks the two agree)."""
        if self.is_cancelled or not self.date:
            return frozenset()
        school, booked, lines = self.school, self.booked_assignments, list(self.sessions.all())
        codes = set()
        if self.date.weekday() >= 5:
            codes.add("weekend")
        if bank_holiday_name(self.date, school.nation):
            codes.add("bank_holiday")
        if self.signal_holiday or self.signal_closed:
            codes.add("school_holiday")
        if self.signal_inset or self.signal_school_inset:
            codes.add("inset")
        if self.signal_double_booked:
            codes.add("double_booked")
        if self.signal_unavailable:
            codes.add("unavailable")
        if any(not a.volunteer.is_cleared_on(self.date) for a in booked):
            codes.add("not_cleared")
        if any(not line.session_type.suits(school) for line in lines):
            codes.add("age_unsuitable")
        if any(not line.session_type.suits_year_group(n) for line in lines for n in line.year_groups or []
               if isinstance(n, int)):
            codes.add("year_groups_outside_ages")
        if any(line.starts_at < self.starts_at or line.ends_at > self.ends_at for line in lines):
            codes.add("session_outside_visit")
        if len(booked) < self.volunteers_needed(lines):
            codes.add("understaffed")
        if lines and not any(a.role == Assignment.Role.LEAD for a in booked):
            codes.add("no_lead")
        if any(a.status == Assignment.Status.INVITED for a in booked):
            codes.add("not_accepted")
        return frozenset(codes)

    @property
    def stored_error_codes(self) -> frozenset[str]:
        """The error codes stored on the visit (sessions/models/stored_problems.py): `signal_codes` without
        reading anything more."""
        return frozenset((self.error_codes or "").split())

    @property
    def has_errors(self) -> bool:
        """Whether `problems()` holds an error (from `with_signals()`)."""
        return bool(self.signal_codes)

    @property
    def is_short_of_volunteers(self) -> bool:
        """Fewer volunteers invited or accepted than the sessions need (the `understaffed` error)."""
        return "understaffed" in self.signal_codes

    @property
    def needs_staffing(self) -> bool:
        """Short of volunteers, without a lead, or waiting for someone to answer (from `with_signals()`)."""
        return bool(self.signal_codes & STAFFING_CODES)

    @property
    def has_other_errors(self) -> bool:
        """An error that is not about who is on the visit: the date, a volunteer, the ages (`with_signals()`)."""
        return bool(self.signal_codes - STAFFING_CODES)

    def staffing_options(
        self, volunteers: VolunteerQuerySet, sessions: Iterable[VisitSession] | None = None, *, limit: int | None = None
    ) -> StaffingOptions:
        """Rank volunteers for this visit: the best `limit` (all when None), how many were ranked and how
        many of those may take it.
        `volunteers` is the pool to rank (volunteers already on this visit are left out); `sessions` the
        visit's lines where the caller has read them.

        Eligible first (cleared on the date, covering the school's police force area, not booked
        elsewhere at the time, not unavailable), each ineligible one with its reasons. Then, when any
        session is in Welsh, Welsh speakers first; then those within their own travel limit before those
        beyond it (a soft reason: "32 km: beyond their 25 km"); then by distance, nearest first, an
        unknown distance (Northern Ireland, a district not in the table, no postcode, a school without
        coordinates) after every known one; then fewest visits that month, then by name.

        The whole pool is ranked from a few columns a row (a large area has a thousand volunteers); only
        the volunteers shown are read whole, and only their reasons are written out.
        """
        on_visit = Assignment.objects.filter(visit_id=self.pk).values("volunteer_id") if self.pk else []
        area = self.school.police_force
        lines = list(self.sessions.all() if sessions is None else sessions)
        in_welsh = any(line.welsh_language for line in lines)
        school_point = self.school.location
        ranked = volunteers.exclude(pk__in=on_visit).for_staffing(self)
        rows = list(ranked.order_by().values_list(
            "pk", "cleared", "covers_school", "speaks_welsh", "max_travel_km", "postcode", "user__last_name"
        ))
        # Everyone's bookings elsewhere, asked once each (a fixed number of queries for any pool): bookings
        # overlapping the visit and who declared the date away, then the live bookings in the visit's month.
        elsewhere = Assignment.objects.active().exclude(visit_id=self.pk or 0)
        clashes: dict[int, Assignment] = {}
        for clash in BOOKED_ELSEWHERE_AT(visit=self.pk or 0, day=self.date, starts_at=self.starts_at,
                                         ends_at=self.ends_at):
            clashes.setdefault(clash.volunteer_id, clash)
        away = set(
            Unavailability.objects.filter(starts_on__lte=self.date, ends_on__gte=self.date).values_list(
                "volunteer_id", flat=True
            )
        )

        km_from: dict[tuple[int, int] | None, float | None] = {}  # by district centre: many volunteers share one

        def placing(row: tuple) -> tuple:
            """Where a volunteer stands before the month's bookings and the name break ties."""
            pk, cleared, covers, speaks_welsh, max_travel_km, postcode, last_name = row
            eligible = cleared and covers and pk not in clashes and pk not in away
            point = district_point(postcode)
            if point not in km_from:
                km_from[point] = distance_km(school_point, point)
            km = km_from[point]
            known = km is not None
            return not eligible, in_welsh and not speaks_welsh, beyond_travel_limit(km, max_travel_km), not known, \
                km if known else 0.0

        placed = {row[0]: placing(row) for row in rows}
        # The month's bookings only break ties, so they are read for the volunteers who can still reach the
        # first `limit` places: those placed no lower than the one in the last place shown. Everyone else
        # comes after all of them whatever their month.
        contenders = rows
        if limit == 0:
            contenders = []
        elif limit is not None and len(rows) > limit:
            last_shown = heapq.nsmallest(limit, placed.values())[-1]
            contenders = [row for row in rows if placed[row[0]] <= last_shown]
        first, last = month_of(self.date)
        that_month_of = elsewhere.filter(visit__date__range=(first, last))
        if len(contenders) < len(rows):
            that_month_of = that_month_of.filter(volunteer_id__in=[row[0] for row in contenders])
        # Counted by visit, as the index on (volunteer, visit, status) holds them: no assignment is read.
        that_month = dict(that_month_of.order_by().values_list("volunteer").annotate(n=Count("visit")))
        contenders = sorted(
            contenders, key=lambda row: (*placed[row[0]], that_month.get(row[0], 0), row[6], row[0])
        )
        chosen = [row[0] for row in contenders[:limit]]
        covering = {row[0] for row in rows if row[2]}
        shown = {volunteer.pk: volunteer for volunteer in VOLUNTEERS_WITH_ACCOUNTS(chosen)}  # as ranked just now
        options = []
        for pk in chosen:
            volunteer = shown.get(pk)
            if volunteer is None:  # removed since the ranking was read
                continue
            reasons = list(volunteer.clearance_issues(self.date))
            if pk not in covering:
                reasons.append(f"does not cover {area.name if area else 'this school’s area'}")
            clash = clashes.get(pk)
            if clash:
                reasons.append(clash.clash_reason())
            if pk in away:
                reasons.append("is unavailable on that date")
            options.append(
                StaffingOption(
                    volunteer, tuple(reasons), that_month.get(pk, 0),
                    distance_km=distance_km(school_point, volunteer.location),
                    welsh_wanted=in_welsh,
                )
            )
        return StaffingOptions(options, len(rows), sum(1 for key in placed.values() if not key[0]))

    # Volunteers arrive this long before the first session, or at the visit's start if that is earlier.
    ARRIVE_MINUTES_BEFORE = 15

    def arrival_time(self, sessions: Iterable[VisitSession] | None = None) -> time:
        """When the volunteers arrive: what the pack, the school's page and the school's reminder say."""
        lines = list(self.sessions.all()) if sessions is None else list(sessions)
        return min([self.starts_at, *(minus_minutes(line.starts_at, self.ARRIVE_MINUTES_BEFORE) for line in lines)])

    # --- The school's side

    # What the school gives on its own page (and the page's address): a coordinator's save of the visit
    # never writes them back from an older copy (`services.save_visit` takes them from the locked row).
    SCHOOL_SIDE_FIELDS = (
        "school_token", "retired_school_token", "safeguarding_lead_name", "safeguarding_lead_role",
        "safeguarding_lead_phone", "safeguarding_lead_email", "hall_and_equipment", "arrival_instructions",
        "school_details_at", "school_agreed_by", "school_agreed_at", "school_agreed_date", "school_agreed_starts_at",
        "school_agreed_ends_at", "school_other_dates", "school_other_dates_note", "school_other_dates_at",
    )

    @property
    def school_has_agreed(self) -> bool:
        """The school agreed to the date and time the visit has now (a later change needs agreeing again)."""
        return self.school_agreed_at is not None and (
            self.school_agreed_date, self.school_agreed_starts_at, self.school_agreed_ends_at
        ) == (self.date, self.starts_at, self.ends_at)

    @property
    def school_offered_dates(self) -> list[date]:
        found = []
        for text in self.school_other_dates or []:
            try:
                found.append(date.fromisoformat(str(text)))
            except ValueError:
                continue
        return sorted(set(found))

    def clear_school_agreement(self) -> list[str]:
        """Forget the school's agreement (its date or time changed); returns the fields to save."""
        self.school_agreed_by, self.school_agreed_at = "", None
        self.school_agreed_date = self.school_agreed_starts_at = self.school_agreed_ends_at = None
        return ["school_agreed_by", "school_agreed_at", "school_agreed_date", "school_agreed_starts_at",
                "school_agreed_ends_at"]

    def school_addresses(self) -> list[str]:
        """Whom the school's emails go to: the requester and the safeguarding lead, once each."""
        found: list[str] = []
        for address in (self.requester_email, self.safeguarding_lead_email):
            if address and address.strip().lower() not in [a.lower() for a in found]:
                found.append(address.strip())
        return found

    def retire_school_token(self) -> list[str]:
        """A new address for the school's page (the old one stops working); returns the fields to save."""
        self.retired_school_token = token_digest(self.school_token)
        self.school_token = new_token()
        return ["school_token", "retired_school_token"]

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

    @property
    def preferences(self) -> list[str]:
        """The school's preferences in words, as the problem quotes them ("Mornings; Monday to Thursday")."""
        said = []
        if self.preferred_time:
            said.append(f"{self.preferred_time}s")
        days = sorted({d for d in self.preferred_weekdays if isinstance(d, int) and 0 <= d < 5})
        if days and len(days) < 5:
            names = [f"{self.WEEKDAYS[d]}s" for d in days]
            said.append(names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" or {names[-1]}")
        avoid = self.avoided_dates
        if avoid:
            said.append("not " + ", ".join(f"{d:%-d %B %Y}" for d in avoid))
        return said

    @property
    def avoided_dates(self) -> list[date]:
        found = []
        for text in self.dates_to_avoid or []:
            try:
                found.append(date.fromisoformat(str(text)))
            except ValueError:
                continue
        return sorted(set(found))

    @property
    def times(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def starts(self) -> datetime:
        return datetime.combine(self.date, self.starts_at, tzinfo=timezone.get_current_timezone())

    @property
    def ends(self) -> datetime:
        return datetime.combine(self.date, self.ends_at, tzinfo=timezone.get_current_timezone())

    def active_assignments(self) -> list[Assignment]:
        return [a for a in self.assignments.all() if a.status != Assignment.Status.DECLINED]

    def read_lines(self) -> list[VisitSession]:
        """The session lines with their types, in order: `self.sessions`, by SQL built once a process (the
        visit page's every part and the problems ask for them)."""
        lines = VISIT_LINES(visit=self.pk) if self.pk else []
        for line in lines:
            line.visit = self  # as `self.sessions` gives them: each knows its visit without asking
        return lines

    def read_team(self) -> list[Assignment]:
        """Everyone asked to the visit (declined too), with their volunteer and account, leads first: the
        staffing panel's list, by SQL built once a process."""
        team = VISIT_TEAM(visit=self.pk) if self.pk else []
        for assignment in team:
            assignment.visit = self
        return team

    def volunteers_needed(self, sessions: Iterable[VisitSession] | None = None) -> int:
        sessions = list(self.sessions.all()) if sessions is None else list(sessions)
        return max((line.session_type.volunteers_needed for line in sessions), default=0)

    def problems(self, sessions: Iterable[VisitSession] | None = None) -> list[Problem]:
        """Every error and warning for this visit: the rules in `sessions/models/problems.py`.

        `sessions` lets a form check session lines that are not saved yet; otherwise the saved
        lines are used. Assignments are always the saved ones.
        """
        return problems_of(self, sessions)

    def errors(self, sessions: Iterable[VisitSession] | None = None) -> list[Problem]:
        return [p for p in self.problems(sessions) if p.is_error]

    def errors_to_show(self, sessions: Iterable[VisitSession] | None = None) -> list[Problem]:
        """`errors()`, for what only shows them (the pack's draft band). The rules run only when the stored
        codes say there is an error or were never worked out: sessions/models/stored_problems.py keeps them
        equal to `problems()` on every change. Whatever books or confirms asks `problems()` itself."""
        return [] if self.error_codes == "" else self.errors(sessions)

    # --- The visit report

    def report_issue(self, volunteer: Volunteer, today: date | None = None) -> str | None:
        """Why `volunteer` may not file this visit's report now (None: they may)."""
        today = today or timezone.localdate()
        is_lead = any(
            a.volunteer_id == volunteer.pk and a.role == Assignment.Role.LEAD and a.status != Assignment.Status.DECLINED
            for a in self.assignments.all()
        )
        if not is_lead:
            return "Only the lead volunteer on this visit files its report."
        if hasattr(self, "report"):
            return "The report for this visit has been filed."
        if self.status != self.Status.CONFIRMED:
            return f"A {self.get_status_display().lower()} visit has no report to file."
        if self.date > today:
            return "The report can be filed on or after the day of the visit."
        return None

    def planned_by_year(self, sessions: Iterable[VisitSession] | None = None) -> dict[int, int]:
        """Planned pupils per year group (`attendance.planned_by_year`): the school's numbers, or the
        session lines' pupils shared across their year groups."""
        sessions = list(self.sessions.all()) if sessions is None else list(sessions)
        return counting.planned_by_year(self.pupils_by_year, [(line.year_groups, line.pupils) for line in sessions])

    def expected_attendance(self, line: VisitSession, planned: dict[int, int] | None = None) -> dict[int, int]:
        """What the report form starts from for one line: the planned pupils of each of its year groups."""
        planned = self.planned_by_year() if planned is None else planned
        return {year: planned.get(year, 0) for year in sorted(line.year_groups)}

    def check_figures(self, attendance: dict[int, dict[int, int]]) -> counting.Checked:
        """What is impossible or unusual about these figures (line pk → {year group: children})."""
        lines = list(self.sessions.all())
        nation = self.school.nation
        return counting.check_figures(
            [(line.pk, f"{line.starts_at:%H:%M} {line.session_type.name}", attendance.get(line.pk, {}))
             for line in lines],
            self.planned_by_year(lines),
            self.school.pupils,
            lambda year: year_group_label(year, nation),
        )

    def _save_figures(self, lines: list[VisitSession], attendance: dict[int, dict[int, int]], reason: str,
                      confirmed: bool, unusual_reason: str) -> tuple[int, int]:
        """Check and save each line's attendance; (children reached, sessions delivered). Raises
        ValidationError, saving nothing, when a figure is impossible or unusual and not confirmed."""
        if set(attendance) != {line.pk for line in lines}:
            raise ValidationError("Give the number of children at every session (0 if it did not happen).")
        for line in lines:
            outside = set(counting.clean_attendance(attendance[line.pk])) - set(line.year_groups)
            if outside:
                raise ValidationError(
                    f"{line.starts_at:%H:%M} {line.session_type.name} is not for "
                    f"{year_groups_label(outside, self.school.nation)}: give numbers only for its year groups."
                )
        checked = self.check_figures(attendance)
        if checked.impossible:
            raise ValidationError([f.message for f in checked.impossible])
        if checked.unusual and not (confirmed and unusual_reason.strip()):
            raise ValidationError(
                [f.message for f in checked.unusual]
                + ["Tick to confirm these numbers are right, and say why they are higher than planned."]
            )
        for line in lines:
            line.attendance = {str(y): n for y, n in sorted(counting.clean_attendance(attendance[line.pk]).items())}
            line.children_reached = sum(line.attendance.values())
            line._change_reason = reason
            line.save(update_fields=["attendance", "children_reached"])
        counts = [counting.clean_attendance(attendance[line.pk]) for line in lines]
        return counting.children_reached(counts), sum(1 for c in counts if sum(c.values()) > 0)

    def file_report(
        self,
        *,
        by: Volunteer,
        attendance: dict[int, dict[int, int]],
        notes: str = "",
        follow_up: bool = False,
        confirmed: bool = False,
        unusual_reason: str = "",
        today: date | None = None,
    ) -> VisitReport:
        """Record the lead volunteer's report: children per session line and year group, and the totals
        (children reached counted by `attendance.children_reached`, each child once).

        Figures over the plan or the roll need `confirmed` and a reason; impossible ones are refused.
        Side effects: saves each session line's attendance and creates the VisitReport, all or nothing.
        """
        with transaction.atomic():
            visit = Visit.objects.select_for_update().select_related("school").get(pk=self.pk)
            issue = visit.report_issue(by, today)
            if issue:
                raise ValidationError(issue)
            lines = list(visit.sessions.select_related("session_type"))
            reached, delivered = visit._save_figures(lines, attendance, "Visit report filed", confirmed,
                                                     unusual_reason)
            checked_unusual = visit.check_figures(attendance).needs_confirmation
            report = VisitReport.objects.create(
                visit=visit,
                filed_by=by,
                children_reached=reached,
                sessions_delivered=delivered,
                notes=notes.strip(),
                follow_up=follow_up,
                unusual_reason=unusual_reason.strip() if checked_unusual else "",
            )
        return report

    # --- The workflow

    def allowed_transitions(self, today: date | None = None) -> set[str]:
        """The statuses the visit may move to now (delivered only on or after its date)."""
        allowed = set(self.TRANSITIONS[self.Status(self.status)])
        if self.date and self.date > (today or timezone.localdate()):
            allowed.discard(self.Status.DELIVERED)
        return allowed

    # --- Who is on the visit

    def staffing(self, assignments: Iterable[Assignment] | None = None, sessions=None) -> Staffing:
        """Who is on the visit now: from `assignments` and `sessions` where the caller has them, else
        from the saved ones (two queries)."""
        if assignments is None:
            assignments = self.assignments.select_related("volunteer__user")
        booked = [a for a in assignments if a.status != Assignment.Status.DECLINED]
        return Staffing(
            needed=self.volunteers_needed(sessions),
            booked=len(booked),
            accepted=sum(a.status == Assignment.Status.ACCEPTED for a in booked),
            lead=next((a for a in booked if a.role == Assignment.Role.LEAD), None),
        )

    def change_status(self, to: str, *, by, reason: str = "", today: date | None = None) -> None:
        """Move the visit to another status, or raise ValidationError saying why not.

        Side effects: saves the visit and records who changed it, when and why.
        """
        today = today or timezone.localdate()
        with transaction.atomic():
            # Lock the row: two coordinators changing one visit at once are taken one after the other.
            current = Visit.objects.select_for_update().get(pk=self.pk)
            if current.version != self.version:
                raise ValidationError(self.CHANGED_MEANWHILE)
            if to == self.Status.DELIVERED and current.date > today:
                raise ValidationError("A visit can only be marked delivered on or after its date.")
            if to not in current.allowed_transitions(today):
                raise ValidationError(
                    f"A {current.get_status_display().lower()} visit cannot be marked {self.Status(to).label.lower()}."
                )
            if to == self.Status.CONFIRMED:
                # The confirmation gate: exactly one accepted lead, enough accepted volunteers and no other
                # error, each said as the problem that stands in the way (sessions/models/problems.py).
                errors = [p.message for p in current.problems() if p.is_error]
                if errors:
                    raise ValidationError(["Fix these before confirming:", *errors])
            if to == self.Status.DELIVERED:
                if not VisitReport.objects.filter(visit=current).exists():
                    raise ValidationError("The lead volunteer must file the visit report before it is delivered.")
            if to == self.Status.CANCELLED and not reason.strip():
                raise ValidationError("Say why the visit is cancelled.")
            StatusChange.objects.create(visit=current, from_status=current.status, to_status=to, by=by, reason=reason)
            fields = ["status", "cancel_reason", "version", "updated_at"]
            if current.status == self.Status.CONFIRMED and to == self.Status.PROPOSED and by is None:
                # Unconfirmed by the rules, not by a person: the dashboard lists it until confirmed again.
                current.unconfirmed_at, current.unconfirmed_reason = timezone.now(), reason[:300]
                fields += ["unconfirmed_at", "unconfirmed_reason"]
            if to in (self.Status.CONFIRMED, *self.CLOSED):
                current.unconfirmed_at, current.unconfirmed_reason, current.cover_needed_since = None, "", None
                fields += ["unconfirmed_at", "unconfirmed_reason", "cover_needed_since"]
            current.status = to
            if to == self.Status.CANCELLED:
                current.cancel_reason = reason.strip()
            current.version += 1
            # The history row's reason
            # (The history's reason column holds 100 characters; the full reason is on the StatusChange.)
            current._change_reason = (
                f"Status changed to {self.Status(to).label.lower()}" + (f" ({reason})" if reason and by is None else "")
            )[:100]
            current.save(update_fields=fields)
        self.status, self.cancel_reason, self.version = current.status, current.cancel_reason, current.version
        self.unconfirmed_at, self.unconfirmed_reason = current.unconfirmed_at, current.unconfirmed_reason
        self.cover_needed_since = current.cover_needed_since


@dataclass(frozen=True)
class Staffing:
    """Who is on a visit: how many it needs, how many are invited or accepted, and its lead."""

    needed: int
    booked: int
    accepted: int
    lead: Assignment | None

    @property
    def has_accepted_lead(self) -> bool:
        return self.lead is not None and self.lead.status == Assignment.Status.ACCEPTED

    @property
    def holds(self) -> bool:
        """Enough to stay confirmed: an accepted lead and as many accepted volunteers as needed."""
        return self.has_accepted_lead and self.accepted >= self.needed

    @property
    def needs_cover(self) -> bool:
        """Someone is missing: no lead on the visit, or fewer invited or accepted than needed."""
        return self.lead is None or self.booked < self.needed

    def shortfall(self) -> str:
        """What is missing, in words ("no lead; 1 of 2 volunteers accepted")."""
        missing = []
        if self.lead is None:
            missing.append("no lead")
        elif not self.has_accepted_lead:
            missing.append("the lead has not accepted")
        if self.accepted < self.needed:
            missing.append(f"{self.accepted} of {self.needed} volunteers accepted")
        return "; ".join(missing)


@dataclass(frozen=True)
class StaffingOption:
    """A volunteer as a candidate for a visit, with why they may not take it (none: eligible), how far
    they are from the school (None: unknown) and whether the visit wants a Welsh speaker."""

    volunteer: Volunteer
    reasons: tuple[str, ...]
    visits_that_month: int
    distance_km: float | None = None
    welsh_wanted: bool = False

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def beyond_limit(self) -> bool:
        return beyond_travel_limit(self.distance_km, self.volunteer.max_travel_km)

    @property
    def distance(self) -> str:
        """The distance in words: "12 km", "under 1 km", "32 km: beyond their 25 km", "distance unknown"."""
        if self.distance_km is None:
            return "distance unknown"
        km = round(self.distance_km)
        said = "under 1 km" if km < 1 else f"{km} km"
        return f"{said}: beyond their {self.volunteer.max_travel_km} km" if self.beyond_limit else said


def beyond_travel_limit(distance_km: float | None, max_travel_km: int) -> bool:
    """Further than the volunteer said they travel: shown and ranked after, never refused."""
    return distance_km is not None and distance_km > max_travel_km


class StaffingOptions(NamedTuple):
    """`Visit.staffing_options`: the best placed volunteers, in order, how many were ranked and how many of
    those may take the visit."""

    options: list[StaffingOption]
    total: int
    eligible: int


class StatusChange(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Visit.Status.choices)
    to_status = models.CharField(max_length=20, choices=Visit.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.visit}: {self.from_status} → {self.to_status}"

    # How a change the school made on its own page begins its reason (it has no account to record).
    BY_SCHOOL = "By the school: "

    @property
    def by_label(self) -> str:
        """Who made the change, as the visit's history says it."""
        if self.by_id:
            return person_name(self.by)
        if self.reason.startswith(self.BY_SCHOOL):
            return "the school, on its visit page"
        if self.reason.startswith("automatic:"):
            return "the planner, automatically"
        return "someone whose account has been removed"


class VisitSession(models.Model):
    """One session line of a visit: an assembly or workshop for some year groups."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="sessions")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="visit_sessions")
    starts_at = models.TimeField("start time")
    year_groups = models.JSONField(default=list, help_text="Year group numbers: 0 = Reception, 1–6 = Year 1–6.")
    pupils = models.PositiveIntegerField(default=0)
    send_adapted = models.BooleanField("SEND adaptations", default=False)
    welsh_language = models.BooleanField("delivered in Welsh", default=False)
    children_reached = models.PositiveIntegerField(
        null=True, blank=True, help_text="From the visit report: the children at this session (all year groups)."
    )
    attendance = models.JSONField(
        default=dict, blank=True,
        help_text='From the visit report: children at this session per year group, e.g. {"5": 28, "6": 30}.',
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.session_type} at {self.starts_at:%H:%M}"

    @property
    def year_groups_label(self) -> str:
        return year_groups_label(self.year_groups, self.visit.school.nation)

    @property
    def ends_at(self) -> time:
        return plus_minutes(self.starts_at, self.session_type.duration_minutes)


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def active(self) -> AssignmentQuerySet:
        """Invited or accepted, on a visit that is not cancelled: the volunteer is booked."""
        return self.exclude(status=Assignment.Status.DECLINED).exclude(visit__status=Visit.Status.CANCELLED)

    def overlapping(self, *, day: date, starts_at: time, ends_at: time) -> AssignmentQuerySet:
        """Live bookings on visits that overlap the given time."""
        return self.active().filter(visit__date=day, visit__starts_at__lt=ends_at, visit__ends_at__gt=starts_at)

    def booked(self) -> AssignmentQuerySet:
        """Invited or accepted (not declined): who a visit counts as its volunteers."""
        return self.exclude(status=Assignment.Status.DECLINED)

    def clashing(self, *, volunteers, day: date, starts_at: time, ends_at: time) -> AssignmentQuerySet:
        """The volunteers' bookings on other visits that overlap the given time: the double-booking rule."""
        return self.overlapping(day=day, starts_at=starts_at, ends_at=ends_at).filter(volunteer__in=volunteers)

    def clashes_with(self, visit: Visit, *, volunteers) -> AssignmentQuerySet:
        """The volunteers' bookings elsewhere that overlap `visit`'s time, first first, with what
        `Assignment.clash_message` names: every double-booking check asks this."""
        return (
            self.clashing(volunteers=volunteers, day=visit.date, starts_at=visit.starts_at, ends_at=visit.ends_at)
            .exclude(visit_id=visit.pk)
            .select_related("visit__school", "volunteer__user")
            # Only the columns the message names: the whole visit, school, volunteer and user are over a hundred
            # columns, and building the query for them cost the live problems check more than running it.
            .only(*Assignment.CLASH_MESSAGE_FIELDS)
            .order_by("visit__starts_at", "pk")
        )

    def live_between(self, first: date, last: date) -> AssignmentQuerySet:
        """Live bookings (invited or accepted) on visits in a date range that are still to be delivered."""
        return self.active().filter(visit__date__range=(first, last)).exclude(visit__status=Visit.Status.DELIVERED)


VISIT_LINES = Prepared(lambda: VisitSession.objects.filter(visit_id=Key("visit")).select_related("session_type"))
VISIT_TEAM = Prepared(
    lambda: Assignment.objects.filter(visit_id=Key("visit")).select_related("volunteer__user").order_by("role", "pk")
)
# Asked whenever a visit's staffing panel is drawn, so built once a process (config/prepared.py): the bookings
# elsewhere overlapping a visit's time, with only what `clash_reason` names (the whole visit and school are some
# eighty columns).
BOOKED_ELSEWHERE_AT = Prepared(lambda: (
    Assignment.objects.active().exclude(visit_id=Key("visit"))
    .overlapping(day=Param("day", models.DateField()), starts_at=Param("starts_at", models.TimeField()),
                 ends_at=Param("ends_at", models.TimeField()))
    .select_related("visit__school").only("volunteer_id", *Assignment.CLASH_REASON_FIELDS)
    .order_by("visit__starts_at", "pk")
))


class DeclineReason(models.TextChoices):
    """Why a volunteer said no: a short list, so that the reach report can count them."""

    ILL = "ill", "Ill or unwell"
    WORK = "work", "Work or other commitments"
    TRANSPORT = "transport", "Cannot get there"
    OTHER = "other", "Another reason"


class Assignment(models.Model):
    DeclineReason = DeclineReason

    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        SUPPORT = "support", "Support"

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="assignments")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.SUPPORT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    decline_note = models.CharField("other reason", max_length=200, blank=True)
    # The visit's time while this assignment books the volunteer (empty when declined or the visit is
    # cancelled), kept in step by save() here and on Visit: on PostgreSQL an exclusion constraint over
    # it is the database's backstop against double booking (migration 0003).
    booked_from = models.DateTimeField(null=True, blank=True, editable=False)
    booked_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AssignmentQuerySet.as_manager()
    # booked_from/booked_until copy the visit's times for the double-booking constraint: the visit's
    # own history has them.
    history = HistoricalRecords(excluded_fields=["booked_from", "booked_until"])

    class Meta:
        ordering = ["visit", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["visit", "volunteer"], name="assignment_once_per_visit")]
        # A volunteer's bookings (double booking, visits that month, staffing), answered from the index
        # alone without reading the assignment rows (docs/benchmarks.md, "Indexes").
        indexes = [models.Index(fields=["volunteer", "visit", "status"], name="assignment_volunteer_visit")]

    def __str__(self) -> str:
        return f"{self.volunteer} ({self.get_role_display()}) at {self.visit}"

    def save(self, *args, **kwargs) -> None:
        books = self.status != self.Status.DECLINED and not self.visit.is_cancelled
        self.booked_from, self.booked_until = (self.visit.starts, self.visit.ends) if books else (None, None)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "booked_from", "booked_until"}
        super().save(*args, **kwargs)

    # What `clash_reason` and `clash_message` read, so that a query for a clash reads these columns alone.
    CLASH_REASON_FIELDS = ("visit__date", "visit__starts_at", "visit__ends_at", "visit__school__name")
    CLASH_MESSAGE_FIELDS = (
        *CLASH_REASON_FIELDS, "volunteer__user__first_name", "volunteer__user__last_name", "volunteer__user__username"
    )

    def clash_reason(self) -> str:
        """How this booking stops the volunteer going elsewhere at the same time."""
        return f"is already at {self.visit.school.name} {self.visit.times} on {self.visit.date:%-d %B %Y}"

    def clash_message(self) -> str:
        """The one message for a double booking, wherever it is refused or shown."""
        return f"{self.volunteer.name} {self.clash_reason()}."

    def response_issue(self, today: date | None = None) -> str | None:
        """Why the volunteer cannot answer this invitation now (None: they can)."""
        today = today or timezone.localdate()
        if self.visit.is_closed:
            return f"This visit is {self.visit.get_status_display().lower()}."
        if self.visit.date < today:
            return "This visit has already taken place."
        return None

    def _respond(self, status: str, today: date | None) -> None:
        issue = self.response_issue(today)
        if issue:
            raise ValidationError(issue)
        self.status = status
        self.responded_at = timezone.now()
        self.save(update_fields=["status", "responded_at"])

    def accept(self, today: date | None = None) -> None:
        """The volunteer says yes. Side effect: saves the assignment."""
        if self.status != self.Status.INVITED:
            raise ValidationError(f"You have already {self.get_status_display().lower()} this visit.")
        self._respond(self.Status.ACCEPTED, today)

    def decline(self, today: date | None = None, *, reason: str = "", note: str = "") -> None:
        """The volunteer says no (also after accepting), with a reason from the list (the portal asks for
        one; a decline entered by staff may have none). Side effect: saves the assignment; the
        coordinator is told by the notification receivers."""
        if self.status == self.Status.DECLINED:
            raise ValidationError("You have already declined this visit.")
        if reason and reason not in DeclineReason.values:
            raise ValidationError("Choose why you cannot go.")
        if reason == DeclineReason.OTHER and not note.strip():
            raise ValidationError("Say in a few words why you cannot go.")
        self.decline_reason, self.decline_note = reason, note.strip()[:200]
        issue = self.response_issue(today)
        if issue:
            raise ValidationError(issue)
        self.status = self.Status.DECLINED
        self.responded_at = timezone.now()
        self.save(update_fields=["status", "responded_at", "decline_reason", "decline_note"])


class CoverRequest(models.Model):
    """A one-time link emailed to a volunteer asking them to cover a visit someone dropped out of.

    The first volunteer to answer "I can" while the visit still needs cover is booked (the rules in
    `sessions.services.claim_cover`); the others' links then say it is covered and stop working. A link
    works until the visit starts.
    """

    class Outcome(models.TextChoices):
        OPEN = "", "Waiting for an answer"
        BOOKED = "booked", "Booked"
        COVERED = "covered", "Covered by someone else"
        REFUSED = "refused", "Could not be booked"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="cover_requests")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="cover_requests")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default=Outcome.OPEN)
    outcome_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "volunteer"], condition=Q(outcome=""), name="cover_request_open_once"
            )
        ]

    def __str__(self) -> str:
        return f"Cover for {self.visit} asked of {self.volunteer}"

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN


CORRECTION_WINDOW_DAYS = 30  # a coordinator may correct a report this long after it was filed


class VisitReport(models.Model):
    """Filed by the lead volunteer after a visit. Holds counts and a flag only: no details about any child.

    `children_reached` is counted by `sessions.models.attendance.children_reached` (each child once)
    from the session lines' attendance, and recounted whenever a coordinator corrects it. Every change
    is kept, with the reason given (`history`'s change reason)."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="report")
    filed_by = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.SET_NULL)
    filed_at = models.DateTimeField(default=timezone.now)
    children_reached = models.PositiveIntegerField(help_text="Each child counted once (per year group, the "
                                                   "highest attendance across the visit's sessions).")
    sessions_delivered = models.PositiveSmallIntegerField()
    notes = models.TextField(
        "anything to note", blank=True, help_text="About the visit itself. Never write details about a child."
    )
    follow_up = models.BooleanField(
        "a concern was passed to the school's safeguarding lead",
        default=False,
    )
    unusual_reason = models.CharField(
        "why the numbers are higher than planned", max_length=300, blank=True,
        help_text="Given with the confirmation when a year group was more than a fifth over the plan or the "
        "visit reached more children than the school's roll.",
    )
    corrected_at = models.DateTimeField(null=True, blank=True, editable=False)
    correction_reason = models.CharField(
        "why it was corrected", max_length=300, blank=True, editable=False,
        help_text="The coordinator's reason for the last correction; each correction's is kept in the history.",
    )
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Report for {self.visit}"

    def correction_issue(self, now: datetime | None = None) -> str | None:
        """Why the report may not be corrected now (None: it may)."""
        now = now or timezone.now()
        if now > self.correctable_until:
            return (f"This report was filed on {timezone.localtime(self.filed_at):%-d %B %Y}: reports can be "
                    f"corrected for {CORRECTION_WINDOW_DAYS} days after filing. Ask staff if it is still wrong.")
        return None

    @property
    def correctable_until(self) -> datetime:
        return self.filed_at + timedelta(days=CORRECTION_WINDOW_DAYS)

    def correct(
        self,
        *,
        by,
        attendance: dict[int, dict[int, int]],
        reason: str,
        follow_up: bool | None = None,
        confirmed: bool = False,
        unusual_reason: str = "",
        now: datetime | None = None,
    ) -> VisitReport:
        """A coordinator corrects the figures (and the follow-up flag) within CORRECTION_WINDOW_DAYS of
        filing; the reason is kept on each history record the correction makes. All or nothing."""
        reason = reason.strip()
        if not reason:
            raise ValidationError("Say why the report is being corrected.")
        with transaction.atomic():
            report = VisitReport.objects.select_for_update().select_related("visit__school").get(pk=self.pk)
            issue = report.correction_issue(now)
            if issue:
                raise ValidationError(issue)
            visit = report.visit
            lines = list(visit.sessions.select_related("session_type"))
            history_reason = f"Corrected: {reason}"[:100]
            reached, delivered = visit._save_figures(lines, attendance, history_reason, confirmed, unusual_reason)
            report.children_reached, report.sessions_delivered = reached, delivered
            if follow_up is not None:
                report.follow_up = follow_up
            report.unusual_reason = unusual_reason.strip() if visit.check_figures(attendance).unusual else ""
            report.corrected_at, report.corrected_by = now or timezone.now(), by
            report.correction_reason = reason[:300]
            report._change_reason = history_reason
            report.save()
        return report

    def corrections(self) -> list:
        """The report's history after filing, newest first: when, who and why."""
        return list(
            self.history.filter(history_type="~").exclude(correction_reason="")
            .select_related("history_user").order_by("-history_date")
        )

class VisitNote(models.Model):
    """Something a school added to a visit it had already asked for: a second request through the public
    form becomes a note on the live visit (services.request_visit) rather than a second visit. Who wrote it
    and when are kept apart from what it says, so the visit page and the dashboard can list them."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="school_notes")
    created_at = models.DateTimeField(auto_now_add=True)
    author_name = models.CharField("from", max_length=200)
    author_role = models.CharField("their role", max_length=100, blank=True)
    author_email = models.EmailField("their email", blank=True)
    author_phone = models.CharField("their phone", max_length=30, blank=True)
    text = models.TextField(help_text="What the school asked, in words.")

    class Meta:
        ordering = ["visit", "created_at", "pk"]
        indexes = [models.Index(fields=["created_at"], name="visitnote_created")]

    def __str__(self) -> str:
        if not self.created_at:
            return self.author_name
        return f"{self.author_name}, {timezone.localtime(self.created_at):%-d %B %Y}"
