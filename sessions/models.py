"""Visits to schools, the sessions given on them, and the people who plan and give them.

Every rule about a visit lives here: who may work on a date (`Volunteer.is_cleared_on`), what is
wrong with a visit (`Visit.problems`), and how a visit moves from request to delivery
(`Visit.change_status`). Views, forms, the PDF and the feeds ask these; nothing re-implements them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from schools.models import School, cycle_start, years_after
from stats.models import Area

COORDINATORS_GROUP = "Coordinators"
VOLUNTEERS_GROUP = "Volunteers"
DATA_ENTRY_GROUP = "Data entry"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


# --- Year groups: stored as numbers (0 = Reception, 1–6 = Year 1–6), named by the school's nation.

YEAR_GROUP_CHOICES = [(0, "Reception")] + [(n, f"Year {n}") for n in range(1, 7)]


def year_group_label(number: int, nation: str = School.Nation.ENGLAND) -> str:
    """England and Wales say Reception and Year 1–6; Scotland and Northern Ireland say P1–P7."""
    if nation in (School.Nation.SCOTLAND, School.Nation.NORTHERN_IRELAND):
        return f"P{number + 1}"
    return "Reception" if number == 0 else f"Year {number}"


def year_groups_label(numbers: Iterable[int], nation: str = School.Nation.ENGLAND) -> str:
    return ", ".join(year_group_label(n, nation) for n in sorted(numbers))


# --- Problems

@dataclass(frozen=True)
class Problem:
    level: str  # "error" blocks confirming; "warning" can be accepted
    code: str
    message: str

    ERROR = "error"
    WARNING = "warning"

    @property
    def is_error(self) -> bool:
        return self.level == self.ERROR


HOLIDAY_SUBDIVISIONS = {
    School.Nation.ENGLAND: "ENG",
    School.Nation.WALES: "WLS",
    School.Nation.SCOTLAND: "SCT",
    School.Nation.NORTHERN_IRELAND: "NIR",
}


@lru_cache(maxsize=64)
def bank_holidays(nation: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=HOLIDAY_SUBDIVISIONS[nation], years=year)


def bank_holiday_name(day: date, nation: str) -> str | None:
    """The name of the bank holiday on `day` in the nation, or None."""
    return bank_holidays(nation, day.year).get(day)


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


# --- People

class Coordinator(models.Model):
    """A user who plans visits for some police force areas (member of the Coordinators group)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator")
    phone = models.CharField(max_length=30, blank=True)
    areas = models.ManyToManyField(
        Area, related_name="coordinators", limit_choices_to={"kind": Area.Kind.POLICE_FORCE}, blank=True
    )
    calendar_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return person_name(self.user)

    @property
    def name(self) -> str:
        return person_name(self.user)

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])

    def regenerate_calendar_token(self) -> None:
        """A new secret feed address; the old one stops working at once."""
        self.calendar_token = new_token()
        self.save(update_fields=["calendar_token"])


class VolunteerQuerySet(models.QuerySet["Volunteer"]):
    def active(self) -> VolunteerQuerySet:
        return self.filter(active=True)

    def covering(self, area: Area | None) -> VolunteerQuerySet:
        return self.filter(areas=area) if area else self.none()

    def cleared_on(self, day: date) -> VolunteerQuerySet:
        """The set-level twin of `Volunteer.is_cleared_on` (same rule, as a filter)."""
        dbs_after = years_after(day, -settings.DBS_CHECK_VALID_YEARS)
        training_after = years_after(day, -settings.SAFEGUARDING_TRAINING_VALID_YEARS)
        return self.filter(
            Q(active=True),
            Q(dbs_checked_on__lte=day),
            Q(dbs_update_service=True) | Q(dbs_checked_on__gt=dbs_after),
            Q(training_on__lte=day, training_on__gt=training_after),
        )

    def clearance_expiring(self, *, within_days: int, today: date) -> VolunteerQuerySet:
        """Active volunteers whose DBS check or training stops counting within `within_days` days
        (the set-level twin of `Volunteer.clearance_expires_within`)."""
        horizon = today + timedelta(days=within_days)
        dbs, training = settings.DBS_CHECK_VALID_YEARS, settings.SAFEGUARDING_TRAINING_VALID_YEARS
        return self.filter(active=True).filter(
            Q(
                dbs_update_service=False,
                dbs_checked_on__gte=years_after(today, -dbs),
                dbs_checked_on__lte=years_after(horizon, -dbs),
            )
            | Q(training_on__gte=years_after(today, -training), training_on__lte=years_after(horizon, -training))
        )

    def for_staffing(self, visit: Visit) -> VolunteerQuerySet:
        """The volunteers with their user and `covers_school` (covers the school's police force area)
        annotated: what `Visit.staffing_options` needs of each row. What they are booked for comes from
        `Visit.staffing_options` in a few set-level queries, not a subquery per volunteer (which, for
        the thousand volunteers of a large area, cost hundreds of milliseconds: docs/benchmarks.md)."""
        area_id = visit.school.local_authority.police_force_id if visit.school.local_authority_id else None
        return self.select_related("user").annotate(
            covers_school=Exists(Volunteer.areas.through.objects.filter(volunteer_id=OuterRef("pk"), area_id=area_id)),
        )


