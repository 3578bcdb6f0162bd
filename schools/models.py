"""Schools (from the DfE register) and their contacts."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q
from django.dispatch import Signal
from django.utils import timezone
from simple_history.models import HistoricalRecords

from config.dates import years_before
from config.text import search_key
from stats.models import Area, LocalAuthority

# A visit still being planned or to be given: the statuses of sessions.Visit that are not closed (visits
# live in the sessions app, which depends on this one; tests/sessions/planning/test_due_and_second.py
# checks the two agree).
LIVE_VISIT_STATUSES = ("requested", "proposed", "confirmed")


def cycle_start(on: date) -> date:
    """The first day of the programme cycle that ends on `on`: visits since then count."""
    return years_before(on, settings.PROGRAMME_CYCLE_YEARS)


class SchoolQuerySet(models.QuerySet["School"]):
    def open(self) -> SchoolQuerySet:
        return self.filter(status__in=School.OPEN_STATUSES)

    def in_areas(self, areas) -> SchoolQuerySet:
        """Schools in the given police force areas (a queryset or list of Areas)."""
        # Through a subquery of the areas' local authorities, not a join: when a broad search ("primary")
        # makes PostgreSQL guess a handful of schools, the join paired each of thousands with every
        # authority; this way the schools-due page is four times quicker (docs/benchmarks.md).
        return self.filter(local_authority__in=LocalAuthority.objects.filter(police_force__in=areas))

    def search(self, text: str) -> SchoolQuerySet:
        """Name, town or postcode contains the text, or the URN is it; accents, capitals, spaces and
        punctuation are ignored on both sides (`search_text`)."""
        text = text.strip()
        if not text:
            return self
        key = search_key(text)
        if not key:
            return self.none()
        match = Q(search_text__contains=key)
        if text.isdigit():
            match |= Q(urn=int(text))
        return self.filter(match)

    def bulk_create(self, objs, *args, **kwargs):
        """As Django's, with each school's search column filled (the importer and the demo create in bulk,
        which skips save())."""
        objs = list(objs)
        for school in objs:
            school.search_text = school.make_search_text()
        return super().bulk_create(objs, *args, **kwargs)

    def _visits(self) -> models.QuerySet:
        # Visits live in the sessions app, which depends on this one: reach them through the
        # reverse relation rather than an import.
        return self.model._meta.get_field("visits").related_model.objects.filter(status="delivered")

    def with_live_visit(self) -> SchoolQuerySet:
        """Annotate `has_live_visit`: a visit requested, proposed or confirmed (not delivered or cancelled)."""
        visits = self.model._meta.get_field("visits").related_model.objects
        live = visits.filter(school=OuterRef("pk"), status__in=LIVE_VISIT_STATUSES)
        return self.annotate(has_live_visit=models.Exists(live))

    def due(self, on: date | None = None) -> SchoolQuerySet:
        """Open schools with no delivered visit within the programme cycle that ends on `on`: never visited
        first, then longest since.

        The stored last visit (`last_visit_on`) answers for every school whose latest delivered visit is on or
        before `on`: every school when `on` is today or later, as a visit is marked delivered only from its day
        on. A school visited after `on` (a question about a past day) has its visits looked up."""
        on = on or timezone.localdate()
        start = cycle_start(on)
        recent = self._visits().filter(school=OuterRef("pk"), date__gt=start, date__lte=on)
        return (
            self.open()
            .filter(
                Q(last_visit_on__isnull=True)
                | Q(last_visit_on__lte=start)
                | (Q(last_visit_on__gt=on) & ~models.Exists(recent))
            )
            .order_by(models.F("last_visit_on").asc(nulls_first=True), "name", "urn")
        )


# Sent inside the transaction of a bulk write that model signals do not see (the schools import, the
# term-dates import), with `schools` (a condition on School) and `between` (a (first, last) pair of dates,
# or None for any date): the visits there may now be judged differently (sessions.models.stored_problems).
schools_changed_in_bulk = Signal()


class School(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PROPOSED_TO_CLOSE = "open_proposed_to_close", "Open, but proposed to close"
        CLOSED = "closed", "Closed"
        PROPOSED_TO_OPEN = "proposed_to_open", "Proposed to open"

    class Nation(models.TextChoices):
        ENGLAND = "england", "England"
        WALES = "wales", "Wales"
        SCOTLAND = "scotland", "Scotland"
        NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"

    OPEN_STATUSES = (Status.OPEN, Status.PROPOSED_TO_CLOSE)

    urn = models.PositiveIntegerField("URN", unique=True, help_text="The DfE's unique reference number.")
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=50, blank=True)
    establishment_type = models.CharField(max_length=100, blank=True)
    low_age = models.PositiveSmallIntegerField("statutory low age", null=True, blank=True)
    high_age = models.PositiveSmallIntegerField("statutory high age", null=True, blank=True)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.OPEN)
    street = models.CharField(max_length=200, blank=True)
    locality = models.CharField(max_length=200, blank=True)
    address3 = models.CharField("address line 3", max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    telephone = models.CharField(max_length=30, blank=True)
    pupils = models.PositiveIntegerField("number of pupils", null=True, blank=True)
    nation = models.CharField(max_length=20, choices=Nation.choices, default=Nation.ENGLAND)
    welsh_medium = models.BooleanField("Welsh-medium", default=False)
    send_provision = models.CharField(
        "SEND provision", max_length=200, blank=True, help_text="Special educational needs provision, if any."
    )
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="schools"
    )
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The name, town and postcode as a search compares them (config.text.search_key), kept by save(),
    # bulk_create() and the importer; "|" between them, so a search never matches across two of them.
    search_text = models.CharField(max_length=320, blank=True, editable=False)
    # The date of the latest delivered visit, kept by sessions/models/stored_problems.py on every change to a
    # visit (tests/sessions/models/test_stored_problems.py checks it against the visits on random changes).
    last_visit_on = models.DateField("last visit", null=True, blank=True, editable=False)

    objects = SchoolQuerySet.as_manager()
    # Every change, by hand or by a GIAS import, is kept (django-simple-history; the admin's "History").
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "urn"]
        indexes = [
            models.Index(fields=["status", "local_authority"], name="school_status_la"),
            models.Index(fields=["postcode"], name="school_postcode"),
            models.Index(fields=["town"], name="school_town"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.town})" if self.town else self.name

    SEARCHED_FIELDS = ("name", "town", "postcode")

    def make_search_text(self) -> str:
        return "|".join(search_key(getattr(self, name) or "") for name in self.SEARCHED_FIELDS)

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.make_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.SEARCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def police_force(self) -> Area | None:
        return self.local_authority.police_force if self.local_authority_id else None

    @property
    def location(self) -> tuple[int, int] | None:
        """The school's British National Grid point from the register (None: not known)."""
        if self.easting is None or self.northing is None:
            return None
        return (self.easting, self.northing)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def age_range(self) -> str:
        if self.low_age is None or self.high_age is None:
            return "not known"
        return f"{self.low_age}–{self.high_age}"

    @property
    def address_lines(self) -> list[str]:
        return [part for part in (self.street, self.locality, self.address3, self.town, self.postcode) if part]

    def is_due(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        last = self.last_visit_on
        return self.is_open and (last is None or last <= cycle_start(on))

    @property
    def safeguarding_lead(self) -> SchoolContact | None:
        return self.contacts.filter(role=SchoolContact.Role.DSL).first()


class SchoolContact(models.Model):
    class Role(models.TextChoices):
        HEADTEACHER = "head", "Headteacher"
        DSL = "dsl", "Designated safeguarding lead"
        DEPUTY_DSL = "deputy_dsl", "Deputy designated safeguarding lead"
        OFFICE = "office", "School office"
        OTHER = "other", "Other"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=Role.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["school", "role", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


# --- When schools are open: each local authority's term calendar, and each school's own closures


def academic_year_of(day: date) -> int:
    """The academic year a date falls in, named by the year it starts (1 September to 31 August)."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def academic_year_bounds(year: int) -> tuple[date, date]:
    return date(year, 9, 1), date(year + 1, 8, 31)


def day_month(day: date) -> str:
    return f"{day:%-d %B}"


class TermDateQuerySet(models.QuerySet["TermDate"]):
    def covering(self, day: date) -> TermDateQuerySet:
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def overlapping(self, first: date, last: date) -> TermDateQuerySet:
        """Spans with at least one day from `first` to `last` (a week or month of the planners' calendar)."""
        return self.filter(starts_on__lte=last, ends_on__gte=first)


class TermDate(models.Model):
    """One span of a local authority's term calendar for an academic year: a term, a half-term, a holiday
    or an INSET day (training day: schools closed to pupils). Staff import them in the admin
    (schools/term_import.py); academies and others that differ add their own days as SchoolClosures."""

    class Kind(models.TextChoices):
        TERM = "term", "Term"
        HALF_TERM = "half_term", "Half-term"
        HOLIDAY = "holiday", "Holiday"
        INSET = "inset", "INSET day"

    CLOSED = (Kind.HALF_TERM, Kind.HOLIDAY)

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="term_dates")
    academic_year = models.PositiveSmallIntegerField(help_text="The year it starts: 2026 for 2026/27.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()

    objects = TermDateQuerySet.as_manager()

    class Meta:
        ordering = ["local_authority", "starts_on", "kind"]
        indexes = [models.Index(fields=["local_authority", "starts_on", "ends_on"], name="termdate_la_dates")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="termdate_in_order")
        ]

    def __str__(self) -> str:
        return f"{self.local_authority}: {self.name}, {self.span}"

    @property
    def span(self) -> str:
        if self.starts_on == self.ends_on:
            return day_month(self.starts_on)
        return f"{day_month(self.starts_on)} – {day_month(self.ends_on)}"

    @property
    def name(self) -> str:
        """What people call it, from its dates: "Christmas holiday", "February half-term", "INSET day"."""
        if self.kind == self.Kind.INSET:
            return "INSET day"
        month = self.starts_on.month
        if self.kind == self.Kind.TERM:
            season = "autumn" if month >= 8 else "spring" if month <= 3 else "summer"
            return f"{season} term"
        if self.kind == self.Kind.HALF_TERM:
            return f"{self.starts_on:%B} half-term"
        if month == 12 or month == 1:
            return "Christmas holiday"
        if month in (3, 4):
            return "Easter holiday"
        if month in (7, 8):
            return "summer holiday"
        return "holiday"


class SchoolClosure(models.Model):
    """A day or days a school is closed beyond its authority's calendar: its own INSET days, or a closure
    (an academy's different holiday, a polling day, building work)."""

    class Kind(models.TextChoices):
        CLOSURE = "closure", "Closed"
        INSET = "inset", "INSET day"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="closures")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CLOSURE)
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    objects = TermDateQuerySet.as_manager()

    class Meta:
        ordering = ["school", "starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="schoolclosure_in_order")
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.get_kind_display()} {self.starts_on} – {self.ends_on}"

    @property
    def span(self) -> str:
        if self.starts_on == self.ends_on:
            return day_month(self.starts_on)
        return f"{day_month(self.starts_on)} – {day_month(self.ends_on)}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The last day cannot be before the first day."})
