"""The people who plan and give visits: coordinators, volunteers and the dates volunteers are away.

`Volunteer.is_cleared_on(date)` is the single rule for "may work with children on that date"; its
set-level twin is `Volunteer.objects.cleared_on(date)` (tests/sessions/test_rules.py checks they agree).
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from config.dates import years_after
from config.prepared import ByKeys
from schools.geography import POSTCODE_MESSAGE, Point, district_point, normalise_postcode
from stats.models import Area

if TYPE_CHECKING:
    from sessions.models.visits import AssignmentQuerySet, Visit

COORDINATORS_GROUP = "Coordinators"
VOLUNTEERS_GROUP = "Volunteers"
DATA_ENTRY_GROUP = "Data entry"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def person_name(user) -> str:
    """How a person is named everywhere: their full name, else their username."""
    return name_from(user.first_name, user.last_name, user.get_username())


def name_from(first_name: str, last_name: str, username: str) -> str:
    """`person_name` from the three columns alone (a list of names read without their accounts)."""
    return f"{first_name} {last_name}".strip() or username


def contact_card(user) -> dict[str, str]:
    """How to reach a coordinator (name, email and phone): what emails, feeds and packs show."""
    profile = getattr(user, "coordinator", None)
    return {"name": person_name(user), "email": user.email, "phone": profile.phone if profile else ""}

# What a sign-in saves on the user; no page, calendar feed or session pack shows either.
SIGN_IN_FIELDS = frozenset({"last_login", "password"})


def user_save_shows_a_change(*, raw: bool, created: bool, update_fields) -> bool:
    """Whether a user's post_save may have changed their name or contact details as others see them: not a
    fixture load, not a new account (on nothing yet), not a sign-in."""
    return not (raw or created or (update_fields is not None and set(update_fields) <= SIGN_IN_FIELDS))


def validate_uk_postcode(value: str) -> None:
    if value and normalise_postcode(value) is None:
        raise ValidationError(POSTCODE_MESSAGE, code="postcode")

# --- People

class Person:
    """What coordinators and volunteers share: named from their account, in their group, with a feed."""

    GROUP: str
    user: models.OneToOneField
    calendar_token: str

    def __str__(self) -> str:
        return person_name(self.user)

    @property
    def name(self) -> str:
        return person_name(self.user)

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.user.groups.add(Group.objects.get_or_create(name=self.GROUP)[0])

    def regenerate_calendar_token(self) -> None:
        """A new secret feed address; the old one stops working at once."""
        self.calendar_token = new_token()
        self.save(update_fields=["calendar_token"])


class Coordinator(Person, models.Model):
    """A user who plans visits for some police force areas (member of the Coordinators group)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator")
    phone = models.CharField(max_length=30, blank=True)
    areas = models.ManyToManyField(
        Area, related_name="coordinators", limit_choices_to={"kind": Area.Kind.POLICE_FORCE}, blank=True
    )
    calendar_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)

    GROUP = COORDINATORS_GROUP

    class Meta:
        ordering = ["user__last_name", "user__first_name"]