class Volunteer(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer")
    phone = models.CharField(max_length=30, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    areas = models.ManyToManyField(
        Area,
        related_name="volunteers",
        limit_choices_to={"kind": Area.Kind.POLICE_FORCE},
        blank=True,
        help_text="Police force areas this volunteer covers.",
    )
    dbs_checked_on = models.DateField("DBS check date", null=True, blank=True)
    dbs_reference = models.CharField("DBS certificate number", max_length=20, blank=True)
    dbs_update_service = models.BooleanField(
        "on the DBS Update Service", default=False, help_text="A check on the Update Service does not expire."
    )
    training_on = models.DateField("safeguarding training date", null=True, blank=True)
    active = models.BooleanField(default=True)
    left_on = models.DateField(null=True, blank=True, help_text="The date the volunteer left the programme.")
    # Set by `anonymise_leavers` once the retention period after leaving has passed (VOLUNTEER_RETENTION_YEARS).
    anonymised_on = models.DateField(null=True, blank=True, editable=False)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    email_reminders = models.BooleanField("email me reminders before visits", default=True)
    email_report_nudges = models.BooleanField("email me to file the visit report", default=True)

    objects = VolunteerQuerySet.as_manager()
    # Every change is kept, except the feed's secret address (a credential, not a record).
    history = HistoricalRecords(excluded_fields=["calendar_token"])

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return person_name(self.user)

    @property
    def name(self) -> str:
        return person_name(self.user)

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.user.groups.add(Group.objects.get_or_create(name=VOLUNTEERS_GROUP)[0])

    @property
    def dbs_expires_on(self) -> date | None:
        """The first day the DBS check no longer counts (None: no check, or on the Update Service)."""
        if self.dbs_checked_on is None or self.dbs_update_service:
            return None
        return years_after(self.dbs_checked_on, settings.DBS_CHECK_VALID_YEARS)

    @property
    def training_expires_on(self) -> date | None:
        if self.training_on is None:
            return None
        return years_after(self.training_on, settings.SAFEGUARDING_TRAINING_VALID_YEARS)

    @property
    def clearance_expires_on(self) -> date | None:
        """The first day on which the volunteer is no longer cleared (the earlier expiry)."""
        dates = [d for d in (self.dbs_expires_on, self.training_expires_on) if d]
        return min(dates) if dates else None

    def clearance_issues(self, on: date) -> list[str]:
        """Why the volunteer may not work with children on that date (empty: they may)."""
        issues = []
        if not self.active:
            issues.append("is not an active volunteer")
        if self.dbs_checked_on is None or self.dbs_checked_on > on:
            issues.append("has no DBS check by that date")
        elif self.dbs_expires_on and on >= self.dbs_expires_on:
            issues.append(f"has a DBS check that expired on {self.dbs_expires_on:%-d %B %Y}")
        if self.training_on is None or self.training_on > on:
            issues.append("has no safeguarding training by that date")
        elif on >= self.training_expires_on:
            issues.append(f"has safeguarding training that expired on {self.training_expires_on:%-d %B %Y}")
        return issues

    def is_cleared_on(self, on: date) -> bool:
        """The single rule for "may work with children on that date"."""
        return not self.clearance_issues(on)

    def clearance_expires_within(self, days: int, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        expires = self.clearance_expires_on
        return expires is not None and today <= expires and (expires - today).days <= days

    def regenerate_calendar_token(self) -> None:
        self.calendar_token = new_token()
        self.save(update_fields=["calendar_token"])

    def bookings_between(self, first: date, last: date) -> AssignmentQuerySet:
        """The volunteer's live bookings (invited or accepted, visit not cancelled) in a date range."""
        return (
            Assignment.objects.active()
            .filter(volunteer=self, visit__date__range=(first, last))
            .exclude(visit__status=Visit.Status.DELIVERED)
        )


class Unavailability(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="unavailabilities")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name_plural = "unavailabilities"
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="unavailability_in_order")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer}: {self.starts_on} to {self.ends_on}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The last day cannot be before the first day."})


# --- Visits

class VisitQuerySet(models.QuerySet["Visit"]):
    def visible_to(self, user) -> VisitQuerySet:
        """Visits the user may see: staff all; coordinators their areas'; volunteers their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        match = Q(pk__in=[])
        if hasattr(user, "coordinator"):
            match |= Q(school__local_authority__police_force__in=user.coordinator.areas.all())
        if hasattr(user, "volunteer"):
            match |= Q(pk__in=Assignment.objects.filter(volunteer=user.volunteer).values("visit_id"))
        return self.filter(match)

    def packs_visible_to(self, user) -> VisitQuerySet:
        """Visits whose session pack the user may download: staff all; coordinators their areas';
        volunteers only visits they are invited to or have accepted (a declined volunteer may not)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        match = Q(pk__in=[])
        if hasattr(user, "coordinator"):
            match |= Q(school__local_authority__police_force__in=user.coordinator.areas.all())
        if hasattr(user, "volunteer"):
            booked = Assignment.objects.filter(volunteer=user.volunteer).exclude(status=Assignment.Status.DECLINED)
            match |= Q(pk__in=booked.values("visit_id"))
        return self.filter(match)

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
        return (
            self.select_related("school")
            .annotate(
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
            .prefetch_related(
                Prefetch("sessions", queryset=VisitSession.objects.select_related("session_type")),
                Prefetch(
                    "assignments",
                    queryset=Assignment.objects.exclude(status=Assignment.Status.DECLINED).select_related(
                        "volunteer__user"
                    ),
                    to_attr="booked_assignments",
                ),
            )
        )

    def short_of_volunteers(self) -> VisitQuerySet:
        """Live visits whose sessions need more volunteers than are invited or accepted."""
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
        return (
            self.live()
            .exclude(status=Visit.Status.DELIVERED)
            .annotate(volunteers_wanted=Coalesce(Subquery(needed), 0), volunteers_booked=Coalesce(Subquery(staffed), 0))
            .filter(volunteers_booked__lt=models.F("volunteers_wanted"))
        )


class Visit(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        PROPOSED = "proposed", "Proposed"
        CONFIRMED = "confirmed", "Confirmed"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    # The workflow: which status may follow which. Checked in `change_status`, nowhere else.
    TRANSITIONS = {
        Status.REQUESTED: {Status.PROPOSED, Status.CANCELLED},
        Status.PROPOSED: {Status.REQUESTED, Status.CONFIRMED, Status.CANCELLED},
        Status.CONFIRMED: {Status.PROPOSED, Status.DELIVERED, Status.CANCELLED},
        Status.DELIVERED: set(),
        Status.CANCELLED: set(),
    }

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
    # What a school asked for through the public request form.
    requester_name = models.CharField(max_length=200, blank=True)
    requester_email = models.EmailField(blank=True)
    requester_phone = models.CharField(max_length=30, blank=True)
    preferred_dates = models.TextField(blank=True)
    pupils_by_year = models.JSONField(default=dict, blank=True, help_text='Pupils per year group, e.g. {"1": 30}.')
    needs_send = models.BooleanField("SEND adaptations needed", default=False)
    needs_welsh = models.BooleanField("Welsh-language delivery needed", default=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    # iCalendar SEQUENCE: raised when the date, times or cancellation change what a calendar shows.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisitQuerySet.as_manager()
    # Every change is kept; the feed's revision counter is bookkeeping, not a change to the visit.
    history = HistoricalRecords(excluded_fields=["calendar_sequence"])

    class Meta:
        ordering = ["date", "starts_at"]
        indexes = [
            models.Index(fields=["date", "status"], name="visit_date_status"),
            models.Index(fields=["school", "status", "date"], name="visit_school_status_date"),
            # An area's visits in a date range (dashboard, calendar, feeds): each school's visits are
            # sought by date instead of all read (docs/benchmarks.md, "Indexes").
            models.Index(fields=["school", "date"], name="visit_school_date"),
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
    def has_errors(self) -> bool:
        """Whether `problems()` holds an error, from what `Visit.objects.with_signals()` loaded: the
        set-level twin of the error rules in `problems()`, so a list asks it without a query per row."""
        if self.is_cancelled or not self.date:
            return False
        school = self.school
        if self.date.weekday() >= 5 or bank_holiday_name(self.date, school.nation):
            return True
        if self.signal_double_booked or self.signal_unavailable:
            return True
        if any(not a.volunteer.is_cleared_on(self.date) for a in self.booked_assignments):
            return True
        return any(not line.session_type.suits(school) for line in self.sessions.all())

    @property
    def is_short_of_volunteers(self) -> bool:
        """From `with_signals()`: fewer volunteers booked than the sessions need (the `understaffed` warning)."""
        return len(self.booked_assignments) < self.volunteers_needed(self.sessions.all())

    def staffing_options(self, volunteers: VolunteerQuerySet) -> list[StaffingOption]:
        """Rank volunteers for this visit. Eligible first (cleared on the date, covering the school's
        police force area, not booked elsewhere at the time, not unavailable), then fewest visits that
        month, then by name; each ineligible one with its reasons. `volunteers` is the pool to rank
        (volunteers already on this visit are left out)."""
        on_visit = Assignment.objects.filter(visit_id=self.pk).values("volunteer_id") if self.pk else []
        area = self.school.police_force
        pool = list(volunteers.exclude(pk__in=on_visit).for_staffing(self))
        # Everyone's bookings elsewhere, asked once each (a fixed number of queries for any pool): live
        # bookings in the visit's month, bookings overlapping the visit, and who declared the date away.
        elsewhere = Assignment.objects.active().exclude(visit_id=self.pk or 0)
        first = self.date.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        that_month = dict(
            elsewhere.filter(visit__date__range=(first, last)).order_by().values_list("volunteer").annotate(n=Count("pk"))
        )
        clashes: dict[int, Assignment] = {}
        overlapping = elsewhere.overlapping(day=self.date, starts_at=self.starts_at, ends_at=self.ends_at)
        for clash in overlapping.select_related("visit__school").order_by("visit__starts_at", "pk"):
            clashes.setdefault(clash.volunteer_id, clash)
        away = set(
            Unavailability.objects.filter(starts_on__lte=self.date, ends_on__gte=self.date).values_list(
                "volunteer_id", flat=True
            )
        )
        options = []
        for volunteer in pool:
            reasons = list(volunteer.clearance_issues(self.date))
            if not volunteer.covers_school:
                reasons.append(f"does not cover {area.name if area else 'this school’s area'}")
            clash = clashes.get(volunteer.pk)
            if clash:
                reasons.append(f"is already at {clash.visit.school.name} {clash.visit.times}")
            if volunteer.pk in away:
                reasons.append("is unavailable on that date")
            options.append(StaffingOption(volunteer, tuple(reasons), that_month.get(volunteer.pk, 0)))
        options.sort(key=lambda o: (not o.eligible, o.visits_that_month, o.volunteer.user.last_name, o.volunteer.pk))
        return options

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

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

    def volunteers_needed(self, sessions: Iterable[VisitSession] | None = None) -> int:
        sessions = list(self.sessions.all()) if sessions is None else list(sessions)
        return max((line.session_type.volunteers_needed for line in sessions), default=0)

    def problems(self, sessions: Iterable[VisitSession] | None = None) -> list[Problem]:
        """Every error and warning for this visit; the one place these rules live.

        `sessions` lets a form check session lines that are not saved yet; otherwise the saved
        lines are used. Assignments are always the saved ones.
        """
        if self.is_cancelled or not self.date or not self.school_id:
            return []
        school = self.school
        sessions = list(self.sessions.select_related("session_type")) if sessions is None else list(sessions)
        assignments = (
            list(
                self.assignments.exclude(status=Assignment.Status.DECLINED).select_related("volunteer__user")
            )
            if self.pk
            else []
        )
        volunteers = [a.volunteer for a in assignments]
        found: list[Problem] = []

        if self.date.weekday() >= 5:
            found.append(Problem(Problem.ERROR, "weekend", f"{self.date:%A %-d %B %Y} is a weekend."))
        holiday = bank_holiday_name(self.date, school.nation)
        if holiday:
            found.append(
                Problem(
                    Problem.ERROR,
                    "bank_holiday",
                    f"{holiday} is a bank holiday in {school.get_nation_display()}.",
                )
            )

        if self.starts_at and self.ends_at and volunteers:
            clashes = Assignment.objects.clashing(
                volunteers=volunteers, day=self.date, starts_at=self.starts_at, ends_at=self.ends_at
            ).exclude(visit_id=self.pk)
            for clash in clashes.select_related("visit__school", "volunteer__user"):
                found.append(
                    Problem(
                        Problem.ERROR,
                        "double_booked",
                        f"{clash.volunteer.name} is already at {clash.visit.school.name} {clash.visit.times}.",
                    )
                )

        for volunteer in volunteers:
            for issue in volunteer.clearance_issues(self.date):
                found.append(Problem(Problem.ERROR, "not_cleared", f"{volunteer.name} {issue}."))

        if volunteers:
            away = Unavailability.objects.filter(
                volunteer__in=volunteers, starts_on__lte=self.date, ends_on__gte=self.date
            ).select_related("volunteer__user")
            for absence in away:
                found.append(
                    Problem(
                        Problem.ERROR,
                        "unavailable",
                        f"{absence.volunteer.name} is unavailable from {absence.starts_on:%-d %B} "
                        f"to {absence.ends_on:%-d %B %Y}.",
                    )
                )

        for line in sessions:
            if not line.session_type.suits(school):
                found.append(
                    Problem(
                        Problem.ERROR,
                        "age_unsuitable",
                        f"{line.session_type.name} is for ages {line.session_type.age_range}; "
                        f"{school.name} takes ages {school.age_range}.",
                    )
                )

        needed = self.volunteers_needed(sessions)
        if len(volunteers) < needed:
            found.append(
                Problem(
                    Problem.WARNING,
                    "understaffed",
                    f"The sessions need {needed} volunteers; {len(volunteers)} "
                    f"{'is' if len(volunteers) == 1 else 'are'} assigned.",
                )
            )

        recent = (
            Visit.objects.filter(
                school_id=self.school_id,
                status=self.Status.DELIVERED,
                date__gt=cycle_start(self.date),
                date__lt=self.date,
            )
            .exclude(pk=self.pk)
            .order_by("-date")
            .first()
        )
        if recent:
            found.append(
                Problem(
                    Problem.WARNING,
                    "recently_visited",
                    f"{school.name} had a visit on {recent.date:%-d %B %Y}, within the "
                    f"{settings.PROGRAMME_CYCLE_YEARS}-year programme cycle.",
                )
            )
        return found

    def errors(self) -> list[Problem]:
        return [p for p in self.problems() if p.is_error]

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

    def file_report(
        self, *, by: Volunteer, children_reached: dict[int, int], notes: str = "", follow_up: bool = False,
        today: date | None = None,
    ) -> VisitReport:
        """Record the lead volunteer's report: children reached per session line and the totals.

        Side effects: saves `children_reached` on each session line and creates the VisitReport,
        all or nothing.
        """
        with transaction.atomic():
            visit = Visit.objects.select_for_update().get(pk=self.pk)
            issue = visit.report_issue(by, today)
            if issue:
                raise ValidationError(issue)
            lines = list(visit.sessions.all())
            if set(children_reached) != {line.pk for line in lines}:
                raise ValidationError("Give the number of children reached for every session.")
            for line in lines:
                line.children_reached = children_reached[line.pk]
                line.save(update_fields=["children_reached"])
            report = VisitReport.objects.create(
                visit=visit,
                filed_by=by,
                children_reached=sum(children_reached.values()),
                sessions_delivered=sum(1 for n in children_reached.values() if n > 0),
                notes=notes.strip(),
                follow_up=follow_up,
            )
        return report

    # --- The workflow

    def allowed_transitions(self) -> set[str]:
        return set(self.TRANSITIONS[self.Status(self.status)])

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
            if to not in current.allowed_transitions():
                raise ValidationError(
                    f"A {current.get_status_display().lower()} visit cannot be marked "
                    f"{self.Status(to).label.lower()}."
                )
            if to == self.Status.CONFIRMED:
                problems = current.problems()
                errors = [p.message for p in problems if p.is_error]
                if errors:
                    raise ValidationError(["Fix these before confirming:", *errors])
                if any(p.code == "understaffed" for p in problems):
                    raise ValidationError("A visit needs enough volunteers before it can be confirmed.")
            if to == self.Status.DELIVERED:
                if current.date > today:
                    raise ValidationError("A visit can only be marked delivered on or after its date.")
                if not VisitReport.objects.filter(visit=current).exists():
                    raise ValidationError("The lead volunteer must file the visit report before it is delivered.")
            if to == self.Status.CANCELLED and not reason.strip():
                raise ValidationError("Say why the visit is cancelled.")
            StatusChange.objects.create(visit=current, from_status=current.status, to_status=to, by=by, reason=reason)
            current.status = to
            if to == self.Status.CANCELLED:
                current.cancel_reason = reason.strip()
            current.version += 1
            current._change_reason = f"Status changed to {self.Status(to).label.lower()}"  # the history row's reason
            current.save(update_fields=["status", "cancel_reason", "version", "updated_at"])
        self.status, self.cancel_reason, self.version = current.status, current.cancel_reason, current.version


@dataclass(frozen=True)
class StaffingOption:
    """A volunteer as a candidate for a visit, with why they may not take it (none: eligible)."""

    volunteer: Volunteer
    reasons: tuple[str, ...]
    visits_that_month: int

    @property
    def eligible(self) -> bool:
        return not self.reasons


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


class VisitSession(models.Model):
    """One session line of a visit: an assembly or workshop for some year groups."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="sessions")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="visit_sessions")
    starts_at = models.TimeField("start time")
    year_groups = models.JSONField(default=list, help_text="Year group numbers: 0 = Reception, 1–6 = Year 1–6.")
    pupils = models.PositiveIntegerField(default=0)
    send_adapted = models.BooleanField("SEND adaptations", default=False)
    welsh_language = models.BooleanField("delivered in Welsh", default=False)
    children_reached = models.PositiveIntegerField(null=True, blank=True, help_text="From the visit report.")
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
        minutes = self.starts_at.hour * 60 + self.starts_at.minute + self.session_type.duration_minutes
        return time(min(minutes // 60, 23), minutes % 60)


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def active(self) -> AssignmentQuerySet:
        """Invited or accepted, on a visit that is not cancelled: the volunteer is booked."""
        return self.exclude(status=Assignment.Status.DECLINED).exclude(visit__status=Visit.Status.CANCELLED)

    def overlapping(self, *, day: date, starts_at: time, ends_at: time) -> AssignmentQuerySet:
        """Live bookings on visits that overlap the given time."""
        return self.active().filter(visit__date=day, visit__starts_at__lt=ends_at, visit__ends_at__gt=starts_at)

    def clashing(self, *, volunteers, day: date, starts_at: time, ends_at: time) -> AssignmentQuerySet:
        """The volunteers' bookings on other visits that overlap the given time: the double-booking rule."""
        return self.overlapping(day=day, starts_at=starts_at, ends_at=ends_at).filter(volunteer__in=volunteers)


class Assignment(models.Model):
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

    def response_issue(self, today: date | None = None) -> str | None:
        """Why the volunteer cannot answer this invitation now (None: they can)."""
        today = today or timezone.localdate()
        if self.visit.status in (Visit.Status.CANCELLED, Visit.Status.DELIVERED):
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

    def decline(self, today: date | None = None) -> None:
        """The volunteer says no (also after accepting). Side effect: saves the assignment; the
        coordinator is told by the notification receivers."""
        if self.status == self.Status.DECLINED:
            raise ValidationError("You have already declined this visit.")
        self._respond(self.Status.DECLINED, today)


class VisitReport(models.Model):
    """Filed by the lead volunteer after a visit. Holds counts and a flag only: no details about any child."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="report")
    filed_by = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.SET_NULL)
    filed_at = models.DateTimeField(default=timezone.now)
    children_reached = models.PositiveIntegerField()
    sessions_delivered = models.PositiveSmallIntegerField()
    notes = models.TextField(
        "anything to note", blank=True, help_text="About the visit itself. Never write details about a child."
    )
    follow_up = models.BooleanField(
        "a concern was passed to the school's safeguarding lead",
        default=False,
    )

    def __str__(self) -> str:
        return f"Report for {self.visit}"

# --- Notifications (sessions/notifications.py sends them)

class SentNotification(models.Model):
    """A scheduled email that has been sent, so that `send_reminders` never sends it twice.

    `key` names what the email was about, including the date it was for (a visit moved to
    another date makes a new reminder due).
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Visit reminder"
        REPORT_NUDGE = "report_nudge", "Visit report nudge"
        CLEARANCE_EXPIRY = "clearance_expiry", "Clearance expiry warning"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="notification_sent_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.key}"


# --- Session packs (sessions/pdf.py renders them; sessions/pack_content.py reads the content)

class PackContent(models.Model):
    """One editable section of the session pack: per session type, or shared by every pack.

    Staff edit the text in the admin; the pack's cache key covers it, so a change gives a new pack.
    The format of each section is described by `sessions.pack_content.SECTION_HELP`.
    """

    class Section(models.TextChoices):
        # Per session type
        KEY_MESSAGES = "key_messages", "Key messages"
        OUTLINE = "outline", "Outline with timings"
        WORDS_TO_USE = "words_to_use", "Words to use"
        WORDS_TO_AVOID = "words_to_avoid", "Words to avoid"
        QUESTIONS = "questions", "Questions children often ask"
        CLOSING = "closing", "How to close"
        PUPIL_HANDOUT = "pupil_handout", "Pupil handout"
        # Shared by every pack
        ARRIVAL = "arrival", "Arrival and sign-in"
        SAFEGUARDING = "safeguarding", "If a child tells you something"
        LOCAL_PICTURE = "local_picture", "Using the local picture with adults"

    SHARED_SECTIONS = (Section.ARRIVAL, Section.SAFEGUARDING, Section.LOCAL_PICTURE)

    session_type = models.ForeignKey(
        SessionType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pack_contents",
        help_text="Leave empty for a section shared by every pack.",
    )
    section = models.CharField(max_length=20, choices=Section.choices)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session_type__min_age", "session_type__name", "section"]
        verbose_name = "pack content"
        verbose_name_plural = "pack content"
        constraints = [
            models.UniqueConstraint(fields=["session_type", "section"], name="pack_content_once_per_section"),
            models.UniqueConstraint(
                fields=["section"], condition=Q(session_type__isnull=True), name="pack_content_shared_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_type or 'Every pack'}: {self.get_section_display()}"

    def clean(self) -> None:
        from sessions.pack_content import validate_section

        validate_section(self)


class StoredPack(models.Model):
    """A rendered pack in media storage, named by the key over everything it was made from."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="packs")
    key = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to="packs/")
    pages = models.PositiveSmallIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Pack for {self.visit_id} ({self.key[:12]})"


class PackDownload(models.Model):
    """Who downloaded which visit's pack and when: references only, no personal data copied."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    visit = models.ForeignKey(Visit, null=True, on_delete=models.SET_NULL, related_name="pack_downloads")
    pack_key = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Pack for visit {self.visit_id} downloaded by user {self.user_id} at {self.at:%Y-%m-%d %H:%M}"


class PackBatch(models.Model):
    """A coordinator's request for every pack in an area and date range, built as one ZIP by a task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pack_batches")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    first_date = models.DateField()
    last_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="pack-batches/", blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "pack batches"

    def __str__(self) -> str:
        return f"Packs for {self.area} {self.first_date} to {self.last_date}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