class VolunteerQuerySet(models.QuerySet["Volunteer"]):
    def active(self) -> VolunteerQuerySet:
        return self.filter(active=True)

    def covering(self, area: Area | None) -> VolunteerQuerySet:
        return self.filter(areas=area) if area else self.none()

    @staticmethod
    def cleared_condition(day: date) -> Q:
        """The set-level twin of `Volunteer.is_cleared_on` (same rule, as a condition)."""
        dbs_after = years_after(day, -settings.DBS_CHECK_VALID_YEARS)
        status_days = timedelta(days=settings.DBS_UPDATE_SERVICE_CHECK_DAYS)
        status_after = day - status_days if day - date.min > status_days else date.min  # held within the calendar
        training_after = years_after(day, -settings.SAFEGUARDING_TRAINING_VALID_YEARS)
        return (
            Q(active=True)
            & Q(dbs_level=Volunteer.DbsLevel.ENHANCED_BARRED)
            & Q(dbs_checked_on__lte=day)
            & (Q(dbs_checked_on__gt=dbs_after) | Q(dbs_update_service=True, dbs_status_checked_on__gt=status_after))
            & Q(training_on__lte=day, training_on__gt=training_after)
        )

    def cleared_on(self, day: date) -> VolunteerQuerySet:
        """The volunteers `Volunteer.is_cleared_on` that day, as a filter."""
        return self.filter(self.cleared_condition(day))

    def clearance_expiring(self, *, within_days: int, today: date) -> VolunteerQuerySet:
        """Active volunteers whose DBS check or training stops counting within `within_days` days
        (the set-level twin of `Volunteer.clearance_expires_within`)."""
        horizon = today + timedelta(days=within_days)
        dbs, training = settings.DBS_CHECK_VALID_YEARS, settings.SAFEGUARDING_TRAINING_VALID_YEARS
        status_days = timedelta(days=settings.DBS_UPDATE_SERVICE_CHECK_DAYS)
        certificate_within = Q(
            dbs_checked_on__gte=years_after(today, -dbs), dbs_checked_on__lte=years_after(horizon, -dbs)
        )
        # On the Update Service the check counts until the later of the certificate's expiry and the
        # status check's: that later date falls in the window.
        certificate_by_horizon = Q(dbs_checked_on__lte=years_after(horizon, -dbs))
        status_within = Q(
            dbs_status_checked_on__gte=today - status_days, dbs_status_checked_on__lte=horizon - status_days
        )
        status_by_horizon = Q(dbs_status_checked_on__lte=horizon - status_days)
        return self.filter(active=True).filter(
            Q(dbs_update_service=False) & certificate_within
            | Q(dbs_update_service=True, dbs_status_checked_on__isnull=True) & certificate_within
            | Q(dbs_update_service=True)
            & certificate_by_horizon
            & status_by_horizon
            & (certificate_within | status_within)
            | Q(training_on__gte=years_after(today, -training), training_on__lte=years_after(horizon, -training))
        )

    def for_staffing(self, visit: Visit) -> VolunteerQuerySet:
        """The volunteers with `covers_school` (covers the school's police force area) and `cleared`
        (`is_cleared_on` the visit's date) annotated: what `Visit.staffing_options` ranks a pool by. What
        they are booked for comes from `Visit.staffing_options` in a few set-level queries, not a subquery
        per volunteer (which, for the thousand volunteers of a large area, cost hundreds of milliseconds:
        docs/benchmarks.md)."""
        area_id = visit.school.local_authority.police_force_id if visit.school.local_authority_id else None
        return self.annotate(
            covers_school=Exists(Volunteer.areas.through.objects.filter(volunteer_id=OuterRef("pk"), area_id=area_id)),
            cleared=ExpressionWrapper(self.cleared_condition(visit.date), output_field=models.BooleanField()),
        )


class Volunteer(Person, models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer")
    phone = models.CharField(max_length=30, blank=True)
    postcode = models.CharField(
        max_length=10, blank=True, validators=[validate_uk_postcode],
        help_text="Where the volunteer sets out from: their district locates them (distances to schools).",
    )
    max_travel_km = models.PositiveSmallIntegerField(
        "furthest they will travel (km)", default=25,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text="In a straight line from their postcode district. Further is shown to coordinators, not refused.",
    )
    speaks_welsh = models.BooleanField("speaks Welsh", default=False, help_text="Can give sessions in Welsh.")
    signs_bsl = models.BooleanField("signs BSL", default=False, help_text="British Sign Language.")
    send_experience = models.BooleanField(
        "SEND experience", default=False, help_text="Experience with children with special educational needs."
    )
    may_lead = models.BooleanField(
        "may lead a visit", default=False,
        help_text="Set by a coordinator or staff: only a volunteer who may lead can be booked as a visit's lead.",
    )
    areas = models.ManyToManyField(
        Area,
        related_name="volunteers",
        limit_choices_to={"kind": Area.Kind.POLICE_FORCE},
        blank=True,
        help_text="Police force areas this volunteer covers.",
    )
    class DbsLevel(models.TextChoices):
        # Only the first is the check for work with children (regulated activity); the others are recorded
        # so that a lower check is never mistaken for it.
        ENHANCED_BARRED = "enhanced_barred", "Enhanced with the children's barred list"
        ENHANCED = "enhanced", "Enhanced (no barred list check)"
        BASIC = "basic", "Basic"

    dbs_checked_on = models.DateField("DBS check date", null=True, blank=True)
    dbs_reference = models.CharField("DBS certificate number", max_length=20, blank=True)
    dbs_level = models.CharField(
        "DBS check level",
        max_length=20,
        choices=DbsLevel.choices,
        help_text="Only an enhanced check with the children's barred list counts for this work.",
    )
    dbs_update_service = models.BooleanField(
        "on the DBS Update Service",
        default=False,
        help_text="The check keeps counting while its status is checked on the Update Service "
        "(at least every DBS_UPDATE_SERVICE_CHECK_DAYS days).",
    )
    dbs_status_checked_on = models.DateField(
        "Update Service status last checked", null=True, blank=True,
        help_text="The date someone last checked the certificate's status on the DBS Update Service.",
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

    GROUP = VOLUNTEERS_GROUP

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def clean(self) -> None:
        # Kept as Royal Mail writes it ("RG1 4QA"), whatever the spacing or case typed.
        self.postcode = normalise_postcode(self.postcode) or self.postcode

    @property
    def certificate_expires_on(self) -> date | None:
        """The first day the certificate itself no longer counts (DBS_CHECK_VALID_YEARS after it)."""
        if self.dbs_checked_on is None:
            return None
        return years_after(self.dbs_checked_on, settings.DBS_CHECK_VALID_YEARS)

    @property
    def status_check_due_on(self) -> date | None:
        """On the Update Service: the first day the last status check no longer counts (None: not on
        it, or never checked)."""
        if not self.dbs_update_service or self.dbs_status_checked_on is None:
            return None
        return self.dbs_status_checked_on + timedelta(days=settings.DBS_UPDATE_SERVICE_CHECK_DAYS)

    @property
    def dbs_expires_on(self) -> date | None:
        """The first day the DBS check no longer counts: the certificate's expiry or, on the Update
        Service, the later of that and the status check's (None: no check)."""
        dates = [d for d in (self.certificate_expires_on, self.status_check_due_on) if d]
        return max(dates) if dates else None

    @property
    def kept_by_status_check(self) -> bool:
        """The check counts (or counted last) because of its Update Service status check."""
        due, certificate = self.status_check_due_on, self.certificate_expires_on
        return due is not None and certificate is not None and due > certificate

    @property
    def dbs_summary(self) -> str:
        """The DBS check in words, as the volunteer, the coordinator and their emails see it."""
        if self.dbs_checked_on is None:
            return "none recorded"
        if self.dbs_level != self.DbsLevel.ENHANCED_BARRED:
            return f"{(self.get_dbs_level_display() or 'level not recorded').lower()}: does not count for this work"
        if self.kept_by_status_check:
            return (f"on the Update Service, status last checked {self.dbs_status_checked_on:%-d %B %Y}: "
                    f"Update Service status check due {self.dbs_expires_on:%-d %B %Y}")
        if self.dbs_update_service:
            return (f"on the Update Service, but without a recent status check it counts only until "
                    f"{self.dbs_expires_on:%-d %B %Y}")
        return f"expires {self.dbs_expires_on:%-d %B %Y}"

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
        elif on >= self.dbs_expires_on:
            if self.kept_by_status_check:
                issues.append(f"has a DBS Update Service status check that was due on {self.dbs_expires_on:%-d %B %Y}")
            else:
                issues.append(f"has a DBS check that expired on {self.dbs_expires_on:%-d %B %Y}")
        if self.dbs_checked_on is not None and self.dbs_level != self.DbsLevel.ENHANCED_BARRED:
            level = self.get_dbs_level_display().lower() if self.dbs_level else "unrecorded"
            issues.append(f"has a DBS check at the {level} level; this work needs an enhanced check with the "
                          "children's barred list")
        if self.training_on is None or self.training_on > on:
            issues.append("has no safeguarding training by that date")
        elif on >= self.training_expires_on:
            issues.append(f"has safeguarding training that expired on {self.training_expires_on:%-d %B %Y}")
        return issues

    def booking_refusal(self, on: date) -> str | None:
        """The booking gate: why the volunteer may not be invited or booked for a visit on that date."""
        issues = self.clearance_issues(on)
        return f"{self.name} cannot be booked: {'; '.join(issues)}." if issues else None

    def is_cleared_on(self, on: date) -> bool:
        """The single rule for "may work with children on that date"."""
        return not self.clearance_issues(on)

    def clearance_expires_within(self, days: int, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        expires = self.clearance_expires_on
        return expires is not None and today <= expires and (expires - today).days <= days


    @property
    def location(self) -> Point | None:
        """Where the volunteer is placed: their postcode district's centroid (None: Northern Ireland,
        an unknown district or no postcode; their distance is then unknown)."""
        return district_point(self.postcode)

    @property
    def skills(self) -> list[str]:
        """What the staffing panel shows of them: languages, SEND experience, leading."""
        return [label for has, label in (
            (self.speaks_welsh, "Welsh"), (self.signs_bsl, "BSL"), (self.send_experience, "SEND"),
            (self.may_lead, "may lead"),
        ) if has]

    def bookings_between(self, first: date, last: date) -> AssignmentQuerySet:
        """The volunteer's live bookings (invited or accepted, visit not cancelled or delivered) in a date range."""
        return self.assignments.live_between(first, last)


# Volunteers read whole with their accounts, by key: the staffing panel's ten shown and the directory's page of
# 25, built once a process for each number of them (config/prepared.py).
VOLUNTEERS_WITH_ACCOUNTS = ByKeys(lambda keys: Volunteer.objects.select_related("user").filter(pk__in=keys), most=25)


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


